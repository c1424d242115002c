/**
 * Browsing in Chromium, on the exported site of content/ (built once into a
 * cache folder by test/helpers/site-build.ts, served by scripts/serve.ts):
 * home → product → article → backlink → "not in this archive" page; keyword
 * chips, product and year on an article page; the jump box; the 404 page;
 * sitemap and robots.txt; and every internal link of the export resolves.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Locator, Page } from 'playwright-core';
import { launchBrowser, withPage, type PageInfo } from '../bench/lib/browser';
import { serveDir, type ServedSite } from '../bench/lib/server';
import { brokenLinks } from './helpers/links';
import { builtSite } from './helpers/site-build';

let dir: string;
let site: ServedSite;
let browser: Browser;

before(async () => {
  dir = await builtSite({ contentDir: 'content' });
  site = await serveDir(dir);
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await site?.close();
});

function clean(info: PageInfo, allowed: string[] = []): void {
  assert.deepEqual(
    info.pageErrors.map((e) => e.message),
    [],
    'no uncaught errors',
  );
  assert.deepEqual(info.blockedRequests, [], 'nothing outside loopback');
  assert.deepEqual(
    info.failedResponses.filter((r) => !allowed.includes(new URL(r.url).pathname)),
    [],
    'no failed requests (assets included)',
  );
}

/** Clicks `link` and waits until the page at `expected` (a path) has loaded. */
async function follow(page: Page, link: Locator, expected: string): Promise<void> {
  await Promise.all([page.waitForURL((url) => url.pathname === expected), link.click()]);
}

test('home → product → article → backlink → not-in-archive page', async () => {
  await withPage(
    async (page, info) => {
      await page.goto(site.url);
      assert.equal(await page.locator('h1').textContent(), 'KnowledgeBase archive');
      const stats = await page.locator('[aria-label="The archive in numbers"]').textContent();
      assert.match(stats ?? '', /8\s*articles/);
      assert.match(stats ?? '', /2\s*products/);
      assert.match(await page.title(), /KnowledgeBase archive · kbview/);

      await follow(page, page.getByRole('link', { name: 'Microsoft Windows NT' }).first(), '/products/microsoft-windows-nt/');
      assert.equal(await page.locator('h1').textContent(), 'Microsoft Windows NT');
      assert.match(await page.title(), /^Microsoft Windows NT articles · kbview$/);

      await follow(page, page.getByRole('link', { name: 'RAS Port Becomes Unavailable in Windows NT 4.0 Terminal Server' }), '/kb/244/Q244717/');

      // Q244717's text does not link Q990005: the link is the backlink ("referenced by").
      await follow(page, page.locator('a[href="/kb/990/Q990005/"]').first(), '/kb/990/Q990005/');

      await follow(page, page.locator('a[href="/kb/990/Q990002/"]').first(), '/kb/990/Q990002/');
      await follow(page, page.locator('a[href="/kb/990/Q990999/"]').first(), '/kb/990/Q990999/');
      assert.match((await page.locator('h1').textContent()) ?? '', /Q990999 is not in this archive/);
      clean(info);
    },
    { browser },
  );
});

test('an article page links its product, year and keyword chips to the listings', async () => {
  await withPage(
    async (page, info) => {
      await page.goto(site.href('kb/244/Q244717/'));
      const details = page.locator('[aria-label="Article details"]');
      await follow(page, details.getByRole('link', { name: 'kbbug' }), '/keywords/kbbug/');
      assert.match((await page.locator('main').textContent()) ?? '', /Bug: the article describes a confirmed problem/);
      const rows = await page.locator('.kb-rows > li > span').allTextContents();
      assert.deepEqual(rows, ['Q990003', 'Q244717'], 'newest first');

      await page.goBack();
      await follow(page, details.getByRole('link', { name: '8 May 2002' }), '/years/2002/');
      assert.deepEqual(await page.locator('.kb-rows > li > span').allTextContents(), ['Q244717']);

      await page.goBack();
      await follow(page, details.getByRole('link', { name: 'Microsoft Windows NT' }), '/products/microsoft-windows-nt/');

      // A keyword only this article carries leads to its entry on the rare-keyword index.
      await page.goBack();
      await follow(page, details.getByRole('link', { name: 'kbfixlist' }), '/keywords/rare/');
      assert.equal(new URL(page.url()).hash, '#k-kbfixlist');
      assert.match((await page.locator('#k-kbfixlist').textContent()) ?? '', /Q244717/);
      clean(info);
    },
    { browser },
  );
});

test('the index pages list every product, keyword, year and number range', async () => {
  await withPage(
    async (page, info) => {
      await page.goto(site.href('products/'));
      assert.deepEqual(await page.locator('.kb-counts > li > a').allTextContents(), ['kbview', 'Microsoft Windows NT', 'No product given']);
      await page.goto(site.href('keywords/'));
      assert.match((await page.locator('.kb-explained').first().textContent()) ?? '', /kbbug.*Bug:/s);
      await follow(page, page.getByRole('link', { name: /used by only one article each/ }), '/keywords/rare/');
      await page.goto(site.href('years/'));
      assert.deepEqual(await page.locator('.kb-counts > li > a').allTextContents(), ['2026', '2002']);
      await page.goto(site.href('numbers/'));
      await follow(page, page.getByRole('link', { name: 'Q244000–Q244999' }), '/numbers/244000-244999/');
      assert.deepEqual(await page.locator('.kb-rows > li > span').allTextContents(), ['Q244717']);
      clean(info);
    },
    { browser },
  );
});

test('the jump box goes to an article, a not-in-archive page, or explains', async () => {
  await withPage(
    async (page, info) => {
      await page.goto(site.url);
      const input = page.locator('[data-jump-input]');
      await input.fill('abc');
      await input.press('Enter');
      assert.match((await page.locator('.kb-jump [role="alert"]').textContent()) ?? '', /article number/);

      await input.fill(' 244717 ');
      await Promise.all([page.waitForURL('**/kb/244/Q244717/'), input.press('Enter')]);

      await page.goto(site.url);
      await page.locator('[data-jump-input]').fill('q238171');
      await Promise.all([page.waitForURL('**/kb/238/Q238171/'), page.locator('[data-jump-input]').press('Enter')]);
      assert.match((await page.locator('h1').textContent()) ?? '', /not in this archive/);
      clean(info);
    },
    { browser },
  );
});

test('a missing page answers 404 with the site 404 page, its assets loading', async () => {
  await withPage(
    async (page, info) => {
      const res = await page.goto(site.href('no/such/page/'));
      assert.equal(res?.status(), 404);
      assert.equal(await page.locator('h1').textContent(), 'Page not found');
      assert.match(await page.title(), /Page not found/);
      const color = await page
        .locator('header')
        .first()
        .evaluate((el) => getComputedStyle(el).backgroundColor);
      assert.notEqual(color, 'rgba(0, 0, 0, 0)', 'the stylesheet loaded');
      await follow(page, page.getByRole('link', { name: 'Keywords' }), '/keywords/');
      clean(info, ['/no/such/page/']);
    },
    { browser },
  );
});

test('pages have titles, descriptions and Open Graph tags; the favicon is served', async () => {
  const titles: Record<string, string> = {
    '': 'KnowledgeBase archive · kbview',
    'products/': 'Products · kbview',
    'keywords/': 'Keywords · kbview',
    'keywords/kbbug/': 'Keyword kbbug · kbview',
    'keywords/rare/': 'Rare keywords · kbview',
    'years/2002/': 'Articles last modified in 2002 · kbview',
    'numbers/': 'Article numbers · kbview',
    'numbers/244000-244999/': 'Articles Q244000–Q244999 · kbview',
  };
  for (const [p, title] of Object.entries(titles)) {
    const html = await (await fetch(site.href(p))).text();
    const head = html.slice(0, html.indexOf('</head>'));
    assert.ok(head.includes(`<title>${title}</title>`), `${p}: title ${/<title>[^<]*<\/title>/.exec(head)?.[0]}`);
    assert.ok(/<meta name="description" content="[^"]{20,}"/.test(head), `${p}: description`);
    assert.ok(head.includes(`<meta property="og:title" content="${title}"/>`), `${p}: og:title`);
    assert.ok(head.includes('<meta property="og:site_name" content="kbview"/>'), `${p}: og:site_name`);
    assert.ok(/<meta property="og:description" content="[^"]{20,}"/.test(head), `${p}: og:description`);
    const icon = /<link rel="icon" href="([^"]+)"/.exec(head)?.[1];
    assert.ok(icon, `${p}: an icon link`);
    assert.equal((await fetch(new URL(icon, site.url))).status, 200);
  }
  const keyword = await (await fetch(site.href('keywords/kbbug/'))).text();
  assert.ok(
    keyword.includes('<meta name="description" content="Bug: the article describes a confirmed problem in the product. 2 articles carry the keyword kbbug'),
    'a keyword listing explains the keyword',
  );
  const favicon = await fetch(site.href('favicon.ico'));
  assert.equal(favicon.status, 200);
  assert.equal(favicon.headers.get('content-type'), 'image/x-icon');
  assert.equal((await fetch(site.href('apple-touch-icon.png'))).status, 200);
});

test('robots.txt and the sitemap index list absolute URLs of every article', async () => {
  const robots = await (await fetch(site.href('robots.txt'))).text();
  assert.match(robots, /User-Agent: \*/i);
  assert.match(robots, /Sitemap: http:\/\/localhost:3000\/sitemap\.xml/);
  const index = await (await fetch(site.href('sitemap.xml'))).text();
  const files = [...index.matchAll(/<loc>([^<]+)<\/loc>/g)].map((m) => m[1]!);
  assert.deepEqual(files, ['http://localhost:3000/sitemaps/pages-1.xml', 'http://localhost:3000/sitemaps/articles-1.xml']);
  const urls: string[] = [];
  for (const file of files) {
    const res = await fetch(site.href(new URL(file).pathname));
    assert.equal(res.status, 200);
    urls.push(...[...(await res.text()).matchAll(/<loc>([^<]+)<\/loc>/g)].map((m) => m[1]!));
  }
  for (const id of ['Q244717', 'Q990001', 'Q990007'])
    assert.ok(
      urls.some((u) => u.endsWith(`/${id}/`)),
      id,
    );
  assert.ok(!urls.some((u) => u.endsWith('/Q990999/')), 'not-in-archive pages are not listed');
  assert.ok(urls.includes('http://localhost:3000/products/microsoft-windows-nt/'));
  for (const url of urls) {
    const res = await fetch(site.href(new URL(url).pathname), { method: 'HEAD' });
    assert.equal(res.status, 200, url);
  }
});

test('every internal link and asset of the export resolves to a file', () => {
  const broken = brokenLinks(dir, '');
  assert.deepEqual(broken.slice(0, 20), []);
});
