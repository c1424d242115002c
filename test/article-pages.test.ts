/**
 * Article pages written from Next's template render (lib/article-template.ts,
 * scripts/lib/article-pages.ts) are the pages Next itself renders: the same
 * content is built both ways (`KB_ARTICLE_PAGES=next` has Next render every
 * article page) and every page under kb/ must be byte for byte the same,
 * except for what differs between any two builds (the build id, the keys of
 * static islands, hence the CSP hashes) and React's `<link rel="preload"
 * as="image">` hints for images in the body, which the written pages lack. The content is the hostile set plus
 * articles whose title and product hit every escaping rule (`$` at the start
 * of a payload string, quotes, `<`, `&`, backslashes, U+2028, astral characters).
 */
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { compileTemplate, escapePayload, fillTemplate, TEMPLATE_BUCKET } from '../lib/article-template';
import { builtSite } from './helpers/site';
import { makeHostileContent } from './helpers/hostile-content';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const { htmlEscapeJsonString } = require('next/dist/shared/lib/htmlescape') as { htmlEscapeJsonString: (s: string) => string };

test('a payload string is escaped as React Flight and Next inline it', () => {
  for (const value of ['plain', 'a"b', 'back\\slash', '</script><script>x</script>', 'a & b', 'line\u2028sep\u2029', 'tab\tnew\nline', 'emoji 😀 é', '\u0001ctl']) {
    // Flight writes the row as JSON; Next inlines the row text as a JSON string in `self.__next_f.push([1,"…"])`.
    const row = JSON.stringify({ v: value });
    const inlined = htmlEscapeJsonString(JSON.stringify([1, row]));
    assert.ok(inlined.includes(escapePayload(value)), `${JSON.stringify(value)}: ${escapePayload(value)} not in ${inlined}`);
  }
});

test('a template whose island content reached the payload, or lost an island, is refused', () => {
  const page = (body: string, payload: string) => `<html><body>${body}<script>self.__next_f.push([1,"${payload}"])</script></body></html>`;
  assert.throws(() => compileTemplate('missing', page('<div>kbtplcontent0</div>', 'kbtplcontent0')), /reached the RSC payload/);
  assert.throws(() => compileTemplate('missing', page('<div></div>', '')), /kbtplcontent0 not found/);
  assert.throws(() => compileTemplate('missing', page('<div>kbtplcontent0</div><script>var x="kbtplmissing0"</script>', '')), /not the RSC payload/);
  const compiled = compileTemplate('missing', page('<h1>kbtplmissing0</h1><div>kbtplcontent0</div>', '\\"k\\":\\"kbtplmissing0\\"'));
  const html = fillTemplate(compiled, { fields: { id: '$<&>' }, slots: { content: '<p>x</p>' } });
  assert.equal(html, page('<h1>$&lt;&amp;&gt;</h1><div><p>x</p></div>', '\\"k\\":\\"$$\\u003c\\u0026\\u003e\\"'));
});

/** Every file under `dir`, relative. */
function files(dir: string, rel = ''): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(path.join(dir, rel), { withFileTypes: true })) {
    const child = rel ? `${rel}/${entry.name}` : entry.name;
    if (entry.isDirectory()) out.push(...files(dir, child));
    else out.push(child);
  }
  return out.sort();
}

/**
 * What differs between two builds of the same pages: the build id, the
 * islands' keys, the CSP hashes, and the chunks' file names and module ids
 * (Turbopack's hashes depend on the project folder; the two builds are in two folders).
 */
function normalize(html: string): string {
  return html
    // React hoists a preload hint for each <img> into <head>; islands rendered apart have none.
    .replace(/<link rel="preload" as="image" href="[^"]*"\/>/g, '')
    .replace(/([:\n])I\[\d+,/g, '$1I[MODULE,')
    .replace(/"runtimeModuleIds":\[\d+\]/g, '"runtimeModuleIds":[MODULE]')
    .replace(/static\/chunks\/[\w-]+\.(js|css)/g, 'CHUNK.$1')
    .replace(/<meta http-equiv="Content-Security-Policy" content="[^"]*"\/>/, '')
    .replace(/\\"b\\":\\"[^\\"]+\\"/, 'BUILD-ID')
    .replace(/(data-static="|\\"k\\":\\")s[0-9a-z]+-[0-9a-z]+/g, '$1KEY');
}

const TRICKY = (id: string, title: string, product: string) => `---
title: '${`${id}: ${title}`.replace(/'/g, "''")}'
permalink: /kb/${id.slice(1).padStart(6, '0').slice(0, 3)}/${id}/
---

## ${id}: Tricky

{% raw %}

\tArticle: ${id}
\tProduct(s): ${product}
\tVersion(s): 1.0
\tOperating System(s): 
\tKeyword(s): kbtricky
\tLast Modified: 26-NOV-2026
\t
\tSYMPTOMS
\t========
\t
\tSee Q990901 and Q990962, and Q123456 which is not here.
\t

{% endraw %}
`;

let template: string;
let next: string;

before(async () => {
  const content = makeHostileContent({ at: path.join(REPO_ROOT, '.cache', 'article-pages-content'), unreadable: false });
  writeFileSync(path.join(content.dir, 'Q990960.md'), TRICKY('Q990960', `$HOME & "quoted" 'single' <b>bold</b> \\ back`, '$Dollar </script><script>alert(1)</script> & "x"'));
  writeFileSync(path.join(content.dir, 'Q990961.md'), TRICKY('Q990961', 'Line\u2028separator, emoji 😀, é and &amp;', 'Product\u2029with\u2028separators 😀'));
  writeFileSync(path.join(content.dir, 'Q990962.md'), TRICKY('Q990962', '$$ double', '$'));
  // One after the other: both build in copies of the project, and two builds at once would share the 2 cores.
  template = await builtSite({ contentDir: content.dir, search: false });
  next = await builtSite({ contentDir: content.dir, search: false, articlePages: 'next' });
});

test('article and not-in-archive pages written from the template are the pages Next renders', () => {
  // cited-by/ pages are Next's in both builds.
  const kbFiles = (dir: string) => files(path.join(dir, 'kb')).filter((f) => f.endsWith('.html') && !f.includes('/cited-by/'));
  const ours = kbFiles(template);
  assert.deepEqual(ours, kbFiles(next), 'the same pages');
  assert.ok(ours.length >= 30, `${ours.length} pages`);
  assert.ok(!existsSync(path.join(template, 'kb', TEMPLATE_BUCKET)), 'the template pages are removed');
  const missingPages = ours.filter((f) => f.startsWith('123/Q123456/'));
  assert.equal(missingPages.length, 1, 'a not-in-archive page');
  for (const file of ours) {
    const a = split(normalize(readFileSync(path.join(template, 'kb', file), 'utf8')));
    const b = split(normalize(readFileSync(path.join(next, 'kb', file), 'utf8')));
    assert.deepEqual(a.rows, b.rows, `kb/${file}: the same RSC payload rows`);
    if (a.html !== b.html) {
      let i = 0;
      while (a.html[i] === b.html[i]) i++;
      assert.fail(`kb/${file} differs at ${i}:\n  template: ${a.html.slice(i - 120, i + 120)}\n  next:     ${b.html.slice(i - 120, i + 120)}`);
    }
  }
});

/**
 * A page's HTML with its inlined RSC payload taken out, and the payload's rows
 * in sorted order: Next may stream a page's rows (metadata, page) in either order.
 */
function split(page: string): { html: string; rows: string[] } {
  const chunks: string[] = [];
  const html = page.replace(/<script>self\.__next_f\.push\(\[1,("(?:[^"\\]|\\.)*")\]\)<\/script>/g, (_, chunk: string) => {
    chunks.push(JSON.parse(chunk) as string);
    return '<script>PAYLOAD</script>';
  });
  return { html, rows: chunks.join('').split('\n').sort() };
}

test('a tricky title and product arrive escaped and whole', () => {
  const html = readFileSync(path.join(template, 'kb', '990', 'Q990960', 'index.html'), 'utf8');
  assert.match(html, /<title>Q990960: \$HOME &amp; &quot;quoted&quot; &#x27;single&#x27; &lt;b&gt;bold&lt;\/b&gt; \\ back · kbview<\/title>/);
  assert.ok(!html.includes('<script>alert(1)</script>'), 'the product text stays text');
  assert.ok(html.includes('\\"$$Dollar \\u003c/script\\u003e'), 'a payload string starting with $ is escaped as Flight escapes it');
});
