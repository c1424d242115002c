/**
 * The loader's parse cache (lib/content/corpus.ts) is keyed on each file's
 * mtime and size: a file whose mtime or size differs from its cache entry is
 * parsed again, whichever of the two changed. The edits here are the ones
 * that catch a cache looking at one of them only: a same-size edit (only the
 * mtime changes) and an edit whose mtime is set back (only the size changes).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { cacheFolder, keptScanFile, loadCorpus, readCacheAhead, TextCache } from '../lib/content/corpus';
import { listingArticle } from '../lib/content/listing';
import { article } from '../bench/lib/hostile-content';

/** Whole seconds, so that setting an mtime back restores it exactly. */
const T0 = new Date('2026-11-20T10:00:00Z');

function write(file: string, text: string, mtime: Date): void {
  writeFileSync(file, text);
  utimesSync(file, mtime, mtime);
}

interface Content {
  content: string;
  cacheDir: string;
  /** The article that is edited. */
  file: string;
}

/** Three articles (mtime T0) in a temporary content folder, with a parse cache beside it. */
async function withContent(fn: (ctx: Content) => Promise<void>): Promise<void> {
  const root = mkdtempSync(path.join(tmpdir(), 'kbview-parse-cache-'));
  try {
    const content = path.join(root, 'content');
    mkdirSync(content);
    write(path.join(content, 'Q990601.md'), article('Q990601', 'Alpha Cache Article', 'The first version of this article.'), T0);
    write(path.join(content, 'Q990602.md'), article('Q990602', 'Bravo Cache Article', 'An article that never changes.'), T0);
    write(path.join(content, 'Q990603.md'), article('Q990603', 'Charlie Cache Article', 'Another article that never changes.'), T0);
    await fn({ content, cacheDir: path.join(root, 'cache'), file: path.join(content, 'Q990601.md') });
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

const titleOf = (corpus: Awaited<ReturnType<typeof loadCorpus>>, id: string) => corpus.articles.find((a) => a.id === id)?.title;

test('a second load reads unchanged files from the cache', async () => {
  await withContent(async ({ content, cacheDir }) => {
    const first = await loadCorpus(content, { cacheDir });
    assert.deepEqual([first.stats.parsed, first.stats.fromCache], [3, 0]);
    const second = await loadCorpus(content, { cacheDir });
    assert.deepEqual([second.stats.parsed, second.stats.fromCache], [0, 3]);
    assert.deepEqual(second.articles, first.articles);
  });
});

test('a same-size edit (only the mtime changes) is parsed again', async () => {
  await withContent(async ({ content, cacheDir, file }) => {
    const first = await loadCorpus(content, { cacheDir });
    assert.equal(titleOf(first, 'Q990601'), 'Alpha Cache Article');
    const before = statSync(file);
    const edited = readFileSync(file, 'utf8').replaceAll('Alpha', 'Omega');
    write(file, edited, new Date(T0.getTime() + 60_000));
    assert.equal(statSync(file).size, before.size, 'the edit keeps the size');
    assert.notEqual(statSync(file).mtimeMs, before.mtimeMs);

    const second = await loadCorpus(content, { cacheDir });
    assert.deepEqual([second.stats.parsed, second.stats.fromCache], [1, 2], 'only the edited file is parsed again');
    assert.equal(titleOf(second, 'Q990601'), 'Omega Cache Article');
    // And the cache now holds the new version.
    const third = await loadCorpus(content, { cacheDir });
    assert.deepEqual([third.stats.parsed, titleOf(third, 'Q990601')], [0, 'Omega Cache Article']);
  });
});

test('an edit with the mtime set back (only the size changes) is parsed again', async () => {
  await withContent(async ({ content, cacheDir, file }) => {
    await loadCorpus(content, { cacheDir });
    const before = statSync(file);
    const edited = readFileSync(file, 'utf8').replace('Alpha Cache Article', 'Alpha Cache Article, Revised');
    write(file, edited, T0);
    assert.equal(statSync(file).mtimeMs, before.mtimeMs, 'the mtime is the one the cache holds');
    assert.notEqual(statSync(file).size, before.size);

    const second = await loadCorpus(content, { cacheDir });
    assert.deepEqual([second.stats.parsed, second.stats.fromCache], [1, 2], 'only the edited file is parsed again');
    assert.equal(titleOf(second, 'Q990601'), 'Alpha Cache Article, Revised');
  });
});

test('the listing cache (lib/content/listing.ts) holds the listing fields only, and follows edits like the parse cache', async () => {
  await withContent(async ({ content, cacheDir, file }) => {
    const full = await loadCorpus(content, { cacheDir });
    const listing = await loadCorpus(content, { cacheDir, listing: true });
    assert.deepEqual([listing.stats.parsed, listing.stats.fromCache], [0, 3]);
    assert.deepEqual(
      listing.articles,
      full.articles.map((a) => listingArticle(a)),
      'every listing field as parsed, the others empty',
    );
    // The left-out fields share one frozen empty array, not ten new ones an article (~75 MB per export worker at 241k).
    const [first, second] = listing.articles;
    assert.ok(
      Object.isFrozen(first!.sections) && (first!.sections as unknown) === second!.versions && (first!.appliesTo as unknown) === second!.fileAttributes,
    );
    assert.throws(() => (first!.sections as unknown[]).push(1), TypeError);
    const stored = readFileSync(path.join(cacheFolder(content, cacheDir), 'listing.ndjson'), 'utf8');
    assert.ok(stored.includes('"Bravo Cache Article"') && !stored.includes('"sections":[{'), 'the file on disk is the cut-down one');
    assert.ok(
      full.articles.some((a) => a.sections.length > 0),
      'the fixture has sections to leave out',
    );

    write(file, readFileSync(file, 'utf8').replaceAll('Alpha', 'Omega'), new Date(T0.getTime() + 60_000));
    const edited = await loadCorpus(content, { cacheDir, listing: true });
    assert.deepEqual([edited.stats.parsed, titleOf(edited, 'Q990601')], [1, 'Omega Cache Article'], 'a changed file is parsed again');
    assert.ok(edited.articles.every((a) => a.sections.length === 0));
    // Both caches were rewritten: the full one keeps every field.
    const after = await loadCorpus(content, { cacheDir });
    assert.deepEqual([after.stats.parsed, titleOf(after, 'Q990601')], [0, 'Omega Cache Article']);
    assert.ok(after.articles.some((a) => a.sections.length > 0));
    const again = await loadCorpus(content, { cacheDir, listing: true });
    assert.deepEqual([again.stats.parsed, titleOf(again, 'Q990601')], [0, 'Omega Cache Article']);
  });
});

test('TextCache reads each text of the parse cache from disk, the same as a load with texts', async () => {
  await withContent(async ({ content, cacheDir, file }) => {
    assert.equal(await TextCache.open(content, cacheDir), null, 'no cache yet');
    const loaded = await loadCorpus(content, { cacheDir, withText: true });
    const cache = await TextCache.open(content, cacheDir);
    assert.ok(cache);
    try {
      for (const f of loaded.files) {
        assert.ok(cache.has(f.source));
        assert.ok(f.text.length > 0);
        assert.equal(cache.text(f.source), f.text);
      }
      assert.equal(cache.has('Q990699.md'), false);
      assert.equal(cache.text('Q990699.md'), '');
    } finally {
      cache.close();
    }
    // A rewritten cache (an edit) is read as it is now.
    write(file, readFileSync(file, 'utf8').replaceAll('first version', 'second version'), new Date(T0.getTime() + 60_000));
    await loadCorpus(content, { cacheDir });
    const again = (await TextCache.open(content, cacheDir))!;
    try {
      assert.match(again.text(path.relative(content, file)), /second version/);
    } finally {
      again.close();
    }
  });
});

test('TextCache finds each text whatever the chunk it reads the cache in; a cache cut short or of another version is not used', async () => {
  await withContent(async ({ content, cacheDir }) => {
    // Names with quotes, a backslash and non-ASCII letters: the heads of their lines are JSON with escapes.
    mkdirSync(path.join(content, 'say ","text":x\\'));
    write(path.join(content, 'say ","text":x\\', 'Q990604.md'), article('Q990604', 'Quote Cache Article', 'A text with "quotes" and é.'), T0);
    mkdirSync(path.join(content, 'Ünïcode'));
    write(path.join(content, 'Ünïcode', 'Q990605.md'), article('Q990605', 'Unicode Cache Article', 'Non-ASCII: 文字 and \u2028.'), T0);
    const loaded = await loadCorpus(content, { cacheDir, withText: true });
    assert.equal(loaded.files.length, 5);
    const textFile = path.join(cacheFolder(content, cacheDir), 'text.ndjson');
    const size = statSync(textFile).size;
    // From 1 byte (every line spans chunks) to the whole file at once.
    for (const chunk of [1, 2, 3, 7, 64, 301, 4096, size, size + 1]) {
      const cache = (await TextCache.open(content, cacheDir, chunk))!;
      try {
        for (const f of loaded.files) assert.equal(cache.text(f.source), f.text, `${f.source} with chunks of ${chunk} bytes`);
      } finally {
        cache.close();
      }
    }
    const whole = readFileSync(textFile);
    // Cut in the middle of its last line: that line is not a text cache line.
    writeFileSync(textFile, whole.subarray(0, size - 10));
    assert.equal(await TextCache.open(content, cacheDir, 64), null);
    // Another version's header.
    writeFileSync(textFile, Buffer.concat([Buffer.from('{"version":-1}'), whole.subarray(whole.indexOf(10))]));
    assert.equal(await TextCache.open(content, cacheDir), null);
    writeFileSync(textFile, '');
    assert.equal(await TextCache.open(content, cacheDir), null);
  });
});

test('a few changed files are appended to the caches (the last entry wins); many, and the caches are rewritten', async () => {
  await withContent(async ({ content, cacheDir, file }) => {
    const folder = cacheFolder(content, cacheDir);
    const lines = (name: string) => readFileSync(path.join(folder, name), 'utf8').split('\n').filter(Boolean).length;
    await loadCorpus(content, { cacheDir });
    await loadCorpus(content, { cacheDir, listing: true });
    assert.deepEqual([lines('parsed.ndjson'), lines('text.ndjson'), lines('listing.ndjson')], [4, 4, 4], 'a version line and three entries');

    write(file, readFileSync(file, 'utf8').replaceAll('first version', 'second version'), new Date(T0.getTime() + 60_000));
    const edited = await loadCorpus(content, { cacheDir });
    assert.deepEqual([edited.stats.parsed, edited.stats.fromCache], [1, 2]);
    assert.deepEqual([lines('parsed.ndjson'), lines('text.ndjson'), lines('listing.ndjson')], [5, 5, 5], 'one entry appended to each');
    // Every reader takes the appended entry.
    const texts = (await TextCache.open(content, cacheDir))!;
    try {
      assert.match(texts.text('Q990601.md'), /second version/);
    } finally {
      texts.close();
    }
    const withText = await loadCorpus(content, { cacheDir, withText: true });
    assert.equal(withText.stats.parsed, 0);
    assert.match(withText.files.find((f) => f.source === 'Q990601.md')!.text, /second version/);
    assert.equal(withText.files.length, 3);
    const listing = await loadCorpus(content, { cacheDir, listing: true });
    assert.deepEqual([listing.stats.parsed, listing.articles.length], [0, 3]);
    // The file parsed again holds its text (the file index and the search index read it).
    assert.deepEqual(edited.files.find((f) => f.source === 'Q990601.md')!.text.includes('second version'), true);

    // Many edits (past a tenth of the cache, at least 50 entries superseded): the caches are rewritten, one entry a file.
    for (let i = 0; i < 60; i++) {
      write(file, readFileSync(file, 'utf8').replace(/(second|third) version( \d+)?/, `third version ${i}`), new Date(T0.getTime() + 120_000 + i * 1000));
      const again = await loadCorpus(content, { cacheDir });
      assert.equal(again.stats.parsed, 1);
    }
    assert.ok(lines('parsed.ndjson') <= 4 + 51, `rewritten once over 50 superseded entries (${lines('parsed.ndjson')} lines)`);
    assert.equal(lines('parsed.ndjson'), lines('text.ndjson'));
    const last = await loadCorpus(content, { cacheDir, withText: true });
    assert.deepEqual([last.stats.parsed, last.files.length], [0, 3]);
    assert.match(last.files.find((f) => f.source === 'Q990601.md')!.text, /third version 59/);
  });
});

test('a cache read ahead (readCacheAhead) is completed by what was appended since; a rewritten cache is read again, a line being written is left to the rest', async () => {
  await withContent(async ({ content, cacheDir, file }) => {
    const cacheFile = path.join(cacheFolder(content, cacheDir), 'parsed.ndjson');
    assert.equal(readCacheAhead(content, cacheDir), null, 'no cache yet');
    await loadCorpus(content, { cacheDir });
    const ahead = readCacheAhead(content, cacheDir)!;
    assert.deepEqual([ahead.lines, ahead.bytes], [3, statSync(cacheFile).size]);
    // Marked, so that a load that takes its entries shows it.
    ahead.map.get('Q990602.md')!.article!.title = 'Read ahead';

    // The edit that kb prepare parses meanwhile: appended to the cache.
    write(file, readFileSync(file, 'utf8').replaceAll('Alpha', 'Omega'), new Date(T0.getTime() + 60_000));
    assert.equal((await loadCorpus(content, { cacheDir })).stats.parsed, 1);
    const loaded = await loadCorpus(content, { cacheDir, ahead });
    assert.deepEqual([loaded.stats.parsed, loaded.stats.fromCache], [0, 3]);
    assert.equal(titleOf(loaded, 'Q990601'), 'Omega Cache Article', 'the appended entry');
    assert.equal(titleOf(loaded, 'Q990602'), 'Read ahead', 'the entries read ahead');
    const plain = await loadCorpus(content, { cacheDir });
    assert.deepEqual(
      loaded.articles.filter((a) => a.id !== 'Q990602'),
      plain.articles.filter((a) => a.id !== 'Q990602'),
    );

    // A cache rewritten since (another file at its path): its entries are read, not the ones read ahead.
    const rewritten = readCacheAhead(content, cacheDir)!;
    rewritten.map.get('Q990602.md')!.article!.title = 'Read ahead';
    writeFileSync(`${cacheFile}.tmp`, readFileSync(cacheFile));
    renameSync(`${cacheFile}.tmp`, cacheFile);
    assert.equal(titleOf(await loadCorpus(content, { cacheDir, ahead: rewritten }), 'Q990602'), 'Bravo Cache Article');

    // A line still being written when the cache is read ahead: left out of it, and read with the rest once complete.
    const entry = readFileSync(cacheFile, 'utf8')
      .split('\n')
      .find((line) => line.includes('"Q990602.md"'))!
      .replace('Bravo Cache Article', 'Appended later');
    const complete = statSync(cacheFile).size;
    appendFileSync(cacheFile, entry.slice(0, 40));
    const partial = readCacheAhead(content, cacheDir)!;
    assert.deepEqual([partial.lines, partial.bytes], [4, complete]);
    appendFileSync(cacheFile, `${entry.slice(40)}\n`);
    assert.equal(titleOf(await loadCorpus(content, { cacheDir, ahead: partial }), 'Q990602'), 'Appended later');
  });
});

test('dropTexts: after a whole parse the texts are left to the rewritten text cache; appended files keep theirs', async () => {
  await withContent(async ({ content, cacheDir, file }) => {
    const whole = await loadCorpus(content, { cacheDir, dropTexts: true });
    assert.equal(whole.stats.parsed, 3);
    assert.deepEqual(
      whole.files.map((f) => f.text),
      ['', '', ''],
    );
    const cache = (await TextCache.open(content, cacheDir))!;
    try {
      for (const f of whole.files) assert.ok(cache.text(f.source).length > 0, f.source);
    } finally {
      cache.close();
    }
    // Without the option, a whole parse keeps them.
    rmSync(cacheFolder(content, cacheDir), { recursive: true, force: true });
    const kept = await loadCorpus(content, { cacheDir });
    assert.ok(kept.files.every((f) => f.text.length > 0));
    // One file edited: appended to the caches, not rewritten; its text is kept (the file index reads it).
    write(file, readFileSync(file, 'utf8').replaceAll('first version', 'second version'), new Date(T0.getTime() + 60_000));
    const edited = await loadCorpus(content, { cacheDir, dropTexts: true });
    assert.equal(edited.stats.parsed, 1);
    assert.match(edited.files.find((f) => f.source === path.relative(content, file))!.text, /second version/);
  });
});

test('dropTexts with parse workers: each text goes to disk as it arrives, and the text cache is the one a load holding them writes', async () => {
  await withContent(async ({ content, cacheDir }) => {
    // Multi-byte text: the spool's offsets are in bytes.
    write(path.join(content, 'Q990604.md'), article('Q990604', 'Delta Cache Article', 'Überprüfung des Café-Menüs ✓ 日本語のテキスト.'), T0);
    const held = await loadCorpus(content, { cacheDir, workers: 1 });
    assert.equal(held.stats.parsed, 4);
    assert.ok(held.files.every((f) => f.text.length > 0));
    const folder = cacheFolder(content, cacheDir);
    const expected = readFileSync(path.join(folder, 'text.ndjson'), 'utf8');
    assert.match(expected, /Café-Menüs ✓ 日本語/);
    rmSync(folder, { recursive: true, force: true });
    // A spool left by a load whose process is gone (no such process id) is removed by the next spooled load.
    mkdirSync(folder, { recursive: true });
    writeFileSync(path.join(folder, 'parsed.ndjson.texts.99999999.tmp'), 'left by a stopped load');
    const spooled = await loadCorpus(content, { cacheDir, workers: 1, dropTexts: true });
    assert.equal(spooled.stats.parsed, 4);
    assert.deepEqual(
      spooled.files.map((f) => f.text),
      ['', '', '', ''],
    );
    assert.equal(readFileSync(path.join(folder, 'text.ndjson'), 'utf8'), expected);
    // The spool is removed: the cache folder holds the three caches only.
    assert.deepEqual(readdirSync(folder).sort(), ['listing.ndjson', 'parsed.ndjson', 'text.ndjson']);
    assert.deepEqual(spooled.articles, held.articles);
  });
});

test('keepScan keeps what the scan found; a load fromScan takes the files from it, and walks when it is not of its archive', async () => {
  await withContent(async ({ content, cacheDir, file }) => {
    const kept = keptScanFile(content, cacheDir);
    const first = await loadCorpus(content, { cacheDir, keepScan: true });
    assert.deepEqual(JSON.parse(readFileSync(kept, 'utf8')).files, ['Q990601.md', 'Q990602.md', 'Q990603.md']);
    // A file added and one edited after the kept scan: a load from it sees the archive as the scan saw it
    // (the build's later loads describe the archive its kb prepare parsed), without a walk or a stat.
    write(path.join(content, 'Q990604.md'), article('Q990604', 'Delta Cache Article', 'Added after the scan.'), T0);
    write(file, article('Q990601', 'Alpha Cache Article, edited', 'Edited after the scan.'), new Date(T0.getTime() + 5000));
    const fromScan = await loadCorpus(content, { cacheDir, fromScan: kept });
    assert.deepEqual(fromScan.articles, first.articles);
    assert.deepEqual([fromScan.stats.parsed, fromScan.stats.fromCache], [0, 3]);
    // A walk sees both changes.
    const walked = await loadCorpus(content, { cacheDir });
    assert.deepEqual(
      walked.articles.map((a) => a.id),
      ['Q990601', 'Q990602', 'Q990603', 'Q990604'],
    );
    assert.equal(titleOf(walked, 'Q990601'), 'Alpha Cache Article, edited');
    // The kept scan of another archive (or none, or a broken one) is not taken: the archive is walked.
    const other = path.join(path.dirname(content), 'other');
    mkdirSync(other);
    write(path.join(other, 'Q990605.md'), article('Q990605', 'Echo Cache Article', 'Another archive.'), T0);
    const otherCorpus = await loadCorpus(other, { cacheDir, fromScan: kept });
    assert.deepEqual(
      otherCorpus.articles.map((a) => a.id),
      ['Q990605'],
    );
    writeFileSync(kept, '{"format":1,"files":');
    assert.equal((await loadCorpus(content, { cacheDir, fromScan: kept })).articles.length, 4);
    // The next keepScan load keeps its own scan.
    await loadCorpus(content, { cacheDir, keepScan: true });
    const again = JSON.parse(readFileSync(kept, 'utf8')) as { files: string[]; stats: Array<[number, number]> };
    assert.deepEqual(again.files, ['Q990601.md', 'Q990602.md', 'Q990603.md', 'Q990604.md']);
    assert.deepEqual(again.stats[0], [statSync(file).mtimeMs, statSync(file).size]);
  });
});
