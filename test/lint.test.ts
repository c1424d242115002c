/**
 * `npm run lint` as part of `npm test`: ESLint (eslint.config.mjs: Next's core-web-vitals and
 * TypeScript rules, react-hooks on) and Prettier's check (.prettierrc.json) over the project.
 * `npm run format` fixes what Prettier and ESLint can fix by themselves.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import test from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bin = (name: string) => path.join(ROOT, 'node_modules', '.bin', name);

function run(command: string, args: string[]): { status: number | null; output: string } {
  const result = spawnSync(command, args, { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 * 2 ** 20 });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

test('ESLint finds no problem (npm run lint)', () => {
  const { status, output } = run(bin('eslint'), ['--max-warnings=0', '.']);
  assert.equal(status, 0, `eslint reported problems:\n${output.slice(0, 8000)}`);
});

test('every file is formatted as Prettier formats it (npm run format fixes it)', () => {
  const { status, output } = run(bin('prettier'), ['--check', '.']);
  assert.equal(status, 0, `prettier --check found unformatted files:\n${output.slice(0, 8000)}`);
});
