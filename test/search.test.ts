/**
 * The search index (lib/search): build over content/ and over a synthetic
 * fixture set, then query with the same engine the browser's worker runs,
 * reading the index files from disk.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { loadCorpus } from '../lib/content/corpus';
import type { Article } from '../lib/markdown/schema';
import { buildSearchIndex, IndexFiles, invertDocuments, invertRuns, leadOf, orderDocuments, tokenizeDocs, type SearchSource } from '../lib/search/build';
import { facetList, rankPage, SearchEngine, titleKey, type CandidateScores, type SearchRequest } from '../lib/search/engine';
import { metadataKeywordsOf, platformLabel } from '../lib/search/facets';
import { decodePostingRuns, decodeVarints, encodePostingRuns, encodeVarints, shardOf, VarintWriter } from '../lib/search/format';
import { excerptParts, highlightParts } from '../lib/search/highlight';
import { parseSearchState, searchQueryString, toggleFilter } from '../lib/search/params';
import { articleNumberOf, forEachTerm, forEachTermSlow, queryTerms, tokenize } from '../lib/search/tokenize';
import { makeArticle } from './helpers/articles';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'kbview-search-test-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

function engineFor(dir: string): SearchEngine {
  return new SearchEngine(async (file) => JSON.parse(readFileSync(path.join(dir, file.replace(/\?.*$/, '')), 'utf8')));
}

let nextNumber = 500000;
function article(fields: Partial<Article> & { title: string }): Article {
  const number = fields.number ?? nextNumber++;
  return makeArticle(number, { product: 'Microsoft Windows NT', lastModified: '2001-01-01', ...fields });
}

/** A small archive with the shapes that matter: similar titles, keywords, facets, references. */
function fixtures(): SearchSource[] {
  const docs: Array<[Article, string]> = [
    [
      article({
        number: 244717,
        title: 'RAS Port Becomes Unavailable in Windows NT 4.0 Terminal Server',
        keywords: ['kbenv', 'kbnetwork', 'kbfixlist'],
        issueType: ['kbbug'],
        solutionType: ['kbfix'],
        hardware: ['ALPHA', 'x86'],
        versions: [{ platform: 'winnt', version: '4.0 SP4' }],
        lastModified: '2002-05-08',
        references: ['Q238171', 'Q240089'],
      }),
      'SYMPTOMS\nWhen a RAS client disconnects from a RAS connection, some RAS ports may become unavailable.\nCAUSE\nA port status mismatch may occur between Rasman.exe and Rassrv.exe.',
    ],
    [
      article({
        number: 240089,
        title: 'RRAS Port Becomes Unavailable in Windows NT 4.0',
        keywords: ['kbnetwork'],
        issueType: ['kbbug'],
        lastModified: '2002-05-20',
      }),
      'SYMPTOMS\nRouting and Remote Access ports become unavailable after a client disconnects.',
    ],
    [
      article({
        number: 150001,
        title: 'How to Print to a Network Printer from MS-DOS',
        product: 'Microsoft Windows 95.x Retail Product',
        keywords: ['kbprint', 'kbhowto'],
        issueType: ['kbhowto'],
        versions: [{ platform: 'WINDOWS', version: '95' }],
        operatingSystems: ['MS-DOS'],
        lastModified: '1999-03-02',
      }),
      'SUMMARY\nThis article describes how to print from an MS-DOS program to a printer shared on the network. Use the NET USE command.',
    ],
    [
      article({
        number: 150002,
        title: 'Printer Drivers Are Not Installed',
        product: 'Microsoft Windows 95.x Retail Product',
        keywords: ['kbprint', 'kbsetup'],
        issueType: ['kbprb'],
        lastModified: '2000-07-15',
      }),
      'SYMPTOMS\nAfter setup, no printer drivers are installed. This text mentions kbbug, which is not metadata.',
    ],
    [
      article({
        number: 150003,
        title: 'Setup Hangs While Copying Files',
        product: 'Microsoft Excel',
        keywords: ['kbsetup', 'xl97'],
        technology: ['kbExcelSearch'],
        issueType: ['kbbug'],
        solutionType: ['kbpending'],
        lastModified: '2001-11-30',
      }),
      'SYMPTOMS\nExcel setup stops responding while it copies files to the hard disk. The RAS service is not involved.',
    ],
    [
      article({
        number: 150004,
        title: 'Ünïcode Filenames in Café Documents',
        product: 'Word 97 for Windows',
        keywords: ['kbintl'],
        issueType: ['kbinfo'],
        lastModified: '2001-02-03',
      }),
      'MORE INFORMATION\nWord stores file names as Unicode; names such as naïve.doc or 東京.doc are kept.',
    ],
  ];
  // A duplicate id: the first one wins, as in the loader.
  const duplicate: SearchSource = { article: article({ number: 150001, title: 'Duplicate that must not be indexed' }), text: 'zzduplicate' };
  return [...docs.map(([a, text]) => ({ article: a, text })), duplicate, { article: null, text: 'unparsed file' }];
}

describe('tokenizer', () => {
  test('terms are folded, split like the archive needs, stop words dropped', async () => {
    assert.deepEqual(tokenize('A port mismatch between Rasman.exe and Rassrv.exe in Windows NT 4.0'), [
      'port',
      'mismatch',
      'between',
      'rasman',
      'exe',
      'rassrv',
      'exe',
      'windows',
      'nt',
      '4.0',
    ]);
    assert.deepEqual(tokenize('Ünïcode CAFÉ ms_dos __declspec Excel 5'), ['unicode', 'cafe', 'ms_dos', 'declspec', 'excel', '5']);
    assert.deepEqual(tokenize('"quoted" <script>alert(1)</script>'), ['quoted', 'script', 'alert', '1', 'script']);
    assert.deepEqual(tokenize(''), []);
  });

  test('the ASCII scanner agrees with the reference tokenizer', async () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(...'ab1_.9Z -x4'.split('')), maxLength: 40 }), (text) => {
        const fast: string[] = [];
        forEachTerm(text, (t) => fast.push(t));
        const slow: string[] = [];
        forEachTermSlow(text, (t) => slow.push(t));
        assert.deepEqual(fast, slow, JSON.stringify(text));
      }),
      { numRuns: 3000 },
    );
  });

  test('query terms: unique, capped, and whether the last word is still being typed', async () => {
    assert.deepEqual(queryTerms('rassrv ras'), { terms: ['rassrv', 'ras'], open: true });
    assert.deepEqual(queryTerms('rassrv ras '), { terms: ['rassrv', 'ras'], open: false });
    assert.deepEqual(queryTerms('"rassrv"'), { terms: ['rassrv'], open: false });
    assert.equal(queryTerms('word '.repeat(400) + Array.from({ length: 50 }, (_, i) => `w${i}`).join(' ')).terms.length, 12);
  });

  test('article numbers', async () => {
    for (const q of ['Q244717', 'q244717', '244717', ' Q244717 ', 'KB244717', 'q 244717']) assert.equal(articleNumberOf(q), 244717, q);
    for (const q of ['Q', 'Q0', 'rassrv', 'Q244717 ras', '4.0', '', '12345678']) assert.equal(articleNumberOf(q), null, q);
  });
});

describe('index format', () => {
  test('varints round-trip', async () => {
    fc.assert(
      fc.property(fc.array(fc.nat({ max: 2 ** 31 }), { maxLength: 50 }), (values) => {
        const text = encodeVarints(values);
        assert.ok(!/["\\\s]/.test(text), 'JSON-safe, no escapes');
        assert.deepEqual(decodeVarints(text), values);
      }),
    );
  });

  test('postings round-trip: document deltas, scores, then flags three a character; the count is the one that fits', async () => {
    const encode = (docs: number[], values: number[]) => {
      const writer = new VarintWriter();
      encodePostingRuns(
        writer,
        docs.length,
        (i) => docs[i]!,
        (i) => values[i]!,
      );
      return writer.take();
    };
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat({ max: 2_000_000 }), fc.integer({ min: 4, max: 1023 })), { minLength: 1, maxLength: 40 }), (pairs) => {
        const docs = [...new Set(pairs.map(([d]) => d))].sort((a, b) => a - b);
        const values = docs.map((_, i) => pairs[i]![1]);
        const text = encode(docs, values);
        assert.ok(!/["\\\s]/.test(text), 'JSON-safe, no escapes');
        const back = decodePostingRuns(text);
        assert.deepEqual([...back.docs], docs);
        assert.deepEqual([...back.values], values);
      }),
    );
    // Documents 3 and 50, scores 7 and 60, flags title and keyword + title: two varints of gaps, two of
    // scores, then one flags character (1 * 16 + 3 * 4 = 28th of the alphabet).
    const text = encode([3, 50], [7 * 4 + 1, 60 * 4 + 3]);
    assert.equal(text, `${encodeVarints([3, 47, 7, 60])}>`); // the alphabet (no `"`): '!', '#', … '>' is code 28
    assert.throws(() => decodePostingRuns(encodeVarints([3, 47, 7, 60])), /no flags run fits/);
    assert.throws(() => decodePostingRuns(`${encodeVarints([3, 47, 7, 60])}~`), /bad postings/);
  });

  test('shard lookup by range', async () => {
    const shards = ['', 'd', 'm', 'ras'];
    assert.equal(shardOf(shards, 'apple'), 0);
    assert.equal(shardOf(shards, 'd'), 1);
    assert.equal(shardOf(shards, 'rassrv'), 3);
    assert.equal(shardOf(shards, 'zz'), 3);
    assert.equal(shardOf(shards, 'ra'), 2);
  });

  test('platform labels fold the archive’s spellings', async () => {
    assert.equal(platformLabel('winnt'), 'Windows NT');
    assert.equal(platformLabel('WINDOWS NT'), 'Windows NT');
    assert.equal(platformLabel('MS- DOS'), 'MS-DOS');
    assert.equal(platformLabel('0S/2'), 'OS/2');
    assert.equal(platformLabel('MACINTOS'), 'Macintosh');
    assert.equal(platformLabel('4.0 5.0'), null);
  });

  test('the excerpt skips section headings', async () => {
    assert.equal(leadOf('SYMPTOMS\nWhen a RAS client disconnects.\nCAUSE\nA mismatch.', 200), 'When a RAS client disconnects. A mismatch.');
    const long = leadOf(`SUMMARY\n${'word '.repeat(100)}`, 50);
    assert.ok(long.length <= 51 && long.endsWith('…'), long);
  });
});

describe('fixture index', () => {
  const dir = path.join(tmp, 'fixtures');
  let engine: SearchEngine;
  const search = (q: string, extra: Partial<SearchRequest> = {}) => engine.search({ q, limit: 50, ...extra });

  before(async () => {
    // Tiny shards so that lookups and prefix expansion cross shard boundaries.
    const stats = await buildSearchIndex(fixtures(), dir, { shardBytes: 300, chunk: 2 });
    assert.equal(stats.docs, 6);
    assert.ok(stats.shards > 5, `${stats.shards} shards`);
    engine = engineFor(dir);
  });

  test('a word finds its articles; title matches rank first', async () => {
    const r = await search('ras');
    assert.deepEqual(
      r.hits.map((h) => h.id),
      ['Q244717', 'Q150003'],
    );
    assert.equal(r.total, 2);
    assert.equal(r.partial, false);
    const hit = r.hits[0]!;
    assert.equal(hit.title, 'RAS Port Becomes Unavailable in Windows NT 4.0 Terminal Server');
    assert.equal(hit.product, 'Microsoft Windows NT');
    assert.equal(hit.lastModified, '2002-05-08');
    assert.equal(hit.permalink, '/kb/244/Q244717/');
    assert.match(hit.lead, /^When a RAS client disconnects/);
  });

  test('every word must match; a word found nowhere falls back to partial matches', async () => {
    assert.deepEqual((await search('port unavailable')).hits.map((h) => h.id).sort(), ['Q240089', 'Q244717']);
    const r = await search('rassrv zzqqxx');
    assert.equal(r.partial, true);
    assert.deepEqual(r.unknown, ['zzqqxx']);
    assert.deepEqual(
      r.hits.map((h) => h.id),
      ['Q244717'],
    );
    const none = await search('zzqqxx');
    assert.equal(none.total, 0);
    assert.deepEqual(none.unknown, ['zzqqxx']);
  });

  test('the exact title puts its article first', async () => {
    for (const title of [
      'RRAS Port Becomes Unavailable in Windows NT 4.0',
      'RAS Port Becomes Unavailable in Windows NT 4.0 Terminal Server',
      'Printer Drivers Are Not Installed',
    ]) {
      const r = await search(title);
      assert.equal(titleKey(r.hits[0]!.title), titleKey(title), title);
    }
  });

  test('the word being typed matches as a prefix', async () => {
    assert.deepEqual(
      (await search('rass')).hits.map((h) => h.id),
      ['Q244717'],
    );
    assert.equal((await search('rass', { prefix: false })).total, 0);
    assert.equal((await search('rass ')).total, 0, 'a finished word is matched exactly');
  });

  test('a KB keyword finds articles by metadata only, as many as the metadata has', async () => {
    const sources = fixtures();
    const seen = new Set<string>();
    const counts = new Map<string, number>();
    for (const { article: a } of sources) {
      if (!a || seen.has(a.id)) continue;
      seen.add(a.id);
      for (const k of metadataKeywordsOf(a)) counts.set(k, (counts.get(k) ?? 0) + 1);
    }
    for (const [keyword, count] of counts) {
      const r = await search(keyword);
      assert.equal(r.total, count, keyword);
    }
    const bug = await search('kbbug');
    assert.deepEqual(bug.hits.map((h) => h.id).sort(), ['Q150003', 'Q240089', 'Q244717'], 'the body text mention does not count');
    assert.deepEqual(bug.keywords, ['kbbug']);
    assert.equal((await search('KBFIXLIST')).total, 1);
    assert.equal((await search('kbexcelsearch')).total, 1, 'technology keywords count too');
  });

  test('facet counts, filters and sort by date', async () => {
    const r = await search('printer');
    assert.equal(r.total, 2);
    assert.deepEqual(r.facets.product, [{ value: 'Microsoft Windows 95.x Retail Product', count: 2, selected: false }]);
    assert.deepEqual(
      r.facets.type.map((c) => [c.value, c.count]),
      [
        ['kbhowto', 1],
        ['kbprb', 1],
      ],
    );
    assert.deepEqual(
      r.facets.year.map((c) => c.value),
      ['2000', '1999'],
      'years newest first',
    );
    assert.deepEqual(r.facets.platform.map((c) => c.value).sort(), ['MS-DOS', 'Windows']);
    assert.deepEqual(r.pending, ['keyword'], 'keyword lists load after the first results');

    await engine.loadKeywords();
    const withKeywords = await search('printer');
    assert.deepEqual(withKeywords.pending, []);
    assert.deepEqual(
      withKeywords.facets.keyword.find((c) => c.value === 'kbprint'),
      { value: 'kbprint', count: 2, selected: false },
    );

    const filtered = await search('printer', { filters: { type: ['kbprb'] } });
    assert.deepEqual(
      filtered.hits.map((h) => h.id),
      ['Q150002'],
    );
    assert.equal(filtered.total, 1);
    // A facet's own counts ignore its own selection, so the other value can be added.
    assert.deepEqual(
      filtered.facets.type.map((c) => [c.value, c.count, c.selected]),
      [
        ['kbhowto', 1, false],
        ['kbprb', 1, true],
      ],
    );
    const either = await search('printer', { filters: { type: ['kbprb', 'kbhowto'] } });
    assert.equal(either.total, 2);
    assert.equal((await search('printer', { filters: { year: ['1999'] } })).hits[0]!.id, 'Q150001');
    assert.equal((await search('printer', { filters: { platform: ['MS-DOS'] } })).total, 1);
    assert.equal((await search('printer', { filters: { keyword: ['kbsetup'] } })).hits[0]!.id, 'Q150002');
    assert.equal((await search('printer', { filters: { product: ['No Such Product'] } })).total, 0);

    const byDate = await search('setup', { sort: 'date' });
    assert.equal(byDate.sort, 'date');
    assert.deepEqual(
      byDate.hits.map((h) => h.lastModified),
      ['2001-11-30', '2000-07-15'],
    );

    const browse = await search('', { filters: { product: ['Microsoft Windows NT'] } });
    assert.deepEqual(
      browse.hits.map((h) => h.id),
      ['Q240089', 'Q244717'],
      'facets alone list newest first',
    );
  });

  test('pages of results', async () => {
    const all = await search('kbbug', { limit: 2 });
    assert.equal(all.hits.length, 2);
    assert.equal(all.total, 3);
    const rest = await search('kbbug', { limit: 2, offset: 2 });
    assert.equal(rest.hits.length, 1);
    assert.equal(new Set([...all.hits, ...rest.hits].map((h) => h.id)).size, 3);
  });

  test('article numbers: in the archive, only cited, unknown', async () => {
    for (const q of ['Q244717', 'q244717', '244717']) {
      const r = await search(q);
      assert.deepEqual(
        r.number,
        {
          number: 244717,
          id: 'Q244717',
          permalink: '/kb/244/Q244717/',
          status: 'article',
          title: 'RAS Port Becomes Unavailable in Windows NT 4.0 Terminal Server',
        },
        q,
      );
    }
    const missing = await search('Q238171');
    assert.equal(missing.number?.status, 'missing');
    assert.equal(missing.number?.permalink, '/kb/238/Q238171/');
    assert.equal((await search('999999')).number?.status, 'unknown');
    assert.equal((await engine.lookupNumber(240089)).status, 'article');
  });

  test('unicode is folded on both sides', async () => {
    assert.deepEqual(
      (await search('unicode cafe')).hits.map((h) => h.id),
      ['Q150004'],
    );
    assert.deepEqual(
      (await search('ÜNÏCODE')).hits.map((h) => h.id),
      ['Q150004'],
    );
    assert.deepEqual(
      (await search('東京')).hits.map((h) => h.id),
      ['Q150004'],
    );
  });

  test('odd input never throws', async () => {
    const odd = [
      '"',
      '""',
      "'",
      '<script>alert(1)</script>',
      'a'.repeat(2000),
      'ras '.repeat(500),
      '\u0000\u0001',
      '🙂🙂',
      '%',
      '\\',
      '()[]{}*?',
      ' ',
      '-',
      'q',
      'Q',
      '0',
      '00000000000000000000',
      'the and of',
      String.fromCharCode(0xd800),
    ];
    for (const q of odd) {
      const r = await search(q);
      assert.ok(r.total >= 0, JSON.stringify(q.slice(0, 20)));
    }
    assert.equal((await search('the and of')).terms.length, 0);
    assert.equal((await search('')).idle, true);
  });

  test('the duplicate id and the unparsed file are not indexed', async () => {
    assert.equal((await search('zzduplicate')).total, 0);
    assert.equal((await search('unparsed')).total, 0);
  });

  test('the build is deterministic and replaces the previous index', async () => {
    const again = path.join(tmp, 'again');
    await buildSearchIndex(fixtures(), again, { shardBytes: 300, chunk: 2 });
    const a = JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8'));
    const b = JSON.parse(readFileSync(path.join(again, 'manifest.json'), 'utf8'));
    assert.equal(a.version, b.version);
    await buildSearchIndex(fixtures().slice(0, 2), again);
    assert.equal(JSON.parse(readFileSync(path.join(again, 'manifest.json'), 'utf8')).docs, 2);
    assert.ok(!readdirSync(tmp).some((f) => f.includes('.tmp-') || f.includes('.old-')), 'no leftovers');
  });

  test('refuses to replace a folder that is not a search index', async () => {
    const other = path.join(tmp, 'other');
    await buildSearchIndex([], other);
    rmSync(path.join(other, 'manifest.json'));
    await assert.rejects(() => buildSearchIndex([], other), /refusing to replace/);
  });
});

describe('index builder pieces (lib/search/build.ts)', () => {
  const bytesOf = (dir: string) => {
    const out = new Map<string, string>();
    const walk = (sub: string) => {
      for (const entry of readdirSync(path.join(dir, sub), { withFileTypes: true })) {
        const rel = path.join(sub, entry.name);
        if (entry.isDirectory()) walk(rel);
        else out.set(rel, readFileSync(path.join(dir, rel), 'utf8'));
      }
    };
    walk('');
    return out;
  };

  test('texts read on demand give the same bytes as texts given whole; each is read twice (tokens, excerpt)', async () => {
    const whole = path.join(tmp, 'pieces-whole');
    const lazy = path.join(tmp, 'pieces-lazy');
    await buildSearchIndex(fixtures(), whole, { shardBytes: 300, chunk: 2 });
    const reads = new Map<string, number>();
    const sources = fixtures().map((s) => ({
      article: s.article,
      text: () => {
        const key = s.article?.id ?? '';
        reads.set(key, (reads.get(key) ?? 0) + 1);
        return s.text as string;
      },
    }));
    await buildSearchIndex(sources, lazy, { shardBytes: 300, chunk: 2 });
    assert.deepEqual(bytesOf(lazy), bytesOf(whole));
    assert.ok(bytesOf(whole).size > 10);
    // Each indexed article twice; the duplicate of Q150001 (it would make 3) and the unparsed file never.
    const ids = new Set(fixtures().flatMap((f) => (f.article ? [f.article.id] : [])));
    assert.deepEqual([...reads.keys()].sort(), [...ids].sort());
    assert.ok(
      [...reads.values()].every((n) => n === 2),
      JSON.stringify([...reads]),
    );
  });

  test('orderDocuments: one document per id, by product (alphabetically, none last), then number', async () => {
    const { docs, products } = orderDocuments(fixtures());
    const key = (a: Article) => [a.product === null ? products.length : products.indexOf(a.product), a.number];
    assert.deepEqual(products, [...new Set(fixtures().flatMap((f) => (f.article?.product ? [f.article.product] : [])))].sort());
    for (let i = 1; i < docs.length; i++) {
      const [pa, na] = key(docs[i - 1]!.article);
      const [pb, nb] = key(docs[i]!.article);
      assert.ok(pa! < pb! || (pa === pb && na! < nb!), `${docs[i - 1]!.article.id} before ${docs[i]!.article.id}`);
    }
    assert.equal(docs.find((d) => d.article.id === 'Q150001')?.article.title, 'How to Print to a Network Printer from MS-DOS');
    assert.equal(docs.length, new Set(fixtures().flatMap((f) => (f.article ? [f.article.id] : []))).size);
  });

  test("invertDocuments: each term's postings in document order, with title, body and keyword counts packed", async () => {
    const docs = [
      { article: makeArticle(1, { title: 'Printer printer', keywords: ['kbprint'], product: null }), text: 'printer setup printer' },
      { article: makeArticle(2, { title: 'Setup', product: null }), text: 'printer' },
    ];
    const inverted = invertDocuments(docs);
    const postingsOf = (term: string) => {
      const id = inverted.names.indexOf(term);
      assert.ok(id >= 0, term);
      const out: Array<[number, number, number, boolean]> = [];
      for (let i = inverted.offsets[id]!; i < inverted.offsets[id + 1]!; i++) {
        const packed = inverted.postPacked[i]!;
        out.push([inverted.postDoc[i]!, packed & 255, Math.floor(packed / 512), (packed & 256) !== 0]);
      }
      return out;
    };
    assert.deepEqual(postingsOf('printer'), [
      [0, 2, 2, false],
      [1, 0, 1, false],
    ]);
    assert.deepEqual(postingsOf('setup'), [
      [0, 0, 1, false],
      [1, 1, 0, false],
    ]);
    assert.deepEqual(postingsOf('kbprint'), [[0, 0, 0, true]]);
    assert.equal(inverted.df[inverted.names.indexOf('printer')], 2);
    assert.deepEqual([...inverted.titleLen], [2, 1]);
    inverted.release();
    assert.equal(inverted.postDoc.length, 0);
  });

  test('invertRuns: runs of consecutive documents give the one-run index; each run is let go of once grouped, with a collection', () => {
    const docs = fixtures()
      .flatMap((f) => (f.article ? [{ article: f.article, text: f.text }] : []))
      .slice(0, 12);
    assert.ok(docs.length >= 6, 'fixture articles');
    const whole = invertDocuments(docs);
    const third = Math.ceil(docs.length / 3);
    const runs = [tokenizeDocs(docs.slice(0, third)), tokenizeDocs(docs.slice(third, 2 * third)), tokenizeDocs(docs.slice(2 * third))];
    const held = runs.map((run) => run.terms.length);
    assert.ok(held.every((length) => length > 0));
    let collections = 0;
    const merged = invertRuns(runs, () => collections++, 1);
    for (const key of ['names', 'df', 'offsets', 'postDoc', 'postPacked', 'titleLen', 'bodyLen', 'docTerms', 'docTermStarts'] as const)
      assert.deepEqual(merged[key], whole[key], key);
    // A collection after each run (each holds more than 1 byte), and no run holds its postings any more.
    assert.equal(collections, 3);
    assert.deepEqual(
      runs.map((run) => [run.terms.length, run.packed.length]),
      [
        [0, 0],
        [0, 0],
        [0, 0],
      ],
    );
  });

  test('IndexFiles: the version digest does not depend on the order files were written; abandon leaves nothing', async () => {
    const a = new IndexFiles(path.join(tmp, 'files-a'));
    a.set('t/1.json', 'one');
    a.set('m/0.json', 'zero');
    const b = new IndexFiles(path.join(tmp, 'files-b'));
    b.set('m/0.json', 'zero');
    b.set('t/1.json', 'one');
    assert.equal(a.digest(), b.digest());
    b.set('t/2.json', 'two');
    assert.notEqual(a.digest(), b.digest());
    a.commit();
    assert.equal(readFileSync(path.join(tmp, 'files-a', 't/1.json'), 'utf8'), 'one');
    b.abandon();
    assert.ok(!existsSync(path.join(tmp, 'files-b')));
    assert.ok(!readdirSync(tmp).some((f) => f.startsWith('files-b')), 'no temporary folder left');
  });
});

describe('content/ index', () => {
  const dir = path.join(tmp, 'content');
  let engine: SearchEngine;
  let articles: Article[];

  before(async () => {
    const corpus = await loadCorpus('content', { withText: true, cacheDir: path.join(tmp, 'cache') });
    articles = corpus.articles;
    const stats = await buildSearchIndex(corpus.files, dir);
    assert.equal(stats.docs, articles.length);
    engine = engineFor(dir);
  });

  test('Q244717 by a word of its body, its title and its number', async () => {
    assert.equal((await engine.search({ q: 'rassrv' })).hits[0]?.id, 'Q244717');
    assert.equal((await engine.search({ q: 'RAS Port Becomes Unavailable in Windows NT 4.0 Terminal Server' })).hits[0]?.id, 'Q244717');
    assert.equal((await engine.search({ q: '244717' })).number?.status, 'article');
    assert.equal((await engine.search({ q: 'Q238171' })).number?.status, 'missing');
  });

  test('every article is found first by its own title', async () => {
    for (const a of articles) {
      const r = await engine.search({ q: a.title });
      assert.equal(titleKey(r.hits[0]?.title ?? ''), titleKey(a.title), a.id);
    }
  });

  test('every KB keyword finds as many articles as carry it', async () => {
    const counts = new Map<string, number>();
    for (const a of articles) for (const k of metadataKeywordsOf(a)) counts.set(k, (counts.get(k) ?? 0) + 1);
    assert.ok(counts.size > 0);
    for (const [keyword, count] of counts) {
      if (!keyword.startsWith('kb')) continue;
      assert.equal((await engine.search({ q: keyword })).total, count, keyword);
    }
  });

  test('the index is small: few files, all JSON', async () => {
    const files: string[] = [];
    const walk = (d: string) => {
      for (const e of readdirSync(d, { withFileTypes: true })) {
        if (e.isDirectory()) walk(path.join(d, e.name));
        else files.push(e.name);
      }
    };
    walk(dir);
    assert.ok(files.every((f) => f.endsWith('.json')));
    assert.ok(existsSync(path.join(dir, 'manifest.json')));
  });
});

describe('URL state and highlighting', () => {
  test('state round-trips through the URL', async () => {
    const state = parseSearchState(new URLSearchParams('q=ras+port&product=Microsoft+Windows+NT&year=2001&year=2002&sort=date&bogus=1'));
    assert.deepEqual(state, { q: 'ras port', filters: { product: ['Microsoft Windows NT'], year: ['2001', '2002'] }, sort: 'date' });
    assert.equal(searchQueryString(state), '?q=ras+port&product=Microsoft+Windows+NT&year=2001&year=2002&sort=date');
    assert.deepEqual(parseSearchState(new URLSearchParams(searchQueryString(state))), state);
    assert.equal(searchQueryString(toggleFilter(toggleFilter(state, 'year', '2001'), 'year', '2002')), '?q=ras+port&product=Microsoft+Windows+NT&sort=date');
    assert.equal(parseSearchState(new URLSearchParams(`q=${'x'.repeat(5000)}`)).q.length, 2000);
    assert.equal(searchQueryString(parseSearchState(new URLSearchParams(''))), '');
  });

  test('highlighting splits text into parts, never markup', async () => {
    assert.deepEqual(highlightParts('Rassrv.exe and RAS ports', ['rassrv', 'ras'], 'port'), [
      { text: 'Rassrv', match: true },
      { text: '.exe and ', match: false },
      { text: 'RAS', match: true },
      { text: ' ', match: false },
      { text: 'ports', match: true },
    ]);
    const script = highlightParts('<script>alert(1)</script>', ['script'], null);
    assert.equal(script.map((p) => p.text).join(''), '<script>alert(1)</script>');
    assert.deepEqual(highlightParts('Ünïcode', ['unicode']), [{ text: 'Ünïcode', match: true }]);
    assert.deepEqual(highlightParts('plain', []), [{ text: 'plain', match: false }]);
  });

  test('the excerpt moves to the first match', async () => {
    const text = `${'lorem '.repeat(80)}rassrv fails ${'ipsum '.repeat(80)}`;
    const parts = excerptParts(text, ['rassrv'], null, 120);
    const joined = parts.map((p) => p.text).join('');
    assert.ok(joined.length <= 130, String(joined.length));
    assert.ok(parts.some((p) => p.match && p.text === 'rassrv'));
    assert.ok(joined.startsWith('…') && joined.endsWith('…'));
  });
});

describe('SearchEngine.search in named steps', () => {
  const scores = (rows: [number, number, number][]): CandidateScores => ({
    score: Float64Array.from(rows.map((r) => r[0])),
    hits: Uint8Array.from(rows.map((r) => r[1])),
    titles: Uint8Array.from(rows.map((r) => r[2])),
  });

  test('rankPage: title matches, then score; ties to the lower document; offset and limit cut one page', async () => {
    // Documents 7, 3, 9, 5 with (score, terms matched, title matches).
    const passing = [7, 3, 9, 5];
    const s = scores([
      [10, 2, 0],
      [50, 1, 0],
      [5, 2, 1],
      [50, 1, 0],
    ]);
    const page = (options: Partial<Parameters<typeof rankPage>[3]>) =>
      rankPage(passing, [0, 1, 2, 3], s, { dates: null, scored: true, partial: false, offset: 0, limit: 10, ...options });
    assert.deepEqual(page({}), [9, 3, 5, 7]);
    // Partial matches: more terms matched first.
    assert.deepEqual(page({ partial: true }), [9, 7, 3, 5]);
    assert.deepEqual(page({ offset: 1, limit: 2 }), [3, 5]);
    assert.deepEqual(page({ offset: 9 }), []);
    // By date (newest first), the score breaking ties.
    const dates = [0, 0, 0, 100, 0, 300, 0, 100, 0, 200];
    assert.deepEqual(page({ dates }), [5, 9, 3, 7]);
    // Unscored (browsing facets): the lower document first.
    assert.deepEqual(page({ scored: false }), [3, 5, 7, 9]);
  });

  test('rankPage: a first page of many candidates (picked without sorting them all) is the page a full sort gives', async () => {
    // 3,000 candidates with many equal scores (ties broken by the document), in a shuffled order.
    let seed = 12345;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const passing = Array.from({ length: 3000 }, (_, i) => (i * 7919) % 3001);
    const s = scores(passing.map(() => [rand(40), 1 + rand(2), rand(2)] as [number, number, number]));
    const at = passing.map((_, i) => i);
    const dates = Array.from({ length: 3001 }, () => rand(5000));
    for (const options of [
      { offset: 0, limit: 8 },
      { offset: 0, limit: 10 },
      { offset: 10, limit: 10 },
      { offset: 150, limit: 20 },
      { offset: 2995, limit: 20 },
    ]) {
      for (const variant of [{ partial: false }, { partial: true }, { dates }, { scored: false }]) {
        const o = { dates: null, scored: true, partial: false, ...options, ...variant };
        const got = rankPage(passing, at, s, o);
        // The reference: every candidate sorted by the same rule.
        const reference = rankPage(passing, at, s, { ...o, offset: 0, limit: passing.length }).slice(o.offset, o.offset + o.limit);
        assert.deepEqual(got, reference, JSON.stringify({ ...options, variant: Object.keys(variant) }));
      }
    }
  });

  test('facetList: counts by value, selected values kept at 0, years newest first', async () => {
    const labels = ['Windows NT', 'Exchange', 'Office'];
    assert.deepEqual(
      facetList(
        new Map([
          [0, 3],
          [2, 3],
          [1, 5],
        ]),
        labels,
        ['Office', 'Word'],
        false,
      ),
      [
        { value: 'Exchange', count: 5, selected: false },
        { value: 'Office', count: 3, selected: true },
        { value: 'Windows NT', count: 3, selected: false },
        { value: 'Word', count: 0, selected: true },
      ],
    );
    assert.deepEqual(
      facetList(
        new Map([
          [0, 1],
          [1, 9],
        ]),
        ['1999', '2001'],
        [],
        true,
      ).map((f) => f.value),
      ['2001', '1999'],
    );
  });
});
