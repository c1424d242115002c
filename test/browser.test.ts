/**
 * Smoke test of the browser test infrastructure: Debian's Chromium launched by
 * playwright-core (bench/lib/browser.ts) renders a page from the static
 * server (bench/lib/server.ts), runs its script, and cannot reach anything
 * beyond loopback.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { withPage } from '../bench/lib/browser';
import { serveDir, type ServedSite } from '../bench/lib/server';

let dir: string;
let site: ServedSite;

before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'kbview-browser-'));
  await mkdir(path.join(dir, 'kb', '244', 'Q244717'), { recursive: true });
  await writeFile(
    path.join(dir, 'kb', '244', 'Q244717', 'index.html'),
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Q244717</title>
<link rel="stylesheet" href="/kb-archive/site.css">
<link rel="stylesheet" href="https://fonts.example.com/font.css"></head>
<body><h1>Q244717: Windows NT</h1><p id="js">no script</p>
<script src="/kb-archive/app.js"></script></body></html>`,
  );
  await writeFile(path.join(dir, 'site.css'), 'h1 { color: rgb(0, 0, 128); font-family: sans-serif; }');
  await writeFile(path.join(dir, 'app.js'), 'document.getElementById("js").textContent = "script ran";');
  await writeFile(path.join(dir, '404.html'), '<!doctype html><title>Not found</title><h1>Not found</h1>');
  site = await serveDir(dir, { basePath: '/kb-archive' });
});

after(async () => {
  await site?.close();
  await rm(dir, { recursive: true, force: true });
});

test('chromium renders a served page, runs its script and stays on loopback', async () => {
  await withPage(async (page, info) => {
    const res = await page.goto(site.href('kb/244/Q244717'));
    assert.equal(res?.status(), 200);
    assert.equal(new URL(page.url()).pathname, '/kb-archive/kb/244/Q244717/', 'followed the trailing-slash redirect');
    assert.equal(await page.title(), 'Q244717');
    assert.equal(await page.textContent('#js'), 'script ran');
    const color = await page.$eval('h1', (el) => getComputedStyle(el).color);
    assert.equal(color, 'rgb(0, 0, 128)');

    const png = await page.screenshot({ fullPage: true });
    assert.deepEqual([...png.subarray(1, 4)], [0x50, 0x4e, 0x47], 'screenshot is a PNG');
    assert.ok(png.length > 1000, `screenshot has ${png.length} bytes`);

    assert.deepEqual(info.pageErrors, []);
    assert.deepEqual(info.blockedRequests, ['https://fonts.example.com/font.css']);
  });
});

test('a missing page shows the 404 page with status 404', async () => {
  await withPage(async (page, info) => {
    const res = await page.goto(site.href('kb/999/Q999999/'));
    assert.equal(res?.status(), 404);
    assert.equal(await page.textContent('h1'), 'Not found');
    assert.equal(info.failedResponses.length, 1);
  });
});
