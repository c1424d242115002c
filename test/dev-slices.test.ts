/**
 * `next dev` loads the archive in the background a slice at a time (lib/content/slices.ts): the scan,
 * the stats, the parse cache's lines, the link graph, the article indexes and the listings. Each gives
 * the same result as its one-piece form (the build's), and other work runs between its slices.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadCorpus, readLines } from '../lib/content/corpus';
import { buildLinkGraph, buildLinkGraphInSlices } from '../lib/content/graph';
import { buildBrowseIndex, buildBrowseIndexInSlices } from '../lib/content/browse-index';
import { scanContent, scanContentAsync } from '../lib/content/scan';
import { runStepsInSlices } from '../lib/content/slices';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Counts the turns other work gets while `work` runs. */
async function turnsDuring<T>(work: () => Promise<T>): Promise<{ value: T; turns: number }> {
  let turns = 0;
  let running = true;
  const other = () => {
    if (!running) return;
    turns++;
    setImmediate(other);
  };
  setImmediate(other);
  const value = await work();
  running = false;
  return { value, turns };
}

/** The sample articles and the hostile fixtures in two folders of a temporary archive. */
function withArchive(fn: (dir: string, cacheDir: string) => Promise<void>): Promise<void> {
  const root = mkdtempSync(path.join(tmpdir(), 'kbview-dev-slices-'));
  cpSync(path.join(REPO_ROOT, 'content'), path.join(root, 'kb', 'content'), { recursive: true });
  cpSync(path.join(REPO_ROOT, 'test', 'fixtures', 'hostile'), path.join(root, 'kb', 'hostile'), { recursive: true });
  return fn(path.join(root, 'kb'), path.join(root, 'cache')).finally(() => rmSync(root, { recursive: true, force: true }));
}

test('the background load gives what the build loads, from a cold and from a warm parse cache, with turns between slices', async () => {
  await withArchive(async (dir, cacheDir) => {
    const strip = (c: Awaited<ReturnType<typeof loadCorpus>>) => ({ ...c, stats: { ...c.stats, ms: 0 } });
    const cold = await turnsDuring(() => loadCorpus(dir, { cacheDir, background: true, sliceMs: 0 }));
    assert.equal(cold.value.stats.parsed, cold.value.stats.files - cold.value.stats.fromCache);
    assert.ok(cold.value.stats.parsed > 20, `${cold.value.stats.parsed} files parsed`);
    const warm = await turnsDuring(() => loadCorpus(dir, { cacheDir, background: true, sliceMs: 0 }));
    assert.equal(warm.value.stats.parsed, 0, 'the warm load reads the parse cache');
    const whole = await loadCorpus(dir, { cacheDir });
    assert.deepEqual(strip(warm.value), strip(whole));
    // A cold load has the texts it parsed too: compared with a cold load of the build's kind.
    assert.deepEqual(strip(cold.value), { ...strip(await loadCorpus(dir, { cacheDir: `${cacheDir}-2` })), cacheDir });
    // A turn after each directory, file stat and cache line at least.
    assert.ok(warm.turns >= whole.stats.files * 2, `${warm.turns} turns for ${whole.stats.files} files`);
  });
});

test('the sliced scan finds the same files and issues', async () => {
  await withArchive(async (dir) => {
    const { value, turns } = await turnsDuring(() => scanContentAsync(dir, 0));
    assert.deepEqual(value, scanContent(dir));
    assert.ok(value.files.length > 20 && turns >= 3, `${value.files.length} files, ${turns} turns`);
  });
});

test('the link graph and the listings built in slices are the ones built at once', async () => {
  await withArchive(async (dir, cacheDir) => {
    const { articles } = await loadCorpus(dir, { cacheDir });
    const graph = await turnsDuring(() => buildLinkGraphInSlices(articles, 0));
    const wholeGraph = buildLinkGraph(articles);
    assert.deepEqual(graph.value, wholeGraph);
    assert.ok(graph.value.missing.length > 0 && graph.turns >= articles.length, `${graph.turns} turns`);
    const browse = await turnsDuring(() => buildBrowseIndexInSlices(articles, wholeGraph.summaries, 0));
    assert.deepEqual(browse.value, buildBrowseIndex(articles, wholeGraph.summaries));
    assert.ok(browse.value.products.length > 1 && browse.turns >= articles.length, `${browse.turns} turns`);
  });
});

test('slices run until their time is up, then let other work run', async () => {
  function* steps(): Generator<void, number, void> {
    for (let i = 0; i < 50; i++) {
      const until = performance.now() + 2;
      while (performance.now() < until);
      yield;
    }
    return 50;
  }
  // 50 steps of 2 ms in slices of 20 ms: about 5 turns, not 50, not 0.
  const { value, turns } = await turnsDuring(() => runStepsInSlices(steps(), 20));
  assert.equal(value, 50);
  assert.ok(turns >= 3 && turns <= 10, `${turns} turns`);
});

test('readLines: CRLF and LF, a line across the 4 MiB read size, multi-byte characters at its edge, no final newline', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'kbview-lines-'));
  try {
    const file = path.join(dir, 'lines.ndjson');
    // "é" is 2 bytes in UTF-8: placed so that one of them straddles the 4 MiB boundary.
    const long = `${'a'.repeat((1 << 22) - 6)}ééé${'b'.repeat(1 << 22)}`;
    const lines = ['{"a":1}', long, '', 'ünïcödé ✓', 'last'];
    writeFileSync(file, `${lines[0]}\r\n${lines[1]}\n${lines[2]}\n${lines[3]}\r\n${lines[4]}`);
    assert.deepEqual([...readLines(file)], lines);
    writeFileSync(file, 'one\ntwo\n');
    assert.deepEqual([...readLines(file)], ['one', 'two']);
    writeFileSync(file, '');
    assert.deepEqual([...readLines(file)], []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
