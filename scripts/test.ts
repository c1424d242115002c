/**
 * `npm test`: run node:test over test/**\/*.test.ts (through tsx).
 *
 *   npm test                                   all tests
 *   npm test -- test/serve.test.ts test/foo    a subset (files or folders)
 *   npm test -- --test-name-pattern=gzip       node:test flags pass through (use the = form)
 *
 * Before browser tests (files that use test/helpers/browser or playwright) it
 * makes sure Chromium is installed (apt-get, when root). Output: node's spec
 * reporter on stdout (its own summary `ℹ tests N`, `ℹ pass N`, ... included),
 * then, as the last lines, the same summary in node:test's TAP form
 * (`# tests N`, `# pass N`, `# fail N`, ...), which CI reads. The exit code is
 * non-zero on any failure, on cancelled tests, and when no test ran.
 *
 * Environment:
 *   KB_TEST_CONCURRENCY   test files run at once (node's default: cores - 1)
 *   KB_TEST_BUDGET_MIN    whole-run time limit in minutes (default 75); the run is
 *                         stopped and fails past it, so CI does not hang silently
 *   CHROMIUM_PATH         Chromium executable (default /usr/bin/chromium)
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureChromium } from './lib/chromium';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const TEST_DIR = path.join(REPO_ROOT, 'test');
const TEST_FILE = /\.test\.(ts|tsx|mts)$/;
const SUMMARY_KEYS = ['tests', 'suites', 'pass', 'fail', 'cancelled', 'skipped', 'todo', 'duration_ms'];

const say = (line = '') => process.stdout.write(line + '\n');

function walk(dir: string, out: string[]): void {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) walk(full, out);
    else if (entry.isFile() && TEST_FILE.test(entry.name)) out.push(full);
  }
}

function resolveArg(arg: string): string | undefined {
  const bases = [process.cwd(), process.env.INIT_CWD, REPO_ROOT].filter((b): b is string => !!b);
  for (const base of bases) {
    const p = path.resolve(base, arg);
    if (existsSync(p)) return p;
  }
  return undefined;
}

function collectFiles(args: string[]): string[] {
  const files: string[] = [];
  if (args.length === 0) {
    if (existsSync(TEST_DIR)) walk(TEST_DIR, files);
  } else {
    for (const arg of args) {
      const p = resolveArg(arg);
      if (!p) {
        say(`kbview test: no such test file or folder: ${arg}`);
        process.exit(2);
      }
      if (statSync(p).isDirectory()) walk(p, files);
      else files.push(p);
    }
  }
  return [...new Set(files)].sort();
}

function usesBrowser(file: string): boolean {
  const src = readFileSync(file, 'utf8');
  return /helpers\/browser|playwright/.test(src);
}

function corpusNotice(): string {
  const dir = process.env.KB_CORPUS_DIR || path.join(REPO_ROOT, '.cache', 'corpus', 'kb');
  const tarball = process.env.KB_CORPUS_TARBALL || path.resolve(REPO_ROOT, '..', 'shared', 'corpus', 'kbarchive-kb.tar.gz');
  if (existsSync(dir)) return `kbview test: corpus: extracted at ${path.relative(REPO_ROOT, dir) || dir}`;
  if (existsSync(tarball)) return `kbview test: corpus: ${tarball} (extracted on first use)`;
  return `kbview test: corpus: NOT FOUND (${tarball}); corpus tests will be skipped`;
}

const ANSI = /\x1b\[[0-9;]*m/g;

/**
 * Collects the run summary from the spec reporter's closing lines
 * (`ℹ tests 19`, `ℹ pass 19`, ...; unindented, so only the run-level ones).
 * The last occurrence wins: the real summary follows all test output.
 */
class SummaryScanner {
  readonly summary = new Map<string, string>();
  private rest = '';
  push(chunk: string): void {
    const lines = (this.rest + chunk).split('\n');
    this.rest = lines.pop() ?? '';
    for (const line of lines) this.scan(line);
  }
  end(): void {
    this.scan(this.rest);
    this.rest = '';
  }
  private scan(line: string): void {
    const m = /^ℹ (\w+) (\S+)$/.exec(line.replace(ANSI, '').trimEnd());
    if (m && SUMMARY_KEYS.includes(m[1]!)) this.summary.set(m[1]!, m[2]!);
  }
}

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  const passthrough = argv.filter((a) => a.startsWith('--'));
  const files = collectFiles(argv.filter((a) => !a.startsWith('--')));
  if (files.length === 0) {
    say('kbview test: no test files found (test/**/*.test.ts)');
    return 1;
  }

  say(`kbview test: ${files.length} test file(s), node ${process.version}`);
  say(corpusNotice());
  const browserFiles = files.filter(usesBrowser);
  if (browserFiles.length > 0) {
    const chromium = ensureChromium({ log: say });
    if (chromium.ok) {
      say(`kbview test: chromium: ${chromium.version ?? 'unknown version'} at ${chromium.path}`);
    } else {
      say('');
      say('kbview test: !!! CHROMIUM IS NOT AVAILABLE: browser tests will FAIL !!!');
      say(`kbview test: ${chromium.reason}`);
      say(`kbview test: browser test files: ${browserFiles.map((f) => path.relative(REPO_ROOT, f)).join(', ')}`);
      say('');
    }
  }

  // Only the spec reporter, on stdout (a pipe, written synchronously): on Node 20
  // --test-force-exit cuts off reporters writing to files, so no TAP file is used;
  // the summary is read from the spec output as it passes through.
  const nodeArgs = ['--import', 'tsx', '--test', '--test-force-exit', '--test-reporter=spec', '--test-reporter-destination=stdout'];
  if (process.env.KB_TEST_CONCURRENCY) nodeArgs.push(`--test-concurrency=${process.env.KB_TEST_CONCURRENCY}`);
  nodeArgs.push(...passthrough, ...files);

  const budgetMin = Number(process.env.KB_TEST_BUDGET_MIN || 75);
  const env = { ...process.env };
  if (process.stdout.isTTY && env.FORCE_COLOR === undefined && env.NO_COLOR === undefined) env.FORCE_COLOR = '1';
  // Own process group, so that stopping the run also stops test files' processes (servers, browsers).
  const child = spawn(process.execPath, nodeArgs, { cwd: REPO_ROOT, stdio: ['inherit', 'pipe', 'inherit'], env, detached: true });
  const killGroup = (sig: NodeJS.Signals) => {
    try {
      if (child.pid) process.kill(-child.pid, sig);
    } catch {
      child.kill(sig);
    }
  };
  const scanner = new SummaryScanner();
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => {
    process.stdout.write(chunk);
    scanner.push(chunk);
  });
  const forward = (sig: NodeJS.Signals) => killGroup(sig);
  process.on('SIGINT', forward);
  process.on('SIGTERM', forward);
  let overBudget = false;
  const watchdog = setTimeout(() => {
    overBudget = true;
    say(`\nkbview test: the run exceeded KB_TEST_BUDGET_MIN=${budgetMin} minutes; stopping it`);
    killGroup('SIGTERM');
    setTimeout(() => killGroup('SIGKILL'), 10_000).unref();
  }, budgetMin * 60_000);
  watchdog.unref();

  const { code, signal } = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal })),
  );
  clearTimeout(watchdog);
  scanner.end();
  const summary = scanner.summary;

  let status = code ?? 1;
  const problems: string[] = [];
  if (signal) problems.push(`test runner was killed by ${signal}`);
  if (overBudget) problems.push('time budget exceeded');
  if (summary.size === 0) {
    problems.push(`test runner wrote no summary (exit code ${code ?? signal})`);
  } else {
    if (Number(summary.get('tests') ?? 0) === 0) problems.push('no test ran');
    if (Number(summary.get('fail') ?? 0) > 0) problems.push(`${summary.get('fail')} test(s) failed`);
    if (Number(summary.get('cancelled') ?? 0) > 0) problems.push(`${summary.get('cancelled')} test(s) cancelled`);
  }
  if (problems.length > 0 && status === 0) status = 1;

  say('');
  say(`kbview test: ${problems.length ? 'FAILED: ' + problems.join('; ') : 'all tests passed'}`);
  for (const key of SUMMARY_KEYS) {
    if (summary.has(key)) say(`# ${key} ${summary.get(key)}`);
  }
  return status;
}

main().then(
  (status) => process.exit(status),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
