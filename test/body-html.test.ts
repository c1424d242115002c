/**
 * lib/build/body-html.ts writes the body HTML that React's render of `ArticleBody` gives, byte for byte,
 * for the trees the KB format makes, and gives null (render with React) for anything else. Compared with
 * `renderToString` on every fixture article, on seeded random trees of the elements it covers (with the text
 * React treats specially: characters to escape, adjacent and empty text, whitespace in tables, line feeds at the
 * start of `pre`), and on trees it must leave to React.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createElement } from 'react';
import { renderToString } from 'react-dom/server';
import fc from 'fast-check';
import type { Element, ElementContent, Root } from 'hast';
import { ArticleBody } from '../components/article/ArticleBody';
import { articleBodyHtml } from '../lib/build/body-html';
import { parseArticle, renderBody } from '../lib/markdown/index';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const RUNS = Number(process.env['KB_FUZZ_RUNS'] ?? 300);

const react = (tree: Root) => renderToString(createElement(ArticleBody, { body: tree }));

function markdownFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true }))
    if (entry.isFile() && entry.name.endsWith('.md')) out.push(path.join(entry.parentPath, entry.name));
  return out.sort();
}

test('every fixture article: the same HTML as React, and the KB articles are covered', () => {
  const files = [...markdownFiles(path.join(HERE, '..', 'content')), ...markdownFiles(path.join(HERE, 'fixtures'))];
  let covered = 0;
  const uncovered: string[] = [];
  for (const file of files) {
    const parsed = parseArticle(readFileSync(file, 'utf8'), file);
    if (!parsed.article) continue;
    for (const linkPrefix of ['', '/kb-archive']) {
      const tree = renderBody(parsed.body, { linkPrefix });
      const fast = articleBodyHtml(tree);
      if (fast === null) {
        uncovered.push(path.relative(HERE, file));
        continue;
      }
      covered++;
      assert.equal(fast, react(tree), file);
    }
  }
  // The seed article and the sample articles are the archive's shape: written here, not by React.
  assert.ok(covered >= 2 * 40, `${covered} renders covered`);
  for (const file of uncovered) assert.match(file, /hostile/, `${file} left to React`);
});

const h = (tagName: string, properties: Element['properties'], children: ElementContent[]): Element => ({
  type: 'element',
  tagName,
  properties,
  children,
});
const t = (value: string): ElementContent => ({ type: 'text', value });

/** Text with what React escapes or separates: quotes, `&`, angle brackets, line feeds, spaces only, nothing. */
const text = fc.oneof(fc.constantFrom('', ' ', '\n', '\n\t ', '\nline', '&amp;', '<b>', '"q"', "it's", 'a > b', 'Q244717', 'x'), fc.string({ maxLength: 12 }));
const tokens = fc.array(fc.constantFrom('kb-pre', 'a', '', ' b ', '"x"'), { maxLength: 3 });
const href = fc.constantFrom('/kb/244/Q244717/', '#section', 'https://example.com/?a=1&b="2"', 'ftp://ftp.microsoft.com/', 'mailto:x@y', 'rel/ative');

const tree = fc.letrec<{ node: ElementContent; inline: ElementContent; block: ElementContent }>((tie) => ({
  inline: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    text.map(t),
    fc.tuple(href, fc.array(tie('inline'), { maxLength: 3 })).map(([url, kids]) => h('a', { href: url }, kids)),
    fc.array(tie('inline'), { maxLength: 3 }).map((kids) => h('a', {}, kids)),
    fc.tuple(fc.constantFrom('em', 'strong', 'code', 'del'), fc.array(tie('inline'), { maxLength: 3 })).map(([tag, kids]) => h(tag, {}, kids)),
  ),
  block: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.array(tie('inline'), { maxLength: 4 }).map((kids) => h('p', {}, kids)),
    fc.tuple(tokens, fc.array(text.map(t), { maxLength: 3 })).map(([className, kids]) => h('pre', { className }, kids)),
    fc
      .tuple(fc.constantFrom('h2', 'h3'), fc.option(fc.constantFrom('', 'resolution', 'a"b&c'), { nil: undefined }), fc.array(tie('inline'), { maxLength: 3 }))
      .map(([tag, id, kids]) => h(tag, id === undefined ? {} : { id }, kids)),
    fc
      .tuple(
        fc.constantFrom('ol', 'ul'),
        fc.array(
          fc.oneof(
            text.map(t),
            fc.array(tie('node'), { maxLength: 3 }).map((kids) => h('li', {}, kids)),
          ),
          { maxLength: 4 },
        ),
      )
      .map(([tag, kids]) => h(tag, {}, kids)),
    fc.constant(h('hr', {}, [])),
    fc
      .array(
        fc.oneof(
          text.map(t),
          fc
            .array(
              fc.oneof(
                text.map(t),
                fc
                  .tuple(
                    fc.constantFrom('td', 'th'),
                    fc.option(fc.constantFrom('left', 'right'), { nil: undefined }),
                    fc.array(tie('inline'), { maxLength: 2 }),
                  )
                  .map(([tag, align, kids]) => h(tag, align === undefined ? {} : { align }, kids)),
              ),
              { maxLength: 4 },
            )
            .map((cells) => h('tbody', {}, [h('tr', {}, cells)])),
        ),
        { maxLength: 3 },
      )
      .map((rows) => h('table', { className: ['kb-files'] }, rows)),
  ),
  node: fc.oneof(tie('block'), tie('inline')),
}));

test('seeded random trees of the covered elements: the same HTML as React', () => {
  fc.assert(
    fc.property(fc.array(tree.node, { maxLength: 6 }), (children) => {
      const root: Root = { type: 'root', children };
      const fast = articleBodyHtml(root);
      assert.notEqual(fast, null);
      assert.equal(fast, react(root));
    }),
    { numRuns: RUNS, seed: 21 },
  );
});

test('trees with anything else are left to React (null)', () => {
  const others: Array<[string, Root['children']]> = [
    ['an image', [h('p', {}, [h('img', { src: '/x.png', alt: '' }, [])])]],
    ['a javascript: link', [h('p', {}, [h('a', { href: ' javascript:alert(1)' }, [t('x')])])]],
    ['an empty link', [h('p', {}, [h('a', { href: '' }, [t('x')])])]],
    ['a link with a title', [h('p', {}, [h('a', { href: '/kb/', title: 'x' }, [t('x')])])]],
    ['a data attribute', [h('p', { dataKb: 'x' }, [t('x')])]],
    ['a numbered list from 3', [h('ol', { start: 3 }, [h('li', {}, [t('x')])])]],
    ['a class that is not a list', [h('p', { className: 'x' as unknown as string[] }, [t('x')])]],
    ['a comment', [{ type: 'comment', value: 'x' }]],
    ['a rule with children', [h('hr', {}, [t('x')])]],
    ['an input', [h('input', { type: 'checkbox', checked: true, disabled: true }, [])]],
  ];
  for (const [what, children] of others) {
    const root: Root = { type: 'root', children };
    // lib/build/body-cache.tsx renders them with React (which adds an image's preload link, and throws on a rule
    // with children: that article's `render-failed` diagnostic).
    assert.equal(articleBodyHtml(root), null, what);
  }
});
