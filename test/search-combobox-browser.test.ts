/**
 * The header search combobox in Chromium, on the exported site of content/:
 * WAI-ARIA 1.2 combobox attributes, results as you type (the last word as a
 * prefix), the keyboard flow, Ctrl+K and `/`, loading on focus, recent
 * searches, number jumps, hostile queries, an index that fails to load, axe
 * with the dropdown open, OpenSearch, and excerpts on the results page.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, withPage, type PageInfo } from '../bench/lib/browser';
import { serveDir, type ServedSite } from '../bench/lib/server';
import { builtSite } from './helpers/site';

const require = createRequire(import.meta.url);
const AXE = require.resolve('axe-core/axe.min.js');

let site: ServedSite;
let browser: Browser;

before(async () => {
  site = await serveDir(await builtSite());
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await site?.close();
});

function guarded(fn: (page: Page, info: PageInfo) => Promise<void>, context: object = {}) {
  return withPage(
    async (page, info) => {
      const dialogs: string[] = [];
      page.on('dialog', (dialog) => {
        dialogs.push(dialog.message());
        void dialog.dismiss();
      });
      await fn(page, info);
      assert.deepEqual(dialogs, [], 'no script dialog opened');
      assert.deepEqual(
        info.pageErrors.map((e) => e.message),
        [],
        'no uncaught errors',
      );
    },
    { browser, context },
  );
}

const box = (page: Page) => page.locator('input[data-site-search]');
/** The header box is hydrated (keys typed now reach React, not the server's inert input). */
const ready = (page: Page) => page.locator('input[data-site-search][data-ready]').waitFor();
const options = (page: Page) => page.locator('[data-search-popup] [role=option]');

/** The option texts of the open listbox, once `ready` says it is up to date. */
async function waitForOptions(page: Page, ready: (texts: string[]) => boolean, what: string): Promise<string[]> {
  // Event-based: a change of the options wakes the next check (no fixed sleep); the texts checked are
  // the ones the wait compares against, so a change between the two cannot be missed.
  for (;;) {
    const texts = await options(page).allTextContents();
    if (ready(texts)) return texts;
    await page
      .waitForFunction(
        (was) => JSON.stringify([...document.querySelectorAll('[data-search-popup] [role=option]')].map((o) => o.textContent ?? '')) !== was,
        JSON.stringify(texts),
        { timeout: 20_000, polling: 'raf' },
      )
      .catch(() => {
        throw new Error(`${what}: options are ${JSON.stringify(texts)}`);
      });
  }
}

test('a WAI-ARIA combobox: results as you type with the last word as a prefix, keyboard flow, Enter opens the option', async () => {
  await guarded(async (page) => {
    await page.goto(site.href('kb/244/Q244717/'));
    await ready(page);
    const input = box(page);
    assert.equal(await input.getAttribute('role'), 'combobox');
    assert.equal(await page.getByRole('combobox', { name: 'Search the archive' }).count(), 1, 'labelled');
    assert.equal(await input.getAttribute('aria-expanded'), 'false');
    assert.equal(await input.getAttribute('aria-autocomplete'), 'list');
    const listId = await input.getAttribute('aria-controls');
    assert.ok(listId);
    assert.equal(await page.locator(`[id="${listId}"]`).getAttribute('role'), 'listbox');

    await page.keyboard.press('Control+k');
    assert.equal(await input.evaluate((el) => el === document.activeElement), true, 'Ctrl+K focuses the box');
    await page.keyboard.type('rassr', { delay: 40 });
    const texts = await waitForOptions(page, (t) => t.some((x) => x.includes('Q244717')), 'rassr');
    assert.match(texts[0]!, /RAS Port Becomes Unavailable in Windows NT 4\.0 Terminal Server/, 'the prefix finds Q244717 first');
    assert.match(texts[0]!, /Microsoft Windows NT/);
    assert.match(texts[0]!, /8 May 2002/);
    assert.match(texts.at(-1)!, /^See all \d+ results?$/);
    assert.ok(texts.length <= 9, 'at most 8 results and "See all"');
    assert.equal(await input.getAttribute('aria-expanded'), 'true');
    assert.equal(await input.getAttribute('aria-activedescendant'), null, 'nothing selected yet');

    await page.keyboard.press('ArrowDown');
    const first = options(page).first();
    assert.equal(await input.getAttribute('aria-activedescendant'), await first.getAttribute('id'));
    assert.equal(await first.getAttribute('aria-selected'), 'true');
    await page.keyboard.press('ArrowUp');
    assert.equal(await input.getAttribute('aria-activedescendant'), null, 'back to the box');
    await page.keyboard.press('ArrowUp');
    assert.equal(await input.getAttribute('aria-activedescendant'), await options(page).last().getAttribute('id'), 'wraps to "See all"');

    await page.keyboard.press('Escape');
    assert.equal(await input.getAttribute('aria-expanded'), 'false', 'Escape closes');
    assert.equal(await input.inputValue(), 'rassr', 'and keeps the text');
    await page.keyboard.press('ArrowDown');
    assert.equal(await input.getAttribute('aria-expanded'), 'true', 'ArrowDown opens again');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    await page.waitForURL((url) => url.pathname === '/kb/244/Q244717/' && url.hash === '');
  });
});

test('Enter with nothing selected and "See all" open the results page; Tab leaves and closes', async () => {
  await guarded(async (page) => {
    await page.goto(site.href('kb/244/Q244717/'));
    await ready(page);
    const input = box(page);
    await input.click();
    await page.keyboard.type('ras port');
    await waitForOptions(page, (t) => t.some((x) => /^See all/.test(x)), 'ras port');
    await page.keyboard.press('Tab');
    assert.equal(await input.getAttribute('aria-expanded'), 'false', 'Tab closes');
    assert.equal(await input.evaluate((el) => el === document.activeElement), false, 'Tab leaves the box');
    await input.focus();
    await page.keyboard.press('Enter');
    await page.waitForURL((url) => url.pathname === '/search/' && url.searchParams.get('q') === 'ras port');
    await page.locator('main [data-result="Q244717"]').waitFor();

    await page.goto(site.href('numbers/'));
    await ready(page);
    await box(page).click();
    await page.keyboard.type('rassrv');
    await waitForOptions(page, (t) => t.some((x) => /^See all/.test(x)), 'rassrv');
    await options(page)
      .filter({ hasText: /^See all/ })
      .click();
    await page.waitForURL((url) => url.pathname === '/search/' && url.searchParams.get('q') === 'rassrv');
  });
});

test('`/` focuses the box unless typing in a field; with Save-Data, focus starts loading the index, not the page load', async () => {
  await guarded(async (page) => {
    const requests: string[] = [];
    page.on('request', (r) => requests.push(new URL(r.url()).pathname));
    // With Save-Data the box loads nothing before it is used (no idle preload).
    await page.addInitScript(() => Object.defineProperty(navigator, 'connection', { value: { saveData: true }, configurable: true }));
    await page.goto(site.href(''));
    await ready(page);
    await page.waitForLoadState('networkidle');
    assert.deepEqual(
      requests.filter((p) => p.startsWith('/search/')),
      [],
      'no index file before the box is used',
    );
    // `/` in another text field types a slash.
    const jump = page.locator('input[data-jump-input]');
    await jump.click();
    await page.keyboard.press('/');
    assert.equal(await jump.inputValue(), '/');
    await page.locator('h1').first().click();
    // Focus alone fetches the manifest (nothing typed yet): listened for before the key that focuses.
    const manifest = page.waitForRequest((r) => new URL(r.url()).pathname === '/search/manifest.json');
    await page.keyboard.press('/');
    const input = box(page);
    assert.equal(await input.evaluate((el) => el === document.activeElement), true, '/ focuses the box');
    assert.equal(await input.inputValue(), '', 'the slash is not typed');
    await manifest;
    assert.ok(requests.includes('/search/manifest.json'), requests.join(' '));
    assert.equal(await input.inputValue(), '');
  });
});

test('idle preload: after the page load, the engine and the manifest load before any focus, and nothing a query needs', async () => {
  await guarded(async (page) => {
    const requests: string[] = [];
    page.on('request', (r) => requests.push(new URL(r.url()).pathname));
    const manifest = page.waitForRequest((r) => new URL(r.url()).pathname === '/search/manifest.json');
    await page.goto(site.href('kb/244/Q244717/'));
    await ready(page);
    await manifest;
    await page.waitForLoadState('networkidle');
    assert.equal(await box(page).evaluate((el) => el === document.activeElement), false, 'the box was never focused');
    assert.deepEqual(
      requests.filter((p) => p.startsWith('/search/')),
      ['/search/manifest.json'],
      'the manifest only: no shard, record or facet file',
    );
    // The first query then needs only its own files.
    const before = requests.length;
    await box(page).click();
    await page.keyboard.type('rassrv');
    await waitForOptions(page, (t) => t.some((x) => x.includes('Q244717')), 'rassrv after idle preload');
    assert.ok(!requests.slice(before).includes('/search/manifest.json'), 'no second manifest fetch');
  });
});

test('a number puts "Go to Q…" first; Enter on it opens the article', async () => {
  await guarded(async (page) => {
    for (const q of ['244717', 'Q244717', 'KB244717']) {
      await page.goto(site.href(''));
      await ready(page);
      await box(page).click();
      await page.keyboard.type(q);
      const texts = await waitForOptions(page, (t) => /RAS Port/.test(t[0] ?? ''), q);
      assert.match(texts[0]!, /^Go to Q244717/);
      await page.keyboard.press('ArrowDown');
      await page.keyboard.press('Enter');
      await page.waitForURL((url) => url.pathname === '/kb/244/Q244717/');
    }
  });
});

test('a pasted old KB link shows only the jump, with the article title: never word matches from the link', async () => {
  await guarded(async (page) => {
    await page.goto(site.href(''));
    await ready(page);
    const input = box(page);
    // Words first, so that an earlier answer with hits is on screen when the link replaces the text.
    await input.fill('ras port');
    await waitForOptions(page, (t) => t.some((x) => x.includes('Q244717')) && t.some((x) => /^See all/.test(x)), 'ras port');
    for (const link of ['https://support.microsoft.com/kb/244717/en-us', 'http://support.microsoft.com/default.aspx?scid=kb;en-us;Q244717']) {
      await input.fill(link);
      const texts = await waitForOptions(page, (t) => /RAS Port/.test(t[0] ?? ''), link);
      assert.equal(texts.length, 1, `only the jump: ${JSON.stringify(texts)}`);
      assert.match(texts[0]!, /^Go to Q244717RAS Port Becomes Unavailable/);
    }
    await page.keyboard.press('Enter');
    await page.waitForURL((url) => url.pathname === '/kb/244/Q244717/' && !url.search);
    // A link to an article the archive only cites (Q244717 cites it): the jump, not the articles citing it.
    await ready(page);
    await box(page).fill('support.microsoft.com/kb/238171/en-us');
    const texts = await waitForOptions(page, (t) => /Not in this archive/.test(t[0] ?? ''), 'link to Q238171');
    assert.deepEqual(texts, ['Go to Q238171Not in this archive: what it knows about Q238171']);
  });
});

test('a file name, with or without its extension, puts its file page first', async () => {
  await guarded(async (page) => {
    await page.goto(site.href('kb/244/Q244717/'));
    await ready(page);
    for (const q of ['rassrv', 'Rassrv.exe']) {
      await box(page).fill(q);
      const texts = await waitForOptions(page, (t) => t.some((x) => x.includes('Q244717')), q);
      assert.match(texts[0]!, /^File: Rassrv\.exe/, q);
      assert.match(texts[0]!, /Listed in 1 article/);
    }
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    await page.waitForURL((url) => url.pathname === '/files/rassrv.exe/');
  });
});

test('recent searches: shown on focus of the empty box, kept in this browser only, clearable', async () => {
  await guarded(async (page) => {
    await page.goto(site.href(''));
    await ready(page);
    await box(page).click();
    assert.equal(await box(page).getAttribute('aria-expanded'), 'false', 'nothing to show at first');
    await page.keyboard.type('rassr');
    await waitForOptions(page, (t) => t.some((x) => x.includes('Q244717')), 'rassr');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    await page.waitForURL((url) => url.pathname === '/kb/244/Q244717/');
    await box(page).click();
    const texts = await waitForOptions(page, (t) => t.length > 0, 'recent');
    assert.deepEqual(texts, ['↺rassr(recent search)', 'Clear recent searches']);
    // Picking a recent search searches it again.
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    assert.equal(await box(page).inputValue(), 'rassr');
    await waitForOptions(page, (t) => t.some((x) => x.includes('Q244717')), 'recent picked');
    await box(page).fill('');
    await waitForOptions(page, (t) => t.length === 2, 'recent again');
    await options(page).filter({ hasText: 'Clear recent searches' }).click();
    assert.equal(await page.evaluate(() => localStorage.getItem('kbview:recent-searches')), null);
    assert.equal(await box(page).getAttribute('aria-expanded'), 'false');
    // A hostile stored value is ignored, not shown as markup or thrown on.
    await page.evaluate(() => localStorage.setItem('kbview:recent-searches', JSON.stringify([{ a: 1 }, '<img src=x onerror=alert(1)>', 'x'.repeat(5000)])));
    await page.reload();
    await box(page).click();
    const odd = await waitForOptions(page, (t) => t.length > 0, 'hostile recent');
    assert.deepEqual(odd, ['↺<img src=x onerror=alert(1)>(recent search)', 'Clear recent searches']);
    assert.equal(await page.locator('header img, form img').count(), 0);
  });
});

test('hostile queries give options or "no articles", never an error, markup or a hung worker', async () => {
  await guarded(async (page) => {
    await page.goto(site.href('kb/244/Q244717/'));
    await ready(page);
    const input = box(page);
    const queries = [
      '"rassrv"',
      '<script>alert(1)</script>',
      '<img src=x onerror=alert(2)>',
      'x'.repeat(2000),
      '🙂🎉',
      'שלום עולם',
      'https://support.microsoft.com/kb/244717/en-us',
      'the and of',
      '\u202e%\\',
    ];
    for (const q of queries) {
      await input.fill(q);
      await page.waitForFunction(
        () => {
          const popup = document.querySelector('[data-search-popup]');
          return Boolean(
            popup && (popup.querySelector('[role=option]') || popup.querySelector('[data-search-empty]')) && !popup.querySelector('[data-search-error]'),
          );
        },
        undefined,
        { timeout: 20_000 },
      );
      assert.equal(await page.locator('[data-search-popup] script, [data-search-popup] img').count(), 0, q.slice(0, 30));
    }
    // The worker still answers after all of that.
    await input.fill('rassrv');
    await waitForOptions(page, (t) => t.some((x) => x.includes('Q244717')), 'after hostile queries');
  });
});

test('an index file that fails to load shows a message with a retry that works, in the box and on the results page', async () => {
  await guarded(async (page, info) => {
    let fail = true;
    await page.context().route('**/search/t/**', (route) => (fail ? route.fulfill({ status: 503, body: 'down' }) : route.continue()));
    await page.goto(site.href('kb/244/Q244717/'));
    await ready(page);
    await box(page).click();
    await page.keyboard.type('rassrv');
    const error = page.locator('[data-search-error]');
    await error.waitFor({ timeout: 20_000 });
    assert.match((await error.textContent()) ?? '', /could not be loaded/);
    fail = false;
    await error.getByRole('button', { name: 'Try again' }).click();
    await waitForOptions(page, (t) => t.some((x) => x.includes('Q244717')), 'after retry');
    // The results page says so too, and tries again.
    fail = true;
    await page.goto(site.href('search/?q=windows+nt'));
    await ready(page);
    const alert = page.locator('main [role=alert]');
    await alert.waitFor({ timeout: 20_000 });
    assert.match((await alert.textContent()) ?? '', /could not be loaded/);
    fail = false;
    await alert.getByRole('button', { name: 'Try again' }).click();
    await page.locator('main [data-result]').first().waitFor();
    info.failedResponses.length = 0;
  });
});

test('axe: no serious or critical violation with the dropdown open (360 and 1280 px, light and dark)', async () => {
  for (const width of [360, 1280]) {
    for (const scheme of ['light', 'dark'] as const) {
      await guarded(
        async (page) => {
          await page.goto(site.href('kb/244/Q244717/'));
          await ready(page);
          await box(page).click();
          await page.keyboard.type('ras');
          await waitForOptions(page, (t) => t.some((x) => /^See all/.test(x)), 'ras');
          await page.keyboard.press('ArrowDown');
          await page.addScriptTag({ path: AXE });
          const violations = await page.evaluate(async () => {
            const axe = (
              window as unknown as {
                axe: {
                  run: (
                    ctx: Document,
                    opts: object,
                  ) => Promise<{ violations: Array<{ id: string; impact: string | null; nodes: Array<{ target: string[] }> }> }>;
                };
              }
            ).axe;
            const result = await axe.run(document, { resultTypes: ['violations'] });
            return result.violations
              .filter((v) => v.impact === 'serious' || v.impact === 'critical')
              .map((v) => ({ id: v.id, nodes: v.nodes.slice(0, 3).map((n) => n.target) }));
          });
          assert.deepEqual(violations, [], `${width} px ${scheme}`);
        },
        { viewport: { width, height: 740 }, colorScheme: scheme, bypassCSP: true },
      );
    }
  }
});

test('OpenSearch: every page links the description, which searches the search page', async () => {
  await guarded(async (page) => {
    for (const p of ['', 'kb/244/Q244717/', 'search/']) {
      await page.goto(site.href(p));
      await ready(page);
      const link = page.locator('head link[rel="search"]');
      assert.equal(await link.getAttribute('type'), 'application/opensearchdescription+xml', p);
      assert.equal(await link.getAttribute('href'), '/opensearch.xml', p);
    }
    const response = await page.goto(site.href('opensearch.xml'));
    assert.equal(response?.status(), 200);
    const xml = (await response?.text()) ?? '';
    assert.match(xml, /<OpenSearchDescription xmlns="http:\/\/a9\.com\/-\/spec\/opensearch\/1\.1\/"/);
    const template = /<Url type="text\/html" method="get" template="([^"]+)"/.exec(xml)?.[1] ?? '';
    assert.match(template, /\/search\/\?q=\{searchTerms\}$/);
    await page.goto(site.href(`search/?q=rassrv`));
    await ready(page);
    await page.locator('main [data-result="Q244717"]').waitFor();
  });
});

test('results page excerpts: the passage with the word, its section, a link to it; no header lines, keywords or rules', async () => {
  await guarded(async (page) => {
    await page.goto(site.href('search/?q=rassrv'));
    await ready(page);
    const entry = page.locator('main [data-result="Q244717"]');
    await entry.waitFor();
    assert.equal(await entry.locator('[data-excerpt-section]').textContent(), 'CAUSE:');
    assert.equal(await entry.locator('h3 a').getAttribute('href'), '/kb/244/Q244717/#cause:~:text=Rassrv');
    for (const q of ['windows', 'microsoft', 'article']) {
      await page.goto(site.href(`search/?q=${q}`));
      await ready(page);
      await page.locator('main [data-result]').first().waitFor();
      for (const text of await page.locator('main [data-excerpt]').allTextContents()) {
        assert.doesNotMatch(text, /-{3,}|={3,}/, text);
        assert.doesNotMatch(text, /(^|\s)kb[a-z]+\s+kb[a-z]+/, text);
      }
    }
  });
});
