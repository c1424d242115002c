/** The one printer of diagnostics and summaries (lib/cli/print.ts), and `kb check` / `kb parse` using it. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatDiagnostic, kindCounts, printable, printDiagnostics, summaryLine } from '../lib/cli/print';
import type { Diagnostic } from '../lib/markdown/index';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const TSX = path.join(REPO_ROOT, 'node_modules', '.bin', 'tsx');

const d = (file: string, line: number | undefined, severity: 'error' | 'warning', kind: string, message: string): Diagnostic =>
  ({ file, line, severity, kind, message }) as Diagnostic;

test('formatDiagnostic: file:line: level: message [kind], under a base folder, control characters escaped', () => {
  assert.equal(formatDiagnostic(d('Q1.md', 12, 'warning', 'odd-heading', 'heading skipped')), 'Q1.md:12: warning: heading skipped [odd-heading]');
  assert.equal(formatDiagnostic(d('Q1.md', undefined, 'error', 'unreadable', 'cannot read'), 'kb'), 'kb/Q1.md: error: cannot read [unreadable]');
  assert.equal(formatDiagnostic(d('Q\x1b[31m1.md', 1, 'error', 'x', 'bell\x07')), 'Q\\x1b[31m1.md:1: error: bell\\x07 [x]');
  assert.equal(printable('a\u0085b\u007fc\td'), 'a\\x85b\\x7fc\\x09d');
});

test('printDiagnostics: at most `limit` lines, then how many more and what shows them all', () => {
  const lines: string[] = [];
  const all = [1, 2, 3, 4, 5].map((n) => d(`Q${n}.md`, n, 'warning', 'w', `m${n}`));
  printDiagnostics(all, { base: 'dir', limit: 2, rest: 'kb check', write: (l) => lines.push(l) });
  assert.deepEqual(lines, ['dir/Q1.md:1: warning: m1 [w]', 'dir/Q2.md:2: warning: m2 [w]', 'kbview: … and 3 more diagnostics (run kb check for all)']);
  lines.length = 0;
  printDiagnostics(all, { write: (l) => lines.push(l) });
  assert.equal(lines.length, 5);
  assert.deepEqual(kindCounts([...all, d('Q9.md', 1, 'error', 'bad', 'x')]), ['  1 error bad', '  5 warning w']);
});

test('summaryLine: the one summary of a parse', () => {
  const line = summaryLine({ files: 10, articles: 8, fromCache: 3, parsed: 7, withWarnings: 2, withErrors: 1, skipped: 2, ms: 1234 });
  assert.equal(line, 'kbview: 10 files read, 8 articles, 2 with warnings, 1 with errors, 2 skipped (7 parsed, 3 from cache, 1.2 s)');
});

test('kb check and kb parse print diagnostics and the summary through the one printer', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kbview-print-'));
  try {
    writeFileSync(path.join(dir, 'Q990001.md'), '---\ntitle: "no raw block"\n---\n\nplain\n');
    writeFileSync(path.join(dir, 'Q990002.md'), Buffer.from([0, 1, 2, 0xff, 0xfe, 0]));
    const check = spawnSync(TSX, ['scripts/kb.ts', 'check', dir], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
      env: { ...process.env, KB_CACHE_DIR: path.join(dir, '.cache') },
    });
    const lines = check.stdout.split('\n');
    const diagnostics = lines.filter((l) => l.startsWith(dir));
    assert.ok(diagnostics.length >= 1, check.stdout + check.stderr);
    for (const line of diagnostics) assert.match(line, /^[^:]+\.md(:\d+)?: (error|warning): .+ \[[a-z-]+\]$/, line);
    assert.match(check.stdout, /^kbview: 2 files read, \d articles, \d with warnings, \d with errors, \d skipped \(\d parsed, \d from cache, [\d.]+ s\)$/m);
    const parse = spawnSync(TSX, ['scripts/kb.ts', 'parse', '--no-cache', path.join(dir, 'Q990002.md'), path.join(dir, 'missing.md')], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
    });
    const errors = parse.stderr.split('\n').filter(Boolean);
    assert.ok(errors.length >= 2, parse.stderr);
    for (const line of errors) assert.match(line, /^[^:]+\.md(:\d+)?: (error|warning): .+ \[[a-z-]+\]$/, line);
    assert.ok(
      errors.some((l) => l === `${path.join(dir, 'missing.md')}: error: no such file or directory [unreadable]`),
      parse.stderr,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
