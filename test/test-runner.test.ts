/**
 * `npm test` (scripts/test.ts): node's own runner over the listed files, with
 * node's summary as the last lines of its output, and a non-zero exit code
 * when no test was executed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** `npm test -- <args>` without npm (and without its pretest step), output piped as in CI. */
function npmTest(args: string[], vars: Record<string, string> = {}) {
  const env = { ...process.env, ...vars };
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

/** Whether a process runs: it exists and is not a zombie (a container's init may never reap it). */
function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return true;
  }
}

test("a run ends with node's own summary and its exit code", () => {
  const run = npmTest(['test/parse-cache.test.ts', '--test-name-pattern=^a second load']);
  assert.equal(run.status, 0, run.stdout + run.stderr);
  assert.match(run.stdout, /^TAP version 13$/m, "node's TAP reporter when the output is not a terminal");
  const tail = run.stdout.trimEnd().split('\n').slice(-8).join('\n');
  assert.match(tail, /^# tests \d+\n# suites 0\n# pass 1\n# fail 0\n# cancelled 0\n# skipped \d+\n# todo 0/m, tail);
  assert.equal(run.stderr, '');
});

test('a run in which no test is executed fails', () => {
  const run = npmTest(['test/parse-cache.test.ts', '--test-name-pattern=^no test has this name$']);
  assert.notEqual(run.status, 0, 'a run that executed nothing passed');
  assert.match(run.stdout, /^# pass 0$/m);
  assert.match(run.stderr, /kbview test: FAILED: no test was executed/);
});

test('a file or folder that does not exist is an error', () => {
  const run = npmTest(['test/no-such.test.ts']);
  assert.equal(run.status, 2);
  assert.match(run.stderr, /no such test file or folder: test\/no-such\.test\.ts/);
});

test('a run past its time limit (KB_TEST_BUDGET_MIN) is stopped, its test processes too, and fails', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'kbview-runner-'));
  try {
    // A test file that would wait a minute, with a process of its own (as a test's server or browser), and says where they run.
    const pidFile = path.join(dir, 'pids');
    writeFileSync(
      path.join(dir, 'waits.test.mjs'),
      [
        "import { test } from 'node:test';",
        "import { spawn } from 'node:child_process';",
        "import { writeFileSync } from 'node:fs';",
        "test('waits a minute', () => {",
        "  const sleeper = spawn('sleep', ['60'], { stdio: 'ignore' });",
        `  writeFileSync(${JSON.stringify(pidFile)}, JSON.stringify([process.pid, sleeper.pid]));`,
        '  return new Promise((r) => setTimeout(r, 60_000));',
        '});',
      ].join('\n'),
    );
    const run = npmTest([path.join(dir, 'waits.test.mjs')], { KB_TEST_BUDGET_MIN: '0.05' });
    assert.equal(run.status, 1, run.stdout + run.stderr);
    assert.match(run.stderr, /FAILED: the run exceeded KB_TEST_BUDGET_MIN=0\.05 minutes; stopping it/);
    const [file, sleeper] = JSON.parse(readFileSync(pidFile, 'utf8')) as [number, number];
    // Signals take a moment to arrive: wait up to 5 s for both to end.
    for (let i = 0; i < 50 && (running(file) || running(sleeper)); i++) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100);
    assert.equal(running(file), false, 'the test file still runs');
    assert.equal(running(sleeper), false, "the test file's own process still runs");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
