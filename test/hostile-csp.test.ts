/**
 * scripts/lib/csp.ts: the Content-Security-Policy `<meta>` that allows a page's
 * own inline scripts by hash and nothing else inline. Unit tests of
 * `addCspMeta` / `applyCspToDir`, then Chromium on a small page: its own
 * scripts run, injected ones (inline, handler, `javascript:` URL) do not.
 * (test/hostile-build.test.ts checks the policy on a whole built site.)
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { addCspMeta, applyCspToDir, cspFor, scriptHash } from '../scripts/lib/csp';
import { withPage } from './helpers/browser';
import { serveDir, type ServedSite } from './helpers/server';

const sha = (text: string) => `'sha256-${createHash('sha256').update(text).digest('base64')}'`;

const PAGE = `<!DOCTYPE html><html lang="en"><head><meta charSet="utf-8"/><title>t</title>` +
  `<script src="/app.js" async=""></script><script>window.ownInline = 1</script></head>` +
  `<body><p id="p">text</p><script>self.__next_f = [["data <\\/script> é"]]</script></body></html>`;

test('addCspMeta puts the policy right after the charset, before any script, with a hash per inline script', () => {
  const html = addCspMeta(PAGE);
  const meta = /<meta http-equiv="Content-Security-Policy" content="([^"]*)"\/>/.exec(html);
  assert.ok(meta);
  assert.ok(html.startsWith('<!DOCTYPE html><html lang="en"><head><meta charSet="utf-8"/><meta http-equiv="Content-Security-Policy"'));
  assert.ok(meta.index < html.indexOf('<script'));
  const policy = meta[1]!;
  assert.ok(policy.includes(sha('window.ownInline = 1')));
  assert.ok(policy.includes(sha('self.__next_f = [["data <\\/script> é"]]')), 'hashed as UTF-8');
  assert.equal(policy.match(/'sha256-/g)?.length, 2, 'external scripts are not hashed');
  for (const directive of ["default-src 'self'", "script-src 'self' 'sha256-", "style-src 'self' 'unsafe-inline'", "img-src 'self' data:", "object-src 'none'", "base-uri 'self'", "form-action 'self'", "frame-src 'none'"]) {
    assert.ok(policy.includes(directive), directive);
  }
  assert.doesNotMatch(policy, /script-src[^;]*unsafe/, 'no unsafe-inline or unsafe-eval for scripts');
});

test('addCspMeta is idempotent, follows changes, and leaves pages without <head> alone', () => {
  const once = addCspMeta(PAGE);
  assert.equal(addCspMeta(once), once);
  const changed = addCspMeta(once.replace('window.ownInline = 1', 'window.ownInline = 2'));
  assert.equal(changed.match(/Content-Security-Policy/g)?.length, 1);
  assert.ok(changed.includes(sha('window.ownInline = 2')) && !changed.includes(sha('window.ownInline = 1')));
  assert.equal(addCspMeta('<p>fragment</p>'), '<p>fragment</p>');
  // Without a charset first, the policy is the first child of <head>.
  assert.ok(addCspMeta('<html><head><title>x</title><script>1</script></head></html>').startsWith('<html><head><meta http-equiv="Content-Security-Policy"'));
  // The browser hashes the text after newline normalization.
  assert.equal(scriptHash('a\r\nb'), sha('a\nb'));
  assert.equal(cspFor(['x', 'x']).match(/'sha256-/g)?.length, 1, 'one hash per distinct script');
});

test('addCspMeta is fast enough for 60,000 pages', () => {
  const big = PAGE.replace('</body>', `${'<script>self.__next_f.push([1,"' + 'x'.repeat(5000) + '"])</script>'.repeat(10)}</body>`);
  const started = performance.now();
  for (let i = 0; i < 200; i++) addCspMeta(big);
  const ms = (performance.now() - started) / 200;
  assert.ok(ms < 5, `${ms.toFixed(2)} ms per ${big.length}-byte page`);
});

let dir: string;
let site: ServedSite;

before(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'kbview-csp-'));
  mkdirSync(path.join(dir, 'page'));
  writeFileSync(path.join(dir, 'app.js'), 'window.ownExternal = 1;');
  writeFileSync(
    path.join(dir, 'page', 'index.html'),
    PAGE.replace('</body>', '<img src="/missing.png" onerror="window.injected = 1"><a id="js" href="javascript:window.injected = 2">x</a></body>'),
  );
  writeFileSync(path.join(dir, 'sub.html'), '<p>no head</p>');
  const stats = applyCspToDir(dir);
  assert.equal(stats.pages, 2);
  assert.equal(stats.changed, 1);
  assert.equal(applyCspToDir(dir).changed, 0, 'a second pass changes nothing');
  assert.match(readFileSync(path.join(dir, 'page', 'index.html'), 'utf8'), /Content-Security-Policy/);
  site = await serveDir(dir);
});

after(async () => {
  await site?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('in Chromium the page runs its own scripts and blocks injected ones', async () => {
  await withPage(async (page, info) => {
    await page.addInitScript(() => {
      const w = window as unknown as { violations: string[] };
      w.violations = [];
      document.addEventListener('securitypolicyviolation', (e) => w.violations.push(e.violatedDirective));
    });
    await page.goto(site.href('page/'), { waitUntil: 'networkidle' });
    await page.click('#js');
    await page.evaluate(() => {
      const script = document.createElement('script');
      script.textContent = 'window.injected = 3';
      document.body.append(script);
    });
    await page.waitForTimeout(200);
    const state = await page.evaluate(() => {
      const w = window as unknown as Record<string, unknown>;
      return { ownInline: w['ownInline'], ownExternal: w['ownExternal'], data: Array.isArray(w['__next_f']), injected: w['injected'], violations: w['violations'] as string[] };
    });
    assert.deepEqual([state.ownInline, state.ownExternal, state.data], [1, 1, true], 'the page’s own scripts ran');
    assert.equal(state.injected, undefined, 'an injected script ran');
    assert.deepEqual([...new Set(state.violations)].sort(), ['script-src-attr', 'script-src-elem']);
    assert.deepEqual(info.pageErrors, []);
  });
});
