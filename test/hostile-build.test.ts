/**
 * The hostile content (test/fixtures/hostile/ plus the files made at test time,
 * see bench/lib/hostile-content.ts) built into a site with `kb build`
 * (through test/helpers/site.ts, which builds in a copy of the project and
 * reuses the build while sources and content are unchanged):
 *
 * - the build exits 0, prints its summary and names the bad files;
 * - every valid article has its page, at its canonical permalink;
 * - no page holds a script, handler, frame or script URL from the input, and
 *   every inline script is either Next's data or bootstrap and is allowed by
 *   the page's Content-Security-Policy (lib/build/csp.ts) by its hash;
 * - nothing was written outside out/ and nothing from outside the content
 *   directory reached it;
 * - in Chromium, the pages (article, not-in-archive, search results) run their
 *   own scripts without a CSP violation, no hostile text ever runs, and an
 *   injected inline script, handler or javascript: URL is blocked.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, lstatSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { withBrowser, newGuardedPage } from '../bench/lib/browser';
import { serveDir, type ServedSite } from '../bench/lib/server';
import { builtSite } from './helpers/site';
import { filesUnder } from './helpers/files';
import { makeHostileContent, OUTSIDE_MARKER, RENDERED, NOT_RENDERED, type HostileContent } from '../bench/lib/hostile-content';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

let content: HostileContent;
let out: string;
let contentBefore: string[];

function snapshot(dir: string): string[] {
  return filesUnder(dir).map((f) => {
    const st = lstatSync(path.join(dir, f));
    return `${f} ${st.mode} ${st.size} ${st.mtimeMs}`;
  });
}

const pageOf = (id: string) =>
  path.join(
    out,
    'kb',
    String(Number(id.slice(1)))
      .padStart(6, '0')
      .slice(0, 3),
    id,
    'index.html',
  );

before(async () => {
  content = makeHostileContent({ at: path.join(REPO_ROOT, '.cache', 'hostile-content'), unreadable: false });
  contentBefore = snapshot(content.root);
  out = await builtSite({ contentDir: content.dir });
});

after(() => {
  // The content folder is kept (its hash names the reusable build); nothing else to clean.
});

test('the build succeeds (builtSite rejects when `kb build` exits non-zero)', () => {
  assert.ok(existsSync(path.join(out, 'index.html')), 'home page');
  assert.ok(existsSync(path.join(out, '404.html')), '404 page');
});

test('every valid article has its page at its canonical permalink', () => {
  for (const id of RENDERED) assert.ok(existsSync(pageOf(id)), `no page for ${id}`);
  for (const id of NOT_RENDERED) assert.ok(!existsSync(pageOf(id)), `a page for ${id}, which must be skipped`);
  const title = (id: string) => /<title>([^<]*)<\/title>/.exec(readFileSync(pageOf(id), 'utf8'))?.[1] ?? '';
  // A permalink in the front matter cannot take another article's page.
  assert.match(title('Q990901'), /^Q990901: Scripts &lt;script&gt;alert\(&#x27;kbx-title&#x27;\)&lt;\/script&gt; in/);
  assert.match(title('Q990909'), /^Q990909: A Permalink That Takes Another Article(&#x27;|')s Page/);
  for (const id of RENDERED) assert.match(title(id), new RegExp(`^${id}: `), `the page of ${id} is ${id}'s`);
  // Duplicates: dup/a/Q990916.md and dup/b/Q990916.md are both at a canonical place: neither takes the page.
  if (existsSync(pageOf('Q990916'))) assert.doesNotMatch(readFileSync(pageOf('Q990916'), 'utf8'), /Duplicate [AB]/);
  // Articles cited but missing get their not-in-archive page.
  assert.ok(existsSync(pageOf('Q999901')), 'not-in-archive page of Q999901');
  assert.ok(existsSync(pageOf('Q999902')), 'not-in-archive page of Q999902');
});

test('round two: no article breaks, takes over or multiplies the site', () => {
  const html = (id: string) => readFileSync(pageOf(id), 'utf8');
  // Keywords named like Object.prototype's properties: listed as text, never as "function Object()".
  const pages = filesUnder(out).filter((f) => f.endsWith('.html'));
  for (const file of pages.filter((f) => f.startsWith('keywords'))) {
    assert.doesNotMatch(readFileSync(path.join(out, file), 'utf8'), /\[native code\]|\[object Object\]/, file);
  }
  assert.ok(
    pages.some((f) => f.startsWith('keywords') && readFileSync(path.join(out, f), 'utf8').includes('__proto__')),
    'the __proto__ keyword is listed',
  );
  // The stray file does not take the canonical article's page.
  assert.match(html('Q990967'), /The Canonical File/);
  assert.doesNotMatch(html('Q990967'), /A Stray File/);
  // Nor its search entry, nor do the refused pair's.
  const search = filesUnder(path.join(out, 'search'))
    .map((f) => readFileSync(path.join(out, 'search', f), 'utf8'))
    .join('\n');
  assert.match(search, /The Canonical File/);
  assert.doesNotMatch(search, /A Stray File Claiming the Number|Duplicate [AB]/);
  // A raw tag inside a title is part of the title.
  assert.match(/<title>([^<]*)<\/title>/.exec(html('Q990964'))?.[1] ?? '', /^Q990964: A Title With \{% raw %\} Inside/);
  // Numbers that name no article are plain text: no page for Q0, Q1 or Q1234567.
  for (const id of ['Q0', 'Q1']) assert.ok(!existsSync(pageOf(id)), `a page for ${id}`);
  assert.ok(!existsSync(path.join(out, 'kb', '123', 'Q1234567')), 'a page for Q1234567');
  assert.doesNotMatch(html('Q990965'), /href="[^"]*\/Q0\//);
  // 300,000 blocks: the body is all there.
  assert.match(html('Q990966'), /b149999/);
  // At most 100 not-in-archive pages from one article.
  const missing = Array.from({ length: 150 }, (_, i) => `Q${899000 + i}`).filter((id) => existsSync(pageOf(id)));
  assert.equal(missing.length, 100);
  // A 600-row table: 500 rows in the table, the rest as text, all of it on the page.
  const table = html('Q990968');
  assert.equal((table.match(/<tr>/g) ?? []).length, 501);
  assert.match(table, /F599\.dll/);
});

const TAG = /<([a-zA-Z][a-zA-Z0-9:-]*)((?:\s+[^\s"'>/=]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'>]+))?)*)\s*\/?>/g;
const ATTR = /([^\s"'>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+)))?/g;
const SCRIPT = /<script\b([^>]*)>([\s\S]*?)<\/script\s*>/gi;
const URL_ATTRS = new Set(['href', 'src', 'srcset', 'action', 'formaction', 'xlink:href', 'background', 'poster', 'data', 'cite', 'longdesc', 'ping']);
const FORBIDDEN = new Set(['iframe', 'frame', 'frameset', 'object', 'embed', 'applet', 'base', 'portal', 'math']);

const decode = (value: string) =>
  value
    .replace(/&#x([0-9a-f]+);?/gi, (_, h: string) => String.fromCodePoint(Number.parseInt(h, 16)))
    .replace(/&#(\d+);?/g, (_, d: string) => String.fromCodePoint(Number(d)))
    .replace(/&colon;/gi, ':')
    .replace(/&amp;/g, '&')
    .replace(/&quot;/g, '"');

/** Problems in one page: anything from the input that a browser could run. */
function pageProblems(html: string): string[] {
  const problems: string[] = [];
  const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]*)"/.exec(html);
  if (!csp) problems.push('no Content-Security-Policy meta');
  const firstScript = html.search(/<script\b/i);
  if (csp && firstScript !== -1 && firstScript < csp.index) problems.push('a script comes before the Content-Security-Policy');
  for (const match of html.matchAll(SCRIPT)) {
    const attrs = match[1]!;
    const body = match[2]!;
    const src = /\ssrc\s*=\s*"([^"]*)"/i.exec(attrs)?.[1];
    if (src !== undefined) {
      // Our own bundles only: Next's, and the search page's early script that kb build bundles (lib/search/boot-bundle.ts).
      if (!/^\/_next\//.test(src) && src !== '/search/boot.js') problems.push(`external script ${src}`);
      continue;
    }
    // Data blocks (`<script type="application/json" data-kb>`, lib/build/csp.ts) never run: they must be JSON.
    if (/\stype="application\/json"/.test(attrs)) {
      try {
        JSON.parse(body);
      } catch {
        problems.push(`data block is not pure JSON: ${body.slice(0, 80)}`);
      }
      continue;
    }
    const hash = `'sha256-${createHash('sha256').update(body, 'utf8').digest('base64')}'`;
    if (csp && !csp[1]!.includes(hash)) problems.push(`inline script not allowed by the CSP: ${body.slice(0, 80)}`);
    // Next's data (`self.__next_f.push([1,"…"])`), or a written page's values for its payload script
    // (`self.__kb_payload([…])`, lib/article-template.ts): the argument must be JSON, i.e. data, nothing to run.
    const push = /^self\.(?:__next_f\.push|__kb_payload)\(([\s\S]*)\)$/.exec(body);
    if (push) {
      try {
        JSON.parse(push[1]!);
      } catch {
        problems.push(`self.__next_f.push argument is not pure JSON: ${push[1]!.slice(0, 80)}`);
      }
    } else if (/kbx-|alert\(/.test(body)) {
      problems.push(`inline script holds text from the input: ${body.slice(0, 120)}`);
    }
  }
  for (const match of html.matchAll(TAG)) {
    const name = match[1]!.toLowerCase();
    if (FORBIDDEN.has(name)) problems.push(`<${name}> element`);
    if (name === 'meta' && /http-equiv\s*=\s*"?refresh/i.test(match[2]!)) problems.push('<meta http-equiv=refresh>');
    for (const attr of match[2]!.matchAll(ATTR)) {
      const key = attr[1]!.toLowerCase();
      const value = decode(attr[2] ?? attr[3] ?? attr[4] ?? '');
      if (/^on/.test(key)) problems.push(`${key}= on <${name}>`);
      if (URL_ATTRS.has(key)) {
        const url = value.replace(/[\u0000-\u0020]/g, '').toLowerCase();
        const scheme = /^([a-z][a-z0-9+.-]*):/.exec(url)?.[1];
        if (name === 'a' && key === 'href') {
          // Links from the text (URLs written in articles) may go anywhere, by http(s), ftp or mailto only.
          if (scheme && !['http', 'https', 'ftp', 'mailto'].includes(scheme)) problems.push(`href="${value.slice(0, 60)}" on <a>`);
        } else if ((scheme && scheme !== 'http' && scheme !== 'https') || /kbx-|evil\.example/.test(value)) {
          // Anything else that loads or submits (script, img, link, form…) is the site's own.
          problems.push(`${key}="${value.slice(0, 60)}" on <${name}>`);
        }
      }
      if (key === 'style' && /kbx-|javascript:|expression\(|url\(/i.test(value)) problems.push(`style from the input on <${name}>: ${value.slice(0, 60)}`);
    }
  }
  for (const style of html.matchAll(/<style\b[^>]*>([\s\S]*?)<\/style>/gi)) if (/kbx-|evil\.example/.test(style[1]!)) problems.push('a <style> from the input');
  return problems;
}

test('no page holds a script, handler, frame or script URL from the input; every inline script is hashed in the CSP', () => {
  const pages = filesUnder(out).filter((f) => f.endsWith('.html'));
  assert.ok(pages.length > RENDERED.length, `${pages.length} pages`);
  const problems: string[] = [];
  for (const page of pages) for (const problem of pageProblems(readFileSync(path.join(out, page), 'utf8'))) problems.push(`${page}: ${problem}`);
  assert.deepEqual(problems.slice(0, 30), []);
  // The hostile text is on the pages, as text.
  const q990901 = readFileSync(pageOf('Q990901'), 'utf8');
  assert.match(q990901, /&lt;script&gt;alert\(&#x27;kbx-body&#x27;\)&lt;\/script&gt;/);
  assert.match(q990901, /&lt;img src=x onerror=alert\(&#x27;kbx-product&#x27;\)&gt;/);
  // Other text files: the sitemap and the search index hold no markup from the input.
  for (const file of filesUnder(out).filter((f) => /\.(xml|json)$/.test(f))) {
    const text = readFileSync(path.join(out, file), 'utf8');
    if (file.endsWith('.xml')) {
      assert.doesNotMatch(text, /<script|javascript:/i, file);
      // Every URL is a site URL with a plain path (slugs of products and keywords included).
      for (const loc of text.matchAll(/<loc>([^<]*)<\/loc>/g)) assert.match(loc[1]!, /^https?:\/\/[^/\s]+\/[A-Za-z0-9/_.~%-]*$/, `${file}: ${loc[1]}`);
    } else assert.doesNotThrow(() => JSON.parse(text), `${file} is JSON`);
  }
});

test('nothing was written outside out/, and nothing from outside the content directory reached it', () => {
  const escapes = [
    '/tmp/kbview-escape',
    '/etc/kbview-escape',
    path.join(out, '..', 'kbview-escape'),
    path.join(out, '..', '..', 'kbview-escape'),
    path.join(REPO_ROOT, 'kbview-escape'),
    path.join(content.root, 'kbview-escape'),
  ];
  for (const place of escapes) assert.ok(!existsSync(place), `${place} exists`);
  const all = filesUnder(out);
  for (const file of all) {
    assert.doesNotMatch(file, /kbview-escape|%2e|\\|\u0000|\.\.|aaaaaaaaaa/i, `unexpected path in out/: ${file}`);
    const kb = /^kb\/(\d{3})\/(Q\d+)\//.exec(file);
    if (file.startsWith('kb/')) assert.ok(kb, `unexpected path under kb/: ${file}`);
  }
  // The content directory is as it was before the build (nothing written into it).
  assert.deepEqual(snapshot(content.root), contentBefore);
  // No text of the files outside the content directory (reachable only through links) in any file of the site.
  for (const file of all) {
    if (/\.(html|json|xml|txt|md|js)$/.test(file))
      assert.ok(!readFileSync(path.join(out, file), 'utf8').includes(OUTSIDE_MARKER), `${file} holds text from outside the content directory`);
  }
});

let site: ServedSite | undefined;
after(async () => site?.close());

test('in Chromium the pages run their own scripts without a CSP violation, and input or injected scripts never run', async () => {
  site = await serveDir(out);
  const served = site;
  await withBrowser(async (browser) => {
    const paths = [
      'kb/990/Q990901/',
      'kb/990/Q990902/',
      'kb/990/Q990917/',
      'kb/990/Q990947/',
      'kb/999/Q999901/',
      'search/?q=kbx',
      'search/?q=alert',
      'search/?q=kbhostile',
      '',
    ];
    for (const sitePath of paths) {
      const { page, info } = await newGuardedPage(browser);
      try {
        const dialogs: string[] = [];
        page.on('dialog', (dialog) => {
          dialogs.push(dialog.message());
          void dialog.dismiss();
        });
        await page.addInitScript(() => {
          const w = window as unknown as { __csp: string[] };
          w.__csp = [];
          document.addEventListener('securitypolicyviolation', (e) => w.__csp.push(`${e.violatedDirective} ${e.blockedURI} ${e.sample}`));
        });
        const res = await page.goto(served.href(sitePath), { waitUntil: 'networkidle' });
        assert.equal(res?.status(), 200, sitePath);
        if (sitePath.startsWith('search')) await page.waitForTimeout(1000); // results come from a worker
        // Hover and focus everything, to trigger any handler that slipped through.
        for (const link of await page.$$('main a, main img, main details')) await link.hover({ timeout: 1000 }).catch(() => {});
        const state = await page.evaluate(() => ({
          csp: (window as unknown as { __csp: string[] }).__csp,
          next: Boolean((window as unknown as { next?: { version?: string } }).next?.version),
          frames: document.querySelectorAll('iframe, object, embed, frame').length,
        }));
        assert.deepEqual(dialogs, [], `${sitePath}: a script from the input ran`);
        assert.deepEqual(state.csp, [], `${sitePath}: the page's own scripts violate its CSP`);
        assert.ok(state.next, `${sitePath}: Next's client did not start`);
        assert.equal(state.frames, 0, sitePath);
        if (sitePath === 'search/?q=kbx') {
          // The results and their excerpts show the hostile text, as text.
          const main = (await page.textContent('main')) ?? '';
          assert.ok(main.includes("<script>alert('kbx-title')</script>"), `search results for kbx: ${main.slice(0, 300)}`);
        }
        assert.deepEqual(info.pageErrors.map(String), [], sitePath);
        assert.deepEqual(
          info.consoleErrors.filter((e) => /Content Security Policy/i.test(e)),
          [],
          sitePath,
        );
      } finally {
        await info.context.close();
      }
    }

    // The same page with an inline script, a handler and a javascript: URL injected: all blocked.
    const { page, info } = await newGuardedPage(browser);
    try {
      const url = served.href('kb/990/Q990901/');
      await page.route(`${url}injected`, async (route) => {
        const response = await route.fetch({ url });
        const html = (await response.text()).replace(
          '</body>',
          '<script>window.__ran = (window.__ran || 0) + 1</script><img src="/nothing.png" onerror="window.__ran = (window.__ran || 0) + 1"><a id="kbx-js" href="javascript:window.__ran = (window.__ran || 0) + 1">x</a></body>',
        );
        await route.fulfill({ response, body: html });
      });
      await page.addInitScript(() => {
        const w = window as unknown as { __csp: string[] };
        w.__csp = [];
        document.addEventListener('securitypolicyviolation', (e) => w.__csp.push(e.violatedDirective));
      });
      await page.goto(`${url}injected`, { waitUntil: 'networkidle' });
      await page.click('#kbx-js');
      await page.waitForTimeout(300);
      const state = await page.evaluate(() => ({
        ran: (window as unknown as { __ran?: number }).__ran,
        csp: (window as unknown as { __csp: string[] }).__csp,
        next: Boolean((window as unknown as { next?: unknown }).next),
      }));
      assert.equal(state.ran, undefined, 'an injected script ran');
      assert.ok(state.csp.includes('script-src-elem'), `inline script blocked: ${state.csp.join(', ')}`);
      assert.ok(state.csp.includes('script-src-attr'), `handler blocked: ${state.csp.join(', ')}`);
      assert.ok(state.next, "the page's own scripts still ran");
      assert.deepEqual(info.pageErrors.map(String), []);
    } finally {
      await info.context.close();
    }
  });
});
