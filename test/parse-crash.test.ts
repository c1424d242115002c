/**
 * A parse worker that dies on one article (here made to, by KB_TEST_WORKER_FAULT, read by the workers through
 * lib/config) costs that article only: it gets an error diagnostic naming it, and the others are parsed. This file
 * sets the variable for its own process (node --test runs each test file in its own).
 */
process.env.KB_TEST_WORKER_FAULT = 'crash:Q990002.md';

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const { loadCorpus } = await import('../lib/content/corpus');
const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

test('a parse worker that exits mid-file: that file gets a parser-crash error naming it, every other file is parsed', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kbview-parse-crash-'));
  try {
    const sample = readFileSync(path.join(REPO_ROOT, 'content', 'Q990001.md'), 'utf8');
    for (const n of [990001, 990002, 990003, 990004, 990005]) writeFileSync(path.join(dir, `Q${n}.md`), sample.replaceAll('990001', String(n)));
    const corpus = await loadCorpus(dir, { workers: 1, cacheDir: false });
    assert.deepEqual(corpus.articles.map((a) => a.number).sort(), [990001, 990003, 990004, 990005], corpus.diagnostics.map((d) => d.message).join('\n'));
    const crash = corpus.diagnostics.filter((d) => d.kind === 'parser-crash');
    assert.equal(crash.length, 1);
    assert.equal(crash[0]!.file, 'Q990002.md');
    assert.equal(crash[0]!.severity, 'error');
    assert.match(crash[0]!.message, /crashed while processing Q990002\.md: the worker exited \(code 70\); the file was skipped/);
    assert.equal(corpus.stats.files, 5);
    assert.ok(corpus.stats.skipped >= 1, JSON.stringify(corpus.stats));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
