/**
 * The search index's whole build with worker threads (lib/search/build-worker.ts: they tokenize runs of documents
 * and write the result chunks) writes the same index, byte for byte, as the build in one thread: on the sample
 * archive and on the hostile fixtures, with the texts read by the workers from the parse cache's text file (where
 * `TextCache.locate` says) or sent to them whole.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadCorpus, publishedFiles, TextCache } from '../lib/content/corpus';
import { buildSearchIndex, type SearchSource } from '../lib/search/build';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'kbview-search-workers-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

/** Every file of an index folder: name → bytes. */
function filesOf(dir: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  const walk = (d: string, rel: string) => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const name = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory()) walk(path.join(d, entry.name), name);
      else out.set(name, readFileSync(path.join(d, entry.name)));
    }
  };
  walk(dir, '');
  return out;
}

function assertSameIndex(actual: string, expected: string): void {
  const a = filesOf(actual);
  const b = filesOf(expected);
  assert.deepEqual([...a.keys()].sort(), [...b.keys()].sort());
  for (const [name, bytes] of b) assert.ok(a.get(name)!.equals(bytes), `${name} is byte-identical to the one-thread build's`);
}

/** The archive's published files as the build's search sources: texts in the parse cache's text file. */
async function cachedSources(dir: string, cacheDir: string): Promise<{ sources: SearchSource[]; close: () => void }> {
  const corpus = await loadCorpus(dir, { cacheDir });
  const cache = await TextCache.open(dir, cacheDir);
  assert.ok(cache, `${dir} has a text cache`);
  const sources = publishedFiles(corpus).map((f) => ({ article: f.article, text: () => cache.text(f.source), textAt: cache.locate(f.source) ?? undefined }));
  assert.ok(sources.length > 0 && sources.every((s) => s.textAt), 'every text is located in the text cache');
  return { sources, close: () => cache.close() };
}

let runs = 0;
async function build(sources: readonly SearchSource[], workers: number, lines: string[] = []): Promise<string> {
  const dir = path.join(tmp, `index-${runs++}`);
  await buildSearchIndex(sources, dir, { workers, shardBytes: 400, chunk: 2, log: (line) => lines.push(line) });
  return dir;
}

for (const dir of ['content', 'test/fixtures/hostile']) {
  test(`${dir}: two and three worker threads (texts read from the text cache) write the one-thread index`, async () => {
    const { sources, close } = await cachedSources(dir, path.join(tmp, `cache-${runs}`));
    try {
      const one = await build(sources, 0);
      for (const workers of [2, 3]) {
        const lines: string[] = [];
        assertSameIndex(await build(sources, workers, lines), one);
        assert.ok(!lines.some((line) => /in this thread/.test(line)), `the workers did the work:\n${lines.join('\n')}`);
        assert.ok(lines.some((line) => line === `search index: ${sources.length}/${sources.length} documents tokenized`));
      }
    } finally {
      close();
    }
  });
}

test('texts given whole (no text cache) are sent to the workers: the same index', async () => {
  const corpus = await loadCorpus('test/fixtures/hostile', { withText: true, cacheDir: false });
  const sources = publishedFiles(corpus).map((f) => ({ article: f.article, text: f.text }));
  assertSameIndex(await build(sources, 2), await build(sources, 0));
  // A text read on demand, without a place in a text cache, is read here and sent.
  const lazy = sources.map((s) => ({ article: s.article, text: () => s.text }));
  assertSameIndex(await build(lazy, 2), await build(sources, 0));
});
