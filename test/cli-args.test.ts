/**
 * The one argument parser (lib/cli/args.ts) and the `kb` CLI's argument errors: an unknown option, a missing value,
 * an unknown command or an extra argument is an error naming it, with the usage, exit code 2; --help prints the usage.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { integerOption, parseCommandLine, UsageError } from '../lib/cli/args';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const TSX = path.join(REPO_ROOT, 'node_modules', '.bin', 'tsx');

const SPEC = {
  usage: 'usage: tool [--out DIR] [--fast] [dir]',
  options: { out: { type: 'string' }, fast: { type: 'boolean' }, port: { type: 'string', short: 'p' } },
  positionals: { max: 1 },
} as const;

function usageError(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    assert.ok(error instanceof UsageError, String(error));
    assert.equal(error.usage, SPEC.usage);
    return error.message;
  }
  assert.fail('no UsageError');
}

test('parseCommandLine: values, positionals, both option spellings, --help', () => {
  const r = parseCommandLine(['site', '--out', 'x', '--fast', '-p', '8080'], SPEC);
  assert.deepEqual({ ...r.values }, { out: 'x', fast: true, port: '8080' });
  assert.equal(Object.getPrototypeOf(r.values), null, 'option names never meet Object.prototype');
  assert.deepEqual(r.positionals, ['site']);
  assert.equal(r.help, false);
  assert.equal(parseCommandLine(['--out=y'], SPEC).values.out, 'y');
  assert.equal(parseCommandLine(['--help', '--fast'], SPEC).help, true);
  assert.equal(parseCommandLine(['-h'], SPEC).help, true);
  // `--` ends the options: what follows is an argument even if it looks like one.
  assert.deepEqual(parseCommandLine(['--', '--fast'], SPEC).positionals, ['--fast']);
});

test('parseCommandLine: every mistake is a UsageError naming the option or the argument', () => {
  assert.equal(
    usageError(() => parseCommandLine(['--bogus'], SPEC)),
    'unknown option --bogus',
  );
  assert.equal(
    usageError(() => parseCommandLine(['-x'], SPEC)),
    'unknown option -x',
  );
  assert.equal(
    usageError(() => parseCommandLine(['--out'], SPEC)),
    'option --out needs a value',
  );
  assert.equal(
    usageError(() => parseCommandLine(['--fast=yes'], SPEC)),
    'option --fast takes no value',
  );
  assert.match(
    usageError(() => parseCommandLine(['a', 'b'], SPEC)),
    /too many arguments \(at most 1\): "b"/,
  );
  assert.match(
    usageError(() => parseCommandLine(['a'], { ...SPEC, positionals: undefined })),
    /unexpected argument "a"/,
  );
  assert.match(
    usageError(() => parseCommandLine([], { ...SPEC, positionals: { min: 1, max: 2 } })),
    /missing argument/,
  );
  // Option names from the command line never reach a plain object's prototype.
  assert.equal(
    usageError(() => parseCommandLine(['--__proto__'], SPEC)),
    'unknown option --__proto__',
  );
  assert.equal(
    usageError(() => parseCommandLine(['--toString'], SPEC)),
    'unknown option --toString',
  );
});

test('integerOption: whole numbers in range, or an error naming the option', () => {
  assert.equal(integerOption(undefined, '--port', 'u', 3000, 0, 65535), 3000);
  assert.equal(integerOption('0', '--port', 'u', 3000, 0, 65535), 0);
  assert.throws(() => integerOption('x', '--port', 'u', 3000, 0, 65535), /option --port needs a whole number from 0 to 65535; got "x"/);
  assert.throws(() => integerOption('70000', '--port', 'u', 3000, 0, 65535), UsageError);
  assert.throws(() => integerOption('-1', '--port', 'u', 3000, 0, 65535), UsageError);
  assert.throws(() => integerOption('1.5', '--size', 'u', 1), UsageError);
});

function kb(...args: string[]) {
  const run = spawnSync(TSX, ['scripts/kb.ts', ...args], { cwd: REPO_ROOT, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

test('kb: argument errors name the option, command or argument, print the usage and exit 2; --help exits 0', () => {
  const cases: Array<[string[], RegExp]> = [
    [['parse', '--bogus', 'content/Q990001.md'], /^unknown option --bogus\nusage: kb <command>/],
    [['frobnicate'], /^unknown command "frobnicate"\nusage: kb <command>/],
    [['check', 'content', 'more'], /^too many arguments \(at most 1\): "more"\nusage: kb/],
    [['parse'], /^missing argument \(at least 1\)\nusage: kb/],
    [['build', '--out', 'x'], /^unknown option --out\nusage: kb/],
    [['parse', '--no-cache=1', 'content/Q990001.md'], /^option --no-cache takes no value\nusage: kb/],
  ];
  for (const [args, message] of cases) {
    const run = kb(...args);
    assert.equal(run.code, 2, `kb ${args.join(' ')}: ${run.stderr}`);
    assert.match(run.stderr, message, `kb ${args.join(' ')}`);
    assert.equal(run.stdout, '', `kb ${args.join(' ')} wrote nothing on stdout`);
  }
  for (const args of [['--help'], ['parse', '--help'], ['check', '-h']]) {
    const run = kb(...args);
    assert.equal(run.code, 0, `kb ${args.join(' ')}`);
    assert.match(run.stdout, /^usage: kb <command>/, `kb ${args.join(' ')}`);
  }
  // A well-formed command still runs: the option may come after the file.
  const ok = kb('parse', 'content/Q990001.md', '--no-cache');
  assert.equal(ok.code, 0, ok.stderr);
  assert.equal(JSON.parse(ok.stdout.trim().split('\n')[0]!).number, 990001);
});
