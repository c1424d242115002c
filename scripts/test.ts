/**
 * `npm test`: node's own test runner, `node --import tsx --test <files>`, over
 * test/**\/*.test.ts(x). Node 20's `--test` does not find `.ts` files by
 * itself, so this lists them; it adds nothing to node's output.
 *
 *   npm test                                   all tests
 *   npm test -- test/serve.test.ts test/foo    a subset (files or folders)
 *   npm test -- --test-name-pattern=gzip       node's flags pass through (use the = form)
 *
 * Output: node's reporter on stdout, as `node --test` picks it on Node 20 (spec
 * at a terminal; TAP otherwise, whatever the Node version), ending with node's
 * summary (`# tests N`, `# pass N`, `# fail N`, … in TAP; `ℹ tests N`, … in
 * spec), which CI reads. The exit code is node's: non-zero on any failure; a
 * second reporter (test/helpers/require-tests-reporter.mjs, on stderr) also
 * fails a run in which no test was executed.
 *
 * Set-up (Chromium and nginx from Debian for the browser and hosting tests)
 * is `npm test`'s `pretest` step, scripts/install-test-tools.sh, which `.ci/run` runs too.
 *
 * Environment:
 *   KB_TEST_BUDGET_MIN   whole-run time limit in minutes (default 75): past it the
 *                        run is stopped (test files' servers and browsers included) and fails
 *   KB_TEST_CONCURRENCY  test files run at once (default: the cores less one, at least 2;
 *                        `--test-concurrency=N` does the same); node starts them in name order
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const TEST_FILE = /\.test\.(ts|tsx|mts)$/;
const REPORTER = path.join(REPO_ROOT, 'test', 'helpers', 'require-tests-reporter.mjs');

const fail = (message: string): never => {
  process.stderr.write(`kbview test: ${message}\n`);
  process.exit(2);
};

function walk(dir: string, out: string[]): void {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) walk(full, out);
    else if (entry.isFile() && TEST_FILE.test(entry.name)) out.push(full);
  }
}

/** Test files of the folders and files named (relative to where `npm test` was run), or all of test/. */
function testFiles(args: string[]): string[] {
  const files: string[] = [];
  if (args.length === 0) walk(path.join(REPO_ROOT, 'test'), files);
  const base = process.env['INIT_CWD'] ?? process.cwd();
  for (const arg of args) {
    const p = path.resolve(base, arg);
    if (!existsSync(p)) fail(`no such test file or folder: ${arg}`);
    if (statSync(p).isDirectory()) walk(p, files);
    else files.push(p);
  }
  return [...new Set(files)].sort();
}

const args = process.argv.slice(2);
const files = testFiles(args.filter((a) => !a.startsWith('-')));
if (files.length === 0) fail('no test files found (test/**/*.test.ts)');

// Node's default is one less than the cores: one file at a time on 2 cores.
const concurrency = Number(process.env['KB_TEST_CONCURRENCY'] || Math.max(2, availableParallelism() - 1));
if (!(Number.isInteger(concurrency) && concurrency > 0))
  fail(`KB_TEST_CONCURRENCY must be a whole number of test files above 0, not ${process.env['KB_TEST_CONCURRENCY']}`);

const nodeArgs = [
  '--import',
  'tsx',
  '--test',
  // At least two files at once: while one file waits on a browser, a server or a child process, the other builds.
  ...(args.some((a) => a.startsWith('--test-concurrency')) ? [] : [`--test-concurrency=${concurrency}`]),
  // Ends the run when its tests are done, even if a file leaves a handle open.
  '--test-force-exit',
  `--test-reporter=${process.stdout.isTTY ? 'spec' : 'tap'}`,
  '--test-reporter-destination=stdout',
  `--test-reporter=${REPORTER}`,
  '--test-reporter-destination=stderr',
  // A test that hangs (a wait with no limit of its own) fails after 10 minutes instead of stalling the run.
  ...(args.some((a) => a.startsWith('--test-timeout')) ? [] : ['--test-timeout=600000']),
  ...args.filter((a) => a.startsWith('-')),
  ...files,
];

// Its own process group, so that stopping the run stops the test files' processes too.
const child = spawn(process.execPath, nodeArgs, { cwd: REPO_ROOT, stdio: 'inherit', detached: true });
const stop = (signal: NodeJS.Signals) => {
  try {
    process.kill(-child.pid!, signal);
  } catch {
    child.kill(signal);
  }
};
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => stop(signal));

const budgetMin = Number(process.env['KB_TEST_BUDGET_MIN'] || 75);
if (!(budgetMin > 0)) fail(`KB_TEST_BUDGET_MIN must be a number of minutes above 0, not ${process.env['KB_TEST_BUDGET_MIN']}`);
let overBudget = false;
const budget = setTimeout(() => {
  overBudget = true;
  process.stderr.write(`kbview test: FAILED: the run exceeded KB_TEST_BUDGET_MIN=${budgetMin} minutes; stopping it\n`);
  stop('SIGTERM');
  setTimeout(() => stop('SIGKILL'), 10_000).unref();
}, budgetMin * 60_000);

child.on('close', (code, signal) => {
  clearTimeout(budget);
  process.exit(overBudget || signal ? 1 : (code ?? 1));
});
