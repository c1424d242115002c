/**
 * `next dev`'s article list kept between processes (lib/content/dev-paths.ts): read back while the
 * archive's folders are unchanged, walked again after a file is added, removed or renamed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  devArticleLookup,
  devArticlePathsCached,
  devNeedsArchiveFile,
  devPathsFile,
  keepDevLists,
  numbersNeedingArchive,
  writeNumbersNeedingArchive,
} from '../lib/content/dev-paths';
import { cacheFolder } from '../lib/content/corpus';
import { articlePathsByName } from '../lib/content/scan';
import { REPO_ROOT } from '../bench/lib/corpus';
import { builtSite } from './helpers/site-build';

function article(root: string, rel: string): void {
  mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
  writeFileSync(path.join(root, rel), '---\ntitle: "x"\n---\n');
}

/** Folder times in whole seconds on some file systems: set them apart explicitly. */
function touch(dir: string, seconds: number): void {
  utimesSync(dir, seconds, seconds);
}

test('the article list is walked once, then read back until a folder changes', () => {
  const tmp = mkdtempSync(path.join(tmpdir(), 'kb-dev-paths-'));
  try {
    const root = path.join(tmp, 'kb');
    const file = path.join(tmp, 'cache', 'dev-paths.json');
    article(root, '244/Q244717/README.md');
    article(root, '010/Q10022.md');
    article(root, '010/Q9999.md');
    const stats = { walked: false };
    const first = devArticlePathsCached(root, file, stats);
    assert.equal(stats.walked, true);
    assert.deepEqual(
      [...first],
      [...articlePathsByName(root)].sort((a, b) => a[0] - b[0]),
    );
    assert.deepEqual([...first.keys()], [9999, 10022, 244717], 'in number order');

    const again = devArticlePathsCached(root, file, stats);
    assert.equal(stats.walked, false);
    assert.deepEqual([...again], [...first]);

    // A new article in an existing folder.
    article(root, '010/Q10023.md');
    touch(path.join(root, '010'), 1_000_000);
    const added = devArticlePathsCached(root, file, stats);
    assert.equal(stats.walked, true);
    assert.equal(added.get(10023), '010/Q10023.md');
    assert.equal(devArticlePathsCached(root, file, stats).get(10023), '010/Q10023.md');
    assert.equal(stats.walked, false);

    // A renamed article folder, then a removed file.
    renameSync(path.join(root, '244/Q244717'), path.join(root, '244/Q244718'));
    touch(path.join(root, '244'), 1_000_001);
    const renamed = devArticlePathsCached(root, file, stats);
    assert.equal(stats.walked, true);
    assert.equal(renamed.has(244717), false);
    assert.equal(renamed.get(244718), '244/Q244718/README.md');
    rmSync(path.join(root, '010/Q9999.md'));
    touch(path.join(root, '010'), 1_000_002);
    assert.equal(devArticlePathsCached(root, file, stats).has(9999), false);
    assert.equal(stats.walked, true);

    // A damaged or foreign snapshot is walked again, never trusted.
    writeFileSync(file, `${JSON.stringify({ version: 2, root: '/elsewhere', folders: [], count: 1, chunks: [[1, 0]], end: 9 })}\n[1,"x.md"]\n`);
    assert.equal(devArticlePathsCached(root, file, stats).has(1), false);
    assert.equal(stats.walked, true);
    writeFileSync(file, '{"version":2,');
    assert.equal(devArticlePathsCached(root, file, stats).size, 3);
    assert.equal(stats.walked, true);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});

test('one article is looked up from its chunk of the list, not from the whole list', () => {
  const tmp = mkdtempSync(path.join(tmpdir(), 'kb-dev-lookup-'));
  try {
    const root = path.join(tmp, 'kb');
    const file = path.join(tmp, 'cache', 'dev-paths.ndjson');
    // 1,500 articles (three chunks), in both layouts, one under a name with a newline, a tab and non-ASCII letters.
    for (let n = 1; n <= 1500; n++) {
      const bucket = String(Math.floor(n / 100)).padStart(3, '0');
      article(root, n % 2 ? `${bucket}/Q${n}.md` : `${bucket}/Q${n}/README.md`);
    }
    article(root, 'é\n\tz/Q990001.md');
    const expected = articlePathsByName(root);
    const stats = { walked: false };
    const lookup = devArticleLookup(root, file, stats);
    assert.equal(stats.walked, true);
    assert.equal(lookup.size, 1501);
    assert.equal(lookup.first, 1);
    for (const [number, rel] of expected) assert.equal(lookup.get(number), rel, `Q${number}`);
    for (const number of [0, 1501, 990000, 990002, -1, Number.MAX_SAFE_INTEGER]) assert.equal(lookup.get(number), undefined);

    // Another process reads the list: its numbers' chunks alone. Every other chunk is overwritten in place
    // (same length, damaged), and the numbers in the intact one are still found.
    const fresh = devArticleLookup(root, file, stats);
    assert.equal(stats.walked, false);
    const text = readFileSync(file, 'utf8');
    const lines = text.split('\n');
    const damaged = lines.map((line, i) => (i > 1 && (i <= 512 || i > 1024) ? line.replace(/\d/g, 'x') : line)).join('\n');
    assert.equal(Buffer.byteLength(damaged), Buffer.byteLength(text));
    writeFileSync(file, damaged);
    for (let n = 513; n <= 1024; n++) assert.equal(fresh.get(n), expected.get(n), `Q${n} from its own chunk`);
    // A damaged chunk is never trusted: not found (the loaded archive decides then).
    assert.equal(fresh.get(3), undefined);
    assert.equal(fresh.get(1400), undefined);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});

test('the numbers needing the archive are read back while the parse cache is the one they were taken from', () => {
  const tmp = mkdtempSync(path.join(tmpdir(), 'kb-dev-needs-'));
  try {
    const root = path.join(tmp, 'kb');
    const cacheDir = path.join(tmp, 'cache');
    mkdirSync(root, { recursive: true });
    // No parse cache: nothing is kept, nothing read.
    writeNumbersNeedingArchive(root, [5], cacheDir);
    assert.equal(numbersNeedingArchive(root, cacheDir), null);
    const parsed = path.join(cacheFolder(root, cacheDir), 'parsed.ndjson');
    mkdirSync(path.dirname(parsed), { recursive: true });
    writeFileSync(parsed, '{"version":10}\n');
    touch(parsed, 1_700_000_000);
    writeNumbersNeedingArchive(root, [990999, 10, 244717], cacheDir);
    assert.deepEqual([...numbersNeedingArchive(root, cacheDir)!], [10, 244717, 990999]);
    // Another archive's root, or a parse cache written since: not used.
    assert.equal(numbersNeedingArchive(path.join(tmp, 'other'), cacheDir), null);
    touch(parsed, 1_700_000_001);
    assert.equal(numbersNeedingArchive(root, cacheDir), null);
    touch(parsed, 1_700_000_000);
    assert.equal(numbersNeedingArchive(root, cacheDir)?.size, 3);
    writeFileSync(parsed, '{"version":10}\n{}\n');
    touch(parsed, 1_700_000_000);
    assert.equal(numbersNeedingArchive(root, cacheDir), null, 'a parse cache of another size');
    // A broken or hostile file is not used.
    const st = statSync(parsed);
    const kept = { version: 1, root, parsed: [st.size, st.mtimeMs], numbers: [7] };
    writeFileSync(devNeedsArchiveFile(root, cacheDir), JSON.stringify(kept));
    assert.deepEqual([...numbersNeedingArchive(root, cacheDir)!], [7]);
    for (const text of [
      '{',
      'null',
      '{"version":1,"numbers":["__proto__"]}',
      JSON.stringify({ ...kept, numbers: [1e300] }),
      JSON.stringify({ ...kept, numbers: ['7'] }),
    ]) {
      writeFileSync(devNeedsArchiveFile(root, cacheDir), text);
      assert.equal(numbersNeedingArchive(root, cacheDir), null, text);
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});

test('after a build, the lists the first dev server reads are kept: cited missing numbers and misplaced articles, not the others', () => {
  const tmp = mkdtempSync(path.join(tmpdir(), 'kb-dev-keep-'));
  try {
    const root = path.join(tmp, 'kb');
    const cacheDir = path.join(tmp, 'cache');
    article(root, '244/Q244717/README.md');
    article(root, '010/Q10022.md');
    // Named by no number: the loader found Q10023 there (from its front matter), where the list by name has nothing.
    article(root, 'misc/notes.md');
    const parsed = path.join(cacheFolder(root, cacheDir), 'parsed.ndjson');
    mkdirSync(path.dirname(parsed), { recursive: true });
    writeFileSync(parsed, '{"version":10}\n');
    const articles = [
      { number: 244717, source: '244/Q244717/README.md' },
      { number: 10022, source: '010/Q10022.md' },
      { number: 10023, source: 'misc/notes.md' },
    ];
    assert.equal(keepDevLists(root, articles, [990999], cacheDir), 2);
    assert.deepEqual([...numbersNeedingArchive(root, cacheDir)!], [10023, 990999]);
    // The article list is kept too: the dev server reads it without walking the archive.
    const stats = { walked: true };
    assert.equal(devArticleLookup(root, devPathsFile(root, cacheDir), stats).get(10022), '010/Q10022.md');
    assert.equal(stats.walked, false);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});

test('kb build keeps them for the archive it built (content/ cites the missing Q990999)', async () => {
  const out = await builtSite();
  assert.match(readFileSync(path.join(path.dirname(out), 'build.log'), 'utf8'), /kbview: phase dev lists /);
  const file = devNeedsArchiveFile(path.join(REPO_ROOT, 'content'), path.join(REPO_ROOT, '.cache', 'kbview'));
  const kept = JSON.parse(readFileSync(file, 'utf8')) as { numbers: number[] };
  assert.ok(kept.numbers.includes(990999), JSON.stringify(kept.numbers));
  assert.ok(!kept.numbers.includes(244717), 'not an article found by name');
});
