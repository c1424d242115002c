/**
 * Search in Chromium, on the exported site of content/ (served by
 * scripts/serve.ts, no Next server): the header box, the search page with its
 * state in the URL, number jumps, facets, the back button and odd input; and
 * the same under a base path.
 *
 * The site comes from test/helpers/site.ts (built once, search index included;
 * `KB_TEST_SITE_DIR` tests an export built elsewhere, with `KB_BASE_PATH` set to
 * the base path it was built with).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { loadCorpus } from '../lib/content/corpus';
import type { Article } from '../lib/markdown/schema';
import { metadataKeywordsOf } from '../lib/search/facets';
import { launchBrowser, withPage, type PageInfo } from '../bench/lib/browser';
import { REPO_ROOT } from '../bench/lib/corpus';
import { serveDir, type ServedSite } from '../bench/lib/server';
import { builtSite } from './helpers/site';

let site: ServedSite;
let browser: Browser;
let articles: Article[];
/** The export's base path: '' for the site built here; KB_BASE_PATH for one given by KB_TEST_SITE_DIR. */
const base = process.env.KB_TEST_SITE_DIR ? (process.env.KB_BASE_PATH ?? '').replace(/\/+$/, '') : '';

before(async () => {
  const dir = await builtSite();
  assert.ok(existsSync(path.join(dir, 'search', 'index.html')), `no search page in ${dir}`);
  assert.ok(existsSync(path.join(dir, 'search', 'manifest.json')), `no search index in ${dir}/search`);
  articles = (await loadCorpus(path.join(REPO_ROOT, 'content'), { cacheDir: false })).articles;
  site = await serveDir(dir, { basePath: base });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await site?.close();
});

/** A page that fails the test on any script dialog (an executed `alert`). */
function guarded(fn: (page: Page, info: PageInfo, dialogs: string[]) => Promise<void>) {
  return withPage(
    async (page, info) => {
      const dialogs: string[] = [];
      page.on('dialog', (dialog) => {
        dialogs.push(dialog.message());
        void dialog.dismiss();
      });
      await fn(page, info, dialogs);
      assert.deepEqual(dialogs, [], 'no script dialog opened');
      assert.deepEqual(
        info.pageErrors.map((e) => e.message),
        [],
        'no uncaught errors',
      );
      assert.deepEqual(info.blockedRequests, []);
    },
    { browser },
  );
}

/** The site-wide search box (pages may have their own search forms too). */
const header = (page: Page) => page.locator('input[data-site-search]');
const primary = (page: Page) => page.locator('input[data-search-primary]');
/** The header box is hydrated (keys typed now reach React, not the server's inert input). */
const ready = (page: Page) => page.locator('input[data-site-search][data-ready]').waitFor();

async function waitForStatus(page: Page, text: RegExp): Promise<void> {
  await page.waitForFunction((source) => new RegExp(source).test(document.querySelector('[data-search-status]')?.textContent ?? ''), text.source, {
    timeout: 20_000,
  });
}

test('the header search box: labelled, focused by /, opens results in <main>', async () => {
  await guarded(async (page) => {
    await page.goto(site.href('kb/244/Q244717/'));
    await ready(page);
    const box = header(page);
    assert.equal(await box.getAttribute('role'), 'combobox');
    assert.equal(await page.getByRole('combobox', { name: 'Search the archive' }).getAttribute('data-site-search'), '', 'labelled');
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    await page.keyboard.press('/');
    assert.equal(await box.evaluate((el) => el === document.activeElement), true, '/ focuses the search box');
    assert.equal(await box.inputValue(), '', 'the slash is not typed into it');
    await page.keyboard.type('rassrv');
    await page.keyboard.press('Enter');
    await page.waitForURL((url) => url.pathname === `${base}/search/` && url.search === '?q=rassrv');
    const entry = page.locator('main [data-result="Q244717"]');
    await entry.waitFor();
    const link = entry.locator('h3 a');
    assert.equal(await link.getAttribute('href'), `${base}/kb/244/Q244717/#cause:~:text=Rassrv`, 'to the passage shown');
    assert.match((await link.textContent()) ?? '', /RAS Port Becomes Unavailable in Windows NT 4\.0 Terminal Server/);
    const text = (await entry.textContent()) ?? '';
    assert.match(text, /Q244717/);
    assert.match(text, /Microsoft Windows NT/);
    assert.match(text, /8 May 2002/);
    assert.ok((await entry.locator('mark').allTextContents()).includes('Rassrv'), 'the excerpt shows the matching word');
    await waitForStatus(page, /articles? for “rassrv”/);
    assert.equal(await page.locator('main [data-result]').first().getAttribute('data-result'), 'Q244717');
    // On the search page, / focuses the page's own box.
    await page.locator('h1').click();
    await page.keyboard.press('/');
    assert.equal(await primary(page).evaluate((el) => el === document.activeElement), true);
  });
});

test('typing on the search page updates results and the URL', async () => {
  await guarded(async (page) => {
    await page.goto(site.href('search/'));
    await primary(page).click();
    await page.keyboard.type('ras port', { delay: 30 });
    await waitForStatus(page, /for “ras port”/);
    assert.equal(new URL(page.url()).searchParams.get('q'), 'ras port');
    assert.equal(await page.locator('main [data-result]').first().getAttribute('data-result'), 'Q244717');
    assert.equal(await primary(page).inputValue(), 'ras port', 'no typed character lost to the URL round trip');
    // Each keystroke gets the fast answer (titles); once typing pauses, the full one (excerpts, facets).
    await page.locator('main [data-result="Q244717"] [data-excerpt]').waitFor();
    await page.locator('[data-facet] input[type=checkbox]').first().waitFor();
    // The last word matches as a prefix while it is typed.
    await primary(page).fill('rass');
    await waitForStatus(page, /articles? for “rass”/);
    await page.locator('main [data-result="Q244717"]').waitFor();
  });
});

test('an article number goes straight to the article, or to its not-in-archive page', async () => {
  await guarded(async (page) => {
    for (const [query, target] of [
      ['Q244717', '/kb/244/Q244717/'],
      ['q244717', '/kb/244/Q244717/'],
      ['244717', '/kb/244/Q244717/'],
      ['Q238171', '/kb/238/Q238171/'],
    ] as const) {
      await page.goto(site.href(''));
      await ready(page);
      const box = header(page);
      await box.fill(query);
      await box.press('Enter');
      await page.waitForURL((url) => url.pathname === `${base}${target}`, { timeout: 20_000 });
      assert.equal((await page.goto(page.url()))?.status(), 200, `${query} → ${target} exists`);
    }
    // A shared link to the search page goes there too, without a history entry for the search.
    await page.goto(site.href('kb/244/Q244717/'));
    await page.goto(site.href('search/?q=244717'));
    await page.waitForURL((url) => url.pathname === `${base}/kb/244/Q244717/`);
    // An unknown number says so.
    await page.goto(site.href(''));
    await ready(page);
    const box = header(page);
    await box.fill('Q999999');
    await box.press('Enter');
    await page.waitForURL((url) => url.pathname === `${base}/search/` && url.search === '?q=Q999999');
    await page.locator('[data-number-match="unknown"]').waitFor();
    assert.match((await page.locator('main').textContent()) ?? '', /There is no article Q999999 in this archive/);
  });
});

test('a KB keyword finds the articles that carry it, as many as the metadata says', async () => {
  const count = articles.filter((a) => metadataKeywordsOf(a).includes('kbbug')).length;
  assert.ok(count >= 2, 'content/ has kbbug articles');
  await guarded(async (page) => {
    await page.goto(site.href('search/?q=kbbug'));
    await waitForStatus(page, new RegExp(`^${count} articles for “kbbug”`));
    assert.equal(await page.locator('main [data-result]').count(), count);
  });
});

test('facets filter with counts, and the back button steps back through them', async () => {
  const bugs = articles.filter((a) => metadataKeywordsOf(a).includes('kbbug'));
  const product = 'Microsoft Windows NT';
  const inProduct = bugs.filter((a) => a.product === product).length;
  assert.ok(inProduct > 0 && inProduct < bugs.length, 'content/ has kbbug articles in and out of Windows NT');
  await guarded(async (page) => {
    await page.goto(site.href('search/?q=kbbug'));
    await waitForStatus(page, new RegExp(`^${bugs.length} articles`));
    const facet = page.locator('fieldset[data-facet="product"] label', { hasText: product });
    assert.match((await facet.textContent()) ?? '', new RegExp(`${inProduct}$`), 'the facet shows its count');
    await facet.locator('input[type=checkbox]').check();
    await page.waitForURL((url) => url.searchParams.get('product') === product);
    await waitForStatus(page, new RegExp(`^${inProduct} articles?`));
    assert.equal(await page.locator('main [data-result]').count(), inProduct);

    await page.selectOption('select', 'date');
    await page.waitForURL((url) => url.searchParams.get('sort') === 'date');
    await waitForStatus(page, /newest first/);

    await page.goBack();
    await page.waitForURL((url) => url.searchParams.get('sort') === null && url.searchParams.get('product') === product);
    await page.goBack();
    await page.waitForURL((url) => url.searchParams.get('product') === null && url.searchParams.get('q') === 'kbbug');
    await waitForStatus(page, new RegExp(`^${bugs.length} articles for “kbbug”$`));
    assert.equal(await page.locator('fieldset[data-facet="product"] input:checked').count(), 0);
    assert.equal(await primary(page).inputValue(), 'kbbug');
  });
});

test('no match: a helpful empty state', async () => {
  await guarded(async (page) => {
    await page.goto(site.href('search/?q=zzqqxx'));
    const empty = page.locator('main [data-empty-state]');
    await empty.waitFor();
    const text = (await empty.textContent()) ?? '';
    assert.match(text, /No articles match/);
    assert.match(text, /zzqqxx/);
    assert.match(text, /by its number/);
  });
});

test('odd input never breaks the page and is never run as HTML', async () => {
  await guarded(async (page) => {
    await page.goto(site.href('search/'));
    const odd = ['"rassrv"', "'", '<script>alert(1)</script>', '<img src=x onerror=alert(2)>', 'x'.repeat(2000), 'Ünïcode 東京 🙂 \u202e', '%', '\\'];
    for (const value of odd) {
      await primary(page).fill(value);
      await page.waitForFunction(
        (v) => {
          const text = document.querySelector('[data-search-status]')?.textContent ?? '';
          return text.includes(`for “${v.trim().slice(0, 20)}`) || (v.trim() === '' && text === '');
        },
        value,
        { timeout: 20_000 },
      );
      assert.equal(await page.locator('main script, main img').count(), 0, `no element made from ${JSON.stringify(value.slice(0, 30))}`);
    }
    assert.equal(await primary(page).inputValue(), '\\');
    await page.goto(site.href(`search/?q=${encodeURIComponent('<script>alert(1)</script>')}&product=${encodeURIComponent('<b>x</b>')}`));
    await page.locator('main [data-empty-state]').waitFor();
    assert.match((await page.locator('main [data-empty-state]').textContent()) ?? '', /<script>alert\(1\)<\/script>/);
    await page.goto(site.href(`search/?q=${'y'.repeat(5000)}`));
    await page.locator('main [data-empty-state]').waitFor();
    assert.equal((await primary(page).inputValue()).length, 2000);
    await page.goto(site.href(`search/?q=%E0%A4%A`));
    await page.locator('main').waitFor();
  });
});

test('without Web Workers the search runs in the page', async () => {
  await guarded(async (page) => {
    await page.addInitScript(() => {
      // @ts-expect-error simulate a browser without workers
      delete window.Worker;
    });
    await page.goto(site.href('search/?q=rassrv'));
    await page.locator('main [data-result="Q244717"]').waitFor();
  });
});

test(
  'under a base path, search, its index and number jumps stay inside it',
  { skip: process.env.KB_TEST_SITE_DIR ? 'KB_TEST_SITE_DIR given' : false },
  async () => {
    const prefixed = await serveDir(await builtSite({ basePath: '/kb-archive' }), { basePath: '/kb-archive' });
    try {
      await guarded(async (page, info) => {
        await page.goto(prefixed.href('search/?q=rassrv'));
        const entry = page.locator('main [data-result="Q244717"]');
        await entry.waitFor();
        assert.equal(await entry.locator('h3 a').getAttribute('href'), '/kb-archive/kb/244/Q244717/#cause:~:text=Rassrv');
        // The header box's suggestions and OpenSearch link stay under the base path too.
        assert.equal(await page.locator('head link[rel="search"]').getAttribute('href'), '/kb-archive/opensearch.xml');
        // The search page's framework loads once search/boot.js has painted (lib/search/boot-hold.ts): the
        // header box is typed into once React has it, as everywhere else in these tests.
        await ready(page);
        await header(page).click();
        await page.keyboard.type('rassr');
        const option = page.locator('[data-search-popup] [role=option]').first();
        await option.waitFor();
        await option.click();
        await page.waitForURL((url) => url.pathname === '/kb-archive/kb/244/Q244717/');
        await page.goto(prefixed.href('search/?q=rassrv'));
        await ready(page);
        const box = header(page);
        await box.fill('q238171');
        await box.press('Enter');
        await page.waitForURL((url) => url.pathname === '/kb-archive/kb/238/Q238171/');
        assert.deepEqual(info.failedResponses, []);
      });
    } finally {
      await prefixed.close();
    }
  },
);
