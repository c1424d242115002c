/**
 * Search as you type and excerpts (lib/search): suggestions read only the small
 * title records; excerpts come from clean passages of the body with their
 * section; hostile queries and articles stay harmless. The index is built over
 * content/ (real articles) and small fixtures, and read from disk by the engine
 * the browser's worker runs.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadCorpus } from '../lib/content/corpus';
import { buildSearchIndex, cleanBody, snippetsOf } from '../lib/search/build';
import { SearchEngine } from '../lib/search/engine';
import { createHandler } from '../lib/search/handler';
import type { FromWorker } from '../lib/search/protocol';
import { bestExcerpt, passageHref } from '../lib/search/highlight';
import { encodeVarints, type SuggestRecord } from '../lib/search/format';
import { decodeRecords, encodeRecords } from '../lib/search/records';
import { openSearchXml } from '../lib/search/opensearch';
import { facetValueLabel } from '../components/search/SearchFacets';
import { makeArticle } from './helpers/articles';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'kbview-suggest-test-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

/** An engine over an index folder that records the files it reads. */
function engineFor(dir: string): { engine: SearchEngine; files: string[] } {
  const files: string[] = [];
  const engine = new SearchEngine(async (file) => {
    const name = file.replace(/\?.*$/, '');
    files.push(name);
    return JSON.parse(readFileSync(path.join(dir, name), 'utf8'));
  });
  return { engine, files };
}

describe('content/ index: suggestions and excerpts', () => {
  const dir = path.join(tmp, 'content');
  // Twelve articles with "zebra" in their bodies only, one more time in each: more results than a shard's records hold.
  // Their titles are one word each (so that no shard holds the records of every article).
  const fallbackDir = path.join(tmp, 'fallback');
  const animals = ['Aardvark', 'Badger', 'Camel', 'Dingo', 'Eland', 'Ferret', 'Gazelle', 'Hyena', 'Ibex', 'Jackal', 'Koala', 'Lemur'];
  let titles: string[] = [];
  before(async () => {
    await buildSearchIndex(
      Array.from({ length: 12 }, (_, i) => ({
        article: makeArticle(990301 + i, { title: animals[i]! }),
        text: 'zebra '.repeat(i + 1),
      })),
      fallbackDir,
      { shardBytes: 1 }, // a shard per term: "zebra"'s records are its own
    );
    const corpus = await loadCorpus('content', { withText: true, cacheDir: path.join(tmp, 'cache') });
    titles = corpus.articles.map((a) => a.title);
    await buildSearchIndex(corpus.files, dir);
  });

  test('the word being typed finds Q244717 from three letters; suggestions read title records, no facet files', async () => {
    const { engine, files } = engineFor(dir);
    for (const q of ['ras', 'rassr', 'rassrv']) {
      const r = await engine.search({ q, limit: 8, suggest: true });
      assert.ok(
        r.hits.some((h) => h.id === 'Q244717'),
        `${q}: ${r.hits.map((h) => h.id)}`,
      );
    }
    assert.equal((await engine.search({ q: 'rassr', limit: 8, suggest: true })).prefix, 'rassr');
    assert.deepEqual(
      files.filter((f) => f === 'facets.json' || f === 'keywords.json' || f === 'dates.json' || f.startsWith('m/')),
      [],
    );
    // One round trip a keystroke: the title records of the best documents came with the term shards (r/ with t/).
    assert.ok(files.some((f) => f.startsWith('r/')) && !files.some((f) => f.startsWith('s/')), files.join(' '));
    for (const f of files.filter((name) => name.startsWith('t/'))) assert.ok(files.includes(`r/${f.slice(2)}`), `${f} without its records: ${files.join(' ')}`);
    const hit = (await engine.search({ q: 'rassrv', limit: 8, suggest: true })).hits[0]!;
    assert.equal(hit.title, 'RAS Port Becomes Unavailable in Windows NT 4.0 Terminal Server');
    assert.equal(hit.product, 'Microsoft Windows NT');
    assert.equal(hit.lastModified, '2002-05-08');
  });

  test('a file name from the file tables, with or without extension, is offered with its page slug', async () => {
    const { engine } = engineFor(dir);
    for (const q of ['rassrv', 'Rassrv.exe', 'RASSRV.EXE']) {
      assert.deepEqual((await engine.search({ q, limit: 8, suggest: true })).files, [{ name: 'Rassrv.exe', slug: 'rassrv.exe', count: 1 }], q);
    }
    for (const q of ['rassr', 'rassrv.ex', 'rassrv exe', 'ra', '244717']) {
      assert.deepEqual((await engine.search({ q, limit: 8, suggest: true })).files, [], q);
    }
  });

  test('searches running at once on one engine do not mix their scores', async () => {
    const mixDir = path.join(tmp, 'mix');
    await buildSearchIndex(
      [
        { article: makeArticle(990201, { title: 'Alpha Beta' }), text: `gamma ${'filler text words '.repeat(40)}` },
        { article: makeArticle(990202, { title: 'Alpha' }), text: 'beta gamma gamma gamma' },
      ],
      mixDir,
    );
    const slow = new SearchEngine(async (file) => {
      const name = file.replace(/\?.*$/, '');
      if (name === 'facets.json') await new Promise((r) => setTimeout(r, 50));
      return JSON.parse(readFileSync(path.join(mixDir, name), 'utf8'));
    });
    const alone = await engineFor(mixDir).engine.search({ q: 'beta alpha', limit: 10 });
    assert.deepEqual(
      alone.hits.map((h) => h.id),
      ['Q990201', 'Q990202'],
      'both words in the title first',
    );
    // 'beta alpha' waits for the facet columns while 'gamma' accumulates its own scores (Q990202 higher).
    const [mixed] = await Promise.all([slow.search({ q: 'beta alpha', limit: 10 }), slow.search({ q: 'gamma', limit: 8, suggest: true })]);
    assert.deepEqual(
      mixed.hits.map((h) => h.id),
      alone.hits.map((h) => h.id),
    );
  });

  test('the first answer of a page comes without facet columns, then the full one', async () => {
    const { engine, files } = engineFor(dir);
    const first = await engine.search({ q: 'rassrv', limit: 10, facetsLater: true });
    assert.ok(!files.includes('facets.json'));
    assert.equal(first.hits[0]?.id, 'Q244717');
    assert.ok(first.pending.includes('product'));
    const full = await engine.search({ q: 'rassrv', limit: 10 });
    assert.deepEqual(
      full.hits.map((h) => h.id),
      first.hits.map((h) => h.id),
    );
    assert.ok(full.facets.product.length > 0);
  });

  test('a suggestion reads the result chunks (m/) only for results whose records did not come with the shard', async () => {
    const { engine, files } = engineFor(fallbackDir);
    const best = await engine.search({ q: 'zebra', limit: 8, suggest: true });
    assert.equal(best.hits.length, 8);
    assert.ok(!files.some((f) => f.startsWith('m/') || f.startsWith('s/')), files.join(' '));
    // Ranks 9–12 of a word found only in bodies are not among the shard's records: they come from m/ (the index has no s/).
    const all = await engine.search({ q: 'zebra', limit: 12, suggest: true });
    assert.equal(all.hits.length, 12);
    assert.ok(files.some((f) => f.startsWith('m/')) && !files.some((f) => f.startsWith('s/')), files.join(' '));
    assert.deepEqual(
      all.hits.slice(0, 8).map((h) => h.id),
      best.hits.map((h) => h.id),
    );
    assert.deepEqual(all.hits.map((h) => h.title).sort(), [...animals].sort());
  });

  test('a malformed or missing r/ file of a shard: the suggestion reads its records from m/ instead', async () => {
    for (const bad of [{ d: 5, r: [] }, { d: 'zz', r: [[1]] }, { d: '', n: '', p: '', a: '', t: [1] }, null, 'missing']) {
      const files: string[] = [];
      const engine = new SearchEngine(async (file) => {
        const name = file.replace(/\?.*$/, '');
        files.push(name);
        if (name.startsWith('r/')) {
          if (bad === 'missing') throw new Error(`search index file ${name}: HTTP 404`);
          return bad;
        }
        return JSON.parse(readFileSync(path.join(dir, name), 'utf8'));
      });
      const r = await engine.search({ q: 'rassrv', limit: 8, suggest: true });
      assert.equal(r.hits[0]?.id, 'Q244717', JSON.stringify(bad));
      assert.equal(r.hits[0]?.title, 'RAS Port Becomes Unavailable in Windows NT 4.0 Terminal Server');
      assert.ok(files.some((f) => f.startsWith('r/')) && files.some((f) => f.startsWith('m/')), files.join(' '));
    }
  });

  test('a search replaced by a newer one stops before fetching its result metadata', async () => {
    const { engine, files } = engineFor(fallbackDir);
    await assert.rejects(
      engine.search({ q: 'zebra', limit: 12, suggest: true }, () => true),
      { name: 'SupersededError' },
    );
    assert.ok(
      files.some((f) => f.startsWith('t/')),
      'its term shard is kept for the next keystroke',
    );
    assert.ok(!files.some((f) => f.startsWith('s/') || f.startsWith('m/')), files.join(' '));
    assert.equal((await engine.search({ q: 'zebra', limit: 12, suggest: true }, () => false)).hits.length, 12);
    // A superseded suggestion whose records all came with its shard costs no fetch more: it answers.
    const { engine: other, files: read } = engineFor(dir);
    assert.equal((await other.search({ q: 'rassrv', limit: 8, suggest: true }, () => true)).hits[0]?.id, 'Q244717');
    assert.ok(!read.some((f) => f.startsWith('s/') || f.startsWith('m/')), read.join(' '));
  });

  test('the handler answers a superseded suggestion whose records were already on the way; any other search only when newest', async () => {
    // The handler fetches with the global fetch: served here from the index folder, with the record files held.
    const realFetch = globalThis.fetch;
    const requested: string[] = [];
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    globalThis.fetch = (async (url: string | URL) => {
      const name = new URL(url).pathname.slice(1);
      requested.push(name);
      if (name.startsWith('s/') || name.startsWith('m/')) await gate;
      return new Response(readFileSync(path.join(fallbackDir, name)));
    }) as typeof fetch;
    try {
      const posts: FromWorker[] = [];
      const handle = createHandler((m) => posts.push(m));
      handle({ type: 'init', base: 'http://index.test/' });
      const until = async (what: () => boolean) => {
        while (!what()) await new Promise((r) => setTimeout(r, 5));
      };
      // "zeb" fetches title records (12 results: more than came with the shard); "zebra" is typed before they come.
      handle({ type: 'search', id: 1, request: { q: 'zeb', limit: 12, suggest: true, prefix: true } });
      await until(() => requested.some((f) => f.startsWith('m/')));
      handle({ type: 'search', id: 2, request: { q: 'zebra', limit: 12, suggest: true, prefix: true } });
      // The same for a full search (the search page): its superseded answer never comes.
      handle({ type: 'search', id: 3, request: { q: 'zeb', limit: 8, sort: 'date' } });
      await until(() => requested.some((f) => f.startsWith('m/')));
      handle({ type: 'search', id: 4, request: { q: 'zebra', limit: 8, sort: 'date' } });
      open();
      await until(() => posts.some((m) => m.id === 4));
      await new Promise((r) => setTimeout(r, 50));
      const answered = posts.filter((m) => m.type === 'result').map((m) => m.id);
      assert.ok(answered.includes(1), `the superseded suggestion is answered: ${answered}`);
      // "rassrv" was superseded (by the full search, asked in the same tick) before its records: stopped, not answered.
      assert.ok(!answered.includes(2), `a suggestion superseded before its records is not answered: ${answered}`);
      assert.ok(!answered.includes(3), `a superseded full search is not answered: ${answered}`);
      assert.ok(answered.includes(4));
      assert.deepEqual(
        posts.filter((m) => m.type === 'error'),
        [],
      );
    } finally {
      globalThis.fetch = realFetch;
    }
  });

  test('a number in the box finds its article without the full metadata', async () => {
    const { engine, files } = engineFor(dir);
    for (const q of ['244717', 'Q244717', 'KB244717']) {
      const r = await engine.search({ q, limit: 8, suggest: true });
      assert.equal(r.number?.status, 'article', q);
      assert.match(r.number?.title ?? '', /RAS Port Becomes Unavailable/);
    }
    // Its title from its result chunk (one file, loaded once), no facet or keyword files.
    assert.deepEqual(
      [...new Set(files.filter((f) => !f.startsWith('t/') && !f.startsWith('r/') && !f.startsWith('ids/') && f !== 'manifest.json'))],
      files.filter((f) => f.startsWith('m/')).slice(0, 1),
    );
    assert.ok(files.filter((f) => f.startsWith('m/')).length <= 1, files.join(' '));
  });

  test('the excerpt for "rassrv" is the passage of CAUSE that names it, linked to that section with a text fragment', async () => {
    const { engine } = engineFor(dir);
    const r = await engine.search({ q: 'rassrv', limit: 10 });
    const hit = r.hits.find((h) => h.id === 'Q244717')!;
    const excerpt = bestExcerpt(hit.lead, hit.snippets, r.terms, r.prefix);
    const text = excerpt.parts.map((p) => p.text).join('');
    assert.match(text, /Rassrv\.exe/);
    assert.deepEqual(hit.sections[excerpt.index], { id: 'cause', title: 'CAUSE' });
    assert.equal(passageHref(hit.permalink, hit.sections[excerpt.index]!, excerpt.parts), '/kb/244/Q244717/#cause:~:text=Rassrv');
  });

  test('no lead or passage holds header lines, keyword lines or rules', async () => {
    const { engine } = engineFor(dir);
    assert.ok(titles.length >= 5);
    for (const title of titles) {
      const hit = (await engine.search({ q: title, limit: 1 })).hits[0]!;
      for (const text of [hit.lead, ...hit.snippets]) {
        assert.doesNotMatch(text, /-{3,}|={3,}/, `${hit.id}: ${text}`);
        assert.doesNotMatch(text, /^\s*(kb\w+\s*){2,}/i, `${hit.id}: ${text}`);
        assert.doesNotMatch(text, /^(Article|Product\(s\)|Version\(s\)|Keyword\(s\)|Last Modified):/, `${hit.id}: ${text}`);
      }
    }
  });
});

describe('title records file (r/): columns', () => {
  test('records read back as written: numbers going down, no product, no date, a date that is not a plain day', async () => {
    const docs = [3, 4, 90, 91_000];
    const records: SuggestRecord[] = [
      [244717, 'RAS Port Becomes Unavailable', 12, '2002-05-08'],
      [100, 'Ünïcode "quoted" \\ title', -1, ''],
      [999999, '', 0, '1970-01-01'],
      [5, 'Odd date', 3, '2002-05-08T10:00:00Z'],
    ];
    const file = encodeRecords(docs, records);
    assert.deepEqual(file.x, [[3, '2002-05-08T10:00:00Z']]);
    const map = decodeRecords(JSON.parse(JSON.stringify(file)));
    assert.deepEqual(
      [...map!.entries()],
      docs.map((d, i) => [d, records[i]]),
    );
    assert.deepEqual([...decodeRecords(encodeRecords([], []))!.entries()], []);
  });

  test('a date is a day number exactly when Date reads it back the same (plain YYYY-MM-DD from 1970 on)', async () => {
    const viaDate = (value: string): boolean => {
      if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
      const ms = Date.parse(`${value}T00:00:00Z`);
      return Number.isFinite(ms) && ms >= 0 && new Date(ms).toISOString().slice(0, 10) === value;
    };
    const values: string[] = ['1969-12-31', '1970-01-01', '0000-01-01', '9999-12-31', '2002-05-08 ', '2002-5-08', '２００２-05-08'];
    for (const year of [1970, 1999, 2000, 2001, 2004, 2100, 2400, 9999])
      for (let month = 0; month <= 13; month++)
        for (let day = 0; day <= 32; day++) values.push(`${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`);
    const records: SuggestRecord[] = values.map((v, i) => [i + 1, 't', 0, v]);
    const docs = values.map((_, i) => i);
    const file = encodeRecords(docs, records);
    const other = new Set((file.x ?? []).map(([i]) => values[i]));
    for (const value of values) assert.equal(!other.has(value), viaDate(value), value);
    // Every one reads back as written.
    const map = decodeRecords(JSON.parse(JSON.stringify(file)))!;
    assert.deepEqual(
      docs.map((d) => map.get(d)![3]),
      values,
    );
  });

  test('a malformed records file reads as null, never throws', async () => {
    const good = encodeRecords(
      [1, 2],
      [
        [1, 'a', 0, '2000-01-01'],
        [2, 'b', 0, '2000-01-02'],
      ],
    );
    for (const bad of [null, 5, 'x', [], { ...good, t: ['a'] }, { ...good, d: 5 }, { ...good, n: '\u00e9' }, { ...good, p: undefined }]) {
      assert.equal(decodeRecords(bad), null, JSON.stringify(bad));
    }
    // A day number beyond any date is no date, not an exception.
    const far = decodeRecords({ ...good, a: encodeVarints([9_999_999, 1]) });
    assert.equal(far!.get(1)![3], '');
  });
});

describe('clean passages', () => {
  test('header block, keyword lines, rules, applies-to lists and headings are dropped; sections are kept', async () => {
    const text = [
      '3.11',
      'WINDOWS',
      'kbusage kbref kbtool',
      'The information in this article applies to:',
      '- Microsoft Windows for Workgroups version 3.11 -------------------------------------------------------------------------------',
      'SUMMARY',
      'When you are troubleshooting Remote Access Services (RAS), remove the files.',
      'MORE INFORMATION',
      'Windows directory Size Application name ----------------- ---- --------',
      'RASSRV.DLL 13324 Remote Access Server',
    ].join('\n');
    const article = {
      sections: [
        { id: 'summary', title: 'SUMMARY', level: 2 as const },
        { id: 'more-information', title: 'MORE INFORMATION', level: 2 as const },
      ],
      keywords: ['kbusage'],
    };
    const body = cleanBody(text, article);
    assert.equal(
      body.text,
      'When you are troubleshooting Remote Access Services (RAS), remove the files.\nWindows directory Size Application name\nRASSRV.DLL 13324 Remote Access Server',
    );
    assert.deepEqual(body.sections, [0, 1, 1]);
    // Headings that never appear in the text: everything but noise is kept.
    const odd = cleanBody('3.11\nSome text here.', { sections: [{ id: 'x', title: 'ELSEWHERE', level: 2 }], keywords: [] });
    assert.equal(odd.text, 'Some text here.');
  });

  test('a long chunk without spaces is scanned once for a rare word inside a URL (linear)', async () => {
    // 20,000 occurrences of the word inside one URL-like chunk, then one real mention.
    const n = 20_000;
    const text = `see http://x/${'rassrv/'.repeat(n)} and then Rassrv.exe runs`;
    let calls = 0;
    const original = String.prototype.slice;
    // Count characters sliced: quadratic rescans would slice ~n × chunk length.
    String.prototype.slice = function (this: string, ...args: [number?, number?]) {
      const out = original.apply(this, args);
      calls += out.length;
      return out;
    };
    let found;
    try {
      found = snippetsOf(text, '', [['rassrv', 1]]);
    } finally {
      String.prototype.slice = original;
    }
    assert.equal(found.length, 1);
    assert.match(found[0]!.text, /Rassrv\.exe runs/);
    assert.ok(calls < text.length * 20, `${calls} characters sliced for a text of ${text.length}`);
  });
});

describe('hostile input', () => {
  const dir = path.join(tmp, 'hostile');
  before(async () => {
    const a = makeArticle(990100, {
      title: 'Constructor and __proto__ in RAS Setup',
      issueType: ['constructor', '__proto__', 'kbbug'],
      sections: [{ id: 'symptoms', title: 'SYMPTOMS', level: 2 }],
    });
    const b = makeArticle(990101, { title: 'שלום RTL title with emoji 🎉', sections: [] });
    await buildSearchIndex(
      [
        { article: a, text: 'SYMPTOMS\nThe <script>alert(1)</script> setup of RAS fails.' },
        { article: b, text: 'Text with emoji 🎉 and עברית.' },
      ],
      dir,
    );
  });

  test('odd queries give results or nothing, never an error or markup', async () => {
    const { engine } = engineFor(dir);
    const queries = [
      '"<script>alert(1)</script>"',
      'x'.repeat(2000),
      'ras '.repeat(500),
      '🎉🎉',
      'שלום',
      'https://support.microsoft.com/kb/244717/en-us',
      'the and of',
      'constructor',
      '__proto__',
      '\u202e\u0000',
    ];
    for (const q of queries) {
      for (const suggest of [true, false]) {
        const r = await engine.search({ q, limit: 8, suggest });
        assert.ok(r.total >= 0 && Array.isArray(r.hits), q.slice(0, 20));
        assert.ok(r.terms.length <= 12);
      }
    }
    assert.deepEqual((await engine.search({ q: 'the and of', suggest: true })).hits, []);
    assert.equal((await engine.search({ q: 'שלום', suggest: true })).hits[0]?.id, 'Q990101');
    const facets = (await engine.search({ q: 'setup' })).facets.type.map((f) => f.value).sort();
    assert.deepEqual(facets, ['__proto__', 'constructor', 'kbbug']);
  });

  test('issue-type labels: `constructor` and `__proto__` are plain values', async () => {
    assert.equal(facetValueLabel('type', 'constructor'), 'constructor');
    assert.equal(facetValueLabel('type', '__proto__'), '__proto__');
    assert.equal(facetValueLabel('type', 'toString'), 'toString');
    assert.equal(facetValueLabel('type', 'kbbug'), 'Bug (kbbug)');
  });

  test('the OpenSearch description escapes its text and points to the search page', async () => {
    const xml = openSearchXml({ root: 'https://example.org/kb-archive/', name: 'kb<&>"view', description: 'a & b' });
    assert.match(xml, /template="https:\/\/example\.org\/kb-archive\/search\/\?q=\{searchTerms\}"/);
    assert.match(xml, /<ShortName>kb&#60;&#38;&#62;&#34;view<\/ShortName>/);
    assert.doesNotMatch(xml, /<&>/);
  });
});
