/**
 * `npm test` (scripts/test.ts): node's own runner over the listed files, with
 * node's summary as the last lines of its output, and a non-zero exit code
 * when no test was executed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** `npm test -- <args>` without npm (and without its pretest step), output piped as in CI. */
function npmTest(...args: string[]) {
  const env = { ...process.env };
  // Run from inside a test file, node's runner would otherwise report to this test's run.
  delete env['NODE_TEST_CONTEXT'];
  const result = spawnSync(process.execPath, ['--import', 'tsx', path.join(REPO_ROOT, 'scripts', 'test.ts'), ...args], {
    cwd: REPO_ROOT,
    env,
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

test("a run ends with node's own summary and its exit code", () => {
  const run = npmTest('test/parse-cache.test.ts', '--test-name-pattern=^a second load');
  assert.equal(run.status, 0, run.stdout + run.stderr);
  assert.match(run.stdout, /^TAP version 13$/m, "node's TAP reporter when the output is not a terminal");
  const tail = run.stdout.trimEnd().split('\n').slice(-8).join('\n');
  assert.match(tail, /^# tests \d+\n# suites 0\n# pass 1\n# fail 0\n# cancelled 0\n# skipped \d+\n# todo 0/m, tail);
  assert.equal(run.stderr, '');
});

test('a run in which no test is executed fails', () => {
  const run = npmTest('test/parse-cache.test.ts', '--test-name-pattern=^no test has this name$');
  assert.notEqual(run.status, 0, 'a run that executed nothing passed');
  assert.match(run.stdout, /^# pass 0$/m);
  assert.match(run.stderr, /kbview test: FAILED: no test was executed/);
});

test('a file or folder that does not exist is an error', () => {
  const run = npmTest('test/no-such.test.ts');
  assert.equal(run.status, 2);
  assert.match(run.stderr, /no such test file or folder: test\/no-such\.test\.ts/);
});
