/**
 * A worker thread of the search index's whole build that dies (here made to, by KB_TEST_WORKER_FAULT, read by the
 * workers through lib/config) costs time, not the index: the result chunks it did not write are written by the
 * build's own thread, and the index is the one a build in one thread writes. This file sets the variable for its
 * own process (node --test runs each test file in its own).
 */
process.env.KB_TEST_WORKER_FAULT = 'crash:search index: result chunks of documents 5–6';

import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const { buildSearchIndex } = await import('../lib/search/build');
const { parseArticle } = await import('../lib/markdown/index');
const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'kbview-search-crash-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

function filesOf(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const sub of ['', 'm', 't', 'r']) {
    for (const entry of readdirSync(path.join(dir, sub), { withFileTypes: true }))
      if (entry.isFile()) out.set(`${sub}/${entry.name}`, readFileSync(path.join(dir, sub, entry.name), 'utf8'));
  }
  return out;
}

test('a result chunk worker that exits: its chunks are written by the build, the index is the one-thread one', async () => {
  const sample = readFileSync(path.join(REPO_ROOT, 'content', 'Q990001.md'), 'utf8');
  // Eight articles: four result chunk jobs of one chunk (threads take them one at a time as they finish one).
  const sources = [990001, 990002, 990003, 990004, 990005, 990006, 990007, 990008].map((n) => {
    const text = sample.replaceAll('990001', String(n)).replace('title: "', `title: "Part ${n} `);
    const parsed = parseArticle(text, `Q${n}.md`);
    assert.ok(parsed.article);
    return { article: parsed.article, text };
  });
  const one = path.join(tmp, 'one');
  await buildSearchIndex(sources, one, { workers: 0, chunk: 2 });
  const lines: string[] = [];
  const three = path.join(tmp, 'three');
  await buildSearchIndex(sources, three, { workers: 3, chunk: 2, log: (line) => lines.push(line) });
  const failed = lines.filter((line) => line.includes('in this thread'));
  assert.equal(failed.length, 1, lines.join('\n'));
  // The other jobs are the workers' (the pool goes on after a crash): only the chunk of documents 5–6 is left to the build.
  assert.match(failed[0]!, /^search index: writing 1 result chunks in this thread \(a worker thread failed: .*result chunks of documents 5–6/);
  const expected = filesOf(one);
  const actual = filesOf(three);
  assert.deepEqual([...actual.keys()].sort(), [...expected.keys()].sort());
  for (const [name, text] of expected) assert.equal(actual.get(name), text, name);
});
