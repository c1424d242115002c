/**
 * lib/build/host-files.ts: the host files `kb build` writes into out/
 * (.nojekyll, _headers, _redirects, nginx.conf), read back with small readers
 * that follow Netlify's and Cloudflare Pages' documented rules
 * (test/helpers/host-rules.ts): the answers a host would give for pages,
 * assets, sources and old KB paths, with and without a base path, and on a
 * built site. test/nginx.test.ts runs the nginx snippet for real.
 */
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { permalinkOfNumber } from '../lib/kb-number';
import { SITE_CSP, SITE_CSP_HEADER } from '../lib/build/csp';
import { loadConfig } from '../lib/config';
import {
  headersFile,
  IMMUTABLE,
  nginxSnippet,
  OLD_PATH_FORMS,
  pageNumbers,
  REDIRECT_RULES_LIMIT,
  redirectRules,
  redirectsFile,
  SOURCE_TYPE,
  writeHostFiles,
} from '../lib/build/host-files';
import { headersFor, parseHeaders, parseRedirects, redirectFor } from './helpers/host-rules';
import { builtSite } from './helpers/site';

test("the readers follow the hosts' rules: every matching _headers block applies, values of one header are joined; the first redirect wins", () => {
  const rules = parseHeaders('# c\n/*\n  X-A: 1\n/assets/*\n  X-A: 2\n  X-B: b\n/*.md\n  Content-Type: text/plain\n/p/:id/x\n  X-P: p\n');
  assert.deepEqual(
    [...headersFor(rules, '/assets/app.js')],
    [
      ['x-a', '1, 2'],
      ['x-b', 'b'],
    ],
  );
  assert.deepEqual(
    [...headersFor(rules, '/kb/244/Q244717/Q244717.md')],
    [
      ['x-a', '1'],
      ['content-type', 'text/plain'],
    ],
  );
  assert.equal(headersFor(rules, '/p/7/x').get('x-p'), 'p');
  assert.equal(headersFor(rules, '/p/7/8/x').get('x-p'), undefined, 'a placeholder is one segment');
  const redirects = parseRedirects('/a /b 301\n/a /c\n/d/ /e 301\n/f/* /g/:splat\n');
  assert.deepEqual(redirectFor(redirects, '/a'), { to: '/b', status: 301 });
  assert.deepEqual(redirectFor(redirects, '/f/x/y'), { to: '/g/x/y', status: 302 });
  assert.equal(redirectFor(redirects, '/d'), null, 'Cloudflare matches the path as it is');
  assert.deepEqual(redirectFor(redirects, '/d', 'netlify'), { to: '/e', status: 301 }, 'Netlify ignores the trailing slash');
  assert.throws(() => parseRedirects('/a\n'), /source destination/);
});

for (const basePath of ['', '/kb-archive']) {
  test(`_headers ${basePath || '(no base path)'}: CSP header on every page, nosniff, a year's cache for _next/static only, .md as text`, () => {
    const rules = parseHeaders(headersFile(basePath));
    const page = headersFor(rules, `${basePath}/kb/244/Q244717/`);
    assert.equal(page.get('content-security-policy'), SITE_CSP_HEADER);
    assert.match(SITE_CSP_HEADER, /frame-ancestors 'none'$/);
    assert.ok(SITE_CSP_HEADER.startsWith(SITE_CSP), "the header is the pages' <meta> policy plus frame-ancestors");
    assert.equal(page.get('x-content-type-options'), 'nosniff');
    assert.equal(page.get('referrer-policy'), 'strict-origin-when-cross-origin');
    assert.equal(page.get('cache-control'), undefined, "HTML keeps the host's default (revalidate)");
    const asset = headersFor(rules, `${basePath}/_next/static/chunks/0abc.js`);
    assert.equal(asset.get('cache-control'), IMMUTABLE, 'set once: two blocks would join their values');
    assert.equal(asset.get('x-content-type-options'), 'nosniff');
    const source = headersFor(rules, `${basePath}/kb/244/Q244717/Q244717.md`);
    assert.equal(source.get('content-type'), SOURCE_TYPE);
    assert.equal(source.get('x-content-type-options'), 'nosniff');
    assert.equal(headersFor(rules, `${basePath}/search/index.json`).get('cache-control'), undefined, 'the search index is not content-hashed');
    for (const [name, values] of [...page, ...asset, ...source]) assert.ok(!values.includes(', public'), `${name} set twice: ${values}`);
  });

  test(`_redirects ${basePath || '(no base path)'}: every old form of a number goes to its page (301), other paths are left alone`, () => {
    const numbers = [7, 1234, 50552, 244717];
    const text = redirectsFile(redirectRules(numbers, basePath, 'auto'), numbers.length, 'auto');
    const rules = parseRedirects(text);
    assert.equal(rules.length, numbers.length * OLD_PATH_FORMS.length);
    for (const rule of rules) assert.ok(rule.from.length + rule.to.length + 5 <= 1000, 'Cloudflare: 1,000 characters a rule');
    for (const n of numbers) {
      const to = basePath + permalinkOfNumber(n);
      for (const from of [`/kb/${n}`, `/kb/${n}/`, `/Q${n}`, `/kb/Q${n}/`]) {
        assert.deepEqual(redirectFor(rules, basePath + from), { to, status: 301 }, from);
        assert.deepEqual(redirectFor(rules, basePath + from, 'netlify'), { to, status: 301 }, from);
      }
    }
    assert.equal(redirectFor(rules, `${basePath}/kb/244/Q244717/`), null, 'the page itself is not redirected');
    assert.equal(redirectFor(rules, `${basePath}/kb/244718`), null, 'a number without a page');
    assert.equal(redirectFor(rules, `${basePath}/kb/Q244717x`), null);
    if (basePath) assert.equal(redirectFor(rules, '/kb/244717'), null, 'outside the base path');
  });
}

test('_redirects stays within what every host reads unless told otherwise', () => {
  const many = Array.from({ length: REDIRECT_RULES_LIMIT / OLD_PATH_FORMS.length + 1 }, (_, i) => i + 1);
  assert.deepEqual(redirectRules(many, '', 'auto'), [], 'auto: over the limit, no rules');
  assert.match(redirectsFile([], many.length, 'auto'), /KB_REDIRECTS=all/);
  assert.equal(redirectRules(many.slice(1), '', 'auto').length, REDIRECT_RULES_LIMIT, 'auto: up to the limit');
  assert.equal(redirectRules(many, '', 'all').length, many.length * OLD_PATH_FORMS.length);
  assert.deepEqual(redirectRules([244717], '', 'none'), []);
  const redirectsModeFromEnv = (raw: string | undefined) => loadConfig({ KB_REDIRECTS: raw }).redirects;
  assert.equal(redirectsModeFromEnv(undefined), 'auto');
  assert.equal(redirectsModeFromEnv(' ALL '), 'all');
  assert.throws(() => redirectsModeFromEnv('some'), /KB_REDIRECTS/);
});

test('pageNumbers takes the numbers of pages at their canonical place only', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kbview-host-'));
  try {
    for (const page of ['kb/244/Q244717', 'kb/050/Q50552', 'kb/000/Q7', 'kb/244/Q0244717', 'kb/245/Q244717', 'kb/000/Q0', 'kb/abc/Q1', 'kb/001/Q1234/cited-by'])
      mkdirSync(path.join(dir, page), { recursive: true });
    assert.deepEqual(pageNumbers(dir), [7, 1234, 50552, 244717]);
    assert.deepEqual(pageNumbers(path.join(dir, 'none')), []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the nginx snippet honours the base path everywhere', () => {
  const conf = nginxSnippet('/kb-archive');
  for (const line of conf.split('\n')) {
    if (/^location /.test(line) && line !== 'location / { return 404; }' && !line.startsWith('location @')) assert.ok(line.includes('/kb-archive'), line);
    // Redirect targets and the 404 page are under the base path (the slash-adding rewrite keeps the whole path).
    if (/return 301|rewrite "|error_page/.test(line)) assert.ok(/ \/kb-archive\//.test(line), line);
  }
  assert.match(conf, /^error_page 404 \/kb-archive\/404\.html;$/m);
  assert.match(conf, /^location \/ \{ return 404; \}$/m, 'outside the base path: the 404 page');
  assert.equal(conf.match(/add_header Content-Security-Policy "([^"]*)" always;/)![1], SITE_CSP_HEADER);
  assert.ok(!nginxSnippet('').includes('kb-archive'));
});

let out: string;
before(async () => {
  out = await builtSite({});
});

test('kb build writes the host files into out/, for the pages it wrote', () => {
  assert.ok(existsSync(path.join(out, '.nojekyll')), '.nojekyll (GitHub Pages would run Jekyll and drop _next/)');
  assert.equal(readFileSync(path.join(out, '_headers'), 'utf8'), headersFile(''));
  assert.equal(readFileSync(path.join(out, 'nginx.conf'), 'utf8'), nginxSnippet(''));
  const rules = parseRedirects(readFileSync(path.join(out, '_redirects'), 'utf8'));
  const pages = readdirSync(path.join(out, 'kb')).flatMap((bucket) => readdirSync(path.join(out, 'kb', bucket)).map((id) => `/kb/${bucket}/${id}/`));
  assert.ok(pages.includes('/kb/244/Q244717/') && pages.includes('/kb/238/Q238171/'), 'an article and a not-in-archive page');
  assert.equal(rules.length, pages.length * OLD_PATH_FORMS.length);
  for (const page of pages) {
    assert.ok(existsSync(path.join(out, page, 'index.html')), page);
    const n = page.split('/')[3]!.slice(1);
    assert.deepEqual(redirectFor(rules, `/kb/${n}/`), { to: page, status: 301 });
  }
  // The same policy in every page's <meta> as in the header (less frame-ancestors, which a <meta> cannot carry).
  const html = readFileSync(path.join(out, 'kb', '244', 'Q244717', 'index.html'), 'utf8');
  assert.equal(/<meta http-equiv="Content-Security-Policy" content="([^"]*)"/.exec(html)?.[1], SITE_CSP);
  // Writing them again gives the same files (nothing depends on time or order).
  const again = mkdtempSync(path.join(os.tmpdir(), 'kbview-host-'));
  try {
    mkdirSync(path.join(again, 'kb', '244', 'Q244717'), { recursive: true });
    const result = writeHostFiles(again, { basePath: '', redirects: 'auto' });
    assert.deepEqual(result.files, ['.nojekyll', '_headers', '_redirects', 'nginx.conf']);
    assert.equal(result.redirectRules, OLD_PATH_FORMS.length);
  } finally {
    rmSync(again, { recursive: true, force: true });
  }
});
