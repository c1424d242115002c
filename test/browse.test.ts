/**
 * Browsing listings (lib/content/browse-index.ts), keyword explanations
 * (lib/keywords.ts), sitemaps (lib/sitemap.ts, lib/site-url.ts) and the pager:
 * pure functions on synthetic and hostile input, on content/, and (with
 * KB_TEST_FULL_CORPUS=1) the listing budget of the full 60k-article corpus.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import {
  browseLinksOf,
  buildBrowseIndex,
  compareNewest,
  keywordsOf,
  laterPages,
  listingPath,
  minKeywordArticles,
  pageCount,
  pageSlice,
  PAGE_SIZE,
  parsePageParam,
  rangeOf,
  rareKeywordsPath,
  Slugger,
  slugify,
  type BrowseIndex,
} from '../lib/content/browse-index';
import { summarize } from '../lib/content/graph';
import { loadCorpus } from '../lib/content/corpus';
import { explainKeyword } from '../lib/keywords';
import type { Article } from '../lib/markdown/schema';
import { splitSitemap, sitemapIndexXml, urlsetXml } from '../lib/sitemap';
import { absoluteUrl, siteRoot, DEFAULT_SITE_URL } from '../lib/site-url';
import { pagerItems } from '../components/browse/Pager';
import { corpusDir, corpusSkipReason, REPO_ROOT } from '../bench/lib/corpus';
import { makeArticle } from './helpers/articles';

const SAFE_SLUG = /^[a-z0-9]+(-[a-z0-9]+)*$/;

function article(number: number, over: Partial<Article> = {}): Article {
  return makeArticle(number, { title: `Q${number}: Title ${number}`, product: 'Microsoft Windows NT', lastModified: '2001-01-01', ...over });
}

function indexOf(articles: Article[]): BrowseIndex {
  const sorted = [...articles].sort((a, b) => a.number - b.number);
  return buildBrowseIndex(sorted, sorted.map(summarize));
}

describe('slugs', () => {
  test('slugify makes short, safe ASCII segments', () => {
    assert.equal(slugify('Microsoft Windows NT'), 'microsoft-windows-nt');
    assert.equal(slugify('Open Database Connectivity (ODBC)'), 'open-database-connectivity-odbc');
    assert.equal(slugify('Microsoft Visual C++ 6.0'), 'microsoft-visual-c-plus-plus-6-0');
    assert.equal(slugify('Word & Excel'), 'word-and-excel');
    assert.equal(slugify('sr#'), 'sr');
    assert.equal(slugify('Crème Brûlée'), 'creme-brulee');
    for (const hostile of [
      '',
      '   ',
      '../../etc/passwd',
      '<script>alert(1)</script>',
      '%2e%2e%2f',
      'a\u0000b',
      '日本語',
      '/',
      '\\\\server\\share',
      '?q=1#x',
      'x'.repeat(500),
      'CON',
      '..',
    ]) {
      const slug = slugify(hostile);
      assert.match(slug, SAFE_SLUG, `${JSON.stringify(hostile)} → ${slug}`);
      assert.ok(slug.length <= 60, `${slug.length} characters`);
    }
  });

  test('the Slugger de-duplicates collisions and avoids reserved names', () => {
    const slugger = new Slugger();
    assert.equal(slugger.slug('sr#'), 'sr');
    assert.equal(slugger.slug('SR'), 'sr-2');
    assert.equal(slugger.slug('sr!'), 'sr-3');
    assert.equal(slugger.slug('sr-2'), 'sr-2-2');
    assert.equal(slugger.slug('CON'), 'con-2', 'a Windows device name');
    assert.equal(slugger.slug('page'), 'page-2', 'a route segment');
    assert.equal(slugger.slug('rare'), 'rare-2');
    assert.equal(slugger.slug('None'), 'none-2', 'the slug of articles without a product');
  });
});

describe('browse index', () => {
  test('groups by product, keyword, year and number range', () => {
    const index = indexOf([
      article(10001, { product: 'Microsoft Windows NT', keywords: ['kbnetwork', 'KBBUG'], issueType: ['kbbug'], lastModified: '2002-05-08' }),
      article(10002, { product: ' Microsoft  Windows NT ', keywords: ['kbnetwork'], solutionType: ['kbfix'], lastModified: '1999-01-02' }),
      article(12001, { product: 'Microsoft Exchange', keywords: ['ENDUSER'], lastModified: '2002-06-01' }),
      article(12002, { product: null, keywords: ['kbbug'], lastModified: 'sometime' }),
    ]);
    assert.deepEqual(
      index.products.map((p) => [p.label, p.slug, p.articles.map((a) => a.id)]),
      [
        ['Microsoft Exchange', 'microsoft-exchange', ['Q12001']],
        ['Microsoft Windows NT', 'microsoft-windows-nt', ['Q10001', 'Q10002']],
        ['No product given', 'none', ['Q12002']],
      ],
    );
    assert.deepEqual(index.counts, { articles: 4, products: 2, keywords: 4, years: 2 });
    assert.deepEqual(
      index.keywords.map((k) => [k.label, k.articles.map((a) => a.id)]),
      [
        ['kbbug', ['Q10001', 'Q12002']],
        ['kbnetwork', ['Q10001', 'Q10002']],
      ],
    );
    assert.deepEqual(
      index.rareKeywords.map((r) => [r.keyword, r.anchor, r.articles.map((a) => a.id)]),
      [
        ['enduser', 'k-enduser', ['Q12001']],
        ['kbfix', 'k-kbfix', ['Q10002']],
      ],
    );
    assert.deepEqual(
      index.years.map((y) => [y.slug, y.articles.map((a) => a.id)]),
      [
        ['2002', ['Q12001', 'Q10001']],
        ['1999', ['Q10002']],
        ['undated', ['Q12002']],
      ],
    );
    assert.deepEqual(
      index.ranges.map((r) => [r.slug, r.label, r.articles.map((a) => a.id)]),
      [
        ['10000-10999', 'Q10000–Q10999', ['Q10001', 'Q10002']],
        ['12000-12999', 'Q12000–Q12999', ['Q12001', 'Q12002']],
      ],
    );
    assert.deepEqual(
      index.recent.map((a) => a.id),
      ['Q12001', 'Q10001', 'Q10002', 'Q12002'],
    );
  });

  test('keywords are the Keywords line plus issue and solution types, case-folded, once each', () => {
    assert.deepEqual(keywordsOf({ keywords: ['kbBug', 'kbnetwork', ' '], issueType: ['kbbug'], solutionType: ['KBFIX'] }), ['kbbug', 'kbnetwork', 'kbfix']);
    assert.equal(minKeywordArticles(8), 2, 'keywords used once never get a page of their own');
    assert.equal(minKeywordArticles(5028), 2);
    assert.equal(minKeywordArticles(30000), 5);
    assert.equal(minKeywordArticles(60335), 10);
    assert.equal(minKeywordArticles(1e6), 10);
  });

  test('newest first: by date, then by number; unreadable dates last', () => {
    const a = summarize(article(1, { lastModified: '2001-01-01' }));
    const b = summarize(article(2, { lastModified: '2001-01-01' }));
    const c = summarize(article(3, { lastModified: '2002-01-01' }));
    const d = summarize(article(4, { lastModified: null }));
    assert.deepEqual(
      [a, b, c, d].sort(compareNewest).map((s) => s.id),
      ['Q3', 'Q2', 'Q1', 'Q4'],
    );
  });

  test('hostile product and keyword text never reaches a path', () => {
    const nasty = ['../../etc', '<img src=x onerror=alert(1)>', 'a/b\\c', '%00', 'CON', 'page', '', '   ', '..', 'Ünïcödé', '日本語', 'x'.repeat(300)];
    const articles = nasty.flatMap((text, i) => [
      article(20000 + 2 * i, { product: text, keywords: [text, `${text}!`] }),
      article(20001 + 2 * i, { product: `${text}!`, keywords: [text, `${text}!`] }),
    ]);
    const index = indexOf(articles);
    for (const listings of [index.products, index.keywords]) {
      const slugs = listings.map((l) => l.slug);
      assert.equal(new Set(slugs).size, slugs.length, 'slugs are unique');
      for (const slug of slugs) assert.match(slug, SAFE_SLUG);
    }
    assert.ok(!index.products.some((p) => p.slug === 'page' || p.slug === 'con'));
    const anchors = index.rareKeywords.map((r) => r.anchor);
    assert.equal(new Set(anchors).size, anchors.length);
    // Every listed article is in exactly one product listing.
    assert.equal(
      index.products.reduce((n, p) => n + p.articles.length, 0),
      articles.length,
    );
  });

  test('pagination: 200 entries a page, page 1 at the listing path, later pages under page/N/', () => {
    assert.equal(PAGE_SIZE, 200);
    assert.equal(pageCount(0), 1);
    assert.equal(pageCount(200), 1);
    assert.equal(pageCount(201), 2);
    assert.equal(pageCount(9161), 46);
    assert.deepEqual(laterPages(450), ['2', '3']);
    assert.deepEqual(laterPages(10), []);
    const items = Array.from({ length: 450 }, (_, i) => i);
    assert.deepEqual([pageSlice(items, 1).length, pageSlice(items, 2)[0], pageSlice(items, 3).length], [200, 200, 50]);
    assert.equal(listingPath('products', 'microsoft-windows-nt'), '/products/microsoft-windows-nt/');
    assert.equal(listingPath('products', 'microsoft-windows-nt', 3), '/products/microsoft-windows-nt/page/3/');
    assert.equal(rareKeywordsPath(2), '/keywords/rare/page/2/');
    assert.equal(parsePageParam('2', 3), 2);
    assert.equal(parsePageParam('3', 3), 3);
    for (const bad of ['1', '4', '02', '0', '-2', '2.0', 'abc', '', '9999999']) assert.equal(parsePageParam(bad, 3), null, bad);
  });

  test('the pager shows the ends and two pages either side of the current one', () => {
    assert.deepEqual(pagerItems(1, 1), [1]);
    assert.deepEqual(pagerItems(1, 5), [1, 2, 3, 4, 5]);
    assert.deepEqual(pagerItems(1, 46), [1, 2, 3, null, 46]);
    assert.deepEqual(pagerItems(10, 46), [1, null, 8, 9, 10, 11, 12, null, 46]);
    assert.deepEqual(pagerItems(4, 46), [1, 2, 3, 4, 5, 6, null, 46], 'a gap of one page shows that page');
    assert.deepEqual(pagerItems(46, 46), [1, null, 44, 45, 46]);
  });

  test('number ranges of 1,000', () => {
    assert.deepEqual(rangeOf(244717), { start: 244000, end: 244999, slug: '244000-244999', label: 'Q244000–Q244999' });
    assert.deepEqual(rangeOf(999).slug, '0-999');
  });

  test('article metadata links to its listings; rare keywords to their entry on the rare index', () => {
    const articles = Array.from({ length: PAGE_SIZE + 5 }, (_, i) =>
      article(30000 + i, { product: 'Microsoft Exchange', keywords: ['kbcommon', `kbonly${String(i).padStart(3, '0')}`], lastModified: '2000-02-03' }),
    );
    const index = indexOf(articles);
    const links = browseLinksOf(index, articles[0]!);
    assert.equal(links.product, '/products/microsoft-exchange/');
    assert.equal(links.year, '/years/2000/');
    assert.equal(links.keyword('KBCOMMON'), '/keywords/kbcommon/');
    assert.equal(links.keyword('kbonly000'), '/keywords/rare/#k-kbonly000');
    assert.equal(links.keyword('kbonly204'), '/keywords/rare/page/2/#k-kbonly204');
    assert.equal(links.keyword('kbunknown'), null);
    const none = browseLinksOf(index, { product: null, lastModified: 'soon' });
    assert.deepEqual([none.product, none.year], [null, null]);
  });

  test('content/: the sample articles', async () => {
    const corpus = await loadCorpus(path.join(REPO_ROOT, 'content'), { cacheDir: false });
    const index = buildBrowseIndex(corpus.articles, corpus.articles.map(summarize));
    const nt = index.bySlug.products.get('microsoft-windows-nt');
    assert.deepEqual(
      nt?.articles.map((a) => a.id),
      ['Q244717'],
    );
    assert.ok(index.bySlug.products.get('none'), 'Q990006 has no product');
    assert.deepEqual(
      index.bySlug.keywords.get('kbbug')?.articles.map((a) => a.id),
      ['Q990003', 'Q244717'],
    );
    assert.ok(index.rareKeywordAt.has('enduser'), 'ENDUSER is folded to enduser');
  });
});

describe('keyword explanations', () => {
  test('the common kb* keywords are explained', () => {
    for (const k of ['kbbug', 'kbfix', 'kbhowto', 'kbprb', 'kbinfo', 'kbpending', 'kbnofix', 'kberrmsg', 'kbsetup', 'kbnetwork', 'KBBUG']) {
      assert.ok(explainKeyword(k), k);
    }
    assert.match(explainKeyword('kbhowto')!, /how-to/i);
  });

  test('product and version codes are read', () => {
    assert.equal(explainKeyword('kbvc600bug'), 'A bug in Visual C++ 6.0.');
    assert.equal(explainKeyword('kbwinnt400sp4fix'), 'Fixed in Windows NT 4.0 Service Pack 4.');
    assert.equal(explainKeyword('kbwinnt4sp6fix'), 'Fixed in Windows NT 4.0 Service Pack 6.');
    assert.equal(explainKeyword('kbwin2000sp3fix'), 'Fixed in Windows 2000 Service Pack 3.');
    assert.equal(explainKeyword('kbexchange550presp4fix'), 'Fixed in Exchange Server 5.5 by a hotfix released before Service Pack 4.');
    assert.equal(explainKeyword('kbvfp300bbug'), 'A bug in Visual FoxPro 3.0b.');
    assert.equal(explainKeyword('kbvc151'), 'Visual C++ 1.51.');
    assert.equal(explainKeyword('kbsms200'), 'Systems Management Server 2.0.');
    assert.equal(explainKeyword('kboswin2000'), 'Applies to Windows 2000.');
    assert.match(explainKeyword('kbgrpdsvb')!, /Visual Basic/);
  });

  test('unknown keywords get no guess', () => {
    for (const k of ['kbimu', 'kbvc600zzz', 'kbgrpdsxyz', 'kboswin42', 'mspl13_basic', '', '<script>']) assert.equal(explainKeyword(k), null, k);
  });
});

describe('sitemap', () => {
  test('files of at most the given size, under the protocol limit', () => {
    const urls = Array.from({ length: 25 }, (_, i) => ({ loc: `https://example.org/kb/000/Q${i}/` }));
    const files = splitSitemap('articles', urls, 10);
    assert.deepEqual(
      files.map((f) => [f.name, f.urls.length]),
      [
        ['articles-1.xml', 10],
        ['articles-2.xml', 10],
        ['articles-3.xml', 5],
      ],
    );
    assert.deepEqual(splitSitemap('pages', []), []);
    assert.throws(() => splitSitemap('x', urls, 50_001));
  });

  test('XML is escaped and lastmod is only a date', () => {
    const xml = urlsetXml([
      { loc: 'https://example.org/?a=1&b=<2>', lastmod: '2002-05-08' },
      { loc: 'https://example.org/x/', lastmod: '8 May 2002' },
    ]);
    assert.match(xml, /^<\?xml version="1.0" encoding="UTF-8"\?>\n<urlset xmlns="http:\/\/www.sitemaps.org\/schemas\/sitemap\/0.9">/);
    assert.ok(xml.includes('<url><loc>https://example.org/?a=1&amp;b=&lt;2&gt;</loc><lastmod>2002-05-08</lastmod></url>'));
    assert.ok(xml.includes('<url><loc>https://example.org/x/</loc></url>'));
    const index = sitemapIndexXml(['https://example.org/sitemaps/pages-1.xml']);
    assert.ok(
      index.includes(
        '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n<sitemap><loc>https://example.org/sitemaps/pages-1.xml</loc></sitemap>',
      ),
    );
  });

  test('absolute URLs from KB_SITE_URL and the base path', () => {
    assert.equal(siteRoot(undefined, ''), DEFAULT_SITE_URL);
    assert.equal(siteRoot('https://example.org/', ''), 'https://example.org');
    assert.equal(siteRoot('https://example.org', '/kb-archive'), 'https://example.org/kb-archive');
    assert.equal(siteRoot('https://example.org/kb-archive/', '/kb-archive'), 'https://example.org/kb-archive', 'not twice');
    assert.equal(siteRoot('https://Example.ORG:8443/docs', '/kb'), 'https://example.org:8443/docs/kb');
    assert.equal(absoluteUrl('/kb/244/Q244717/', 'https://example.org/kb-archive'), 'https://example.org/kb-archive/kb/244/Q244717/');
    for (const bad of [
      'example.org',
      'ftp://example.org',
      'https://example.org/?x=1',
      'https://example.org/#top',
      'https://user:pw@example.org',
      'javascript:alert(1)',
    ]) {
      assert.throws(() => siteRoot(bad, ''), /KB_SITE_URL/, bad);
    }
  });
});

/**
 * Loading the 60k-article corpus takes ~7 s with a warm parse cache but over a
 * minute without one (a fresh checkout, or after a parser change), so this runs
 * on request: KB_TEST_FULL_CORPUS=1 npm test -- test/browse.test.ts
 */
const fullCorpusSkip = process.env['KB_TEST_FULL_CORPUS'] === '1' ? corpusSkipReason() : 'set KB_TEST_FULL_CORPUS=1 to check the listings of the full corpus';

describe('at full scale', { skip: fullCorpusSkip }, () => {
  test('the listings of the 60k-article corpus stay within the page budget', async () => {
    const corpus = await loadCorpus(await corpusDir());
    const started = performance.now();
    const index = buildBrowseIndex(corpus.articles, corpus.articles.map(summarize));
    // Reported, not asserted: time limits belong in the bench.
    const ms = performance.now() - started;
    let pages = 4 + pageCount(index.rareKeywords.length);
    let rows = 0;
    for (const listings of [index.products, index.keywords, index.years, index.ranges]) {
      const slugs = new Set<string>();
      for (const listing of listings) {
        assert.match(listing.slug, SAFE_SLUG);
        assert.ok(!slugs.has(listing.slug), `duplicate slug ${listing.slug}`);
        slugs.add(listing.slug);
        pages += pageCount(listing.articles.length);
        rows += listing.articles.length;
      }
    }
    // Budget: listing pages in the low thousands (the whole export must stay ≤ 135,000 files).
    assert.ok(pages < 4000, `${pages} listing pages`);
    assert.equal(
      index.products.reduce((n, p) => n + p.articles.length, 0),
      corpus.articles.length,
    );
    assert.equal(
      index.years.reduce((n, p) => n + p.articles.length, 0),
      corpus.articles.length,
    );
    assert.equal(
      index.ranges.reduce((n, p) => n + p.articles.length, 0),
      corpus.articles.length,
    );
    const nt = index.bySlug.products.get('microsoft-windows-nt');
    assert.ok(nt && nt.articles.length > 9000, 'Windows NT has its ~9,161 articles');
    assert.ok(index.keywordSlugs.has('kbbug') && index.keywordSlugs.has('kbfix') && index.keywordSlugs.has('kbhowto'));
    console.log(
      `# full corpus: ${pages} listing pages, ${rows} rows, ${index.keywords.length} keyword listings, ${index.rareKeywords.length} rare keywords, index built in ${ms.toFixed(0)} ms`,
    );
  });
});
