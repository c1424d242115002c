/**
 * The search index's incremental update (lib/search/build.ts `updateIndex`): after each
 * kind of change, the index updated in place from the saved state is the clean build's
 * of the changed archive, byte for byte over every file; and the update took the path it
 * should (documents re-tokenized are counted, not timed).
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Article } from '../lib/markdown/schema';
import { buildSearchIndex, quantize, type BuildSearchOptions, type SearchIndexStats, type SearchSource } from '../lib/search/build';
import { tokenize } from '../lib/search/tokenize';
import { filesOf } from '../bench/lib/tree';
import { makeArticle } from './helpers/articles';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'kbview-search-incr-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

// Small shards and chunks, so that an archive of 80 articles has many of each (and cuts that move).
const OPTIONS: BuildSearchOptions = { shardBytes: 700, chunk: 8, suggestChunk: 16 };

/** A made-up vocabulary: three-syllable words (never stop words, never numbers). */
const SYLLABLES = ['ba', 'ke', 'lo', 'mu', 'ri', 'so', 'ta', 've'];
const WORDS = SYLLABLES.flatMap((a) => SYLLABLES.flatMap((b) => SYLLABLES.map((c) => `${a}${b}${c}`)));
const PRODUCTS = ['Microsoft Excel', 'Microsoft Windows NT', 'Word 97 for Windows'];

interface Doc {
  article: Article;
  text: string;
}

/** 80 articles, deterministic (a linear congruential generator), words Zipf-like. */
function archive(): Doc[] {
  let seed = 12345;
  const random = () => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  const word = () => WORDS[Math.floor(random() ** 2 * WORDS.length)]!;
  const docs: Doc[] = [];
  for (let i = 0; i < 80; i++) {
    const number = 300000 + i * 7;
    const sentences: string[] = [];
    for (let s = 0; s < 8; s++) sentences.push(`${Array.from({ length: 8 }, word).join(' ')}.`);
    // A distinctive word (file-name-like) in three articles: its df is the rare limit (3 at n = 80).
    if (i === 10 || i === 30 || i === 50) sentences.splice(4, 0, 'rarex9mark rarex9mark rarex9mark rarex9mark rarex9mark rarex9mark.');
    if (i === 20) sentences.push('Only here: solitaryterm.');
    docs.push({
      article: makeArticle(number, {
        title: `${word()} ${word()} ${word()} in ${PRODUCTS[i % 3]}`,
        product: PRODUCTS[i % 3]!,
        keywords: i % 5 === 0 ? ['kbbug', 'kbnetwork'] : ['kbhowto'],
        lastModified: `${2000 + (i % 4)}-0${1 + (i % 9)}-1${i % 10}`,
        references: i % 7 === 0 ? [`Q${300000 + ((i + 3) % 80) * 7}`] : [],
      }),
      text: `SYMPTOMS\n${sentences.slice(0, 4).join(' ')}\nCAUSE\n${sentences.slice(4).join(' ')}`,
    });
  }
  return docs;
}

const sources = (docs: readonly Doc[]): SearchSource[] => docs.map((d) => ({ article: d.article, text: d.text }));

function assertSameIndex(actual: string, expected: string): void {
  const a = filesOf(actual);
  const b = filesOf(expected);
  assert.deepEqual([...a.keys()].sort(), [...b.keys()].sort(), 'the same files');
  for (const [name, bytes] of b) assert.ok(a.get(name)!.equals(bytes), `${name} is byte-identical to the clean build's`);
}

let cleanCount = 0;
/** A clean build (no state) of `docs` into a fresh folder. */
async function clean(docs: readonly Doc[]): Promise<string> {
  const dir = path.join(tmp, `clean-${cleanCount++}`);
  await buildSearchIndex(sources(docs), dir, OPTIONS);
  return dir;
}

/** One index kept up to date by builds with a state, as `kb build` does. */
class Site {
  readonly dir = path.join(tmp, 'site');
  readonly state = { dir: path.join(tmp, 'state'), key: 'test' };
  readonly lines: string[] = [];
  build(docs: readonly Doc[]): Promise<SearchIndexStats> {
    this.lines.length = 0;
    return buildSearchIndex(sources(docs), this.dir, { ...OPTIONS, state: this.state, log: (line) => this.lines.push(line) });
  }
}

/** The vocabulary words of a text, in order (not the headings). */
const wordsOf = (text: string): string[] => tokenize(text).filter((w) => WORDS.includes(w));

const replaceWord = (text: string, from: string, to: string): string => {
  assert.ok(new RegExp(`\\b${from}\\b`).test(text), `${from} is in the text`);
  return text.replace(new RegExp(`\\b${from}\\b`), to);
};

/** The m chunk holding article `number` (index order: product, then number), as text. */
function chunkOf(dir: string, number: number): string {
  for (const name of readdirSync(path.join(dir, 'm'))) {
    const text = readFileSync(path.join(dir, 'm', name), 'utf8');
    if ((JSON.parse(text) as Array<[number]>).some((r) => r[0] === number)) return text;
  }
  throw new Error(`no chunk holds ${number}`);
}

describe('search index: incremental update', () => {
  const site = new Site();
  let docs = archive();
  const edit = (i: number, change: (doc: Doc) => Doc) => {
    docs = docs.map((d, j) => (j === i ? change(d) : d));
  };

  test('the first build is whole and saves a state; a build with nothing changed writes nothing', async () => {
    assert.equal((await site.build(docs)).incremental, null);
    assertSameIndex(site.dir, await clean(docs));
    const again = await site.build(docs);
    assert.deepEqual(again.incremental, { tokenized: 0, terms: 0, rendered: 0, written: 0, removed: 0 });
    assertSameIndex(site.dir, await clean(docs));
  });

  test('a body edit adding new terms: one document re-tokenized, the rest of the index as a clean build', async () => {
    const words = wordsOf(docs[5]!.text);
    edit(5, (d) => ({ ...d, text: replaceWord(replaceWord(d.text, words[2]!, 'brandnewterm'), words[9]!, 'anothernewterm') }));
    const stats = await site.build(docs);
    assert.equal(stats.incremental?.tokenized, 1);
    assert.ok(stats.incremental.written > 0 && stats.incremental.written < stats.files / 2, `${stats.incremental.written} of ${stats.files} files written`);
    assertSameIndex(site.dir, await clean(docs));
  });

  test('a body edit removing the only occurrence of a term', async () => {
    edit(20, (d) => ({ ...d, text: replaceWord(d.text, 'solitaryterm', WORDS[0]!) }));
    const stats = await site.build(docs);
    assert.equal(stats.incremental?.tokenized, 1);
    assertSameIndex(site.dir, await clean(docs));
    assert.ok(!readdirSync(path.join(site.dir, 't')).some((f) => readFileSync(path.join(site.dir, 't', f), 'utf8').includes('"solitaryterm"')));
  });

  test("an edit that takes a term over the rare limit changes other articles' passages, and only theirs are made again", async () => {
    const others = [10, 30, 50].map((i) => docs[i]!.article.number);
    const before = others.map((num) => chunkOf(site.dir, num));
    edit(60, (d) => ({ ...d, text: replaceWord(d.text, wordsOf(d.text)[3]!, 'rarex9mark') }));
    const stats = await site.build(docs);
    assert.equal(stats.incremental?.tokenized, 1);
    assertSameIndex(site.dir, await clean(docs));
    // rarex9mark (df 3 → 4 > the limit) is no longer a rare term of the three articles: their passages change.
    const after = others.map((num) => chunkOf(site.dir, num));
    assert.ok(
      before.every((b, i) => b !== after[i]),
      "the three articles' chunks changed",
    );
    // The edited article's record and the three others' (and those of articles sharing the replaced word's df change), not all.
    assert.ok(stats.incremental.rendered >= 4 && stats.incremental.rendered < 20, `${stats.incremental.rendered} records made again`);
  });

  test('a title edit', async () => {
    edit(40, (d) => ({ ...d, article: { ...d.article, title: d.article.title.replace(/^\S+/, 'retitledword') } }));
    const stats = await site.build(docs);
    assert.equal(stats.incremental?.tokenized, 1);
    assertSameIndex(site.dir, await clean(docs));
  });

  test('a new citation (metadata only): the ids buckets change, no text is re-read but its own', async () => {
    edit(41, (d) => ({ ...d, article: { ...d.article, references: [...d.article.references, 'Q777777'] } }));
    const stats = await site.build(docs);
    assert.equal(stats.incremental?.tokenized, 1);
    assertSameIndex(site.dir, await clean(docs));
  });

  test('a keyword and date edit: the facet, keyword and date files change', async () => {
    const before = readFileSync(path.join(site.dir, 'keywords.json'), 'utf8');
    edit(42, (d) => ({ ...d, article: { ...d.article, keywords: [...d.article.keywords, 'kbnewlabel'], lastModified: '1995-01-02' } }));
    const stats = await site.build(docs);
    assert.equal(stats.incremental?.tokenized, 1);
    assertSameIndex(site.dir, await clean(docs));
    assert.notEqual(readFileSync(path.join(site.dir, 'keywords.json'), 'utf8'), before);
  });

  test('more changed articles than an update takes: built whole, with the reason', async () => {
    edit(11, (d) => ({ ...d, text: replaceWord(d.text, wordsOf(d.text)[2]!, 'manyedits') }));
    edit(12, (d) => ({ ...d, text: replaceWord(d.text, wordsOf(d.text)[2]!, 'manyedits') }));
    site.lines.length = 0;
    const stats = await buildSearchIndex(sources(docs), site.dir, { ...OPTIONS, state: site.state, maxChanged: 1, log: (line) => site.lines.push(line) });
    assert.equal(stats.incremental, null);
    assert.ok(
      site.lines.some((l) => l.includes('2 articles changed (an update takes up to 1)')),
      site.lines.join('\n'),
    );
    assertSameIndex(site.dir, await clean(docs));
  });

  test('an edit that moves a quantized mean: built whole, with the reason', async () => {
    const sum = docs.reduce((s, d) => s + tokenize(d.text).length + tokenize(d.article.product ?? '').length, 0);
    const mean = quantize(sum / docs.length);
    // Enough words that the mean's third significant digit moves.
    const extra = Array.from({ length: Math.ceil(docs.length * mean * 0.01) }, (_, i) => WORDS[i % WORDS.length]).join(' ');
    edit(7, (d) => ({ ...d, text: `${d.text} ${extra}` }));
    const stats = await site.build(docs);
    assert.equal(stats.incremental, null);
    assert.ok(
      site.lines.some((l) => l.includes('mean title or body length changed')),
      site.lines.join('\n'),
    );
    assertSameIndex(site.dir, await clean(docs));
  });

  test('a new article, then a deleted one: built whole; the next edit is incremental again', async () => {
    docs = [...docs, { article: makeArticle(399999, { title: 'Fresh article about vekemu', product: PRODUCTS[0]! }), text: 'SYMPTOMS\nvekemu lobaso.' }];
    assert.equal((await site.build(docs)).incremental, null);
    assert.ok(site.lines.some((l) => l.includes('added, removed or reordered')));
    assertSameIndex(site.dir, await clean(docs));
    docs = docs.filter((_, i) => i !== 33);
    assert.equal((await site.build(docs)).incremental, null);
    assertSameIndex(site.dir, await clean(docs));
    edit(3, (d) => ({ ...d, text: replaceWord(d.text, wordsOf(d.text)[0]!, 'laterterm') }));
    assert.equal((await site.build(docs)).incremental?.tokenized, 1);
    assertSameIndex(site.dir, await clean(docs));
  });

  test('a damaged state, or an index that is not the state’s: built whole, never broken', async () => {
    writeFileSync(path.join(site.state.dir, 'arrays.bin'), 'garbage');
    edit(4, (d) => ({ ...d, text: replaceWord(d.text, wordsOf(d.text)[1]!, 'afterdamage') }));
    assert.equal((await site.build(docs)).incremental, null);
    assert.ok(site.lines.some((l) => l.includes('could not be used')));
    assertSameIndex(site.dir, await clean(docs));
    // The index rebuilt by a build without the state: the state no longer describes it.
    edit(4, (d) => ({ ...d, text: replaceWord(d.text, 'afterdamage', 'afterrebuild') }));
    await buildSearchIndex(sources(docs), site.dir, OPTIONS);
    edit(4, (d) => ({ ...d, text: replaceWord(d.text, 'afterrebuild', 'afterall') }));
    assert.equal((await site.build(docs)).incremental, null);
    assert.ok(site.lines.some((l) => l.includes('not the one the state describes')));
    assertSameIndex(site.dir, await clean(docs));
    // Another key (the builder's code changed).
    edit(4, (d) => ({ ...d, text: replaceWord(d.text, 'afterall', 'afterkey') }));
    const stats = await buildSearchIndex(sources(docs), site.dir, { ...OPTIONS, state: { ...site.state, key: 'other' } });
    assert.equal(stats.incremental, null);
    assertSameIndex(site.dir, await clean(docs));
  });
});

describe('search index: onWritten', () => {
  test('is called once, when the index is complete and before its state is saved (whole build and update)', async () => {
    const dir = path.join(tmp, 'written');
    const state = { dir: path.join(tmp, 'written-state'), key: 'test' };
    const metaFile = path.join(state.dir, 'meta.json');
    const readMeta = (): string | null => {
      try {
        return readFileSync(metaFile, 'utf8');
      } catch {
        return null;
      }
    };
    let docs = archive();
    for (const kind of ['whole', 'update'] as const) {
      const metaBefore = readMeta();
      const seen: Array<{ files: Map<string, Buffer>; meta: string | null }> = [];
      const stats = await buildSearchIndex(sources(docs), dir, { ...OPTIONS, state, onWritten: () => seen.push({ files: filesOf(dir), meta: readMeta() }) });
      assert.equal(stats.incremental === null, kind === 'whole');
      assert.equal(seen.length, 1, `${kind}: called once`);
      // The index as it is at the end: nothing of it is written after the call.
      const final = filesOf(dir);
      assert.deepEqual([...seen[0]!.files.keys()].sort(), [...final.keys()].sort(), `${kind}: the same files`);
      for (const [name, bytes] of final) assert.ok(seen[0]!.files.get(name)!.equals(bytes), `${kind}: ${name} final at the call`);
      // The state is saved after it (an update sets the previous one aside first).
      const metaAfter = readMeta();
      assert.ok(metaAfter !== null && metaAfter !== metaBefore, `${kind}: a new state saved`);
      assert.ok(seen[0]!.meta === null || seen[0]!.meta === metaBefore, `${kind}: the new state not yet saved at the call`);
      docs = docs.map((d, i) => (i === 5 ? { ...d, text: `${d.text} brandnewterm` } : d));
    }
  });
});
