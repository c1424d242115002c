/**
 * The site under a sub-path: built with KB_BASE_PATH=/kb-archive (and
 * KB_SITE_URL) from a generated archive big enough to paginate
 * (test/helpers/paged-content.ts), served by scripts/serve.ts under
 * /kb-archive, clicked through in Chromium: no request may fail (pages,
 * styles, scripts, icons, the search index), and every link stays under the
 * base path.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Locator, Page } from 'playwright-core';
import { launchBrowser, withPage, type PageInfo } from '../bench/lib/browser';
import { brokenLinks } from './helpers/links';
import { PAGED_COUNT, PAGED_FIRST, PAGED_MISSING, pagedContentDir } from './helpers/paged-content';
import { serveDir, type ServedSite } from '../bench/lib/server';
import { builtSite } from './helpers/site-build';

const BASE = '/kb-archive';
const SITE_URL = 'https://example.org';
const PRODUCT_SLUG = 'paged-product-and-co';

let dir: string;
let site: ServedSite;
let browser: Browser;

before(async () => {
  dir = await builtSite({ contentDir: pagedContentDir(), basePath: BASE, siteUrl: SITE_URL });
  site = await serveDir(dir, { basePath: BASE });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await site?.close();
});

const pathOf = (page: Page) => new URL(page.url()).pathname;

/** Clicks `link` and waits until the page at `expected` (a path, or a pattern) has loaded. */
async function follow(page: Page, link: Locator, expected: string | RegExp): Promise<void> {
  await Promise.all([page.waitForURL((url) => (typeof expected === 'string' ? url.pathname === expected : expected.test(url.pathname))), link.click()]);
}

/** Every link, stylesheet, script and image of the page is under the base path. */
async function assertUnderBase(page: Page): Promise<void> {
  const urls = await page.evaluate(() =>
    [...document.querySelectorAll<HTMLElement>('a[href], link[href], script[src], img[src], form[action]')].map(
      (el) => el.getAttribute('href') ?? el.getAttribute('src') ?? el.getAttribute('action') ?? '',
    ),
  );
  const outside = urls.filter((u) => u.startsWith('/') && !u.startsWith(`${BASE}/`));
  assert.deepEqual(outside, [], `${pathOf(page)}: links outside ${BASE}`);
}

function clean(info: PageInfo, allowed: string[] = []): void {
  assert.deepEqual(
    info.pageErrors.map((e) => e.message),
    [],
  );
  assert.deepEqual(info.blockedRequests, []);
  assert.deepEqual(
    info.failedResponses.filter((r) => !allowed.includes(new URL(r.url).pathname)),
    [],
    'no 404s: pages and assets',
  );
}

test('clicking through the site under /kb-archive: home → product → page 2 → article → keyword → year', async () => {
  await withPage(
    async (page, info) => {
      await page.goto(site.url);
      assert.equal(pathOf(page), `${BASE}/`);
      await assertUnderBase(page);
      const headerColor = await page
        .locator('header')
        .first()
        .evaluate((el) => getComputedStyle(el).backgroundColor);
      assert.notEqual(headerColor, 'rgba(0, 0, 0, 0)', 'the stylesheet loaded');

      await follow(page, page.locator(`a[href="${BASE}/products/"]`).first(), `${BASE}/products/`);
      await follow(page, page.getByRole('link', { name: 'Paged <Product> & ../Co' }), `${BASE}/products/${PRODUCT_SLUG}/`);
      assert.equal(await page.locator('h1').textContent(), 'Paged <Product> & ../Co');
      assert.equal(await page.locator('.kb-rows > li').count(), 200);
      assert.equal(await page.locator('nav.kb-pager').count(), 2, 'page links at the top and the bottom');
      await assertUnderBase(page);

      await follow(page, page.locator('nav.kb-pager').first().getByRole('link', { name: 'Next ›' }), `${BASE}/products/${PRODUCT_SLUG}/page/2/`);
      assert.equal(await page.locator('.kb-rows > li').count(), PAGED_COUNT - 200);
      assert.match(await page.title(), /page 2 of 2/);
      await follow(page, page.locator('nav.kb-pager').last().getByRole('link', { name: 'Page 1' }), `${BASE}/products/${PRODUCT_SLUG}/`);

      const first = `Q${PAGED_FIRST}`;
      await page.goto(site.href(`numbers/900000-900999/`));
      await follow(page, page.locator('.kb-rows a').first(), `${BASE}/kb/900/${first}/`);
      await assertUnderBase(page);

      const details = page.locator('[aria-label="Article details"]');
      await follow(page, details.getByRole('link', { name: 'kbpaged' }), `${BASE}/keywords/kbpaged/`);
      assert.equal(await page.locator('.kb-rows > li').count(), 200);
      await page.goBack();
      await follow(page, details.locator('a[href*="/years/"]'), `${BASE}/years/1999/`);
      await page.goBack();

      await follow(page, page.locator(`a[href="${BASE}/kb/899/${PAGED_MISSING}/"]`).first(), `${BASE}/kb/899/${PAGED_MISSING}/`);
      assert.match((await page.locator('h1').textContent()) ?? '', /not in this archive/);
      await assertUnderBase(page);
      clean(info);
    },
    { browser },
  );
});

test('the jump box and the 404 page work under the base path', async () => {
  await withPage(
    async (page, info) => {
      await page.goto(site.url);
      await page.locator('[data-jump-input]').fill(String(PAGED_FIRST + 5));
      await Promise.all([page.waitForURL(`**${BASE}/kb/900/Q${PAGED_FIRST + 5}/`), page.locator('[data-jump-input]').press('Enter')]);

      const res = await page.goto(site.href('no/such/page/'));
      assert.equal(res?.status(), 404);
      assert.equal(await page.locator('h1').textContent(), 'Page not found');
      await assertUnderBase(page);
      await follow(page, page.getByRole('link', { name: 'Article numbers' }), `${BASE}/numbers/`);
      clean(info, [`${BASE}/no/such/page/`]);
    },
    { browser },
  );
});

test('sitemap and robots.txt carry KB_SITE_URL and the base path', async () => {
  const robots = await (await fetch(site.href('robots.txt'))).text();
  assert.match(robots, new RegExp(`Sitemap: ${SITE_URL}${BASE}/sitemap\\.xml`));
  const index = await (await fetch(site.href('sitemap.xml'))).text();
  const files = [...index.matchAll(/<loc>([^<]+)<\/loc>/g)].map((m) => m[1]!);
  assert.deepEqual(files, [`${SITE_URL}${BASE}/sitemaps/pages-1.xml`, `${SITE_URL}${BASE}/sitemaps/articles-1.xml`]);
  const pages = await (await fetch(site.href('sitemaps/pages-1.xml'))).text();
  assert.ok(pages.includes(`<loc>${SITE_URL}${BASE}/products/${PRODUCT_SLUG}/page/2/</loc>`));
  const articles = await (await fetch(site.href('sitemaps/articles-1.xml'))).text();
  assert.equal([...articles.matchAll(/<url>/g)].length, PAGED_COUNT);
});

test('every link and asset in the export is under the base path and exists', () => {
  assert.deepEqual(brokenLinks(dir, BASE).slice(0, 20), []);
});
