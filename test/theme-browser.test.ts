/**
 * Light and dark themes in Chromium, on the exported site of content/ (built
 * once by test/helpers/site-build.ts): the page follows the system until the
 * theme button is pressed; the choice persists across pages and reloads, is
 * applied before the first paint (no flash), and the button says what it does.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, withPage } from '../bench/lib/browser';
import { serveDir, type ServedSite } from '../bench/lib/server';
import { builtSite } from './helpers/site-build';
import { THEME_SCRIPT, THEME_STORAGE_KEY } from '../lib/theme';

let dir: string;
let site: ServedSite;
let browser: Browser;

before(async () => {
  dir = await builtSite();
  site = await serveDir(dir);
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await site?.close();
});

const LIGHT_PAGE = 'rgb(252, 252, 251)';
const DARK_PAGE = 'rgb(18, 20, 23)';

async function state(page: Page) {
  return page.evaluate((key) => {
    const button = document.querySelector('button.theme-toggle');
    return {
      attribute: document.documentElement.dataset.theme ?? null,
      background: getComputedStyle(document.body).backgroundColor,
      stored: localStorage.getItem(key),
      pressed: button?.getAttribute('aria-pressed') ?? null,
    };
  }, THEME_STORAGE_KEY);
}

/** Records the theme attribute and background as soon as the document is parsed (before any app script runs). */
async function recordFirstPaint(page: Page): Promise<void> {
  await page.addInitScript(() => {
    document.addEventListener('DOMContentLoaded', () => {
      (window as unknown as { __first: unknown }).__first = document.documentElement.dataset.theme ?? null;
    });
  });
}

test('follows the system theme until a choice is made; the choice persists over pages and reloads', async () => {
  await withPage(
    async (page, info) => {
      await recordFirstPaint(page);
      await page.goto(site.href('kb/244/Q244717/'));
      await page.waitForLoadState('networkidle');
      const button = page.getByRole('button', { name: 'Dark theme' });
      assert.equal(await button.count(), 1, 'the button is named "Dark theme"');
      assert.deepEqual(await state(page), { attribute: null, background: LIGHT_PAGE, stored: null, pressed: 'false' });

      await button.click();
      assert.deepEqual(await state(page), { attribute: 'dark', background: DARK_PAGE, stored: 'dark', pressed: 'true' });
      assert.equal(await button.getAttribute('title'), 'Switch to the light theme');

      // Another page, then a reload: dark from the start, though the system is light.
      await page.goto(site.href('kb/238/Q238171/'));
      assert.equal(await page.evaluate(() => (window as unknown as { __first: unknown }).__first), 'dark', 'applied before the app runs');
      await page.waitForLoadState('networkidle');
      assert.deepEqual(await state(page), { attribute: 'dark', background: DARK_PAGE, stored: 'dark', pressed: 'true' });
      await page.reload();
      await page.waitForLoadState('networkidle');
      assert.equal((await state(page)).background, DARK_PAGE);

      // And back to light.
      await page.getByRole('button', { name: 'Dark theme' }).click();
      assert.deepEqual(await state(page), { attribute: 'light', background: LIGHT_PAGE, stored: 'light', pressed: 'false' });
      await page.goto(site.url);
      await page.waitForLoadState('networkidle');
      assert.deepEqual(await state(page), { attribute: 'light', background: LIGHT_PAGE, stored: 'light', pressed: 'false' });
      assert.deepEqual(
        info.pageErrors.map((e) => e.message),
        [],
      );
      assert.deepEqual(info.consoleErrors, [], 'no console errors (no hydration mismatch)');
    },
    { browser, context: { colorScheme: 'light' } },
  );
});

test('a dark system gets the dark theme; choosing light overrides it, also after a reload', async () => {
  await withPage(
    async (page, info) => {
      await recordFirstPaint(page);
      await page.goto(site.href('kb/244/Q244717/'));
      await page.waitForLoadState('networkidle');
      assert.deepEqual(await state(page), { attribute: null, background: DARK_PAGE, stored: null, pressed: 'true' });
      await page.getByRole('button', { name: 'Dark theme' }).click();
      assert.deepEqual(await state(page), { attribute: 'light', background: LIGHT_PAGE, stored: 'light', pressed: 'false' });
      await page.reload();
      assert.equal(await page.evaluate(() => (window as unknown as { __first: unknown }).__first), 'light');
      await page.waitForLoadState('networkidle');
      assert.deepEqual(await state(page), { attribute: 'light', background: LIGHT_PAGE, stored: 'light', pressed: 'false' });
      // The icon fits the theme in force: a moon (a path, no circle) in the light theme.
      const icon = () => page.locator('button.theme-toggle').evaluate((el) => getComputedStyle(el, '::before').maskImage);
      assert.ok(!(await icon()).includes('circle'), 'moon');
      await page.getByRole('button', { name: 'Dark theme' }).click();
      assert.ok((await icon()).includes('circle'), 'sun');
      assert.deepEqual(
        info.pageErrors.map((e) => e.message),
        [],
      );
    },
    { browser, context: { colorScheme: 'dark' } },
  );
});

test('a broken stored value falls back to the system theme', async () => {
  await withPage(
    async (page, info) => {
      await page.addInitScript((key) => localStorage.setItem(key, '"><script>alert(1)</script>'), THEME_STORAGE_KEY);
      await page.goto(site.href('kb/244/Q244717/'));
      await page.waitForLoadState('networkidle');
      assert.equal((await state(page)).attribute, null);
      assert.equal((await state(page)).background, DARK_PAGE);
      assert.deepEqual(
        info.pageErrors.map((e) => e.message),
        [],
      );
    },
    { browser, context: { colorScheme: 'dark' } },
  );
});

test('the pre-paint script is the same constant on every page (one CSP hash covers it)', () => {
  const pages = ['index.html', 'kb/244/Q244717/index.html', 'kb/238/Q238171/index.html', 'search/index.html', '404.html'];
  for (const file of pages) {
    const html = readFileSync(path.join(dir, file), 'utf8');
    const inline = [...html.matchAll(/<script>([^<]*?)<\/script>/g)].map((m) => m[1]);
    assert.equal(inline.filter((s) => s === THEME_SCRIPT).length, 1, `${file}: the theme script, once, exactly as written`);
    assert.ok(html.indexOf(THEME_SCRIPT) < html.indexOf('<body'), `${file}: in <head>, before the first paint`);
  }
});
