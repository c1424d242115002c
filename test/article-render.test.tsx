/**
 * The article components rendered to HTML (react-dom/server, no build): the
 * table of contents, capped backlinks, related and previous/next links, the
 * not-in-archive page's full citing list, and untrusted text staying text.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import Module, { createRequire } from 'node:module';
import { renderToStaticMarkup } from 'react-dom/server';
import type { Root } from 'hast';
import type { ArticleContext } from '../components/article/ArticleView';
import type { ArticleSummary, MissingArticle } from '../lib/content/graph';
import type { Article } from '../lib/markdown/schema';

// Some components reach lib/content (server-only, which throws outside Next's
// server build): stand in an empty module for it, then load them.
const require = createRequire(import.meta.url);
const serverOnly = require.resolve('server-only');
const stub = new Module(serverOnly);
stub.loaded = true;
require.cache[serverOnly] = stub;
const { ArticleView, BACKLINKS_SHOWN } = await import('../components/article/ArticleView');
const { MissingArticleView } = await import('../components/article/MissingArticleView');
const { CitedByView } = await import('../components/article/CitedByView');

const HOSTILE = '<script>alert(1)</script> & <img src=x onerror=alert(2)>';

function summary(number: number, title = `Title ${number}`): ArticleSummary {
  const id = `Q${number}`;
  return { id, number, title: `${id}: ${title}`, permalink: `/kb/${String(number).padStart(6, '0').slice(0, 3)}/${id}/`, product: 'P', lastModified: null };
}

const article: Article = {
  ...summary(244717, 'RAS Port Becomes Unavailable'),
  versions: [],
  versionsRaw: '',
  operatingSystems: [],
  keywords: ['kbenv'],
  technology: [],
  hardware: [],
  issueType: [],
  solutionType: [],
  queryWords: [],
  appliesTo: [],
  sections: [
    { id: 'symptoms', title: 'SYMPTOMS', level: 2 },
    { id: 'details', title: HOSTILE, level: 3 },
    { id: 'resolution', title: 'RESOLUTION', level: 2 },
  ],
  fileAttributes: [],
  references: [],
  referenceTitles: [],
  source: 'Q244717.md',
};

const body: Root = { type: 'root', children: [{ type: 'element', tagName: 'p', properties: {}, children: [{ type: 'text', value: 'Body text.' }] }] };

function render(context: Partial<ArticleContext> = {}, a: Article = article): string {
  return renderToStaticMarkup(
    <ArticleView article={a} body={body} context={{ citedBy: [], related: [], previous: null, next: null, source: null, links: null, ...context }} />,
  );
}

const count = (html: string, needle: string) => html.split(needle).length - 1;

test('the table of contents lists the sections, linked to their anchors, as text', () => {
  const html = render();
  assert.match(html, /<div class="kb-toc"><nav aria-label="Contents"><details><summary>Contents<\/summary><ol>/);
  assert.ok(html.includes('<a href="#symptoms">SYMPTOMS</a>'));
  assert.ok(html.includes('<li class="kb-toc-sub"><a href="#details">&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;img src=x onerror=alert(2)&gt;</a></li>'));
  assert.ok(!html.includes('<script>') && !html.includes('<img'), 'untrusted text never becomes markup');
  assert.ok(!render({}, { ...article, sections: article.sections.slice(0, 1) }).includes('kb-toc'), 'no contents for one section');
});

test(`backlinks: the first ${BACKLINKS_SHOWN}, the count, and a link to all of them`, () => {
  const citing = Array.from({ length: 120 }, (_, i) => summary(100000 + i));
  const html = render({ citedBy: citing });
  assert.match(html, /Referenced by <span class="kb-count">120<\/span>/);
  const section = html.slice(html.indexOf('id="kb_cited-by"'), html.indexOf('</section>', html.indexOf('id="kb_cited-by"')));
  assert.equal(count(section, '<li>'), BACKLINKS_SHOWN);
  assert.ok(section.includes('href="/kb/100/Q100000/"') && !section.includes('Q100050'));
  assert.ok(section.includes('<a href="/kb/244/Q244717/cited-by/">All 120 articles that refer to Q244717</a>'));
  const few = render({ citedBy: citing.slice(0, 3) });
  assert.equal(count(few, 'cited-by/'), 0, 'no "all" link when every backlink is shown');
  assert.ok(!render().includes('Referenced by'), 'no section without backlinks');
});

test('related articles, previous/next, copy and original-text actions', () => {
  const html = render({
    related: [summary(250000, HOSTILE)],
    previous: summary(244716, 'Before'),
    next: summary(244718, 'After'),
    source: '/kb/244/Q244717/Q244717.md',
  });
  assert.ok(html.includes('<h2 id="kb_related">Related articles</h2>'));
  assert.ok(html.includes('&lt;script&gt;alert(1)&lt;/script&gt;'));
  assert.ok(html.includes('<a href="/kb/244/Q244716/" rel="prev"><span>← Q244716</span>Before</a>'));
  assert.ok(html.includes('<a href="/kb/244/Q244718/" rel="next" class="kb-prevnext-next"><span>Q244718 →</span>After</a>'));
  assert.ok(html.includes('href="/kb/244/Q244717/Q244717.md"'), 'original text link');
  assert.match(html, /<button type="button" class="kb-action kb-copy">Copy link<\/button>/);
  assert.ok(!render().includes('Original text'), 'no original-text link when sources are not shipped');
});

test('a not-in-archive page: cited titles, look-up links, every citing article in compact rows', () => {
  const citing = Array.from({ length: 924 }, (_, i) => summary(100000 + i, `A Title of Usual Length For an Old KnowledgeBase Article ${i}`));
  const missing: MissingArticle = {
    id: 'Q238171',
    number: 238171,
    permalink: '/kb/238/Q238171/',
    citedTitles: ['RAS Port Becomes Unavailable', HOSTILE],
    citedBy: citing,
  };
  const html = renderToStaticMarkup(<MissingArticleView missing={missing} previous={summary(238100)} next={null} />);
  assert.ok(html.includes('<h1 class="kb-title">Q238171 is not in this archive</h1>'));
  assert.ok(html.includes('<li>RAS Port Becomes Unavailable</li>'));
  assert.ok(html.includes('&lt;script&gt;') && !html.includes('<script>'));
  assert.ok(html.includes('href="https://web.archive.org/web/*/support.microsoft.com/kb/238171"'));
  assert.ok(html.includes('href="http://support.microsoft.com/default.aspx?scid=kb;EN-US;Q238171"'));
  assert.ok(html.includes('924 articles refer to it'));
  const list = html.slice(html.indexOf('<ul class="kb-links">'), html.indexOf('</ul>', html.indexOf('<ul class="kb-links">')));
  assert.equal(count(list, '<li>'), 924, 'all citing articles');
  const perRow = list.length / 924;
  assert.ok(perRow < 60 + 80, `compact rows: ${perRow.toFixed(0)} bytes each`);
  assert.ok(html.includes('aria-label="Nearest articles in the archive"'));
});

test('the full backlinks page lists every citing article', () => {
  const citing = Array.from({ length: 60 }, (_, i) => summary(100000 + i));
  const html = renderToStaticMarkup(<CitedByView article={article} citedBy={citing} />);
  assert.ok(html.includes('60 articles refer to Q244717'));
  assert.equal(count(html, '<li>'), 60);
});
