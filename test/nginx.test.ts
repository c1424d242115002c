/**
 * The nginx snippet `kb build` writes (out/nginx.conf), served by Debian's
 * nginx over a built site (test/helpers/nginx.ts), checked over HTTP: pages
 * with the CSP and nosniff headers, gzip when asked, unknown paths → 404 with
 * our 404 page, old KB paths and the query-string form → the canonical page,
 * `_next/static/` cached for a year, any `.md` as text (sources are `.source.html` pages), `//host` paths
 * never leaving the host; the same under a base path; and Chromium loading
 * pages from nginx with the CSP header without a violation.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { SITE_CSP, SITE_CSP_HEADER } from '../lib/build/csp';
import { IMMUTABLE, nginxSnippet } from '../lib/build/host-files';
import { copySources, SOURCE_PAGE_PREFIX } from '../lib/content/sources';
import { withPage } from '../bench/lib/browser';
import { startNginx, type RunningNginx } from './helpers/nginx';
import { pagedContentDir } from './helpers/paged-content';
import { serveDir } from '../bench/lib/server';
import { builtSite } from './helpers/site';

interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** A GET sent as it is (no redirect followed, no decompression, the path byte for byte). */
function get(origin: string, rawPath: string, headers: Record<string, string> = {}): Promise<RawResponse> {
  const { hostname, port } = new URL(origin);
  return new Promise((resolve, reject) => {
    const req = request({ host: hostname, port, path: rawPath, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

let out: string;
const servers: RunningNginx[] = [];
let root: RunningNginx;
let based: RunningNginx;

before(async () => {
  out = await builtSite({});
  root = await startNginx(out);
  servers.push(root);
  // The same export under a base path, with the snippet kb build writes for it: links inside the pages do not matter to the HTTP checks.
  based = await startNginx(out, { basePath: '/kb-archive', snippet: nginxSnippet('/kb-archive') });
  servers.push(based);
});

after(async () => {
  for (const server of servers) await server.stop();
});

for (const basePath of ['', '/kb-archive']) {
  const site = () => (basePath ? based : root);
  const at = (p: string) => basePath + p;

  test(`nginx ${basePath || '/'}: pages 200 with the CSP and nosniff headers; gzip when asked`, async () => {
    for (const page of ['/', '/kb/244/Q244717/', '/kb/238/Q238171/', '/search/', '/products/']) {
      const res = await get(site().origin, at(page));
      assert.equal(res.status, 200, page);
      assert.equal(res.headers['content-type'], 'text/html; charset=utf-8', page);
      assert.equal(res.headers['content-security-policy'], SITE_CSP_HEADER, page);
      assert.equal(res.headers['x-content-type-options'], 'nosniff', page);
      assert.equal(res.headers['referrer-policy'], 'strict-origin-when-cross-origin', page);
      assert.equal(res.headers['cache-control'], 'public, max-age=0, must-revalidate', page);
      assert.equal(res.headers['content-encoding'], undefined, 'no gzip unless asked');
      const file = readFileSync(path.join(out, page, 'index.html'));
      assert.deepEqual(res.body, file, page);
      assert.ok(file.toString().includes(`content="${SITE_CSP}"`), "the <meta> policy is the header's");
    }
    const zipped = await get(site().origin, at('/kb/244/Q244717/'), { 'Accept-Encoding': 'gzip' });
    assert.equal(zipped.headers['content-encoding'], 'gzip');
    assert.equal(zipped.headers['vary'], 'Accept-Encoding');
    assert.deepEqual(gunzipSync(zipped.body), readFileSync(path.join(out, 'kb', '244', 'Q244717', 'index.html')));
    assert.ok(zipped.body.length < readFileSync(path.join(out, 'kb', '244', 'Q244717', 'index.html')).length / 2);
  });

  test(`nginx ${basePath || '/'}: unknown paths get our 404 page with status 404`, async () => {
    const page404 = readFileSync(path.join(out, '404.html'));
    for (const missing of ['/nope/', '/nope', '/kb/244/Q999999/', '/default.aspx', '/default.aspx?scid=kb;en-us;Qxyz', '/kb/Q0/', '/kb/1234567']) {
      const res = await get(site().origin, at(missing));
      assert.equal(res.status, 404, missing);
      assert.deepEqual(res.body, page404, missing);
      assert.equal(res.headers['content-security-policy'], SITE_CSP_HEADER, missing);
    }
  });

  test(`nginx ${basePath || '/'}: old KB paths and the query-string forms redirect (301) to the canonical page`, async () => {
    const cases: [string, string][] = [
      ['/kb/244717', '/kb/244/Q244717/'],
      ['/kb/244717/', '/kb/244/Q244717/'],
      ['/Q244717', '/kb/244/Q244717/'],
      ['/q244717/', '/kb/244/Q244717/'],
      ['/kb/Q244717/', '/kb/244/Q244717/'],
      ['/kb/Q0244717', '/kb/244/Q244717/'],
      ['/kb/238171', '/kb/238/Q238171/'],
      ['/kb/50552', '/kb/050/Q50552/'],
      ['/kb/1234', '/kb/001/Q1234/'],
      ['/Q7', '/kb/000/Q7/'],
      ['/default.aspx?scid=kb;en-us;Q244717', '/kb/244/Q244717/'],
      ['/default.aspx?scid=KB%3BEN-US%3Bq244717', '/kb/244/Q244717/'],
      ['/default.aspx?scid=kb;Q238171', '/kb/238/Q238171/'],
      ['/default.aspx?kbid=244717', '/kb/244/Q244717/'],
      ['/kb/244/Q244717', '/kb/244/Q244717/'],
      ['/search?q=ras', '/search/?q=ras'],
    ];
    for (const [from, to] of cases) {
      const res = await get(site().origin, at(from));
      assert.equal(res.status, 301, from);
      assert.equal(res.headers.location, at(to), from);
    }
    // The targets in the archive are pages.
    for (const to of ['/kb/244/Q244717/', '/kb/238/Q238171/']) assert.equal((await get(site().origin, at(to))).status, 200);
  });

  test(`nginx ${basePath || '/'}: //host-style paths never redirect to another host`, async () => {
    for (const raw of ['//search', '//evil.example/', '//kb/244717', `${at('')}//search`]) {
      const res = await get(site().origin, raw);
      const location = res.headers.location;
      if (location !== undefined) assert.equal(new URL(String(location), 'http://site.test/').host, 'site.test', `${raw} → ${location}`);
    }
    assert.equal((await get(site().origin, `/${at('/search')}`)).headers.location, at('/search/'));
  });

  test(`nginx ${basePath || '/'}: _next/static/ is cached for a year; sources are HTML pages`, async () => {
    const kbview = readdirSync(path.join(out, '_next', 'static', 'kbview'));
    const chunk = readdirSync(path.join(out, '_next', 'static', 'chunks')).find((f) => f.endsWith('.js'))!;
    for (const asset of [`/_next/static/kbview/${kbview[0]}`, `/_next/static/chunks/${chunk}`]) {
      const res = await get(site().origin, at(asset));
      assert.equal(res.status, 200, asset);
      assert.equal(res.headers['cache-control'], IMMUTABLE, asset);
      assert.equal(res.headers['x-content-type-options'], 'nosniff', asset);
      assert.match(String(res.headers['content-type']), /javascript/, asset);
    }
    const source = await get(site().origin, at('/kb/244/Q244717/Q244717.source.html'));
    assert.equal(source.status, 200);
    assert.match(String(source.headers['content-type']), /^text\/html/);
    assert.equal(source.headers['x-content-type-options'], 'nosniff');
    assert.deepEqual(source.body, readFileSync(path.join(out, 'kb', '244', 'Q244717', 'Q244717.source.html')));
    assert.ok(source.body.toString('utf8').startsWith(SOURCE_PAGE_PREFIX));
    assert.equal((await get(site().origin, at('/kb/244/Q244717/Q244717.md'))).status, 404, 'no raw .md is shipped');
  });
}

test('nginx with a base path: outside it, the 404 page; the bare prefix gets its slash', async () => {
  const outside = await get(based.origin, '/kb/244/Q244717/');
  assert.equal(outside.status, 404);
  assert.deepEqual(outside.body, readFileSync(path.join(out, '404.html')));
  const bare = await get(based.origin, '/kb-archive');
  assert.equal(bare.status, 301);
  assert.equal(bare.headers.location, '/kb-archive/');
});

test('Chromium loads pages served by nginx, with the CSP header, without a violation or an error', async () => {
  await withPage(async (page, info) => {
    await page.addInitScript(() => {
      const w = window as unknown as { __csp: string[] };
      w.__csp = [];
      document.addEventListener('securitypolicyviolation', (e) => w.__csp.push(`${e.violatedDirective} ${e.blockedURI}`));
    });
    for (const sitePath of ['/kb/244/Q244717/', '/search/?q=ras', '/', '/kb/244717']) {
      const response = await page.goto(root.origin + sitePath, { waitUntil: 'networkidle' });
      assert.equal(response?.headers()['content-security-policy'], SITE_CSP_HEADER, sitePath);
      const state = await page.evaluate(() => ({
        csp: (window as unknown as { __csp: string[] }).__csp,
        next: Boolean((window as unknown as { next?: unknown }).next),
        url: location.pathname,
      }));
      assert.deepEqual(state.csp, [], `${sitePath}: CSP violations`);
      assert.ok(state.next, `${sitePath}: the page hydrated (Next's runtime ran)`);
      if (sitePath === '/kb/244717') assert.equal(state.url, '/kb/244/Q244717/', 'the old path was redirected');
    }
    await page.goto(`${root.origin}/search/?q=ras`, { waitUntil: 'networkidle' });
    await page
      .getByText(/articles? for/)
      .first()
      .waitFor();
    assert.deepEqual(info.pageErrors.map(String), []);
    assert.deepEqual(info.consoleErrors, []);
  });
});

test('a .md file (none is shipped; the host rules stay) is never run as a script by nginx or by npm start (nosniff, text type), while a .js file is', async () => {
  // A source whose text is valid JavaScript, next to a page: 'self' would allow it as a script if it were served as one.
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kbview-md-'));
  const runs = async (origin: string) =>
    withPage(async (page) => {
      await page.goto(`${origin}/page/`, { waitUntil: 'load' });
      // A string, not a function: the test's compiler would add helpers the page does not have.
      return page.evaluate(`(async () => {
        const load = (src) => new Promise((resolve) => {
          const script = document.createElement('script');
          script.src = src;
          script.onload = () => resolve('load');
          script.onerror = () => resolve('error');
          document.body.append(script);
        });
        const md = await load('/kb/990/Q990001/Q990001.md');
        const js = await load('/control.js');
        return { md, ranMd: window.ranMd, js, ranJs: window.ranJs };
      })()`);
    });
  const nginxSite = await (async () => {
    mkdirSync(path.join(dir, 'page'));
    mkdirSync(path.join(dir, 'kb', '990', 'Q990001'), { recursive: true });
    writeFileSync(
      path.join(dir, 'page', 'index.html'),
      '<!DOCTYPE html><html><head><meta charset="utf-8"><title>t</title></head><body><p>page</p></body></html>',
    );
    writeFileSync(path.join(dir, '404.html'), 'missing');
    writeFileSync(path.join(dir, 'kb', '990', 'Q990001', 'Q990001.md'), 'window.ranMd = 1;\n');
    writeFileSync(path.join(dir, 'control.js'), 'window.ranJs = 1;\n');
    return startNginx(dir, { snippet: nginxSnippet('') });
  })();
  const node = await serveDir(dir);
  try {
    assert.deepEqual(await runs(nginxSite.origin), { md: 'error', ranMd: undefined, js: 'load', ranJs: 1 }, 'nginx');
    assert.deepEqual(await runs(node.origin), { md: 'error', ranMd: undefined, js: 'load', ranJs: 1 }, 'npm start');
  } finally {
    await node.close();
    await nginxSite.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a shipped source page never runs as a script even on a host with no nosniff that sends text/plain for everything, while a .js file and a raw .md do', async () => {
  // GitHub Pages / GitLab Pages send no headers of ours: Chromium runs a text/plain response as a script without nosniff.
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kbview-src-'));
  const content = path.join(dir, 'content');
  const site = path.join(dir, 'site');
  mkdirSync(content);
  mkdirSync(path.join(site, 'page'), { recursive: true });
  const hostile = 'window.ranSource = 1;\n';
  writeFileSync(path.join(content, 'Q990001.md'), hostile);
  copySources(content, [{ id: 'Q990001', title: 'hostile', permalink: '/kb/990/Q990001/', source: 'Q990001.md' }], site);
  // The built site's own source page too (the sample article), as a script: a SyntaxError, nothing runs.
  mkdirSync(path.join(site, 'kb', '244', 'Q244717'), { recursive: true });
  writeFileSync(path.join(site, 'kb', '244', 'Q244717', 'Q244717.source.html'), readFileSync(path.join(out, 'kb', '244', 'Q244717', 'Q244717.source.html')));
  writeFileSync(path.join(site, 'raw.md'), 'window.ranRaw = 1;\n');
  writeFileSync(path.join(site, 'control.js'), 'window.ranJs = 1;\n');
  writeFileSync(
    path.join(site, 'page', 'index.html'),
    '<!DOCTYPE html><html><head><meta charset="utf-8"><title>t</title></head><body><p>page</p></body></html>',
  );
  const server = createServer((req, res) => {
    const file = path.join(site, ...new URL(req.url ?? '/', 'http://x').pathname.split('/').filter((p) => p && p !== '..'));
    try {
      const body = readFileSync(existsSync(file) && statSync(file).isDirectory() ? path.join(file, 'index.html') : file);
      // The page itself as HTML; everything else as text/plain, and never nosniff.
      res.writeHead(200, { 'content-type': file.endsWith(`${path.sep}page`) ? 'text/html; charset=utf-8' : 'text/plain; charset=utf-8' });
      res.end(body);
    } catch {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('missing');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  try {
    const result = await withPage(async (page, info) => {
      const response = await page.goto(`http://127.0.0.1:${port}/page/`, { waitUntil: 'load' });
      assert.equal(response?.headers()['x-content-type-options'], undefined);
      const ran = await page.evaluate(`(async () => {
        const load = (src) => new Promise((resolve) => {
          const script = document.createElement('script');
          script.src = src;
          script.onload = () => resolve('load');
          script.onerror = () => resolve('error');
          document.body.append(script);
        });
        const source = await load('/kb/990/Q990001/Q990001.source.html');
        const sample = await load('/kb/244/Q244717/Q244717.source.html');
        const raw = await load('/raw.md');
        const js = await load('/control.js');
        return { source, ranSource: window.ranSource, sample, raw, ranRaw: window.ranRaw, js, ranJs: window.ranJs };
      })()`);
      return { ran, errors: info.pageErrors.map(String) };
    });
    // The raw text and the .js run: this host does let text/plain run as a script, so the test can fail.
    assert.deepEqual(result.ran, { source: 'load', ranSource: undefined, sample: 'load', raw: 'load', ranRaw: 1, js: 'load', ranJs: 1 });
    // Both source pages were fetched and parsed as scripts, and refused by the parser: a SyntaxError each.
    assert.equal(result.errors.filter((e) => /SyntaxError/.test(e)).length, 2, result.errors.join('\n'));
  } finally {
    await new Promise((resolve) => server.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  }
});

test('nginx under a base path, over a site built for it (its own out/nginx.conf): Chromium runs its pages without a CSP violation or a failed request', async () => {
  // The site test/basepath.test.ts builds (same options, one build).
  const dir = await builtSite({ contentDir: pagedContentDir(), basePath: '/kb-archive', siteUrl: 'https://example.org' });
  const server = await startNginx(dir, { basePath: '/kb-archive' });
  try {
    await withPage(async (page, info) => {
      await page.addInitScript(() => {
        const w = window as unknown as { __csp: string[] };
        w.__csp = [];
        document.addEventListener('securitypolicyviolation', (e) => w.__csp.push(`${e.violatedDirective} ${e.blockedURI}`));
      });
      await page.goto(`${server.origin}/kb-archive/`, { waitUntil: 'networkidle' });
      const article = await page.locator('a[href^="/kb-archive/kb/"]').first().getAttribute('href');
      assert.ok(article && /^\/kb-archive\/kb\/\d{3}\/Q\d+\/$/.test(article), String(article));
      const response = await page.goto(server.origin + article, { waitUntil: 'networkidle' });
      assert.equal(response?.headers()['content-security-policy'], SITE_CSP_HEADER);
      const state = await page.evaluate(() => ({
        csp: (window as unknown as { __csp: string[] }).__csp,
        next: Boolean((window as unknown as { next?: unknown }).next),
        loader: [...document.querySelectorAll('script[src*="/kbview/data-"]')].map((s) => s.getAttribute('src')),
      }));
      assert.deepEqual(state.csp, []);
      assert.ok(state.next, 'the page hydrated');
      assert.equal(state.loader.length, 1);
      assert.ok(state.loader[0]!.startsWith('/kb-archive/_next/static/kbview/data-'), state.loader[0]!);
      assert.deepEqual(info.failedResponses, []);
      assert.deepEqual(info.pageErrors.map(String), []);
      // Its old path, under the base path, redirects to it.
      const n = /Q(\d+)\/$/.exec(article)![1]!;
      const old = await get(server.origin, `/kb-archive/kb/${n}`);
      assert.equal(old.status, 301);
      assert.equal(old.headers.location, article);
    });
  } finally {
    await server.stop();
  }
});
