/**
 * Old links, file pages and data files in a built site (content/), in Chromium:
 * pasting old KB URLs in the home page's jump box and in the header's search box
 * on /search/, the 404 page forwarding old addresses (with and without a base
 * path, under the CSP), a file page reached from Q244717's table, and the data
 * files parsed back.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { gunzipSync } from 'node:zlib';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, withPage, type PageInfo } from '../bench/lib/browser';
import { serveDir, type ServedSite } from '../bench/lib/server';
import { builtSite } from './helpers/site-build';
import { articleSchema } from '../lib/markdown/index';
import { createRequire } from 'node:module';

const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

const BASE = '/kb-archive';

let site: ServedSite;
let based: ServedSite;
let browser: Browser;

before(async () => {
  site = await serveDir(await builtSite());
  based = await serveDir(await builtSite({ basePath: BASE }), { basePath: BASE });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await site?.close();
  await based?.close();
});

const pathOf = (page: Page) => new URL(page.url()).pathname;

/** Waits until React has hydrated the element (its handlers are attached), so that Enter runs them. */
async function hydrated(page: Page, selector: string): Promise<void> {
  await page.waitForFunction((s) => {
    const el = document.querySelector(s);
    return el !== null && Object.keys(el).some((k) => k.startsWith('__reactFiber') || k.startsWith('__reactProps'));
  }, selector);
}

/** No script error, no request off the loopback, no CSP violation. */
function clean(info: PageInfo): void {
  assert.deepEqual(
    info.pageErrors.map((e) => e.message),
    [],
  );
  assert.deepEqual(info.blockedRequests, []);
  assert.deepEqual(
    info.consoleErrors.filter((m) => /Content Security Policy|Refused to/i.test(m)),
    [],
  );
}

test('home jump box: old links go to the article or its not-in-archive page; look-alikes do not jump', async () => {
  await withPage(
    async (page, info) => {
      const input = page.locator('[data-jump-input]');
      for (const [pasted, expected] of [
        ['http://support.microsoft.com/default.aspx?scid=kb;en-us;Q244717', '/kb/244/Q244717/'],
        ['HTTPS://SUPPORT2.MICROSOFT.COM/KB/244717/EN-US', '/kb/244/Q244717/'],
        ['http://support.microsoft.com/support/kb/articles/q238/1/71.asp', '/kb/238/Q238171/'],
        ['MSKB 244717', '/kb/244/Q244717/'],
        ['https://jeffpar.github.io/kbarchive/kb/244/Q244717/', '/kb/244/Q244717/'],
      ]) {
        await page.goto(site.url);
        await hydrated(page, '[data-jump-input]');
        await input.fill(pasted!);
        await Promise.all([page.waitForURL((url) => url.pathname === expected), input.press('Enter')]);
      }
      assert.match((await page.locator('h1').textContent()) ?? '', /RAS Port/);

      for (const lookAlike of [
        'javascript:location="//support.microsoft.com/kb/244717"',
        'https://evil.example/kb/244717',
        'http://support.microsoft.com/default.aspx?scid=fh;EN-US;CNTACTMS',
      ]) {
        await page.goto(site.url);
        await hydrated(page, '[data-jump-input]');
        await input.fill(lookAlike);
        await input.press('Enter');
        await page.locator('.kb-jump [role="alert"]').waitFor();
        assert.equal(pathOf(page), '/');
      }
      clean(info);
    },
    { browser },
  );
});

test('header search box on /search/: an old link goes to the article; a look-alike stays a search', async () => {
  await withPage(
    async (page, info) => {
      await page.goto(site.href('search/'));
      await hydrated(page, 'input[data-site-search]');
      const header = page.locator('input[data-site-search]');
      await header.fill('http://support.microsoft.com/support/kb/articles/Q244/7/17.asp');
      await Promise.all([page.waitForURL((url) => url.pathname === '/kb/244/Q244717/'), header.press('Enter')]);

      await page.goto(site.href('search/'));
      await hydrated(page, 'input[data-site-search]');
      await header.fill('https://evil.example/kb/244717');
      await header.press('Enter');
      await page.waitForURL((url) => url.pathname === '/search/' && url.searchParams.get('q') === 'https://evil.example/kb/244717');
      clean(info);
    },
    { browser },
  );
});

test('the 404 page forwards old addresses to the permalink, and fills the search box for others', async () => {
  await withPage(
    async (page, info) => {
      for (const old of [
        'kb/244717/',
        'Q244717',
        'kb/Q244717/',
        'default.aspx?scid=kb;en-us;Q244717',
        'default.aspx?scid=kb%3Ben-us%3B244717',
        'support/kb/articles/q244/7/17.asp',
        'kb/999/Q244717/',
      ]) {
        const response = await page.goto(site.href(old));
        assert.equal(response?.status(), 404, old);
        await page.waitForURL((url) => url.pathname === '/kb/244/Q244717/');
        assert.match((await page.locator('h1').textContent()) ?? '', /RAS Port/, old);
      }
      // Cited but not in the archive: its own page.
      await page.goto(site.href('kb/238171/'));
      await page.waitForURL((url) => url.pathname === '/kb/238/Q238171/');

      // The canonical address of a number nobody has: no loop, the page says so.
      await page.goto(site.href('kb/103/Q103049/'));
      await page.locator('[data-notfound-missing]').waitFor();
      assert.equal(pathOf(page), '/kb/103/Q103049/');
      assert.equal(await page.locator('[data-notfound-search]').inputValue(), 'Q103049');

      // Anything else: the words of the path.
      await page.goto(site.href('windows-nt/Rassrv%20exe_help.html'));
      await page.waitForFunction(() => (document.querySelector<HTMLInputElement>('[data-notfound-search]')?.value ?? '') !== '');
      assert.equal(await page.locator('[data-notfound-search]').inputValue(), 'windows nt Rassrv exe help');
      assert.equal(pathOf(page), '/windows-nt/Rassrv%20exe_help.html');
      // A file name stays whole, so that the search finds the file.
      await page.goto(site.href('kb/Rassrv.exe'));
      await page.waitForFunction(() => (document.querySelector<HTMLInputElement>('[data-notfound-search]')?.value ?? '') !== '');
      assert.equal(await page.locator('[data-notfound-search]').inputValue(), 'Rassrv.exe');
      clean(info);
    },
    { browser },
  );
});

test('the 404 forward under a base path', async () => {
  await withPage(
    async (page, info) => {
      for (const old of ['kb/244717/', 'Q244717', 'default.aspx?scid=kb;en-us;Q244717']) {
        await page.goto(based.href(old));
        await page.waitForURL((url) => url.pathname === `${BASE}/kb/244/Q244717/`);
      }
      await page.goto(based.href('no/such/page/'));
      await page.waitForFunction(() => (document.querySelector<HTMLInputElement>('[data-notfound-search]')?.value ?? '') !== '');
      assert.equal(await page.locator('[data-notfound-search]').inputValue(), 'no such page');
      assert.equal(pathOf(page), `${BASE}/no/such/page/`);
      clean(info);
    },
    { browser },
  );
});

test("Q244717's file table links to the file page: rows newest first, applies-to, A–Z index", async () => {
  await withPage(
    async (page, info) => {
      await page.goto(site.href('kb/244/Q244717/'));
      const links = page.locator('table.file-table a');
      assert.equal(await links.count(), 2);
      await Promise.all([page.waitForURL((url) => url.pathname === '/files/rassrv.exe/'), links.first().click()]);
      assert.equal((await page.locator('h1').textContent())?.trim(), 'Rassrv.exe');
      const rows = await page
        .locator('table[data-file-rows] tbody tr')
        .evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent?.trim())));
      assert.equal(rows.length, 2);
      // Same date: the later time first; sizes with separators, platform.
      assert.deepEqual(
        rows.map((r) => [r[2], r[3], r[4], r[5]]),
        [
          ['1999-10-29', '01:22', '123,664', 'Alpha'],
          ['1999-10-29', '01:15', '69,904', 'x86'],
        ],
      );
      assert.match(rows[0]![0]!, /Q244717/);
      assert.match((await page.locator('main').textContent()) ?? '', /Terminal Server Edition/);
      // Written from one render of the route (lib/file-page-template.ts): its title, and a hydrated page ('/' focuses the search box).
      assert.equal(await page.title(), 'rassrv.exe (file) · kbview');
      await page.locator('body').click({ position: { x: 5, y: 300 } });
      await page.keyboard.press('/');
      assert.equal(await page.evaluate(() => document.activeElement?.hasAttribute('data-site-search')), true);

      await page.goto(site.href('files/'));
      const entry = page.locator('[data-files-letter="r"] a', { hasText: 'Rassrv.exe' });
      await Promise.all([page.waitForURL((url) => url.pathname === '/files/rassrv.exe/'), entry.click()]);
      clean(info);
    },
    { browser },
  );
});

test('the data files parse back, and /data/ shows their counts', async () => {
  const get = async (name: string) => {
    const response = await fetch(site.href(`data/${name}`));
    assert.equal(response.status, 200, name);
    return gunzipSync(Buffer.from(await response.arrayBuffer())).toString('utf8');
  };
  const articles = (await get('articles.jsonl.gz'))
    .trimEnd()
    .split('\n')
    .map((line) => articleSchema.parse(JSON.parse(line)));
  assert.ok(articles.length >= 8);
  assert.deepEqual(
    articles.map((a) => a.number),
    [...articles.map((a) => a.number)].sort((a, b) => a - b),
  );
  const q244717 = articles.find((a) => a.id === 'Q244717')!;
  assert.equal(q244717.fileAttributes[0]?.name, 'Rassrv.exe');

  const citations = (await get('citations.csv.gz')).trimEnd().split('\r\n');
  assert.equal(citations[0], 'citing_id,cited_id,cited_in_archive');
  assert.ok(citations.includes('Q244717,Q238171,0'));
  assert.equal(
    citations.length - 1,
    articles.reduce((sum, a) => sum + a.references.length, 0),
  );

  const files = (await get('files.csv.gz')).trimEnd().split('\r\n');
  assert.equal(files[0], 'slug,name,kind,article_id,version,date,time,size,platform,extra');
  assert.ok(files.includes('rassrv.exe,Rassrv.exe,row,Q244717,,1999-10-29,01:15,69904,x86,'));

  await withPage(
    async (page, info) => {
      await page.goto(site.href('data/'));
      const counts = await page.locator('[data-data-count]').allTextContents();
      assert.deepEqual(counts, [`${articles.length} articles`, `${citations.length - 1} citations`, `${files.length - 1} rows`]);
      clean(info);
    },
    { browser },
  );
});

test('axe: no serious or critical violations on /files/, a file page, /data/ and a 404 page', async () => {
  for (const sitePath of ['files/', 'files/rassrv.exe/', 'data/', 'no/such/page/']) {
    for (const colorScheme of ['light', 'dark'] as const) {
      await withPage(
        async (page) => {
          await page.goto(site.href(sitePath));
          await page.addScriptTag({ path: AXE });
          const violations = await page.evaluate(async () => {
            const axe = (
              window as unknown as {
                axe: { run: (ctx: Document, opts: object) => Promise<{ violations: Array<{ id: string; impact: string | null; nodes: unknown[] }> }> };
              }
            ).axe;
            const result = await axe.run(document, { resultTypes: ['violations'] });
            return result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id} (${v.nodes.length})`);
          });
          assert.deepEqual(violations, [], `${sitePath} ${colorScheme}`);
        },
        // bypassCSP: the site's Content-Security-Policy (rightly) refuses the injected axe script.
        { browser, context: { colorScheme, bypassCSP: true } },
      );
    }
  }
});
