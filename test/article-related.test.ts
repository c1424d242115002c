/**
 * The per-article indexes (lib/content/related.ts): previous/next by number,
 * related articles, and their cost bounds; the "Original text" mode
 * (lib/content/sources.ts); the look-up links of not-in-archive pages.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildLinkGraph } from '../lib/content/graph';
import { buildArticleIndexes, buildArticleIndexesYielding, MAX_POSTINGS, nearestTo, neighbours, relatedArticles, termsOf } from '../lib/content/related';
import { copySources, sourceFilePath, sourcePage, sourcesMode, SOURCES_DEFAULT_LIMIT } from '../lib/content/sources';
import type { Article } from '../lib/markdown/schema';
import { lookupLinks } from '../lib/lookup-links';
import { makeArticle } from './helpers/articles';
import { loadConfig } from '../lib/config';

function article(number: number, fields: Partial<Article> = {}): Article {
  return makeArticle(number, fields);
}

function indexesOf(articles: Article[]) {
  articles.sort((a, b) => a.number - b.number);
  return buildArticleIndexes(articles, buildLinkGraph(articles).summaries);
}

test('previous and next follow article numbers; missing numbers get their nearest neighbours', () => {
  const ix = indexesOf([article(300), article(100), article(200)]);
  assert.deepEqual(
    [neighbours(ix, 'Q100'), neighbours(ix, 'Q200'), neighbours(ix, 'Q300')].map(({ previous, next }) => [previous?.id ?? null, next?.id ?? null]),
    [
      [null, 'Q200'],
      ['Q100', 'Q300'],
      ['Q200', null],
    ],
  );
  const ids = (n: number) => {
    const { previous, next } = nearestTo(ix, n);
    return [previous?.id ?? null, next?.id ?? null];
  };
  assert.deepEqual(ids(150), ['Q100', 'Q200']);
  assert.deepEqual(ids(50), [null, 'Q100']);
  assert.deepEqual(ids(999), ['Q300', null]);
  assert.deepEqual(neighbours(ix, 'Q250'), nearestTo(ix, 250), 'an unknown id is treated as a number');
});

test('related articles share tags, title words and product; self and excluded ids never appear', () => {
  const articles = [
    article(1, { title: 'Q1: RAS Port Becomes Unavailable', product: 'Windows NT', keywords: ['kbras', 'kbnetwork'] }),
    article(2, { title: 'Q2: RAS Port Hangs on Disconnect', product: 'Windows NT', keywords: ['kbras'] }),
    article(3, { title: 'Q3: Word Crashes When Printing', product: 'Word', keywords: ['kbprint'] }),
    article(4, { title: 'Q4: RAS Server Does Not Answer', product: 'Windows NT', keywords: ['kbras', 'kbnetwork'] }),
    article(5, { title: 'Q5: Something Else Entirely', product: 'Windows NT' }),
  ];
  // Padding so that the shared terms are rare enough to count (idf) and the scoring has noise.
  for (let n = 10; n < 200; n++) articles.push(article(n, { title: `Q${n}: Unrelated Topic ${n}`, product: 'Other', keywords: ['kbother'] }));
  const ix = indexesOf(articles);
  const related = relatedArticles(ix, 'Q1').map((a) => a.id);
  assert.equal(related[0], 'Q4', 'most shared terms first');
  assert.ok(related.includes('Q2'));
  assert.ok(!related.includes('Q1'), 'never itself');
  assert.ok(!related.includes('Q3'), 'nothing in common');
  assert.ok(related.length <= 5);
  assert.deepEqual(relatedArticles(ix, 'Q1', { exclude: new Set(['Q4']) }).map((a) => a.id)[0], 'Q2', 'excluded ids are skipped');
  assert.deepEqual(relatedArticles(ix, 'Q1'), relatedArticles(ix, 'Q1'), 'deterministic (scratch space is reset)');
  assert.deepEqual(
    relatedArticles(ix, 'Q1', { limit: 1 }).map((a) => a.id),
    ['Q4'],
  );
  assert.deepEqual(relatedArticles(ix, 'Q999'), [], 'unknown id');
  // With nothing distinctive in common, the same product's nearest numbers fill in.
  assert.deepEqual(
    relatedArticles(ix, 'Q5', { limit: 2 }).map((a) => a.id),
    ['Q4', 'Q2'],
  );
});

test('terms used by more than MAX_POSTINGS articles are left out of the index', () => {
  const articles: Article[] = [];
  for (let n = 1; n <= MAX_POSTINGS + 1; n++) articles.push(article(n, { keywords: ['kbcommon', n % 2 ? 'kbodd' : 'kbeven'] }));
  const ix = indexesOf(articles);
  assert.equal(ix.termIds.has('t:kbcommon'), false, 'too common');
  assert.equal(ix.termIds.has('t:kbodd'), true);
  for (const list of ix.lists) assert.ok(list.length <= MAX_POSTINGS);
});

test('terms: lower-cased tags and distinctive title words, without the Q-number prefix', () => {
  const terms = termsOf(
    article(244717, { title: 'Q244717: FIX: RAS Port Becomes Unavailable in Windows NT 4.0', keywords: ['kbFixList'], technology: ['kbWinNT400search'] }),
  );
  assert.deepEqual(terms.sort(), ['t:kbfixlist', 't:kbwinnt400search', 'w:becomes', 'w:port', 'w:ras', 'w:unavailable', 'w:windows'].sort());
});

test('KB_SOURCES: files for small archives, none for large ones, unless set', () => {
  const mode = (raw: string | undefined) => loadConfig({ KB_SOURCES: raw }).sources;
  assert.equal(sourcesMode(8, mode(undefined)), 'files');
  assert.equal(sourcesMode(SOURCES_DEFAULT_LIMIT - 1, mode('')), 'files');
  assert.equal(sourcesMode(SOURCES_DEFAULT_LIMIT, mode(undefined)), 'none');
  assert.equal(sourcesMode(60_335, mode(undefined)), 'none');
  assert.equal(sourcesMode(60_335, mode('files')), 'files');
  assert.equal(sourcesMode(8, mode(' NONE ')), 'none');
  assert.throws(() => mode('some'), /KB_SOURCES/);
  assert.equal(sourceFilePath(article(244717)), '/kb/244/Q244717/Q244717.source.html');
  assert.equal(sourceFilePath(article(10462)), '/kb/010/Q10462/Q10462.source.html');
});

test('copySources writes each source as an escaped HTML page next to its page, never as a raw .md', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kbview-sources-'));
  try {
    const content = path.join(dir, 'content');
    mkdirSync(path.join(content, 'kb', '244', 'Q244717'), { recursive: true });
    const text = '\nwindow.ran = 1; // </pre><script>alert(1)</script> & "q" \'a\' é\n';
    writeFileSync(path.join(content, 'kb', '244', 'Q244717', 'README.md'), text);
    const result = copySources(
      content,
      [
        { ...article(244717), title: 'A <b>title</b>', source: 'kb/244/Q244717/README.md' },
        { ...article(244718), source: 'Q244718.md' }, // vanished since it was read: listed, the others still written
      ],
      path.join(dir, 'out'),
    );
    const written = readFileSync(path.join(dir, 'out', 'kb', '244', 'Q244717', 'Q244717.source.html'));
    assert.equal(result.files, 1);
    assert.equal(result.bytes, written.length);
    assert.deepEqual(
      result.failed.map((f) => f.source),
      ['Q244718.md'],
    );
    assert.match(result.failed[0]!.message, /ENOENT/);
    assert.equal(existsSync(path.join(dir, 'out', 'kb', '244', 'Q244717', 'Q244717.md')), false);
    const page = written.toString('utf8');
    assert.ok(page.startsWith('<!DOCTYPE html>'));
    assert.equal(page, sourcePage({ id: 'Q244717', title: 'A <b>title</b>' }, text));
    assert.match(page, /<title>Original text of Q244717: A &lt;b&gt;title&lt;\/b&gt;<\/title>/);
    assert.match(page, /<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">/);
    assert.doesNotMatch(page, /<script/i);
    // The <pre> holds exactly the text, escaped (its first newline doubled: the HTML parser drops one).
    const pre = /<pre>([\s\S]*)<\/pre>/.exec(page)?.[1] ?? '';
    const unescaped = pre.replace(/&(lt|gt|quot|#39|amp);/g, (_, e: string) => ({ lt: '<', gt: '>', quot: '"', '#39': "'", amp: '&' })[e] ?? '');
    assert.equal(unescaped, `\n${text}`);
    assert.match(pre, /&lt;\/pre&gt;&lt;script&gt;alert\(1\)&lt;\/script&gt; &amp; &quot;q&quot; &#39;a&#39; é/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('look-up links for a missing article: Internet Archive and the old support addresses', () => {
  const hrefs = lookupLinks(238171).map((l) => l.href);
  assert.deepEqual(hrefs, [
    'https://web.archive.org/web/*/support.microsoft.com/kb/238171',
    'https://web.archive.org/web/*/support.microsoft.com/support/kb/articles/Q238/1/71.ASP',
    'http://support.microsoft.com/default.aspx?scid=kb;EN-US;Q238171',
  ]);
  assert.equal(lookupLinks(10405)[1]!.href, 'https://web.archive.org/web/*/support.microsoft.com/support/kb/articles/Q10/4/05.ASP');
  assert.equal(lookupLinks(999).length, 2, 'no 1999–2002 address below Q1000');
  assert.deepEqual(lookupLinks(Number.NaN), []);
});

test('next dev builds the same indexes a slice at a time, letting other work run between slices', async () => {
  const articles: Article[] = [];
  for (let n = 1; n <= 9000; n++) {
    articles.push(
      article(n, { title: `Q${n}: Term${n % 700} and Word${n % 3000} in Product ${n % 7}`, product: `Product ${n % 7}`, keywords: [`kbtag${n % 50}`] }),
    );
  }
  const summaries = buildLinkGraph(articles).summaries;
  const whole = buildArticleIndexes(articles, summaries);
  // Other work queued while the slices are built: it runs between them, not after the whole build.
  let turns = 0;
  let building = true;
  const other = () => {
    if (!building) return;
    turns++;
    setImmediate(other);
  };
  setImmediate(other);
  // Slices of no length: a turn of the event loop after each step (200 articles or terms).
  const sliced = await buildArticleIndexesYielding(articles, summaries, 0);
  building = false;
  assert.ok(turns >= 4, `other work ran ${turns} times during the build (9,000 articles, steps of 200)`);
  assert.deepEqual(sliced, whole);
});

/** The scoring `relatedArticles` documents, written plainly: every candidate scored in a Map, all of them sorted. */
function relatedByReference(articles: readonly Article[], id: string, limit: number, exclude: ReadonlySet<string>): string[] {
  const counts = new Map<string, number>();
  const termsById = new Map(articles.map((a) => [a.id, termsOf(a)]));
  for (const terms of termsById.values()) for (const t of terms) counts.set(t, (counts.get(t) ?? 0) + 1);
  const self = articles.find((a) => a.id === id)!;
  const own = termsById.get(id)!;
  const scored: Array<{ a: Article; index: number; total: number; distance: number }> = [];
  articles.forEach((a, index) => {
    let score = 0;
    // Summed in the article's own order of terms (the same floating-point sums, hence the same ties).
    const theirs = new Set(termsById.get(a.id));
    for (const t of own) {
      const df = counts.get(t)!;
      if (theirs.has(t) && df >= 2 && df <= MAX_POSTINGS) score += Math.log(articles.length / df) * (t.startsWith('w:') ? 0.5 : 1);
    }
    if (score <= 0) return;
    const total = score + (self.product && a.product?.trim() === self.product.trim() ? 2 : 0);
    if (total >= 4.5 && a.id !== id && !exclude.has(a.id)) scored.push({ a, index, total, distance: Math.abs(a.number - self.number) });
  });
  scored.sort((x, y) => y.total - x.total || x.distance - y.distance || x.index - y.index);
  const picked = scored.slice(0, limit).map((s) => s.a);
  // Filled up with the same product's closest articles by number, the closer side first (the lower on a tie).
  if (picked.length < limit && self.product) {
    const same = articles.filter((a) => a.product?.trim() === self.product!.trim() && a.id !== id && !exclude.has(a.id) && !picked.includes(a));
    same.sort((x, y) => Math.abs(x.number - self.number) - Math.abs(y.number - self.number) || x.number - y.number);
    picked.push(...same.slice(0, limit - picked.length));
  }
  return picked.map((a) => a.id);
}

test('related articles are those of the plain scoring (random archives, a term every article carries, exclusions)', () => {
  // mulberry32: deterministic, and its low bits are as random as its high ones.
  let seed = 7;
  const random = (n: number) => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((((t ^ (t >>> 14)) >>> 0) / 4294967296) * n) | 0;
  };
  const words = 'modem printer spooler registry driver setup cluster proxy mailbox kernel router shell applet codec font macro'.split(' ');
  for (let round = 0; round < 12; round++) {
    // Up to 300 articles: rare terms score above the 4.5 threshold; numbers 1 or 2 apart, and every other round only
    // 16 tags: candidates of the same score on either side at the same distance.
    const size = 20 + random(280);
    const articles: Article[] = [];
    let n = 1000;
    for (let i = 0; i < size; i++) {
      n += 1 + random(2);
      const title = `Q${n}: ${Array.from({ length: 1 + random(4) }, () => words[random(words.length)]).join(' ')}`;
      const keywords = ['kbeverywhere', ...Array.from({ length: random(4) }, () => `kb${words[random(words.length)]}${random(round % 2 === 0 ? 8 : 1)}`)];
      articles.push(article(n, { title, keywords, product: ['Windows NT', 'Word', 'Exchange', ''][random(4)]! }));
    }
    const ix = indexesOf(articles);
    for (const a of articles) {
      const exclude = new Set(articles.filter(() => random(6) === 0).map((b) => b.id));
      const limit = 1 + random(6);
      assert.deepEqual(
        relatedArticles(ix, a.id, { limit, exclude }).map((s) => s.id),
        relatedByReference(articles, a.id, limit, exclude),
        `round ${round}, ${a.id}, limit ${limit}`,
      );
    }
  }
});

test('related articles of the same score and distance: the lower number first', () => {
  const articles = [98, 99, 100, 101, 102].map((n) => article(n, { title: `Q${n}: Twin`, product: 'Windows NT', keywords: ['kbtwin'] }));
  for (let n = 200; n < 400; n++) articles.push(article(n, { title: `Q${n}: Padding`, product: 'Other', keywords: [`kbpad${n}`] }));
  const ix = indexesOf(articles);
  assert.deepEqual(
    relatedArticles(ix, 'Q100').map((a) => a.id),
    ['Q99', 'Q101', 'Q98', 'Q102'],
  );
  assert.deepEqual(
    relatedArticles(ix, 'Q100', { limit: 1 }).map((a) => a.id),
    ['Q99'],
  );
});
