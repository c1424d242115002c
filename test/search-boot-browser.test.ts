/**
 * The search page's first results without the framework (lib/search/boot.ts):
 * with Next's scripts held back, `search/boot.js` alone paints the results of
 * `?q=…`; once React runs, it renders the same results in the same places (no
 * layout shift, no hydration error). On the exported site of content/.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, withPage } from '../bench/lib/browser';
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

interface Painted {
  id: string | null;
  text: string;
  href: string | null;
  box: [number, number, number, number];
}

const painted = (page: Page): Promise<Painted[]> =>
  page.$$eval('main [data-result]', (items) =>
    items.map((item) => {
      const r = item.getBoundingClientRect();
      return {
        id: item.getAttribute('data-result'),
        text: item.textContent ?? '',
        href: item.querySelector('a')?.getAttribute('href') ?? null,
        box: [Math.round(r.x), Math.round(r.y), Math.round(r.width), Math.round(r.height)] as [number, number, number, number],
      };
    }),
  );

for (const viewport of [
  { width: 412, height: 823 },
  { width: 1280, height: 800 },
]) {
  test(`${viewport.width} px: the first results are painted before the framework runs, and React adopts them in place`, async () => {
    await withPage(
      async (page, info) => {
        page.on('dialog', (dialog) => assert.fail(`a script dialog opened: ${dialog.message()}`));
        // Next's scripts wait until the early script has painted: the paint cannot be React's.
        let release!: () => void;
        const held = new Promise<void>((resolve) => (release = resolve));
        await page.route('**/_next/static/chunks/*.js', async (route) => {
          await held;
          await route.continue();
        });
        await page.addInitScript(() => {
          const w = window as unknown as { __cls: number; __seen: boolean; __gap: boolean };
          w.__cls = 0;
          // Did the results ever leave the screen once shown (React not adopting the early answer)?
          w.__seen = false;
          w.__gap = false;
          new MutationObserver(() => {
            const any = document.querySelector('main [data-result]') !== null;
            if (any) w.__seen = true;
            else if (w.__seen) w.__gap = true;
          }).observe(document, { childList: true, subtree: true });
          // Shifts of anything but the facet column (its "Loading…" rows become checkboxes when the
          // facet files arrive, with or without the early script; on a small archive they are in view).
          new PerformanceObserver((list) => {
            for (const entry of list.getEntries() as Array<PerformanceEntry & { value: number; hadRecentInput: boolean; sources: Array<{ node?: Node }> }>) {
              const facetsOnly = entry.sources.every((s) => s.node instanceof Element && s.node.closest('aside[aria-label="Filters"]'));
              if (!entry.hadRecentInput && !facetsOnly) w.__cls += entry.value;
            }
          }).observe({ type: 'layout-shift', buffered: true });
        });
        await page.goto(site.href('search/?q=rassrv'), { waitUntil: 'commit' });
        await page.locator('[data-search-boot] [data-result]').first().waitFor();
        assert.equal(await page.locator('input[data-search-primary]').count(), 0, 'React has not rendered the view yet');
        assert.match((await page.locator('[data-search-boot-status]').textContent()) ?? '', /^\d+ articles? for “rassrv”$/);
        assert.equal(await page.locator('[data-search-boot-input]').inputValue(), 'rassrv');
        const early = await painted(page);
        assert.equal(early[0]?.id, 'Q244717');
        assert.match(early[0]?.text ?? '', /RAS Port Becomes Unavailable/);
        assert.ok((await page.locator('[data-search-boot] mark').count()) > 0, 'matched words marked');

        release();
        await page.locator('input[data-search-primary]').waitFor();
        await page.waitForFunction(() => !document.querySelector('[data-search-boot]') && document.querySelector('main [data-result]'));
        // The early results (at most BOOT_RESULTS, a first screen) stay where they were; React's full page of results follows them.
        const same = async () => (await painted(page)).slice(0, early.length);
        assert.deepEqual(await same(), early, 'React shows the same results in the same boxes');
        assert.equal(await page.locator('input[data-search-primary]').inputValue(), 'rassrv');
        // The full answer (facets) arrives later and changes nothing above.
        await page.locator('[data-facet] input[type=checkbox]').first().waitFor();
        assert.deepEqual(await same(), early);
        assert.equal(await page.evaluate(() => (window as unknown as { __gap: boolean }).__gap), false, 'the results never left the screen');
        assert.equal(await page.evaluate(() => (window as unknown as { __cls: number }).__cls), 0, 'no layout shift outside the facet column');
        assert.deepEqual(
          info.pageErrors.map((e) => e.message),
          [],
        );
        assert.deepEqual(info.consoleErrors, [], 'no hydration error or other console error');
      },
      { browser, context: { viewport } },
    );
  });
}

test('the early script leaves filtered, dated and number searches to React, and shows hostile text as text', async () => {
  await withPage(
    async (page, info) => {
      page.on('dialog', (dialog) => assert.fail(`a script dialog opened: ${dialog.message()}`));
      // Filters: the early script needs the facet files for those; it paints nothing (React's answer comes alone).
      const boot = page.waitForResponse((r) => new URL(r.url()).pathname === '/search/boot.js');
      await page.goto(site.href('search/?q=rassrv&sort=date'));
      await boot;
      await page.locator('input[data-search-primary]').waitFor();
      await page.locator('main [data-result]').first().waitFor();
      assert.equal(await page.evaluate(() => 'kbSearchBoot' in window || '__kbSearchBoot' in window), false, 'not painted early');
      // Markup in the query stays text, early and late.
      await page.goto(site.href(`search/?q=${encodeURIComponent('rassrv <img src=x onerror=alert(1)>')}`));
      await page.locator('main [data-result]').first().waitFor();
      assert.equal(await page.locator('main img').count(), 0);
      assert.deepEqual(
        info.pageErrors.map((e) => e.message),
        [],
      );
    },
    { browser },
  );
});
