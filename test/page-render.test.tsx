/**
 * The hostile fixtures (test/fixtures/hostile/) rendered to page HTML without
 * a build: the article page's component (ArticleView, as `next build`
 * renders it) with the body the page writer puts in (the body cache's HTML,
 * lib/build/body-cache.tsx). What a reader sees must be the article's own
 * text, every word of its KB text block included (nothing dropped silently),
 * with `<script>`, event handlers and `javascript:` URLs shown as text and
 * never as markup.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import Module, { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { renderToString } from 'react-dom/server';
import type { ArticleContext } from '../components/article/ArticleView';
import { loadCorpus } from '../lib/content/corpus';
import { parseArticle, renderBody } from '../lib/markdown/index';
import { renderBodyHtml } from '../lib/build/body-cache';
import { FIXTURES } from '../bench/lib/hostile-content';
import { elementByClass, liveMarkup, missingWords, visibleText, withoutImagePreloads } from './helpers/page-html';

// ArticleView reaches lib/content (server-only, which throws outside Next's
// server build): stand in an empty module for it, then load it.
const require = createRequire(import.meta.url);
const serverOnly = require.resolve('server-only');
const stub = new Module(serverOnly);
stub.loaded = true;
require.cache[serverOnly] = stub;
const { ArticleView } = await import('../components/article/ArticleView');

const LINK_PREFIX = '/base';
const CONTEXT: ArticleContext = { citedBy: [], related: [], previous: null, next: null, source: null, links: null };

/**
 * The KB text block's header and footer fields are shown in the page's
 * details panel under labels of its own: only their values count. The values
 * of `Last Modified` (shown as a date), `Technology`, `Additional query words`
 * (search terms) and the header's `Keyword(s)` (the footer's `Keywords` are
 * the ones shown) and the footer's `Version` (merged with the header's
 * `Version(s)`) are not shown as written, by design. Every other line must be
 * on the page, word for word.
 */
const FIELD =
  /^\s*(Article|Product\(s\)|Version\(s\)|Operating System\(s\)|Keywords?(?:\(s\))?|Last Modified|Technology|Version|Issue type|Solution Type|Hardware|Additional query words)\s*:(.*)$/;
const FIELDS_NOT_SHOWN = new Set(['Last Modified', 'Technology', 'Additional query words', 'Keyword(s)', 'Version']);
const APPLIES_TO = /^\s*The information in this article applies to:\s*$/;

/** The words of the KB text block a reader must find on the page. */
function shownText(block: string): string {
  const out: string[] = [];
  for (const line of block.split('\n')) {
    if (APPLIES_TO.test(line)) continue;
    const field = FIELD.exec(line);
    if (!field) out.push(line);
    else if (!FIELDS_NOT_SHOWN.has(field[1]!)) out.push(field[2]!);
  }
  return out.join('\n');
}

/** The `{% raw %}` … `{% endraw %}` block of an article file (to the end when it is never closed). */
function kbTextBlock(text: string): string {
  const start = text.indexOf('{% raw %}');
  if (start < 0) return '';
  const end = text.indexOf('{% endraw %}', start);
  return text.slice(start + '{% raw %}'.length, end < 0 ? undefined : end);
}

interface Page {
  source: string;
  text: string;
  html: string;
  body: string;
}

async function renderFixtures(): Promise<Page[]> {
  const corpus = await loadCorpus(FIXTURES, { cacheDir: false });
  assert.ok(corpus.articles.length >= 20, `only ${corpus.articles.length} fixtures rendered`);
  return corpus.articles.map((article) => {
    const text = readFileSync(path.join(FIXTURES, article.source), 'utf8');
    const parsed = parseArticle(text, article.source);
    const html = renderToString(<ArticleView article={parsed.article!} body={renderBody(parsed.body, { linkPrefix: LINK_PREFIX })} context={CONTEXT} />);
    // The page writer splices the body cache's HTML where the component renders the body: they must be the same.
    const body = renderBodyHtml(parsed.body, LINK_PREFIX);
    assert.equal(elementByClass(html, 'kb-body'), withoutImagePreloads(body), `${article.source}: the page's body differs from the body cache's HTML`);
    return { source: article.source, text, html, body };
  });
}

const pages = await renderFixtures();

test('no rendered page of a hostile article holds live markup', () => {
  for (const page of pages) assert.deepEqual(liveMarkup(page.html), [], page.source);
});

test("every word of an article's KB text block is on its page, as text", () => {
  for (const page of pages) {
    const input = shownText(kbTextBlock(page.text));
    assert.deepEqual(missingWords(input, visibleText(page.html)), [], `${page.source}: words of the input missing from the page`);
  }
});

test("the hostile body text is the page body's text, escaped", () => {
  const page = pages.find((p) => p.source === 'Q990901.md')!;
  const body = visibleText(page.body).replace(/\s+/g, ' ');
  for (const line of [
    "The text of this article tries every trick: <script>alert('kbx-body')</script>",
    'and <img src=x onerror=alert(\'kbx-body-img\')> and <iframe src="https://evil.example/"></iframe>',
    "and <svg><script>alert('kbx-svg')</script></svg> and <a href=\"javascript:alert('kbx-href')\">a link</a>",
    "Breaking out of inline JSON: </script><script>alert('kbx-json')</script> and",
    '<SCRIPT SRC=http://evil.example/xss.js></SCRIPT>',
    "<img src=x onerror=alert('kbx-pre')>      <script>alert('kbx-pre')</script>",
  ]) {
    assert.ok(body.includes(line.replace(/\s+/g, ' ')), `not on the page as text: ${line}`);
  }
  assert.ok(page.body.includes('&lt;script&gt;alert(&#x27;kbx-body&#x27;)&lt;/script&gt;'), 'the script tag is escaped in the HTML');
});

test('the keywords index: each section (types, common, all) is a region named by its heading', async () => {
  const { KeywordsIndex } = await import('../components/browse/IndexViews');
  const { buildBrowseIndex } = await import('../lib/content/browse-index');
  const { summarize } = await import('../lib/content/graph');
  const { makeArticle } = await import('./helpers/articles');
  const articles = Array.from({ length: 12 }, (_, i) => makeArticle(990001 + i, { keywords: ['kbbug', 'kbprint', `kbrare${i}`] }));
  const html = renderToString(<KeywordsIndex index={buildBrowseIndex(articles, articles.map(summarize))} />);
  for (const [id, title] of [
    ['kw-types', 'Article types'],
    ['kw-common', 'Common keywords'],
    ['kw-all', 'All keywords'],
  ]) {
    assert.match(html, new RegExp(`<section class="mt-6" aria-labelledby="${id}"><h2 id="${id}" class="text-lg font-semibold">${title}</h2>`), id);
  }
  assert.equal(html.match(/<section /g)?.length, 3);
});

test('a not-in-archive page lists at most MISSING_CITERS_SHOWN citing articles and MISSING_TITLES_SHOWN titles, and counts the rest', async () => {
  const { MissingArticleContent, MISSING_CITERS_SHOWN, MISSING_TITLES_SHOWN } = await import('../components/article/MissingArticleView');
  const citers = (n: number) =>
    Array.from({ length: n }, (_, i) => ({
      id: `Q${100000 + i}`,
      number: 100000 + i,
      title: `Citing ${i}`,
      permalink: `/kb/100/Q${100000 + i}/`,
      product: null,
      lastModified: null,
    }));
  const page = (citing: number, titles: number) =>
    renderToString(
      <MissingArticleContent
        missing={{
          id: 'Q999999',
          number: 999999,
          permalink: '/kb/999/Q999999/',
          citedTitles: Array.from({ length: titles }, (_, i) => `Title ${i}`),
          citedBy: citers(citing),
        }}
        previous={null}
        next={null}
      />,
    );
  const many = page(10_000, 500);
  assert.equal(many.match(/href="\/kb\/100\/Q1\d{5}\/"/g)?.length, MISSING_CITERS_SHOWN);
  assert.equal(many.match(/<li>Title \d+<\/li>/g)?.length, MISSING_TITLES_SHOWN);
  assert.match(many, /10,000 articles refer to it/);
  assert.match(many, /…and 9,000 more articles; <a href="\/search\/\?q=Q999999">search for Q999999<\/a>/);
  assert.match(many, /…and 450 more titles\./);
  assert.ok(many.length < 300_000, `${many.length} bytes`);
  // Under the limits: everything, and no "more".
  const few = page(3, 2);
  assert.equal(few.match(/href="\/kb\/100\/Q1\d{5}\/"/g)?.length, 3);
  assert.doesNotMatch(few, /more (articles|titles)/);
});
