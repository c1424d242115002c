/**
 * Article pages in Chromium, on the exported site of content/ (built once by
 * test/helpers/site-build.ts): from an article to a backlink and to a
 * not-in-archive page and back; previous/next; the table of contents (a closed
 * box on phones, a sticky column on wide screens); copy permalink; the original
 * text; print; and no layout shift while a page loads.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, withPage, type PageInfo } from '../bench/lib/browser';
import { REPO_ROOT } from '../bench/lib/corpus';
import { serveDir, type ServedSite } from '../bench/lib/server';
import { builtSite } from './helpers/site-build';

const SCREENSHOTS = path.join(REPO_ROOT, '.cache', 'screenshots');

let site: ServedSite;
let browser: Browser;

before(async () => {
  site = await serveDir(await builtSite());
  browser = await launchBrowser();
  mkdirSync(SCREENSHOTS, { recursive: true });
});

after(async () => {
  await browser?.close();
  await site?.close();
});

const pathOf = (page: Page) => new URL(page.url()).pathname;

function clean(info: PageInfo): void {
  assert.deepEqual(
    info.pageErrors.map((e) => e.message),
    [],
    'no uncaught errors',
  );
  assert.deepEqual(info.consoleErrors, [], 'no console errors (hydration included)');
  assert.deepEqual(info.blockedRequests, [], 'nothing outside loopback');
  assert.deepEqual(info.failedResponses, [], 'no failed requests');
}

test('article → backlink, article → not-in-archive page → citing article', async () => {
  await withPage(
    async (page, info) => {
      await page.goto(site.href('kb/244/Q244717/'));
      const backlinks = page.locator('section[aria-labelledby="kb_cited-by"]');
      assert.match((await backlinks.locator('h2').textContent()) ?? '', /^Referenced by\s*4$/);
      assert.deepEqual(await backlinks.locator('li a').evaluateAll((links) => links.map((a) => a.getAttribute('href'))), [
        '/kb/990/Q990001/',
        '/kb/990/Q990002/',
        '/kb/990/Q990003/',
        '/kb/990/Q990005/',
      ]);
      await backlinks.getByRole('link', { name: /Q990003/ }).click();
      assert.equal(pathOf(page), '/kb/990/Q990003/');
      assert.match((await page.locator('h1').textContent()) ?? '', /Table Rows After a Blank Line/);

      await page.goto(site.href('kb/244/Q244717/'));
      await page.locator('.kb-body a[href="/kb/238/Q238171/"]').first().click();
      assert.equal(pathOf(page), '/kb/238/Q238171/');
      assert.equal(await page.locator('h1').textContent(), 'Q238171 is not in this archive');
      const main = (await page.locator('main').textContent()) ?? '';
      assert.match(main, /Cited as\s*RAS Port Becomes Unavailable in Windows NT 4\.0/);
      const lookups = await page.locator('.kb-lookup a').evaluateAll((links) => links.map((a) => [a.getAttribute('href'), a.getAttribute('rel')]));
      assert.deepEqual(
        lookups.map(([href]) => href),
        [
          'https://web.archive.org/web/*/support.microsoft.com/kb/238171',
          'https://web.archive.org/web/*/support.microsoft.com/support/kb/articles/Q238/1/71.ASP',
          'http://support.microsoft.com/default.aspx?scid=kb;EN-US;Q238171',
        ],
      );
      assert.ok(lookups.every(([, rel]) => rel === 'external nofollow noreferrer'));
      assert.match(main, /1 article refers to it/);
      await page.locator('section[aria-labelledby="kb_cited-by"] a[href="/kb/244/Q244717/"]').click();
      assert.equal(pathOf(page), '/kb/244/Q244717/');
      clean(info);
    },
    { browser },
  );
});

test('previous and next article by number; related articles', async () => {
  await withPage(
    async (page, info) => {
      await page.goto(site.href('kb/990/Q990002/'));
      const pager = page.getByRole('navigation', { name: 'Previous and next article' });
      assert.equal(await pager.locator('a[rel="prev"]').getAttribute('href'), '/kb/990/Q990001/');
      assert.equal(await pager.locator('a[rel="next"]').getAttribute('href'), '/kb/990/Q990003/');
      await pager.locator('a[rel="next"]').click();
      assert.equal(pathOf(page), '/kb/990/Q990003/');
      // The first article has no previous one.
      await page.goto(site.href('kb/244/Q244717/'));
      assert.equal(await page.locator('.kb-prevnext a[rel="prev"]').count(), 0);
      assert.equal(await page.locator('.kb-prevnext a[rel="next"]').getAttribute('href'), '/kb/990/Q990001/');
      // Related: other kbview articles, never the page itself nor one it already links.
      await page.goto(site.href('kb/990/Q990002/'));
      const related = await page.locator('section[aria-labelledby="kb_related"] li a').evaluateAll((links) => links.map((a) => a.getAttribute('href')));
      assert.ok(related.length > 0 && related.length <= 5, `related: ${related.join(' ')}`);
      assert.ok(!related.includes('/kb/990/Q990002/'));
      for (const linked of ['/kb/990/Q990001/', '/kb/244/Q244717/', '/kb/990/Q990003/']) assert.ok(!related.includes(linked), `${linked} is already linked`);
      clean(info);
    },
    { browser },
  );
});

test('contents: a closed box on a phone, an open sticky column on a wide screen', async () => {
  await withPage(
    async (page, info) => {
      await page.goto(site.href('kb/990/Q990001/'));
      const link = page.locator('.kb-toc a').first();
      assert.equal(await link.isVisible(), false, 'closed');
      await page.locator('.kb-toc summary').click();
      assert.equal(await link.isVisible(), true, 'opened');
      await link.click();
      assert.match(page.url(), /#summary$/);
      clean(info);
    },
    { browser, context: { viewport: { width: 360, height: 740 } } },
  );
  await withPage(
    async (page, info) => {
      await page.goto(site.href('kb/990/Q990001/'));
      const toc = page.locator('.kb-toc nav');
      assert.equal(await page.locator('.kb-toc summary').isVisible(), false, 'no summary to click');
      assert.equal(await toc.locator('a').first().isVisible(), true, 'open without a click');
      const article = (await page.locator('.kb-body').boundingBox())!;
      const column = (await toc.boundingBox())!;
      assert.ok(column.x >= article.x + article.width, 'beside the article, not over it');
      assert.ok(column.x + column.width <= 1440, 'inside the window');
      await page.mouse.wheel(0, 1500);
      await page.waitForFunction(() => window.scrollY > 1000);
      const stuck = (await toc.boundingBox())!;
      assert.ok(stuck.y >= 0 && stuck.y < 100, `sticky: stays at the top while scrolling (y=${stuck.y})`);
      await page.screenshot({ path: path.join(SCREENSHOTS, 'site-article-toc-1440-scrolled.png') });
      clean(info);
    },
    { browser, context: { viewport: { width: 1440, height: 900 } } },
  );
});

test('copy permalink puts the page address on the clipboard', async () => {
  await withPage(
    async (page, info) => {
      await info.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: site.origin });
      await page.goto(site.href('kb/244/Q244717/#cause'));
      await page.waitForLoadState('networkidle');
      const button = page.getByRole('button', { name: 'Copy link' });
      await button.click();
      assert.equal(await page.evaluate(() => navigator.clipboard.readText()), site.href('kb/244/Q244717/'), 'the permalink, without #fragment');
      assert.equal(await page.getByRole('status').filter({ hasText: 'copied' }).count(), 1, 'announced');
      assert.equal(await page.locator('.kb-actions button').textContent(), 'Link copied');
      clean(info);
    },
    { browser },
  );
});

test('the original text is the source Markdown, exactly, on an HTML page the link opens', async () => {
  await withPage(
    async (page, info) => {
      await page.goto(site.href('kb/244/Q244717/'));
      const link = page.getByRole('link', { name: 'Original text' });
      assert.equal(await link.getAttribute('href'), '/kb/244/Q244717/Q244717.source.html');
      await Promise.all([page.waitForURL(/Q244717\.source\.html$/), link.click()]);
      assert.match(await page.title(), /^Original text of Q244717/);
      const text = await page.locator('pre').evaluate((pre) => pre.textContent);
      assert.equal(text, readFileSync(path.join(REPO_ROOT, 'content', 'Q244717.md'), 'utf8'));
      assert.equal(await page.locator('script').count(), 0);
      assert.equal((await page.request.get(site.href('kb/244/Q244717/Q244717.md'))).status(), 404, 'no raw .md is shipped');
      clean(info);
    },
    { browser },
  );
});

test('print: the article alone, without navigation', async () => {
  await withPage(
    async (page, info) => {
      await page.goto(site.href('kb/244/Q244717/'));
      await page.emulateMedia({ media: 'print', colorScheme: 'dark' });
      const shown = async (selector: string) => page.locator(selector).first().isVisible();
      for (const hidden of ['body > header', 'form[role="search"]', 'body > footer', '.kb-toc', '.kb-actions', '.kb-article-end']) {
        assert.equal(await shown(hidden), false, `${hidden} is not printed`);
      }
      for (const kept of ['h1', '[aria-label="Article details"]', '.kb-body', '.kb-body pre']) assert.equal(await shown(kept), true, `${kept} is printed`);
      const colors = await page.evaluate(() => [getComputedStyle(document.body).backgroundColor, getComputedStyle(document.body).color]);
      assert.deepEqual(colors, ['rgb(255, 255, 255)', 'rgb(0, 0, 0)'], 'black on white, even in the dark theme');
      const wide = await page.evaluate(() => [...document.querySelectorAll('.kb-body pre')].some((pre) => pre.scrollWidth > pre.clientWidth + 1));
      assert.equal(wide, false, 'preformatted text wraps instead of being cut off');
      await page.screenshot({ path: path.join(SCREENSHOTS, 'site-article-print.png'), fullPage: true });
      const pdf = await page.pdf({ format: 'A4' });
      assert.ok(pdf.length > 1000);
      clean(info);
    },
    { browser, context: { viewport: { width: 800, height: 1000 } } },
  );
});

test('no layout shift while an article loads and hydrates, in either theme', async () => {
  for (const colorScheme of ['light', 'dark'] as const) {
    await withPage(
      async (page, info) => {
        await page.addInitScript(() => {
          const w = window as unknown as { __cls: number };
          w.__cls = 0;
          new PerformanceObserver((list) => {
            for (const entry of list.getEntries() as (PerformanceEntry & { value: number; hadRecentInput: boolean })[]) {
              if (!entry.hadRecentInput) w.__cls += entry.value;
            }
          }).observe({ type: 'layout-shift', buffered: true });
        });
        await page.goto(site.href('kb/244/Q244717/'));
        await page.waitForLoadState('networkidle');
        await page.waitForTimeout(300);
        const cls = await page.evaluate(() => (window as unknown as { __cls: number }).__cls);
        assert.ok(cls < 0.01, `cumulative layout shift ${cls}`);
        clean(info);
      },
      { browser, context: { viewport: { width: 360, height: 740 }, colorScheme } },
    );
  }
});
