import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { mkdtemp, mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { brotliDecompressSync, gunzipSync, gzipSync } from 'node:zlib';
import { normalizeBasePath, parseCliArgs, parseRequestPath } from '../scripts/serve';
import { serveDir, type ServedSite } from '../bench/lib/server';

interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/**
 * A request whose path is sent byte for byte (fetch and curl would normalize
 * `/../` away before sending, which would not test the server at all).
 */
function rawGet(origin: string, rawPath: string, headers: Record<string, string> = {}, method = 'GET'): Promise<RawResponse> {
  const { hostname, port } = new URL(origin);
  return new Promise((resolve, reject) => {
    const req = request({ host: hostname, port, path: rawPath, method, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

const ARTICLE_HTML = `<!doctype html><title>Q244717</title><h1>Q244717</h1>${'<p>Windows NT text</p>'.repeat(200)}`;

let root: string;

async function makeSite(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'kbview-serve-'));
  const site = path.join(dir, 'out');
  await mkdir(path.join(site, 'kb', '244', 'Q244717'), { recursive: true });
  await mkdir(path.join(site, '_next', 'static', 'chunks'), { recursive: true });
  await mkdir(path.join(site, 'empty'), { recursive: true });
  await writeFile(path.join(site, 'index.html'), '<!doctype html><title>home</title><h1>KB home</h1>');
  await writeFile(path.join(site, '404.html'), '<!doctype html><title>404</title><h1>Article not found</h1>');
  await writeFile(path.join(site, 'about.html'), '<!doctype html><h1>About</h1>');
  await mkdir(path.join(site, 'guide'), { recursive: true });
  await writeFile(path.join(site, 'guide.html'), '<!doctype html><h1>Guide</h1>');
  await writeFile(path.join(site, 'guide', 'data.txt'), 'segment data');
  await writeFile(path.join(site, 'kb', '244', 'Q244717', 'index.html'), ARTICLE_HTML);
  await writeFile(path.join(site, 'kb', '244', 'Q244717', 'README.md'), '# Q244717\n');
  await writeFile(path.join(site, '_next', 'static', 'chunks', 'app.js'), 'console.log("hi");'.repeat(100));
  await writeFile(path.join(site, 'style.css'), 'body{color:red}');
  await writeFile(path.join(site, 'search.json'), JSON.stringify({ docs: Array(100).fill('Q244717') }));
  await writeFile(path.join(site, 'index.txt'), 'rsc payload');
  await writeFile(path.join(site, 'sitemap.xml'), '<urlset/>');
  await writeFile(path.join(site, 'logo.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
  await writeFile(path.join(site, 'logo.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47]));
  await writeFile(path.join(site, 'favicon.ico'), Buffer.alloc(300, 1));
  await writeFile(path.join(site, 'font.woff2'), Buffer.alloc(300, 2));
  await writeFile(path.join(site, 'blob.bin'), Buffer.alloc(10, 3));
  await writeFile(path.join(site, 'data.jsonl.gz'), gzipSync(Buffer.from('{"id":"Q244717"}\n'.repeat(100))));
  // Files outside the served directory that a traversal would reach.
  await writeFile(path.join(dir, 'secret.txt'), 'TOP SECRET');
  await symlink(path.join(dir, 'secret.txt'), path.join(site, 'escape.txt'));
  return dir;
}

before(async () => {
  root = await makeSite();
});

after(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('static server', () => {
  let site: ServedSite;
  before(async () => {
    site = await serveDir(path.join(root, 'out'));
  });
  after(async () => {
    await site.close();
  });

  test('listens on a loopback port and reports its URL', () => {
    assert.match(site.url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
    assert.ok(site.port > 0);
  });

  test('serves index.html for / and for directory paths with a slash', async () => {
    const home = await rawGet(site.origin, '/');
    assert.equal(home.status, 200);
    assert.equal(home.headers['content-type'], 'text/html; charset=utf-8');
    assert.match(home.body.toString(), /<h1>KB home<\/h1>/);

    const article = await rawGet(site.origin, '/kb/244/Q244717/');
    assert.equal(article.status, 200);
    assert.equal(article.body.toString(), ARTICLE_HTML);
    assert.equal(article.headers['content-length'], String(Buffer.byteLength(ARTICLE_HTML)));
  });

  test('redirects a directory path without a slash, keeping the query', async () => {
    const res = await rawGet(site.origin, '/kb/244/Q244717');
    assert.equal(res.status, 301);
    assert.equal(res.headers.location, '/kb/244/Q244717/');
    const withQuery = await rawGet(site.origin, '/kb/244/Q244717?q=nt');
    assert.equal(withQuery.headers.location, '/kb/244/Q244717/?q=nt');
  });

  test('never redirects to another host: //host-style paths stay on this one', async () => {
    // `//kb` is the folder kb/ reached through an empty first segment; as a Location, `//kb/` would mean the host `kb`.
    for (const raw of ['//kb', '///kb', '//kb/244//Q244717', '/kb//244/Q244717', '//kb?x=1']) {
      const res = await rawGet(site.origin, raw);
      assert.equal(res.status, 301, raw);
      const location = String(res.headers.location);
      assert.match(location, /^\/[^/\\]/, `${raw} → ${location}`);
      assert.equal(new URL(location, 'http://site.test/').host, 'site.test', `${raw} → ${location} leaves the host`);
    }
    assert.equal((await rawGet(site.origin, '//kb')).headers.location, '/kb/');
    assert.equal((await rawGet(site.origin, '//kb?x=1')).headers.location, '/kb/?x=1');
    assert.equal((await rawGet(site.origin, '//kb/244//Q244717')).headers.location, '/kb/244/Q244717/');
    // Encoded slashes and backslashes are refused, not redirected.
    for (const raw of ['/%2Fkb', '/%5Ckb', '/%2F%2Fkb'])
      assert.equal(String((await rawGet(site.origin, raw)).headers.location ?? '').startsWith('//'), false, raw);
  });

  test('hostile paths: //host and /\\host never redirect off the host, ..%2f never climbs out, HEAD sends no body', async () => {
    for (const raw of [
      '//evil.example',
      '//evil.example/',
      '///evil.example',
      '//kb/',
      '/\\evil.example',
      '/\\/evil.example',
      '/%5C%5Cevil.example',
      '/%2F%2Fevil.example',
    ]) {
      for (const method of ['GET', 'HEAD']) {
        const res = await rawGet(site.origin, raw, {}, method);
        const location = res.headers.location;
        if (location !== undefined) {
          assert.match(String(location), /^\/[^/\\]/, `${method} ${raw} → ${location}`);
          assert.equal(new URL(String(location), 'http://site.test/').host, 'site.test', `${method} ${raw} → ${location} leaves the host`);
        }
        assert.ok([301, 400, 404].includes(res.status) || (raw === '//kb/' && res.status === 200), `${method} ${raw} → ${res.status}`);
        if (method === 'HEAD') assert.equal(res.body.length, 0, `HEAD ${raw} has no body`);
      }
    }
    for (const raw of [
      '/..%2fsecret.txt',
      '/..%2f..%2fetc%2fpasswd',
      '/kb/..%2f..%2fsecret.txt',
      '/%2e%2e%2fsecret.txt',
      '/..%5c..%5csecret.txt',
      '/kb/%2E%2E/%2E%2E/secret.txt',
    ]) {
      for (const method of ['GET', 'HEAD']) {
        const res = await rawGet(site.origin, raw, {}, method);
        assert.equal(res.status, 400, `${method} ${raw} → ${res.status}`);
        assert.doesNotMatch(res.body.toString(), /TOP SECRET|root:/, raw);
      }
    }
    // HEAD: the headers of the GET (type, length, validators), no body; on a redirect and a 404 too.
    const get = await rawGet(site.origin, '/style.css');
    const head = await rawGet(site.origin, '/style.css', {}, 'HEAD');
    assert.equal(head.status, 200);
    assert.equal(head.body.length, 0);
    for (const name of ['content-type', 'content-length', 'etag', 'last-modified', 'cache-control']) assert.equal(head.headers[name], get.headers[name], name);
    const headRedirect = await rawGet(site.origin, '/kb', {}, 'HEAD');
    assert.equal(headRedirect.status, 301);
    assert.equal(headRedirect.headers.location, '/kb/');
    assert.equal(headRedirect.body.length, 0);
    const head404 = await rawGet(site.origin, '/nope/', { 'Accept-Encoding': 'gzip' }, 'HEAD');
    assert.equal(head404.status, 404);
    assert.equal(head404.body.length, 0);
  });

  test('ignores the query string when finding a file', async () => {
    const res = await rawGet(site.origin, '/index.txt?_rsc=abc123');
    assert.equal(res.status, 200);
    assert.equal(res.body.toString(), 'rsc payload');
  });

  test('serves 404.html with status 404 for missing paths', async () => {
    for (const p of ['/kb/999/Q999999/', '/nope', '/style.css/', '/empty/']) {
      const res = await rawGet(site.origin, p);
      assert.equal(res.status, 404, p);
      assert.equal(res.headers['content-type'], 'text/html; charset=utf-8', p);
      assert.match(res.body.toString(), /Article not found/, p);
    }
  });

  test('falls back to page.html for clean URLs', async () => {
    const res = await rawGet(site.origin, '/about');
    assert.equal(res.status, 200);
    assert.match(res.body.toString(), /About/);
    // A folder without index.html does not hide page.html beside it.
    const guide = await rawGet(site.origin, '/guide');
    assert.equal(guide.status, 200);
    assert.match(guide.body.toString(), /Guide/);
  });

  test('rejects path traversal, plain and percent-encoded', async () => {
    const attempts = [
      '/../../etc/passwd',
      '/kb/../../secret.txt',
      '/%2e%2e/%2e%2e/etc/passwd',
      '/%2E%2E/secret.txt',
      '/kb/%2e%2e%2f%2e%2e%2fsecret.txt',
      '/..%2fsecret.txt',
      '/..%5csecret.txt',
      '/index.html%00.png',
      '/%E0%A4%A',
    ];
    for (const p of attempts) {
      const res = await rawGet(site.origin, p);
      assert.equal(res.status, 400, `${p} -> ${res.status}`);
      assert.doesNotMatch(res.body.toString(), /root:|TOP SECRET/, p);
    }
  });

  test('does not follow symlinks out of the served directory', async () => {
    const res = await rawGet(site.origin, '/escape.txt');
    assert.equal(res.status, 404);
    assert.doesNotMatch(res.body.toString(), /TOP SECRET/);
  });

  test('sends the right content types', async () => {
    const expected: Record<string, string> = {
      '/style.css': 'text/css; charset=utf-8',
      '/_next/static/chunks/app.js': 'text/javascript; charset=utf-8',
      '/search.json': 'application/json; charset=utf-8',
      '/index.txt': 'text/plain; charset=utf-8',
      '/sitemap.xml': 'application/xml; charset=utf-8',
      '/logo.svg': 'image/svg+xml',
      '/logo.png': 'image/png',
      '/favicon.ico': 'image/x-icon',
      '/font.woff2': 'font/woff2',
      '/kb/244/Q244717/README.md': 'text/markdown; charset=utf-8',
      '/blob.bin': 'application/octet-stream',
    };
    for (const [p, type] of Object.entries(expected)) {
      const res = await rawGet(site.origin, p);
      assert.equal(res.status, 200, p);
      assert.equal(res.headers['content-type'], type, p);
      assert.equal(res.headers['x-content-type-options'], 'nosniff', p);
    }
  });

  test('compresses compressible responses when the client accepts gzip (or brotli, preferred when offered)', async () => {
    const plain = await rawGet(site.origin, '/kb/244/Q244717/');
    assert.equal(plain.headers['content-encoding'], undefined);

    const zipped = await rawGet(site.origin, '/kb/244/Q244717/', { 'Accept-Encoding': 'gzip, deflate' });
    assert.equal(zipped.status, 200);
    assert.equal(zipped.headers['content-encoding'], 'gzip');
    assert.match(String(zipped.headers.vary), /Accept-Encoding/i);
    // A compressed body is streamed (chunked): no Content-Length of the uncompressed file may go with it.
    if (zipped.headers['content-length'] !== undefined) assert.equal(Number(zipped.headers['content-length']), zipped.body.length);
    else assert.equal(zipped.headers['transfer-encoding'], 'chunked');
    assert.ok(zipped.body.length < Buffer.byteLength(ARTICLE_HTML) / 5, `gzip body ${zipped.body.length} bytes`);
    assert.equal(gunzipSync(zipped.body).toString(), ARTICLE_HTML);

    const brotli = await rawGet(site.origin, '/kb/244/Q244717/', { 'Accept-Encoding': 'gzip, deflate, br' });
    assert.equal(brotli.headers['content-encoding'], 'br');
    assert.equal(brotliDecompressSync(brotli.body).toString(), ARTICLE_HTML);

    for (const refused of ['gzip;q=0, identity', 'br', 'identity', '']) {
      const res = await rawGet(site.origin, '/kb/244/Q244717/', { 'Accept-Encoding': refused });
      const encoding = res.headers['content-encoding'];
      if (refused === 'br') assert.equal(encoding, 'br', refused);
      else assert.equal(encoding, undefined, refused);
      if (encoding === undefined) assert.equal(res.body.toString(), ARTICLE_HTML, refused);
    }
    // Small bodies are sent as they are.
    assert.equal((await rawGet(site.origin, '/style.css', { 'Accept-Encoding': 'gzip' })).headers['content-encoding'], undefined);

    // 404 pages are compressed too (when big enough); binary types never are.
    const png = await rawGet(site.origin, '/font.woff2', { 'Accept-Encoding': 'gzip' });
    assert.equal(png.headers['content-encoding'], undefined);
    assert.equal(png.body.length, 300);
  });

  test('a .gz file asked for by its name is a download: sent byte for byte, never labelled Content-Encoding', async () => {
    const file = gzipSync(Buffer.from('{"id":"Q244717"}\n'.repeat(100)));
    for (const accept of ['gzip, deflate, br', 'gzip', '']) {
      const res = await rawGet(site.origin, '/data.jsonl.gz', { 'Accept-Encoding': accept });
      assert.equal(res.status, 200, accept);
      assert.equal(res.headers['content-type'], 'application/gzip', accept);
      assert.equal(res.headers['content-encoding'], undefined, accept);
      assert.deepEqual(res.body, file, accept);
    }
  });

  test('answers HEAD without a body and refuses other methods', async () => {
    const head = await rawGet(site.origin, '/kb/244/Q244717/', {}, 'HEAD');
    assert.equal(head.status, 200);
    assert.equal(head.body.length, 0);
    assert.equal(head.headers['content-length'], String(Buffer.byteLength(ARTICLE_HTML)));
    const post = await rawGet(site.origin, '/', {}, 'POST');
    assert.equal(post.status, 405);
    assert.equal(post.headers.allow, 'GET, HEAD');
  });

  test('answers 304 to a matching If-None-Match and caches _next/static forever', async () => {
    const first = await rawGet(site.origin, '/style.css');
    const etag = first.headers.etag as string;
    assert.ok(etag);
    const again = await rawGet(site.origin, '/style.css', { 'If-None-Match': etag });
    assert.equal(again.status, 304);
    assert.equal(again.body.length, 0);
    const chunk = await rawGet(site.origin, '/_next/static/chunks/app.js');
    assert.match(String(chunk.headers['cache-control']), /immutable/);
    assert.doesNotMatch(String(first.headers['cache-control']), /immutable/);
  });
});

describe('static server with a base path', () => {
  let site: ServedSite;
  before(async () => {
    site = await serveDir(path.join(root, 'out'), { basePath: '/kb-archive/' });
  });
  after(async () => {
    await site.close();
  });

  test('serves the site under the prefix only', async () => {
    assert.match(site.url, /^http:\/\/127\.0\.0\.1:\d+\/kb-archive\/$/);
    const home = await rawGet(site.origin, '/kb-archive/');
    assert.equal(home.status, 200);
    assert.match(home.body.toString(), /KB home/);
    const article = await rawGet(site.origin, '/kb-archive/kb/244/Q244717/');
    assert.equal(article.status, 200);
    assert.equal(article.body.toString(), ARTICLE_HTML);
    assert.equal((await fetch(site.href('kb/244/Q244717/'))).status, 200);

    const outside = await rawGet(site.origin, '/kb/244/Q244717/');
    assert.equal(outside.status, 404);
    const lookalike = await rawGet(site.origin, '/kb-archiveX/index.html');
    assert.equal(lookalike.status, 404);
  });

  test('redirects the bare prefix and directories under it', async () => {
    const bare = await rawGet(site.origin, '/kb-archive');
    assert.equal(bare.status, 301);
    assert.equal(bare.headers.location, '/kb-archive/');
    const dir = await rawGet(site.origin, '/kb-archive/kb/244/Q244717');
    assert.equal(dir.status, 301);
    assert.equal(dir.headers.location, '/kb-archive/kb/244/Q244717/');
    const doubled = await rawGet(site.origin, '/kb-archive//kb/244/Q244717');
    assert.equal(doubled.status, 301);
    assert.equal(doubled.headers.location, '/kb-archive/kb/244/Q244717/');
  });

  test('rejects traversal under the prefix', async () => {
    const res = await rawGet(site.origin, '/kb-archive/../../etc/passwd');
    assert.equal(res.status, 400);
  });
});

describe('server helpers', () => {
  test('normalizeBasePath', () => {
    assert.equal(normalizeBasePath(''), '');
    assert.equal(normalizeBasePath(undefined), '');
    assert.equal(normalizeBasePath('/'), '');
    assert.equal(normalizeBasePath('kb-archive'), '/kb-archive');
    assert.equal(normalizeBasePath('/a/b/'), '/a/b');
    assert.throws(() => normalizeBasePath('/a/../b'));
  });

  test('parseRequestPath decodes and refuses dot segments', () => {
    assert.deepEqual(parseRequestPath('/kb/244/Q244717/?x=1'), {
      pathname: '/kb/244/Q244717/',
      segments: ['kb', '244', 'Q244717', ''],
      search: '?x=1',
    });
    assert.equal(parseRequestPath('/a%20b').pathname, '/a b');
    assert.throws(() => parseRequestPath('/a/%2e%2e/b'));
    assert.throws(() => parseRequestPath('/a/./b'));
    assert.throws(() => parseRequestPath('http://evil/'));
  });

  test('parseCliArgs', () => {
    const saved = process.env.PORT;
    delete process.env.PORT;
    try {
      assert.deepEqual(parseCliArgs([]), { dir: 'out', port: 3000, host: '127.0.0.1', gzip: true, log: false });
      const o = parseCliArgs(['site', '--port', '0', '--host=::1', '--base-path', '/kb-archive', '--no-gzip']);
      assert.equal(o.dir, 'site');
      assert.equal(o.port, 0);
      assert.equal(o.host, '::1');
      assert.equal(o.basePath, '/kb-archive');
      assert.equal(o.gzip, false);
      assert.throws(() => parseCliArgs(['--port', 'x']), /option --port needs a whole number from 0 to 65535; got "x"/);
      assert.throws(() => parseCliArgs(['--bogus']), /unknown option --bogus/);
      assert.throws(() => parseCliArgs(['a', 'b']), /too many arguments/);
      assert.equal(parseCliArgs(['--port=8080', '-p', '9090']).port, 9090);
    } finally {
      if (saved !== undefined) process.env.PORT = saved;
    }
  });
});
