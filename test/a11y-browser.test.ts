/**
 * Accessibility in Chromium, on the exported site of content/ (built once by
 * test/helpers/site-build.ts): axe-core finds no serious or critical violation
 * on the home page, a listing, an article, a not-in-archive page and the search
 * page, at phone and desktop widths, in the light and the dark theme; and an
 * article is usable with the keyboard alone (skip link, contents, anchors,
 * theme button, visible focus).
 *
 * Each page is also saved as a screenshot under .cache/screenshots/site-*.png
 * (ignored by git) for people to look at.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, withPage } from '../bench/lib/browser';
import { REPO_ROOT } from '../bench/lib/corpus';
import { serveDir, type ServedSite } from '../bench/lib/server';
import { builtSite } from './helpers/site-build';

const require = createRequire(import.meta.url);
const AXE = require.resolve('axe-core/axe.min.js');
export const SCREENSHOTS = path.join(REPO_ROOT, '.cache', 'screenshots');

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

const PAGES: { name: string; path: string; ready?: string }[] = [
  { name: 'home', path: '' },
  { name: 'listing', path: 'products/microsoft-windows-nt/' },
  { name: 'article', path: 'kb/244/Q244717/' },
  { name: 'missing', path: 'kb/238/Q238171/' },
  { name: 'search', path: 'search/?q=windows', ready: 'main [data-result]' },
];

const VIEWS = [
  { width: 360, height: 740, scheme: 'light' },
  { width: 360, height: 740, scheme: 'dark' },
  { width: 1280, height: 800, scheme: 'light' },
  { width: 1280, height: 800, scheme: 'dark' },
] as const;

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[]; failureSummary?: string }[];
}

/** Serious and critical axe violations on the page as it is now. */
async function axeViolations(page: Page): Promise<AxeViolation[]> {
  await page.addScriptTag({ path: AXE });
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (ctx: Document, opts: object) => Promise<{ violations: AxeViolation[] }> } }).axe;
    const result = await axe.run(document, { resultTypes: ['violations'] });
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.slice(0, 5).map((n) => ({ target: n.target, failureSummary: n.failureSummary })),
    }));
  });
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

for (const { name, path: sitePath, ready } of PAGES) {
  test(`axe: no serious or critical violations on the ${name} page (360 and 1280 px, light and dark)`, async () => {
    for (const view of VIEWS) {
      await withPage(
        async (page, info) => {
          const response = await page.goto(site.href(sitePath));
          assert.equal(response?.status(), 200, `${sitePath} is served`);
          if (ready) await page.locator(ready).first().waitFor();
          await page.waitForLoadState('networkidle');
          await page.screenshot({ path: path.join(SCREENSHOTS, `site-${name}-${view.width}-${view.scheme}.png`), fullPage: true });
          const violations = await axeViolations(page);
          assert.deepEqual(violations, [], `${name} at ${view.width} px, ${view.scheme}: ${JSON.stringify(violations, null, 2)}`);
          assert.deepEqual(
            info.pageErrors.map((e) => e.message),
            [],
            'no uncaught errors',
          );
        },
        // bypassCSP: the site's Content-Security-Policy (rightly) refuses the injected axe script.
        { browser, context: { viewport: { width: view.width, height: view.height }, colorScheme: view.scheme, bypassCSP: true } },
      );
    }
  });
}

/** Presses Tab until `match` is focused (at most `limit` times); returns what is focused. */
async function tabTo(
  page: Page,
  match: (el: { tag: string; text: string; label: string | null }) => boolean,
  limit = 40,
): Promise<{ tag: string; text: string; label: string | null }> {
  for (let i = 0; i < limit; i++) {
    await page.keyboard.press('Tab');
    const focused = await page.evaluate(() => {
      const el = document.activeElement as HTMLElement | null;
      return { tag: el?.tagName.toLowerCase() ?? '', text: (el?.textContent ?? '').trim(), label: el?.getAttribute('aria-label') ?? null };
    });
    if (match(focused)) return focused;
  }
  throw new Error(`not reached with ${limit} presses of Tab`);
}

/**
 * Waits (at most 5 s) until the page's own location has `hash`: following a fragment link from the
 * keyboard finishes after the key press returns, so reading it at once raced under load (CI, stop 19).
 */
async function hashBecomes(page: Page, hash: string): Promise<void> {
  try {
    await page.waitForFunction((want) => location.hash === want, hash, { timeout: 5000 });
  } catch {
    assert.equal(await page.evaluate(() => location.hash), hash, `the location's hash became ${hash}`);
  }
}

test('keyboard only: skip link, contents, section anchor, theme button, on a phone', async () => {
  await withPage(
    async (page, info) => {
      await page.goto(site.href('kb/244/Q244717/'));
      await page.waitForLoadState('networkidle');

      // The first Tab reaches the skip link, which shows itself and jumps to <main>.
      await page.keyboard.press('Tab');
      const skip = page.locator(':focus');
      assert.equal(await skip.textContent(), 'Skip to content');
      const box = await skip.boundingBox();
      assert.ok(box && box.width > 0 && box.y >= 0, 'the focused skip link is visible');
      await page.keyboard.press('Enter');
      await hashBecomes(page, '#main');
      const first = await tabTo(page, () => true, 1);
      assert.equal(first.text, 'Copy link', 'after the skip link, Tab goes into the article');

      // Contents: closed on a phone; Enter opens it, Tab reaches a section, Enter goes there.
      await tabTo(page, (el) => el.tag === 'summary' && el.text === 'Contents');
      assert.equal(await page.locator('.kb-toc details').getAttribute('open'), null);
      await page.keyboard.press('Enter');
      assert.equal(await page.locator('.kb-toc details').getAttribute('open'), '');
      const entry = await tabTo(page, () => true, 1);
      assert.equal(entry.text, 'SYMPTOMS');
      await page.keyboard.press('Enter');
      await hashBecomes(page, '#symptoms');
      const heading = await page.locator('#symptoms').boundingBox();
      assert.ok(heading && heading.y >= 0 && heading.y < 200, `the section heading is at the top of the view (y=${heading?.y})`);

      // The theme button works from the keyboard.
      await page.goto(site.href('kb/244/Q244717/'));
      await page.waitForLoadState('networkidle');
      const before = await page.evaluate(() => document.documentElement.dataset.theme ?? null);
      const toggle = await tabTo(page, (el) => el.label === 'Dark theme', 10);
      assert.equal(toggle.tag, 'button');
      await page.keyboard.press('Enter');
      const after = await page.evaluate(() => document.documentElement.dataset.theme ?? null);
      assert.notEqual(after, before);
      assert.equal(after, 'dark');
      assert.deepEqual(
        info.pageErrors.map((e) => e.message),
        [],
      );
    },
    { browser, context: { viewport: { width: 360, height: 740 }, colorScheme: 'light' } },
  );
});

test('keyboard only: every element Tab reaches on an article shows a focus outline', async () => {
  await withPage(
    async (page) => {
      await page.goto(site.href('kb/990/Q990002/'));
      await page.waitForLoadState('networkidle');
      const seen: string[] = [];
      for (let i = 0; i < 120; i++) {
        await page.keyboard.press('Tab');
        const state = await page.evaluate(() => {
          const el = document.activeElement as HTMLElement | null;
          if (!el || el === document.body) return null;
          const style = getComputedStyle(el);
          const box = el.getBoundingClientRect();
          return {
            what: `${el.tagName.toLowerCase()} ${(el.getAttribute('aria-label') ?? el.textContent ?? '').trim().slice(0, 40)}`,
            outline: style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 1,
            visible: box.width > 0 && box.height > 0,
          };
        });
        if (!state) break;
        seen.push(state.what);
        assert.ok(state.outline, `${state.what}: no focus outline`);
        assert.ok(state.visible, `${state.what}: focused but not visible`);
      }
      assert.ok(seen.length > 15, `Tab went through the page (${seen.length} stops)`);
      assert.ok(
        seen.some((s) => s.startsWith('a') && s.includes('Q990001')),
        'reached the backlinks',
      );
    },
    { browser, context: { viewport: { width: 1280, height: 800 } } },
  );
});
