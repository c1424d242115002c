/**
 * Article pages written from Next's template render (lib/article-template.ts,
 * lib/build/article-pages.ts) are the pages Next itself renders: the same
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
import { runInNewContext } from 'node:vm';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { compileTemplate, escapeHtml, fillTemplate, htmlSafeJson, LISTING_TEMPLATE, TEMPLATE_BUCKET } from '../lib/article-template';
import { LISTING_KINDS, slugify } from '../lib/content/browse-index';
import { DATA_LOADER } from '../lib/build/csp';
import { builtSite } from './helpers/site';
import { filesUnder } from './helpers/files';
import { makeHostileContent } from '../bench/lib/hostile-content';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/**
 * Runs a payload script and the site's data loader over a page's values block
 * (`<script type="application/json" data-kb="p">`), as a browser would: the text pushed to `self.__next_f`.
 */
function runPayload(script: string, values: string): string {
  const self: { __next_f?: unknown[][] } = {};
  const document = { querySelectorAll: () => [{ getAttribute: () => 'p', textContent: values }] };
  runInNewContext(`${script}\n${DATA_LOADER.source}`, { self, globalThis: {}, document });
  assert.equal(self.__next_f?.length, 1, 'one push');
  const [kind, text] = self.__next_f![0] as [number, string];
  assert.equal(kind, 1);
  return text;
}

test('the payload script pushes the payload Next would inline, with values escaped as React Flight escapes them', () => {
  // A template page as Next writes it: fields in the HTML and in RSC rows, the payload split over two chunks.
  const rows = `0:{"t":"kbtpltitle0 · kbview","d":"kbtpldescription0","c":["","kb","kbtplbucket0","kbtplarticle0",""],"q":"x\\"kbtplarticle0"}\n`;
  const inline = (chunk: string) => `<script>self.__next_f.push(${htmlSafeJson([1, chunk])})</script>`;
  const page = `<html><head><title>kbtpltitle0 · kbview</title></head><body><h1>kbtplheading0</h1><span>kbtplsource0</span><div>kbtplrest0</div>${inline(rows.slice(0, 40))}${inline(rows.slice(40))}</body></html>`;
  const compiled = compileTemplate('article', page);
  for (const title of ['plain', '$HOME', '$$', 'a"b\\c', '</script><script>alert(1)</script>', 'a & b', 'line\u2028sep\u2029', 'emoji 😀 é', '\u0001']) {
    const fields = { bucket: '244', id: 'Q244717', title, description: title };
    const html = fillTemplate(compiled, { fields, slots: { heading: '<b>h</b>', source: '', rest: '<p>r</p>' } }, '/base');
    const call = /<script src="\/base\/_next\/static\/kbview\/([\w-]+\.js)"><\/script><script type="application\/json" data-kb="p">([^<]*)<\/script>/.exec(
      html,
    );
    assert.ok(call, html);
    assert.equal(call[1], compiled.script.name);
    // What React Flight writes for these values: JSON, with a string starting with `$` written `$$…`.
    const flight = (v: string) => JSON.stringify(v.startsWith('$') ? `$${v}` : v).slice(1, -1);
    const expected = `0:{"t":"${flight(`${title} · kbview`)}","d":"${flight(title)}","c":["","kb","244","Q244717",""],"q":"x\\"Q244717"}\n`;
    assert.equal(runPayload(compiled.script.source, call[2]!), expected, JSON.stringify(title));
    assert.ok(html.startsWith(`<html><head><title>${escapeHtml(title)} · kbview</title>`));
    assert.equal(html.slice(html.indexOf('data-kb="p"')).match(/<\/script>/g)?.length, 1, 'no value closes the values block early');
    assert.ok(!html.includes('<script>'), 'no inline script: the values are data');
  }
});

test('a template whose island content reached the payload, or lost an island, is refused', () => {
  const page = (body: string, payload: string) => `<html><body>${body}<script>self.__next_f.push(${htmlSafeJson([1, payload])})</script></body></html>`;
  assert.throws(() => compileTemplate('missing', page('<div>kbtplcontent0</div>', 'kbtplcontent0')), /reached the RSC payload/);
  assert.throws(() => compileTemplate('missing', page('<div></div>', '')), /kbtplcontent0 not found/);
  assert.throws(() => compileTemplate('missing', page('<div>kbtplcontent0</div><script>var x="kbtplmissing0"</script>', '')), /not the RSC payload/);
  assert.throws(() => compileTemplate('missing', '<div>kbtplcontent0</div>'), /no RSC payload/);
  const compiled = compileTemplate('missing', page('<h1>kbtplmissing0</h1><div>kbtplcontent0</div>', '"k":"kbtplmissing0"'));
  const html = fillTemplate(compiled, { fields: { id: '$<&>' }, slots: { content: '<p>x</p>' } });
  assert.ok(html.startsWith('<html><body><h1>$&lt;&amp;&gt;</h1><div><p>x</p></div><script src="/_next/static/kbview/missing-'), html);
});

/**
 * What differs between two builds of the same pages: the build id, the
 * islands' keys, the CSP hashes, and the chunks' file names and module ids
 * (Turbopack's hashes depend on the project folder; the two builds are in two
 * folders). Applied to the HTML and to the payload text (no longer inlined, so
 * its strings are escaped once).
 */
function normalize(text: string): string {
  return (
    text
      .replace(/<meta http-equiv="Content-Security-Policy" content="[^"]*"\/>/, '')
      // React hoists a preload hint for each <img> into <head>; islands rendered apart have none.
      .replace(/<link rel="preload" as="image" href="[^"]*"\/>/g, '')
      .replace(/static\/chunks\/[\w-]+\.(js|css)/g, 'CHUNK.$1')
      .replace(/([:\n])I\[\d+,/g, '$1I[MODULE,')
      .replace(/"runtimeModuleIds":\[\d+\]/g, '"runtimeModuleIds":[MODULE]')
      .replace(/"b":"[^"]+"/, 'BUILD-ID')
      .replace(/(data-static="|"k":")s[0-9a-z]+-[0-9a-z]+/g, '$1KEY')
  );
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

const PAGED = (n: number) => `---
title: 'Q${n}: Paged article ${n}'
permalink: /kb/991/Q${n}/
---

## Q${n}: Paged article

{% raw %}

\tArticle: Q${n}
\tProduct(s): Paged & "Product"
\tVersion(s): 1.0
\tOperating System(s): 
\tKeyword(s): kbpaged
\tLast Modified: ${String((n % 28) + 1).padStart(2, '0')}-JAN-2025
\t
\tSYMPTOMS
\t========
\t
\tOne of many.
\t

{% endraw %}
`;

let template: string;
let next: string;

before(async () => {
  const content = makeHostileContent({ at: path.join(REPO_ROOT, '.cache', 'article-pages-content'), unreadable: false });
  // Without the hostile set's multi-megabyte bodies and its 600-row file table, whose ~500 file pages (not
  // compared here: test/file-pages.test.ts) Next would render one by one in the `next` build: together most of
  // that build's time. Long payload strings (text rows) are still here (Q990917, 146 KB); those articles' limits
  // are test/hostile-build.test.ts's.
  for (const big of ['Q990937.md', 'Q990938.md', 'Q990966.md', 'Q990968.md']) rmSync(path.join(content.dir, big));
  writeFileSync(
    path.join(content.dir, 'Q990960.md'),
    TRICKY('Q990960', `$HOME & "quoted" 'single' <b>bold</b> \\ back`, '$Dollar </script><script>alert(1)</script> & "x"'),
  );
  writeFileSync(path.join(content.dir, 'Q990961.md'), TRICKY('Q990961', 'Line\u2028separator, emoji 😀, é and &amp;', 'Product\u2029with\u2028separators 😀'));
  writeFileSync(path.join(content.dir, 'Q990962.md'), TRICKY('Q990962', '$$ double', '$'));
  // 205 articles of one product, keyword, year and number range: listings with a second page (the later-page templates).
  for (let n = 991000; n < 991205; n++) writeFileSync(path.join(content.dir, `Q${n}.md`), PAGED(n));
  // One after the other: both build in copies of the project, and two builds at once would share the 2 cores.
  template = await builtSite({ contentDir: content.dir, search: false });
  next = await builtSite({ contentDir: content.dir, search: false, articlePages: 'next' });
});

test('article and not-in-archive pages written from the template are the pages Next renders', () => {
  // cited-by/ pages are Next's in both builds.
  const kbFiles = (dir: string) => filesUnder(path.join(dir, 'kb')).filter((f) => f.endsWith('.html') && !f.includes('/cited-by/'));
  const ours = kbFiles(template);
  assert.deepEqual(ours, kbFiles(next), 'the same pages');
  assert.ok(ours.length >= 30, `${ours.length} pages`);
  assert.ok(!existsSync(path.join(template, 'kb', TEMPLATE_BUCKET)), 'the template pages are removed');
  const missingPages = ours.filter((f) => f.startsWith('123/Q123456/'));
  assert.equal(missingPages.length, 1, 'a not-in-archive page');
  for (const file of ours) {
    const a = split(readFileSync(path.join(template, 'kb', file), 'utf8'), template);
    const b = split(readFileSync(path.join(next, 'kb', file), 'utf8'));
    assert.deepEqual(a.rows, b.rows, `kb/${file}: the same RSC payload rows`);
    if (a.html !== b.html) {
      let i = 0;
      while (a.html[i] === b.html[i]) i++;
      assert.fail(`kb/${file} differs at ${i}:\n  template: ${a.html.slice(i - 120, i + 120)}\n  next:     ${b.html.slice(i - 120, i + 120)}`);
    }
  }
});

test('listing pages written from the templates are the pages Next renders', () => {
  for (const kind of LISTING_KINDS) {
    const files = (dir: string) => filesUnder(path.join(dir, kind)).filter((f) => f.endsWith('.html'));
    const ours = files(template);
    assert.deepEqual(ours, files(next), `${kind}: the same pages`);
    assert.ok(!existsSync(path.join(template, kind, LISTING_TEMPLATE.slug)), `${kind}: the template pages are removed`);
    let written = 0;
    for (const file of ours) {
      const page = readFileSync(path.join(template, kind, file), 'utf8');
      if (page.includes(`/_next/static/kbview/listing-${kind}-`)) written++;
      const a = split(page, template);
      const b = split(readFileSync(path.join(next, kind, file), 'utf8'));
      assert.deepEqual(a.rows, b.rows, `${kind}/${file}: the same RSC payload rows`);
      if (a.html !== b.html) {
        let i = 0;
        while (a.html[i] === b.html[i]) i++;
        assert.fail(`${kind}/${file} differs at ${i}:\n  template: ${a.html.slice(i - 120, i + 120)}\n  next:     ${b.html.slice(i - 120, i + 120)}`);
      }
    }
    // Every page but the index (and the rare keywords') is the page writer's.
    const rare = ours.filter((f) => f.startsWith('rare/')).length;
    assert.equal(written, ours.length - 1 - rare, `${kind}: ${written} of ${ours.length} pages written from the templates`);
    assert.ok(written >= 1, `${kind}: listing pages`);
    assert.ok(
      ours.some((f) => /^[a-z0-9-]+\/page\/2\/index\.html$/.test(f)),
      `${kind}: a listing's second page`,
    );
  }
  // The tricky product's listing: its label escaped in the title, whole in the payload's values.
  const tricky = readFileSync(path.join(template, 'products', slugify('$Dollar </script><script>alert(1)</script> & "x"'), 'index.html'), 'utf8');
  assert.match(tricky, /<title>\$Dollar &lt;\/script&gt;&lt;script&gt;alert\(1\)&lt;\/script&gt; &amp; &quot;x&quot; articles · kbview<\/title>/);
  assert.ok(!tricky.includes('<script>alert(1)</script>'), 'the label stays text');
});

test('article pages carry Open Graph tags and twitter:card, without the twitter: copies of og:title and og:description', () => {
  for (const site of [template, next])
    for (const file of ['990/Q990960/index.html', '990/Q990961/index.html', '123/Q123456/index.html']) {
      const head = readFileSync(path.join(site, 'kb', file), 'utf8').split('</head>')[0]!;
      // The not-in-archive page (noindex) has no Open Graph tags at all.
      if (!file.startsWith('123/'))
        for (const tag of ['property="og:title"', 'property="og:description"', 'name="twitter:card"'])
          assert.ok(head.includes(`<meta ${tag}`), `kb/${file}: ${tag}`);
      assert.doesNotMatch(head, /twitter:(title|description)/, `kb/${file}: no twitter: copies`);
    }
});

/**
 * A page's HTML with its inlined RSC payload taken out, and the payload's rows
 * in sorted order: Next may stream a page's rows (metadata, page) in either order.
 */
function split(page: string, out?: string): { html: string; rows: string[] } {
  const chunks: string[] = [];
  // Next's pages inline the payload in consecutive chunks; ours call the payload script.
  // Next's chunks are JSON blocks (lib/build/csp.ts) run by the data loader; ours, one values block for the payload script.
  let html = page.replace(/(?:<script type="application\/json" data-kb="f">(\[1,"(?:[^"\\]|\\.)*"\])<\/script>)+/g, (scripts: string) => {
    for (const [, json] of scripts.matchAll(/<script type="application\/json" data-kb="f">(\[1,"(?:[^"\\]|\\.)*"\])<\/script>/g))
      chunks.push((JSON.parse(json!) as [1, string])[1]);
    return '<script>PAYLOAD</script>';
  });
  html = html.replace(
    /<script src="\/_next\/static\/kbview\/([\w-]+\.js)"><\/script><script type="application\/json" data-kb="p">([^<]*)<\/script>/,
    (_, name: string, values: string) => {
      chunks.push(runPayload(readFileSync(path.join(out!, '_next', 'static', 'kbview', name), 'utf8'), values));
      return '<script>PAYLOAD</script>';
    },
  );
  return { html: normalize(html), rows: normalize(chunks.join('')).split('\n').sort() };
}

test('a tricky title and product arrive escaped and whole', () => {
  const html = readFileSync(path.join(template, 'kb', '990', 'Q990960', 'index.html'), 'utf8');
  assert.match(html, /<title>Q990960: \$HOME &amp; &quot;quoted&quot; &#x27;single&#x27; &lt;b&gt;bold&lt;\/b&gt; \\ back · kbview<\/title>/);
  assert.ok(!html.includes('<script>alert(1)</script>'), 'the product text stays text');
  assert.match(html, /<script type="application\/json" data-kb="p">\[[^\]]*"Q990960"[^\]]*\]<\/script>/, "the payload script gets the page's values as data");
});
