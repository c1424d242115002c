/**
 * Text typed before React hydrates is not lost (React 19 does not replay it: react/react#33129).
 * Next's scripts are held with `page.route` until the text is in the box, then released: once React
 * runs, Enter and the dropdown (header box) or the URL, the results and Enter (the search page's own
 * box, typed into the page's plain fallback form) act on the typed text. On the exported site of content/.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Locator, Page } from 'playwright-core';
import { launchBrowser, withPage, type PageInfo } from '../bench/lib/browser';
import { serveDir, type ServedSite } from '../bench/lib/server';
import { builtSite } from './helpers/site';

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

/** Holds every framework script until `release()`; `requested` resolves once the first was asked for. */
async function holdFramework(page: Page): Promise<{ release: () => void; requested: Promise<void> }> {
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  let requestedNow!: () => void;
  const requested = new Promise<void>((resolve) => (requestedNow = resolve));
  await page.route('**/_next/static/**/*.js', async (route) => {
    requestedNow();
    await held;
    await route.continue();
  });
  return { release, requested };
}

/**
 * Opens `path` with the framework's scripts held, waits until the first of them is asked for, clicks
 * `box` and types `text` into it (before React runs); `release` lets the scripts go.
 */
async function typeBeforeReact(page: Page, path: string, box: Locator, text: string): Promise<() => void> {
  const { release, requested } = await holdFramework(page);
  await page.goto(site.href(path), { waitUntil: 'commit' });
  await requested;
  await box.click();
  await page.keyboard.type(text, { delay: 20 });
  return release;
}

/** Waits until the header box's dropdown shows results for `text`. */
async function dropdownFor(page: Page, text: string): Promise<void> {
  await page.waitForFunction((want) => document.querySelector('[data-search-popup]')?.getAttribute('data-for') === want, text);
  await page.locator('[data-search-popup] [role=option][data-option=hit]').first().waitFor();
}

function clean(info: PageInfo): void {
  assert.deepEqual(
    info.pageErrors.map((e) => e.message),
    [],
    'no uncaught errors',
  );
  assert.deepEqual(info.consoleErrors, [], 'no hydration error or other console error');
}

const headerBox = (page: Page) => page.locator('input[data-site-search]');
const hydratedHeader = (page: Page) => page.locator('input[data-site-search][data-ready]');

test('header box: text typed before hydration opens the dropdown for it, and Enter searches it', async () => {
  await withPage(
    async (page, info) => {
      const release = await typeBeforeReact(page, 'kb/244/Q244717/', headerBox(page), 'rassrv');
      assert.equal(await hydratedHeader(page).count(), 0, 'typed before React hydrated the box');
      assert.equal(await headerBox(page).inputValue(), 'rassrv');

      release();
      await hydratedHeader(page).waitFor();
      // The dropdown answers the typed text without another key.
      await dropdownFor(page, 'rassrv');
      assert.equal(await headerBox(page).getAttribute('aria-expanded'), 'true');
      assert.match((await page.locator('[data-search-popup] [role=option][data-option=hit]').first().textContent()) ?? '', /Q244717/);
      assert.equal(await headerBox(page).inputValue(), 'rassrv', 'the text stays');
      // Enter with no option selected: the results page for the typed text.
      await page.keyboard.press('Enter');
      await page.waitForURL((url) => url.pathname === '/search/' && url.searchParams.get('q') === 'rassrv');
      clean(info);
    },
    { browser },
  );
});

test('header box: text typed before hydration, focus gone: no dropdown, but Enter back in the box searches it', async () => {
  await withPage(
    async (page, info) => {
      const release = await typeBeforeReact(page, 'kb/244/Q244717/', headerBox(page), 'underline');
      await page.locator('main h1').click(); // the focus leaves the box before React runs
      assert.equal(await hydratedHeader(page).count(), 0, 'typed before React hydrated the box');

      release();
      await hydratedHeader(page).waitFor();
      assert.equal(await headerBox(page).getAttribute('aria-expanded'), 'false', 'no dropdown away from the box');
      assert.equal(await headerBox(page).inputValue(), 'underline');
      await headerBox(page).focus();
      await dropdownFor(page, 'underline');
      await page.keyboard.press('Enter');
      await page.waitForURL((url) => url.pathname === '/search/' && url.searchParams.get('q') === 'underline');
      clean(info);
    },
    { browser },
  );
});

const fallbackBox = (page: Page) => page.locator('input[data-search-boot-input]');
const pageBox = (page: Page) => page.locator('input[data-search-primary]');

test("search page: words typed into the page's box before React runs become the URL's query and its results, the focus stays", async () => {
  await withPage(
    async (page, info) => {
      // Nothing to paint early: the early script lets the framework's scripts go, and they are held here.
      const release = await typeBeforeReact(page, 'search/', fallbackBox(page), 'underlin');
      await page.keyboard.press('ArrowLeft'); // the caret inside the text: it stays there
      assert.equal(await pageBox(page).count(), 0, 'typed before React rendered the view');

      release();
      await pageBox(page).waitFor();
      await page.waitForURL((url) => url.searchParams.get('q') === 'underlin');
      await page.waitForFunction(() => document.querySelector('main [data-result]')?.getAttribute('data-result') === 'Q990007');
      assert.equal(await pageBox(page).inputValue(), 'underlin');
      const caret = await pageBox(page).evaluate((el: HTMLInputElement) => ({ focused: el === document.activeElement, at: el.selectionStart }));
      assert.deepEqual(caret, { focused: true, at: 7 }, 'the focus and the caret stay where they were');
      // Typing goes on from there.
      await page.keyboard.press('End');
      await page.keyboard.type('e');
      await page.waitForURL((url) => url.searchParams.get('q') === 'underline');
      clean(info);
    },
    { browser },
  );
});

test("search page: an article number typed into the page's box before React runs: Enter opens the article", async () => {
  await withPage(
    async (page, info) => {
      const release = await typeBeforeReact(page, 'search/', fallbackBox(page), '244717');
      assert.equal(await pageBox(page).count(), 0, 'typed before React rendered the view');

      release();
      await pageBox(page).waitFor();
      await page.locator('[data-number-match="article"]').waitFor();
      assert.equal(await pageBox(page).inputValue(), '244717');
      await page.keyboard.press('Enter');
      await page.waitForURL((url) => url.pathname === '/kb/244/Q244717/');
      clean(info);
    },
    { browser },
  );
});

test("search page opened with a query: the early script's text is not mistaken for typing; typing over it before React runs is kept", async () => {
  await withPage(
    async (page, info) => {
      const { release, requested } = await holdFramework(page);
      await page.goto(site.href('search/?q=rassrv'), { waitUntil: 'commit' });
      await page.locator('[data-search-boot] [data-result]').first().waitFor();
      await requested;
      assert.equal(await fallbackBox(page).inputValue(), 'rassrv', "the early script filled in the URL's query");
      await fallbackBox(page).click();
      await fallbackBox(page).selectText();
      await page.keyboard.type('underline', { delay: 20 });
      assert.equal(await pageBox(page).count(), 0, 'typed before React rendered the view');

      release();
      await pageBox(page).waitFor();
      await page.waitForURL((url) => url.searchParams.get('q') === 'underline');
      assert.equal(await pageBox(page).inputValue(), 'underline');
      await page.waitForFunction(() => document.querySelector('main [data-result]')?.getAttribute('data-result') === 'Q990007');
      clean(info);
    },
    { browser },
  );
});
