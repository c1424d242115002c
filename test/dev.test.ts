/**
 * `npm run dev` (scripts/dev.ts → next dev) serves article pages before the
 * archive has loaded: it says `kbview: ready` once the article route is
 * compiled, then serves articles found by name alone, in both layouts
 * (`Q990001.md` anywhere, `kb/990/Q990950/README.md`), at their permalinks.
 * Without listing them to Next (next.config.js: no `output: 'export'` in
 * development), yet only the pages the export has: anything else is a 404.
 * Once it has loaded the archive, it keeps the numbers whose page needs it: the next dev server
 * answers 404 for any other number at once, before its own load (lib/content/dev-paths.ts).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../bench/lib/server';
import { devNeedsArchiveFile } from '../lib/content/dev-paths';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
let child: ChildProcess;
let origin: string;
let content: string;
let cacheDir: string;
let env: NodeJS.ProcessEnv;
let log = '';

before(async () => {
  content = mkdtempSync(path.join(tmpdir(), 'kbview-dev-'));
  cacheDir = mkdtempSync(path.join(tmpdir(), 'kbview-dev-cache-'));
  cpSync(path.join(REPO_ROOT, 'content'), path.join(content, 'sub', 'dir'), { recursive: true });
  mkdirSync(path.join(content, 'kb', '990', 'Q990950'), { recursive: true });
  const seed = readFileSync(path.join(REPO_ROOT, 'content', 'Q990002.md'), 'utf8');
  writeFileSync(path.join(content, 'kb', '990', 'Q990950', 'README.md'), seed.replaceAll('Q990002', 'Q990950'));
  // Its own build folder: .next/ may be in use (a build, another dev server) and is type-checked;
  // its own cache folder; no search index: it would replace the project's public/search/ with this content's.
  env = {
    ...process.env,
    KB_CONTENT_DIR: content,
    KB_CACHE_DIR: cacheDir,
    KB_NEXT_DIST_DIR: '.cache/test-dev-next',
    KB_SKIP_SEARCH: '1',
    NEXT_TELEMETRY_DISABLED: '1',
  };
  delete env['KB_BASE_PATH'];
  delete env['NODE_OPTIONS'];
  await startDev();
});

/** Starts `npm run dev` on the test's archive and waits until it says it is ready. */
async function startDev(): Promise<void> {
  log = '';
  const port = await freePort();
  origin = `http://localhost:${port}`;
  child = spawn(
    process.execPath,
    // What `npm run dev` runs (package.json).
    ['--import', 'tsx', 'scripts/dev.ts', '--port', String(port), '--hostname', 'localhost'],
    { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true },
  );
  child.stdout!.on('data', (c: Buffer) => (log += c));
  child.stderr!.on('data', (c: Buffer) => (log += c));
  const started = Date.now();
  while (!/kbview: (ready|could not warm)/.test(log)) {
    if (Date.now() - started > 180_000 || child.exitCode !== null) throw new Error(`npm run dev did not get ready:\n${log}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function stopDev(): Promise<void> {
  const exited = new Promise((resolve) => child.once('exit', resolve));
  try {
    process.kill(-child.pid!, 'SIGKILL');
  } catch {
    return; // Already gone.
  }
  await exited;
}

/** Waits until `check` holds (the dev server works in the background). */
async function until(check: () => boolean, what: string): Promise<void> {
  while (!check()) {
    if (child.exitCode !== null) throw new Error(`the dev server exited while waiting for ${what}:\n${log}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

after(async () => {
  await stopDev();
  rmSync(content, { recursive: true, force: true });
  rmSync(cacheDir, { recursive: true, force: true });
});

test('npm run dev says it is ready once the article route is compiled', () => {
  assert.match(log, /kbview: ready in [\d.]+ s \(article route compiled\): http:\/\/localhost:\d+\//);
});

test('articles in either layout are served at their permalinks, with their text', async () => {
  for (const [permalink, title] of [
    ['/kb/244/Q244717/', 'RAS Port Becomes Unavailable'],
    ['/kb/990/Q990001/', 'Add an Article to a kbview Archive'],
    ['/kb/990/Q990950/', 'Q990950'],
    // The query of a permalink never names the article (next.config.js rewrites permalinks with their own parameters).
    ['/kb/244/Q244717/?bucket=990&id=Q990001', 'RAS Port Becomes Unavailable'],
  ] as const) {
    const response = await fetch(`${origin}${permalink}`);
    const html = await response.text();
    assert.equal(response.status, 200, `${permalink}: ${html.slice(0, 300)}`);
    assert.ok(html.includes(title), `${permalink} shows ${title}`);
    assert.match(html, /class="kb-body"/);
  }
});

test("the article route has exactly the export's pages: a missing article cited by one is served, anything else is a 404", async () => {
  const missing = await fetch(`${origin}/kb/990/Q990999/`);
  const missingHtml = await missing.text();
  assert.equal(missing.status, 200, missingHtml.slice(0, 300));
  assert.match(missingHtml, /<title>[^<]*Q990999/);
  assert.doesNotMatch(missingHtml, /class="kb-body"/);
  for (const permalink of [
    '/kb/990/Q990990/', // neither in the archive nor cited
    '/kb/244/Q990001/', // an article, in another bucket
    '/kb/991/Q990999/', // a missing article, in another bucket
    '/kb/990/Q990001x/',
    '/kb/990/990001/',
    '/kb-dev/', // where next.config.js rewrites article permalinks in development: nothing without their parameters
    '/kb-dev/?bucket=990',
  ]) {
    const response = await fetch(`${origin}${permalink}`);
    const html = await response.text();
    assert.equal(response.status, 404, `${permalink}: ${html.slice(0, 300)}`);
    assert.match(html, /<title>Page not found/, permalink);
  }
  // Next did not list the route's pages: its request log shows no params run for an article.
  assert.doesNotMatch(log, /GET \/kb\/\d+\/Q\d+\/ \d+ in [^\n]*generate-params/);
});

test('listings, cited-by lists, file pages and sitemaps are served without Next listing their pages; other paths are 404s', async () => {
  const get = async (permalink: string) => {
    const response = await fetch(`${origin}${permalink}`);
    return { status: response.status, text: await response.text() };
  };
  const products = await get('/products/');
  assert.equal(products.status, 200, products.text.slice(0, 300));
  const listing = /href="(\/products\/[a-z0-9-]+\/)"/.exec(products.text)?.[1];
  assert.ok(listing, 'the products index links to a listing');
  // No article of this archive is cited more than its page lists: the export has the first article's list only.
  const pages = ['/numbers/', '/numbers/990000-990999/', '/years/', '/keywords/', '/files/', '/sitemap.xml', listing, '/kb/244/Q244717/cited-by/'];
  const sitemap = await get('/sitemap.xml');
  const sitemapFile = /\/sitemaps\/[a-z0-9-]+\.xml/.exec(sitemap.text)?.[0];
  assert.ok(sitemapFile, sitemap.text.slice(0, 300));
  pages.push(sitemapFile);
  for (const permalink of pages) {
    const page = await get(permalink);
    assert.equal(page.status, 200, `${permalink}: ${page.text.slice(0, 300)}`);
  }
  for (const permalink of [
    '/products/no-such-product/',
    `${listing}page/2/`,
    `${listing}page/1/`,
    '/years/1899/',
    '/numbers/1-2/',
    '/files/no-such-file/',
    '/sitemaps/no-such.xml',
    '/kb/990/Q990001/cited-by/',
    '/kb/990/Q990999/cited-by/',
    '/kb/990/Q244717/cited-by/',
  ]) {
    assert.equal((await get(permalink)).status, 404, permalink);
  }
  assert.doesNotMatch(log, /GET \/(products|numbers|years|keywords|files|sitemaps|kb\/\d+\/Q\d+\/cited-by)\/[^\n]*generate-params/);
});

test('after its load, the numbers needing the archive are kept; the next dev server answers 404 for others before loading it', async () => {
  // The first server loads the archive a few seconds after its first page, then keeps the numbers.
  await until(() => /kbview: archive loaded in [\d.]+ s: \d+ articles/.test(log), 'the archive to load');
  const kept = devNeedsArchiveFile(content, cacheDir);
  await until(() => existsSync(kept), kept);
  const numbers = (JSON.parse(readFileSync(kept, 'utf8')) as { numbers: number[] }).numbers;
  assert.ok(numbers.includes(990999), 'the cited missing Q990999');
  assert.ok(!numbers.includes(990001) && !numbers.includes(990950), 'not the articles found by name');
  await stopDev();
  // The second one's load is held: `npm run dev` holds it while it builds the search index (a live process id in this file).
  const busy = path.join(cacheDir, 'dev-search-building');
  writeFileSync(busy, String(process.pid));
  try {
    await startDev();
    for (const permalink of ['/kb/990/Q990990/', '/kb/123/Q123456/']) {
      const response = await fetch(`${origin}${permalink}`);
      const html = await response.text();
      assert.equal(response.status, 404, `${permalink}: ${html.slice(0, 300)}`);
      assert.match(html, /<title>Page not found/, permalink);
    }
    const article = await fetch(`${origin}/kb/990/Q990001/`);
    assert.equal(article.status, 200);
    assert.doesNotMatch(log, /kbview: archive loaded/, 'answered while the archive was held');
  } finally {
    rmSync(busy, { force: true });
  }
  // A cited missing number waits for the archive, then has its page.
  const missing = await fetch(`${origin}/kb/990/Q990999/`);
  assert.equal(missing.status, 200, (await missing.text()).slice(0, 300));
  assert.match(log, /kbview: archive loaded/);
});
