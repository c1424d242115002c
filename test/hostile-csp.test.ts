/**
 * lib/build/csp.ts: one Content-Security-Policy for the whole site, allowing
 * kbview's own inline scripts by hash (known in advance, never taken from the
 * page) and the site's script files; Next's inline data becomes JSON blocks run
 * by the data loader. Unit tests of `applyPagePolicy` / `applyCspToDir` and of
 * the loader, then Chromium on a small page: its own scripts and data run,
 * injected ones (inline, handler, `javascript:` URL, found at build) do not.
 * (test/hostile-build.test.ts checks the policy on a whole built site.)
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  applyCspToDir,
  applyPagePolicy,
  cspFor,
  DATA_LOADER,
  KNOWN_INLINE_SCRIPTS,
  POLICED,
  policedTemplate,
  scriptHash,
  SITE_CSP,
  SITE_CSP_HEADER,
} from '../lib/build/csp';
import { compileTemplate, escapeHtml, fillTemplate, htmlSafeJson } from '../lib/article-template';
import { THEME_SCRIPT } from '../lib/theme';
import { inlineSearchBootScript } from '../lib/search/boot-bundle';
import { replaceManifestCopy } from '../lib/search/boot-hold';
import { withPage } from '../bench/lib/browser';
import { serveDir, type ServedSite } from '../bench/lib/server';

const sha = (text: string) => `'sha256-${createHash('sha256').update(text).digest('base64')}'`;

/** A page as Next exports it: an external script, our theme script, its data as inline scripts (Turbopack bootstrap, RSC payload). */
const PAGE =
  `<!DOCTYPE html><html lang="en"><head><meta charSet="utf-8"/><title>t</title>` +
  `<script src="/app.js" async=""></script><script>${THEME_SCRIPT}</script></head>` +
  `<body><p id="p">text</p><script id="_R_">(globalThis["TURBOPACK"] || (globalThis["TURBOPACK"] = [])).push({"otherChunks":[],"runtimeModuleIds":[1]});</script>` +
  `<script>(self.__next_f=self.__next_f||[]).push([0])</script><script>self.__next_f.push([1,"data \\u003c/script> é"])</script><script>self.__next_f.push([1,"second"])</script></body></html>`;

test("the policy lists the hashes of kbview's own inline scripts only, the same for every page", () => {
  // The theme's pre-paint script and the search page's early script (the same text for every base path).
  assert.deepEqual(KNOWN_INLINE_SCRIPTS, [THEME_SCRIPT, inlineSearchBootScript()]);
  assert.equal(SITE_CSP, cspFor([THEME_SCRIPT, inlineSearchBootScript()]));
  assert.equal(SITE_CSP.match(/'sha256-/g)?.length, 2);
  assert.ok(SITE_CSP.includes(sha(THEME_SCRIPT)));
  assert.ok(SITE_CSP.includes(sha(inlineSearchBootScript())));
  for (const directive of [
    "default-src 'self'",
    "script-src 'self' 'sha256-",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-src 'none'",
  ]) {
    assert.ok(SITE_CSP.includes(directive), directive);
  }
  assert.doesNotMatch(SITE_CSP, /unsafe-eval|unsafe-hashes|script-src[^;]*unsafe-inline/, 'no unsafe-inline, unsafe-eval or unsafe-hashes for scripts');
  assert.equal(SITE_CSP_HEADER, `${SITE_CSP}; frame-ancestors 'none'`);
  // The browser hashes the text after newline normalization.
  assert.equal(scriptHash('a\r\nb'), sha('a\nb'));
  assert.equal(cspFor(['x', 'x']).match(/'sha256-/g)?.length, 1, 'one hash per distinct script');
});

test("applyPagePolicy turns Next's inline data into JSON blocks read by the data loader, and puts the policy first in <head>", () => {
  const { html, unknownScripts } = applyPagePolicy(PAGE, '/base');
  assert.deepEqual(unknownScripts, []);
  assert.ok(html.startsWith(`<!DOCTYPE html><html lang="en"><head><meta charSet="utf-8"/><meta http-equiv="Content-Security-Policy" content="${SITE_CSP}"/>`));
  const inline = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)].filter((m) => !/\ssrc=/.test(m[1]!) && !/type="application\/json"/.test(m[1]!));
  assert.deepEqual(
    inline.map((m) => m[2]),
    [THEME_SCRIPT],
    "the only inline script left is kbview's own",
  );
  const blocks = [...html.matchAll(/<script type="application\/json" data-kb="(\w)"([^>]*)>([^<]*)<\/script>/g)].map((m) => [m[1], m[2], JSON.parse(m[3]!)]);
  assert.deepEqual(blocks, [
    ['t', ' id="_R_"', { otherChunks: [], runtimeModuleIds: [1] }],
    ['f', '', [0]],
    ['f', '', [1, 'data </script> é']],
    ['f', '', [1, 'second']],
  ]);
  assert.ok(
    html.endsWith(`[1,"second"]</script><script src="/base/_next/static/kbview/${DATA_LOADER.name}"></script></body></html>`),
    'the loader comes right after the last block',
  );
  assert.ok(!html.includes('</script> é'), 'a block never holds a raw </script>');
  // Idempotent: a second pass changes nothing (one policy, one loader).
  assert.equal(applyPagePolicy(html, '/base').html, html);
  assert.equal(applyPagePolicy('<p>fragment</p>').html, '<p>fragment</p>');
});

test("the search page's manifest copy is replaced whole, and a hostile value cannot end its block", () => {
  const page = (json: string) =>
    `<html><head><script type="application/json" data-search-manifest="">${json}</script><script>x</script></head><body></body></html>`;
  const before = page('{"version":"old"}');
  const hostile = { version: 'new', note: '</script><script>alert(1)</script><!--' };
  const after = replaceManifestCopy(before, hostile);
  // One copy, still a JSON block that parses back to the value; nothing else in the page changed.
  const start = after.indexOf('data-search-manifest="">') + 'data-search-manifest="">'.length;
  const end = after.indexOf('</script>', start);
  assert.deepEqual(JSON.parse(after.slice(start, end)), hostile);
  assert.equal(after.slice(end), before.slice(before.indexOf('</script>')));
  assert.equal(after.match(/<script/g)?.length, 2);
  // Replacing it again with the same value changes nothing; a page without a copy is left alone.
  assert.equal(replaceManifestCopy(after, hostile), after);
  assert.equal(replaceManifestCopy('<html><head></head></html>', hostile), '<html><head></head></html>');
});

test('an inline script kbview did not write is reported, not allowed', () => {
  const { html, unknownScripts } = applyPagePolicy(PAGE.replace('</body>', '<script>alert(1)</script><script>self.__next_f.push(alert(2))</script></body>'));
  assert.deepEqual(unknownScripts, ['alert(1)', 'self.__next_f.push(alert(2))']);
  assert.ok(!SITE_CSP.includes(sha('alert(1)')));
  assert.ok(html.includes('<script>alert(1)</script>'), 'left as it is: the policy blocks it');
});

test('the data loader runs each block once, in document order, and leaves unknown kinds alone', () => {
  const calls: unknown[] = [];
  const blocks = [
    ['t', '{"a":1}'],
    ['f', '[0]'],
    ['x', '"ignored"'],
    ['constructor', '1'],
    ['f', '[1,"x"]'],
  ].map(([kind, text]) => ({ getAttribute: () => kind, textContent: text }) as Record<string, unknown>);
  const self: Record<string, unknown> = {};
  const globalThis: Record<string, unknown> = {};
  const document = { querySelectorAll: () => blocks };
  new Function('self', 'globalThis', 'document', DATA_LOADER.source)(self, globalThis, document);
  calls.push(self['__next_f'], globalThis['TURBOPACK']);
  assert.deepEqual(calls, [[[0], [1, 'x']], [{ a: 1 }]]);
  new Function('self', 'globalThis', 'document', DATA_LOADER.source)(self, globalThis, document);
  assert.deepEqual(self['__next_f'], [[0], [1, 'x']], 'a block runs once');
});

test('applyPagePolicy is fast enough for 60,000 pages', () => {
  const big = PAGE.replace('</body>', `${'<script>self.__next_f.push([1,"' + 'x'.repeat(5000) + '"])</script>'.repeat(10)}</body>`);
  let ops = 0;
  for (let i = 0; i < 50; i++) ops += applyPagePolicy(big).html.length > 0 ? 1 : 0;
  assert.equal(ops, 50);
});

let dir: string;
let site: ServedSite;

before(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'kbview-csp-'));
  mkdirSync(path.join(dir, 'page'));
  writeFileSync(path.join(dir, 'app.js'), 'window.ownExternal = 1;');
  writeFileSync(
    path.join(dir, 'page', 'index.html'),
    PAGE.replace('<p id="p">', '<script>window.injectedAtBuild = 1</script><p id="p">').replace(
      '</body>',
      '<img src="/missing.png" onerror="window.injected = 1"><a id="js" href="javascript:window.injected = 2">x</a></body>',
    ),
  );
  writeFileSync(path.join(dir, 'sub.html'), '<p>no head</p>');
  const stats = applyCspToDir(dir, '');
  assert.equal(stats.pages, 2);
  assert.equal(stats.changed, 1);
  assert.deepEqual(stats.unknownScripts, [`page${path.sep}index.html: window.injectedAtBuild = 1`]);
  assert.equal(applyCspToDir(dir, '').changed, 0, 'a second pass changes nothing');
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
      return {
        ownExternal: w['ownExternal'],
        data: w['__next_f'],
        turbopack: w['TURBOPACK'],
        injected: w['injected'],
        atBuild: w['injectedAtBuild'],
        violations: w['violations'] as string[],
      };
    });
    assert.equal(state.ownExternal, 1, 'the site’s own script file ran');
    // The CSP pass joins adjacent payload rows (lib/build/static-keys.ts, for reproducible builds): Next reads
    // the rows as one stream, so what counts is their text in order.
    const rows = state.data as [number, string?][];
    assert.deepEqual(rows[0], [0], 'the bootstrap row first');
    assert.ok(
      rows.slice(1).every((row) => row[0] === 1 && typeof row[1] === 'string'),
      'then text rows',
    );
    assert.equal(
      rows
        .slice(1)
        .map((row) => row[1])
        .join(''),
      'data </script> ésecond',
      'the data loader pushed the blocks in order',
    );
    assert.deepEqual(state.turbopack, [{ otherChunks: [], runtimeModuleIds: [1] }]);
    assert.equal(state.injected, undefined, 'an injected script ran');
    assert.equal(state.atBuild, undefined, 'an inline script found in the page at build time ran');
    assert.deepEqual([...new Set(state.violations)].sort(), ['script-src-attr', 'script-src-elem']);
    assert.deepEqual(info.pageErrors, []);
  });
});

test('a template policed once gives each page the policy applying it to the page would (hostile fields and slots)', () => {
  // PAGE as a template: fields in <head> and the body, islands, the RSC payload holding the fields.
  const payload = `0:{"t":"kbtpltitle0","c":["","kb","kbtplbucket0","kbtplarticle0",""]}\n`;
  const template = PAGE.replace('<title>t</title>', '<title>kbtpltitle0 · kbview</title><meta name="description" content="kbtpldescription0"/>')
    .replace('<p id="p">text</p>', '<h1>kbtplheading0</h1><p>kbtplsource0</p><main data-id="kbtplarticle0">kbtplrest0</main>')
    .replace(
      '<script>self.__next_f.push([1,"data \\u003c/script> é"])</script><script>self.__next_f.push([1,"second"])</script>',
      `<script>self.__next_f.push(${htmlSafeJson([1, payload])})</script>`,
    );
  const compiled = compileTemplate('article', template);
  const policed = policedTemplate(compiled, '/base');
  assert.ok(policed, 'the template is policed');
  assert.equal(policed.transformed, POLICED);
  const hostile = [
    'plain',
    '</script><script>alert(1)</script>',
    '<meta http-equiv="Content-Security-Policy" content="x">',
    'kbxpart0x kbxpart99x',
    '"quotes" & \u2028',
    '$$',
  ];
  for (const value of hostile) {
    // Slots are React's HTML: text escaped.
    const slot = `<p title="${escapeHtml(value)}">${escapeHtml(value)}</p>`;
    const values = { fields: { bucket: '244', id: 'Q244717', title: value, description: value }, slots: { heading: slot, source: '', rest: slot } };
    const page = fillTemplate(policed, values, '/base');
    assert.equal(page, applyPagePolicy(fillTemplate(compiled, values, '/base'), '/base').html, JSON.stringify(value));
    assert.equal(page.match(/<meta http-equiv="Content-Security-Policy"/g)?.length, 1, 'one policy');
  }
  // A template script the policy blocks: no policed template (each page is refused as policedPage refuses it).
  const blocked = compileTemplate('article', template.replace('</body>', '<script>alert(1)</script></body>'));
  assert.equal(policedTemplate(blocked, ''), null);
});
