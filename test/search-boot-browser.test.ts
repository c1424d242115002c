/**
 * The search page's first results without the framework (lib/search/boot.ts):
 * with Next's scripts held back, `search/boot.js` alone paints the results of
 * `?q=…`; once React runs, it renders the same results in the same places (no
 * layout shift, no hydration error). The page itself holds Next's scripts
 * back until then (lib/search/boot-hold.ts): they still load and hydrate after
 * the paint, and without a working early script. On the exported site of content/.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { linkSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, withPage } from '../bench/lib/browser';
import { serveDir, type ServedSite } from '../bench/lib/server';
import { builtSite } from './helpers/site';
import { inlineSearchBootScript } from '../lib/search/boot-bundle';
import { COMPILE_HINT, heldChunks, inlineSearchBoot, withCompileHint } from '../lib/search/boot-hold';
import { refreshSearchManifestCopy, scriptHash } from '../lib/build/csp';
import { replaceFile } from '../lib/build/incremental';

let site: ServedSite;
let browser: Browser;
let siteDir: string;

before(async () => {
  siteDir = await builtSite();
  site = await serveDir(siteDir);
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
      await page.goto(site.href('search/?q=rassrv&sort=date'));
      await page.waitForFunction(() => (window as unknown as { __kbBoot?: number }).__kbBoot === 2);
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

test('a page whose copy of the manifest is older than the index: the early script searches again with the served one', async () => {
  await withPage(
    async (page, info) => {
      const requested: string[] = [];
      page.on('request', (r) => requested.push(new URL(r.url()).pathname + new URL(r.url()).search));
      await page.route(
        (url) => url.pathname === '/search/',
        async (route) => {
          const response = await route.fetch();
          const html = await response.text();
          // Another version, and shard boundaries that put every term in shard 0.
          const stale = html.replace(
            /(<script type="application\/json" data-search-manifest="">)([^<]*)(<\/script>)/,
            (_all, open: string, json: string, close: string) => {
              const manifest = JSON.parse(json) as { version: string; shards: string[] };
              return open + JSON.stringify({ ...manifest, version: 'stale', shards: [''] }) + close;
            },
          );
          assert.notEqual(stale, html, 'the page carries a copy of the manifest');
          await route.fulfill({ response, body: stale });
        },
      );
      await page.route('**/_next/static/chunks/*.js', (route) => route.abort()); // only the early script can paint
      await page.goto(site.href('search/?q=rassrv'), { waitUntil: 'commit' });
      await page.locator('[data-search-boot] [data-result]').first().waitFor();
      assert.equal(await page.locator('[data-search-boot] [data-result]').first().getAttribute('data-result'), 'Q244717');
      assert.ok(
        requested.some((r) => r === '/search/t/0.json?v=stale'),
        `the page's copy was used first: ${requested.filter((r) => r.startsWith('/search/')).join(', ')}`,
      );
      assert.ok(
        requested.some((r) => /^\/search\/m\/\d+\.json\?v=(?!stale)\w+$/.test(r)),
        'the results were read with the served version',
      );
      assert.deepEqual(
        info.pageErrors.map((e) => e.message),
        [],
      );
    },
    { browser },
  );
});

test('the exported search page carries its early script inline at the start of its head, with a copy of the manifest, allowed by the policy', () => {
  const search = readFileSync(path.join(siteDir, 'search', 'index.html'), 'utf8');
  const head = search.slice(0, search.indexOf('</head>'));
  assert.doesNotMatch(search, /<script\b[^>]*\ssrc="[^"]*\/search\/boot\.js"/, 'no boot.js element');
  const order = [
    '<meta http-equiv="Content-Security-Policy"',
    '<link rel="preload" href="/_next/static/chunks/',
    '<link rel="preload" href="/search/manifest.json"',
    '<script type="application/json" data-search-manifest="">',
    '<script data-base="">',
    '<link rel="stylesheet"',
  ];
  const at = order.map((part) => head.indexOf(part));
  assert.ok(
    at.every((i) => i >= 0),
    `${order.filter((_, i) => at[i]! < 0).join(', ')} missing`,
  );
  assert.deepEqual(
    [...at].sort((a, b) => a - b),
    at,
    'policy, preloads, manifest copy, script, then the stylesheet',
  );
  const script = /<script data-base="">([\s\S]*?)<\/script>/.exec(head)![1]!;
  assert.equal(script, inlineSearchBootScript());
  const policy = /<meta http-equiv="Content-Security-Policy" content="([^"]*)"/.exec(head)![1]!;
  assert.ok(policy.includes(scriptHash(script)), 'the policy allows it by hash');
  const copy = /<script type="application\/json" data-search-manifest="">([^<]*)<\/script>/.exec(head)![1]!;
  assert.deepEqual(JSON.parse(copy), JSON.parse(readFileSync(path.join(siteDir, 'search', 'manifest.json'), 'utf8')));
});

test('inlineSearchBoot: the script inline (a boot.js element removed), preloads moved before it, the base path on the element; again: no change', () => {
  const page =
    '<!DOCTYPE html><html><head><meta charSet="utf-8"/><link rel="stylesheet" href="/b/_next/static/chunks/a.css" data-precedence="next"/>' +
    '<script async="" src="/b/search/boot.js" fetchPriority="high"></script><link rel="preload" href="/b/search/manifest.json" as="fetch" crossorigin="" fetchPriority="high"/>' +
    '<script src="/b/other.js" async=""></script></head><body><script async="" src="/b/search/boot.js"></script></body></html>';
  const once = inlineSearchBoot(page, 'boot()', '/b', { version: 'v</script>' });
  assert.equal(
    once,
    '<!DOCTYPE html><html><head><meta charSet="utf-8"/><link rel="preload" href="/b/_next/static/chunks/a.css" as="style"/>' +
      '<link rel="preload" href="/b/search/manifest.json" as="fetch" crossorigin="" fetchPriority="high"/>' +
      '<script type="application/json" data-search-manifest="">{"version":"v\\u003c/script\\u003e"}</script><script data-base="/b">boot()</script>' +
      '<link rel="stylesheet" href="/b/_next/static/chunks/a.css" data-precedence="next"/><script src="/b/other.js" async=""></script></head>' +
      '<body><script async="" src="/b/search/boot.js"></script></body></html>',
  );
  assert.equal(inlineSearchBoot(once, 'boot()', '/b', { version: 'v' }), once);
  assert.equal(inlineSearchBoot(page, 'boot()', '', {}), page, 'another base path: not its page');
  // The exported page has no boot.js element (app/search/page.tsx renders it under `next dev` only): the
  // manifest's preload marks the page.
  const exported = page.replace('<script async="" src="/b/search/boot.js" fetchPriority="high"></script>', '');
  assert.equal(inlineSearchBoot(exported, 'boot()', '/b', { version: 'v</script>' }), once);
  const other = '<!DOCTYPE html><html><head><meta charSet="utf-8"/><link rel="stylesheet" href="/b/x.css"/></head><body></body></html>';
  assert.equal(inlineSearchBoot(other, 'boot()', '/b', {}), other, 'no manifest preload: not the search page');
});

test("refreshSearchManifestCopy: a kept search page gets the index's current manifest, as a new file; the previous site's stays", () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kbview-manifest-copy-'));
  try {
    const previous = path.join(dir, 'previous.html');
    mkdirSync(path.join(dir, 'search'));
    const page = path.join(dir, 'search', 'index.html');
    const old = inlineSearchBoot(
      '<html><head><meta charSet="utf-8"/><script async="" src="/search/boot.js"></script></head><body></body></html>',
      'boot()',
      '',
      { version: 'old' },
    );
    writeFileSync(previous, old);
    linkSync(previous, page); // as an incremental build's copy of the previous site
    writeFileSync(path.join(dir, 'search', 'manifest.json'), JSON.stringify({ version: 'new', shards: ['', 'm<'] }));
    assert.equal(refreshSearchManifestCopy(dir, replaceFile), Buffer.byteLength(readFileSync(page)) - Buffer.byteLength(old));
    const html = readFileSync(page, 'utf8');
    assert.match(
      html,
      /<script type="application\/json" data-search-manifest="">\{"version":"new","shards":\["","m\\u003c"\]\}<\/script><script data-base="">boot\(\)<\/script>/,
    );
    assert.equal(readFileSync(previous, 'utf8'), old, 'not written through the link');
    assert.equal(refreshSearchManifestCopy(dir, replaceFile), null, 'up to date: no change');
    rmSync(path.join(dir, 'search', 'manifest.json'));
    assert.equal(refreshSearchManifestCopy(dir, replaceFile), null, 'no index: no change');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("the exported search page links Next's scripts only through the held list; other pages keep their tags", () => {
  const chunkTag = /<script src="[^"]*\/_next\/static\/chunks\/[^"]*" async="">/g;
  const search = readFileSync(path.join(siteDir, 'search', 'index.html'), 'utf8');
  assert.deepEqual(search.match(chunkTag), null, 'no framework script tag on the search page');
  assert.doesNotMatch(search, /<link rel="preload" as="script"[^>]*\/_next\/static\/chunks\//, 'no framework script preload');
  const held = /<script type="application\/json" data-kb="h">([^<]*)<\/script>/.exec(search);
  assert.ok(held, 'the held list is on the page');
  const list = JSON.parse(held[1]!) as string[];
  const home = readFileSync(path.join(siteDir, 'index.html'), 'utf8');
  const homeChunks = [...home.matchAll(/<script src="([^"]*\/_next\/static\/chunks\/[^"]*)" async="">/g)].map((m) => m[1]);
  assert.ok(homeChunks.length >= 3, 'the home page keeps its script tags');
  // The framework's shared chunks are the same on both pages: the search page holds them, it does not drop them.
  for (const chunk of homeChunks.filter((c) => /turbopack-/.test(c!))) assert.ok(list.includes(chunk!), `${chunk} held`);
  assert.ok(list.length >= homeChunks.length - 1, `held ${list.length} chunks`);
  // Each held chunk starts with V8's compile hint (compiled while streamed, off the main thread), once.
  assert.deepEqual(heldChunks(search), list);
  for (const chunk of list) {
    const text = readFileSync(path.join(siteDir, chunk), 'utf8');
    assert.ok(text.startsWith(COMPILE_HINT) && !text.slice(COMPILE_HINT.length).startsWith(COMPILE_HINT), `${chunk}: the hint first, once`);
    assert.equal(withCompileHint(text), text);
  }
  assert.equal(withCompileHint('(()=>{})();'), `${COMPILE_HINT}(()=>{})();`);
});

test("after the early paint, Next's scripts load, React hydrates and the page works (typing, URL state)", async () => {
  await withPage(
    async (page, info) => {
      const bootFile: string[] = [];
      page.on('request', (r) => {
        if (new URL(r.url()).pathname.endsWith('/search/boot.js')) bootFile.push(r.url());
      });
      await page.addInitScript(() => {
        const w = window as unknown as { __painted: number };
        w.__painted = 0;
        new MutationObserver(() => {
          if (!w.__painted && document.querySelector('[data-search-boot] [data-result]')) w.__painted = performance.now();
        }).observe(document, { childList: true, subtree: true });
      });
      await page.goto(site.href('search/?q=rassrv'));
      await page.locator('input[data-search-primary]').waitFor();
      const { painted: at, chunks } = await page.evaluate(() => ({
        painted: (window as unknown as { __painted: number }).__painted,
        chunks: performance
          .getEntriesByType('resource')
          .filter((e) => e.name.includes('/_next/static/chunks/') && e.name.endsWith('.js'))
          .map((e) => e.startTime),
      }));
      assert.ok(at > 0, 'the early script painted');
      assert.ok(chunks.length >= 3, `${chunks.length} framework scripts loaded`);
      for (const start of chunks) assert.ok(start >= at, `a framework script was requested at ${start} ms, before the paint at ${at} ms`);
      // Hydrated: typing changes the URL and the results.
      await page.locator('input[data-search-primary]').fill('underline');
      await page.waitForURL(/q=underline/);
      await page.waitForFunction(() => document.querySelector('main [data-result]')?.getAttribute('data-result') === 'Q990007');
      // The early script ran once, inline: React did not add a `search/boot.js` element to the head when it hydrated.
      assert.deepEqual(bootFile, [], 'search/boot.js requested');
      assert.equal(await page.locator('script[src$="/search/boot.js"]').count(), 0);
      assert.deepEqual(
        info.pageErrors.map((e) => e.message),
        [],
      );
      assert.deepEqual(info.consoleErrors, [], 'no hydration error or other console error');
    },
    { browser },
  );
});

test('a search page whose early script does not run, or hangs, still loads the framework and shows results', async () => {
  // The inline early script taken out of the page (as a policy that blocked it would): the framework loads at the page's load event.
  await withPage(
    async (page, info) => {
      await page.route(
        (url) => url.pathname === '/search/',
        async (route) => {
          const response = await route.fetch();
          const html = await response.text();
          const without = html.replace(/<script data-base="[^"]*">[\s\S]*?<\/script>/, '');
          assert.notEqual(without, html, 'the early script is inline in the page');
          await route.fulfill({ response, body: without });
        },
      );
      await page.goto(site.href('search/?q=rassrv'));
      await page.locator('input[data-search-primary]').waitFor();
      await page.waitForFunction(() => /RAS Port/.test(document.querySelector('main [data-result]')?.textContent ?? ''));
      assert.deepEqual(
        info.pageErrors.map((e) => e.message),
        [],
      );
    },
    { browser },
  );
  // boot.js runs but its term shard does not come: the framework loads at most HOLD_MAX_MS after the page was parsed.
  await withPage(
    async (page, info) => {
      let release!: () => void;
      const hang = new Promise<void>((resolve) => (release = resolve));
      let held = 0;
      await page.route('**/search/t/*.json*', async (route) => {
        if (held++ === 0) await hang; // the first shard request is boot.js's (the worker starts after hydration)
        await route.continue();
      });
      await page.goto(site.href('search/?q=rassrv'));
      await page.locator('input[data-search-primary]').waitFor();
      assert.equal(await page.locator('[data-search-boot] [data-result]').count(), 0, 'nothing was painted early');
      release();
      await page.waitForFunction(() => /RAS Port/.test(document.querySelector('main [data-result]')?.textContent ?? ''));
      assert.deepEqual(
        info.pageErrors.map((e) => e.message),
        [],
      );
    },
    { browser },
  );
});
