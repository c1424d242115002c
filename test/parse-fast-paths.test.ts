/**
 * The parser's fast paths (lib/markdown/document.ts) read what the general readers would: `simpleHeading`
 * what remark reads around the raw block, `simpleYaml` what `yaml` reads in the front matter. Each is
 * compared with the general reader on hand-picked look-alikes and on seeded random text, and each must
 * take the archive's common shape (else the comparison proves nothing).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { unified } from 'unified';
import remarkParse from 'remark-parse';
import { parse as parseYaml } from 'yaml';
import type { Root, RootContent } from 'mdast';
import remarkRehype from 'remark-rehype';
import rehypeSanitize from 'rehype-sanitize';
import { readDocument, simpleHeading, simpleYaml } from '../lib/markdown/document';
import { kbHast, normalizeUri, trimLines } from '../lib/markdown/kb-hast';
import { blocksToMdast } from '../lib/markdown/mdast';
import { KB_SCHEMA, parseArticle, renderBody } from '../lib/markdown/index';
import type { Block } from '../lib/markdown/blocks';

const remark = unified().use(remarkParse);
const SEED = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'parser', 'q244717', 'input.md');

/** What the KB text went through before kbHast: remark-rehype (its own list item handler), then rehype-sanitize with KB_SCHEMA. */
const pipeline = unified().use(remarkRehype).use(rehypeSanitize, KB_SCHEMA);

/** kbHast and the pipeline make the same tree of `blocks`; returns kbHast's. */
function assertSameHast(blocks: Block[], linkPrefix = ''): unknown {
  const mdast = blocksToMdast(blocks, { linkPrefix });
  const fast = kbHast(mdast);
  assert.notEqual(fast, null, 'kbHast knows every node blocksToMdast makes');
  const slow = pipeline.runSync({ type: 'root', children: structuredClone(mdast) }) as { children: unknown[] };
  assert.deepEqual(fast, slow.children);
  return fast;
}

/** What readDocument takes from remark's tree: the first heading before the placeholder, and whether anything else is there. */
function remarkHeading(before: string, after: string): { heading: string | null; line: number; other: boolean } {
  const tree = remark.parse(`${before}\n\n<!--kb-raw-->\n\n${after}`) as Root;
  let heading: string | null = null;
  let line = 0;
  let other = false;
  let seenRaw = false;
  for (const node of tree.children) {
    if (node.type === 'html' && node.value === '<!--kb-raw-->') seenRaw = true;
    else if (node.type === 'heading' && heading === null && !seenRaw) {
      heading = textOf(node);
      line = node.position!.start.line;
    } else other = true;
  }
  return { heading, line, other };
}

function textOf(node: RootContent): string {
  if ('value' in node && typeof node.value === 'string') return node.value;
  return 'children' in node ? node.children.map((c) => textOf(c as RootContent)).join('') : '';
}

function assertSameHeading(before: string, after: string): boolean {
  const fast = simpleHeading(before, after);
  if (fast === null) return false;
  const slow = remarkHeading(before, after);
  assert.equal(slow.other, false, `remark reads more than a heading in ${JSON.stringify(before)} / ${JSON.stringify(after)}`);
  assert.deepEqual({ heading: fast.heading, line: fast.heading === null ? 0 : fast.line }, { heading: slow.heading, line: slow.line }, JSON.stringify(before));
  return true;
}

function assertSameYaml(text: string): boolean {
  const fast = simpleYaml(text);
  if (fast === null) return false;
  assert.equal(Object.getPrototypeOf(fast), null);
  assert.deepEqual(Object.entries(fast), Object.entries(parseYaml(text, { logLevel: 'silent' }) as Record<string, unknown>), JSON.stringify(text));
  return true;
}

/** A small seeded generator (mulberry32), so that a failure can be replayed. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

test('simpleHeading takes the archive shape, and reads what remark reads', () => {
  const seed = '\n## Q244717: RAS Port Becomes Unavailable in Windows NT 4.0 Terminal Server\n\n';
  assert.deepEqual(simpleHeading(seed, '\n'), { heading: 'Q244717: RAS Port Becomes Unavailable in Windows NT 4.0 Terminal Server', line: 2 });
  assert.equal(assertSameHeading(seed, '\n'), true);
  const taken = [
    '',
    '\n\n',
    ' \t\n',
    '# One',
    '###### Six',
    '##   spaced   out   ',
    '## a  b \n',
    '## Ünïcödé — “quotes” ’',
    '## 50% off: (a) {b} "c" \'d\' ~e~ |f| +g -h =i',
    '## \u00a0nbsp\u00a0',
    '## line\u2028separator',
    '## é',
    '## Q1: 1.',
    '## 1) not a list',
    '## - not a list',
    '\n\n\n## late\n \n',
    '## x =',
    '## ---',
    '## ===',
    '## a_b',
    '## WM__CLOSE_x1',
    '## !x',
    '## &quot;Illegal&quot; &amp; &lt;b&gt;',
    '## &#91;x&#93; &#x5B; &#X5d; &#36;',
    '## &amp;quot;',
    '## &CounterClockwiseContourIntegral;',
    '## a&amp;b',
  ];
  for (const before of taken) assert.equal(assertSameHeading(before, ''), true, `takes ${JSON.stringify(before)}`);
  const left = [
    '## a *b*',
    '## _a_',
    '## a_',
    '## a _b',
    '## é_a',
    '## [x](y)',
    '## `c`',
    '## a\\b',
    '## <b>x</b>',
    '## > not a quote',
    '## C#',
    '## x ##',
    '####### seven',
    '## &',
    '## a & b',
    '## &amp',
    '## &bogus;',
    '## &#32;',
    '## &#0;',
    '## &#xFFFF;',
    '## &#12345678;',
    '## &#x1234567;',
    '## &#;',
    '## &x;',
    '#nospace',
    ' ## indented',
    '##\tTab',
    '## a\tb',
    '## a\t',
    '##',
    '## ',
    'text',
    '## one\n## two',
    '## a\n===',
    '## a\n---',
    '## \u0001',
    'para\n\n## h',
  ];
  for (const before of left) assert.equal(simpleHeading(before, ''), null, `leaves ${JSON.stringify(before)} to remark`);
  assert.equal(simpleHeading('## x', '\nafter'), null);
  assert.equal(simpleHeading('## x', '## h'), null);
});

test('simpleHeading on random headings: whenever it answers, remark agrees', () => {
  const next = random(16);
  // Half of the runs draw from the characters the fast path takes, so that it answers often; the others from all.
  const plain = [
    'a',
    'Q',
    '1',
    ' ',
    ' ',
    '(',
    ')',
    '-',
    '=',
    '+',
    '.',
    ':',
    ';',
    '"',
    "'",
    '{',
    '}',
    '|',
    '~',
    '!',
    '_',
    'é',
    '\u00a0',
    '\u2028',
    '\n',
    '&quot;',
    '&amp;',
    '&#91;',
    '&#x5D;',
    '&#32;',
    '&#',
  ];
  const all = [...plain, '\t', '#', '*', '\\', '`', '[', ']', '<', '>', '&', '&lt', '&bogus;'];
  let answered = 0;
  for (let run = 0; run < 3000; run++) {
    const alphabet = next() < 0.5 ? plain : all;
    const length = Math.floor(next() * 24);
    let text = next() < 0.7 ? '#'.repeat(1 + Math.floor(next() * 7)) + (next() < 0.9 ? ' ' : '') : '';
    for (let i = 0; i < length; i++) text += alphabet[Math.floor(next() * alphabet.length)];
    const before = (next() < 0.5 ? '\n' : '') + text + (next() < 0.5 ? '\n\n' : '');
    if (assertSameHeading(before, next() < 0.8 ? '\n' : ' x')) answered++;
  }
  assert.ok(answered > 200, `the fast path answered ${answered} of 3000`);
});

test('simpleYaml takes the archive shape, and reads what yaml reads', () => {
  const seed = 'layout: page\ntitle: "Q244717: RAS Port Becomes Unavailable in Windows NT 4.0 Terminal Server"\npermalink: /kb/244/Q244717/';
  assert.deepEqual(Object.entries(simpleYaml(seed)!), [
    ['layout', 'page'],
    ['title', 'Q244717: RAS Port Becomes Unavailable in Windows NT 4.0 Terminal Server'],
    ['permalink', '/kb/244/Q244717/'],
  ]);
  const taken = [
    seed,
    'title: "a # b: c \' {x} [y] & *z"',
    'title:    "spaced"',
    'title: ""',
    'a-b_c: x.y-z',
    'constructor: x',
    'toString: "y"',
    'x: nul',
    'x: Truex',
    'x: /',
    'x: "é\u00a0"',
  ];
  for (const text of taken) assert.equal(assertSameYaml(text), true, `takes ${JSON.stringify(text)}`);
  const left = [
    '',
    'title: a b',
    'title: "a\\"b"',
    'title: "a" # c',
    "title: 'a'",
    'title:',
    'title:"x"',
    'title: null',
    'x: true',
    'x: FALSE',
    'x: 12',
    'x: 1.5',
    'x: .inf',
    'x: -1',
    'a: 1\na: 2',
    'a: x\n\nb: y',
    '# c\na: x',
    '__proto__: x',
    'null: x',
    'a b: c',
    ' a: x',
    'a: x ',
    'a: "x',
    'a: [x]',
    'a: {x: y}',
    'a: &x y',
    'a: *x',
    'a: !t x',
    'a: - x',
    'a: |',
    'a: "\u0001"',
    'a:\tx',
  ];
  for (const text of left) assert.equal(simpleYaml(text), null, `leaves ${JSON.stringify(text)} to yaml`);
});

test('simpleYaml on random front matter: whenever it answers, yaml agrees', () => {
  const next = random(6);
  const keys = ['title', 'layout', 'permalink', 'a', 'Null', 'x-y', 'k_1'];
  const pieces = [
    'a',
    'Q1',
    ':',
    ' ',
    '"',
    "'",
    '#',
    '/',
    '.',
    '-',
    '_',
    '\\',
    'true',
    'null',
    '1',
    'e',
    '[',
    '{',
    '&',
    '*',
    '!',
    '|',
    '>',
    '%',
    '@',
    'é',
    '\t',
  ];
  let answered = 0;
  for (let run = 0; run < 3000; run++) {
    const lines: string[] = [];
    const count = 1 + Math.floor(next() * 3);
    for (let l = 0; l < count; l++) {
      let value = '';
      const length = Math.floor(next() * 10);
      for (let i = 0; i < length; i++) value += pieces[Math.floor(next() * pieces.length)];
      if (next() < 0.5) value = `"${value}"`;
      lines.push(`${keys[Math.floor(next() * keys.length)]}:${next() < 0.9 ? ' ' : ''}${value}`);
    }
    let parsed: unknown;
    try {
      parsed = parseYaml(lines.join('\n'), { logLevel: 'silent' });
    } catch {
      assert.equal(simpleYaml(lines.join('\n')), null, `yaml refuses ${JSON.stringify(lines.join('\n'))}, the fast path must too`);
      continue;
    }
    if (parsed !== null && assertSameYaml(lines.join('\n'))) answered++;
  }
  assert.ok(answered > 300, `the fast path answered ${answered} of 3000`);
});

test('readDocument with the fast paths: the seed file as before', () => {
  const text =
    '---\nlayout: page\ntitle: "Q244717: RAS Port"\npermalink: /kb/244/Q244717/\n---\n\n## Q244717: RAS Port\n\n{% raw %}\n\tArticle: Q244717\n{% endraw %}\n';
  const diagnostics: never[] = [];
  const doc = readDocument(text, 'Q244717.md', diagnostics);
  assert.deepEqual(diagnostics, []);
  assert.deepEqual({ ...doc.frontMatter }, { layout: 'page', title: 'Q244717: RAS Port', permalink: '/kb/244/Q244717/' });
  assert.equal(doc.heading, 'Q244717: RAS Port');
  assert.equal(doc.headingLine, 7);
  assert.equal(doc.kbText, '\tArticle: Q244717\n');
  assert.equal(doc.kbLine, 10);
  assert.deepEqual([doc.before, doc.after, doc.plainBefore, doc.plainAfter], [[], [], null, null]);
});

test('kbHast makes the tree remark-rehype and rehype-sanitize make, for every kind of block', () => {
  const blocks: Block[] = [
    { type: 'heading', level: 2, text: 'SYMPTOMS', id: 'symptoms', line: 1 },
    { type: 'heading', level: 3, text: 'Without id Q244717', line: 2 },
    { type: 'paragraph', text: 'See Q244717, http://example.com/a?b=1&c=%41%zz and www.example.com/x y. Done', line: 3 },
    { type: 'paragraph', text: 'line one  \n   line two\t\r\n\tthree \r four', line: 4 },
    { type: 'list', ordered: false, items: ['one', 'two http://x.example/é', ''], line: 5 },
    { type: 'list', ordered: true, items: ['first'], line: 6 },
    { type: 'pre', text: '   C:\\> dir  \n      indented <b>&amp;</b>\n\tQ123456 ftp://host/path', line: 7 },
    { type: 'rule', line: 8 },
    {
      type: 'fileTable',
      text: '',
      line: 9,
      table: {
        columns: ['Date', 'Size', 'File name', 'Extra'],
        cells: [
          ['10/29/99', '1,234', 'rassrv.exe', 'x'],
          ['1/1/00', '', 'a.dll'],
          ['1/1/00', '5', 'b.dll', 'y', 'z extra cell'],
        ],
        rows: [],
      },
    } as unknown as Block,
    { type: 'paragraph', text: '', line: 10 },
  ];
  assertSameHast(blocks);
  assertSameHast(blocks, '/base/path');
  // The seed, through the parser: its file table, lists, sections and links.
  const seed = parseArticle(readFileSync(SEED, 'utf8'), 'kb/244/Q244717/README.md');
  assertSameHast(seed.body.blocks);
  assert.equal(renderBody(seed.body).children.length > 10, true);
});

test('kbHast: URLs normalized and unsafe protocols dropped as the pipeline does; unknown nodes left to it', () => {
  const link = (url: string) => ({ type: 'link' as const, url, children: [{ type: 'text' as const, value: url }] });
  const urls = [
    'http://a.example/ü %20 %zz %4',
    'javascript:alert(1)',
    'JAVASCRIPT:x',
    'vbscript:x',
    'mailto:a@b',
    'ftp://x',
    '/kb/244/Q244717/',
    'a/b:c',
    '?q=a:b',
    '#x:y',
    'data:text/html,x',
    'http://x/\ud800',
    'http://x/\ud83d\ude00`{|}',
  ];
  for (const url of urls) {
    const mdast = [{ type: 'paragraph' as const, children: [link(url)] }];
    const slow = pipeline.runSync({ type: 'root', children: structuredClone(mdast) }) as { children: unknown[] };
    assert.deepEqual(kbHast(mdast), slow.children, url);
  }
  assert.equal(normalizeUri('http://x/a b'), 'http://x/a%20b');
  assert.equal(trimLines(' a \n b \r\n c '), ' a\nb\r\nc ');
  assert.equal(kbHast([{ type: 'blockquote', children: [] }]), null);
  assert.equal(kbHast([{ type: 'paragraph', children: [{ type: 'emphasis', children: [] }] }]), null);
  assert.equal(kbHast([{ type: 'paragraph', children: [{ type: 'link', url: 'x', title: 't', children: [] }] }]), null);
  assert.equal(kbHast([{ type: 'heading', depth: 2, children: [], data: { hProperties: { id: 'x', onclick: 'y' } } }]), null);
});

test('kbHast on random KB text: the same tree as the pipeline', () => {
  const next = random(1999);
  const pieces = ['word ', 'Q244717 ', 'http://x.example/p?a=1 ', 'www.x.example ', '\n', '  ', '\t', '<', '&', '%', 'é', ') ', '.', 'ftp://f/ ', 'q123456 '];
  const textOf = () => Array.from({ length: Math.floor(next() * 12) }, () => pieces[Math.floor(next() * pieces.length)]).join('');
  for (let run = 0; run < 300; run++) {
    const blocks: Block[] = [];
    for (let i = 0; i < 1 + Math.floor(next() * 6); i++) {
      const kind = Math.floor(next() * 5);
      if (kind === 0) blocks.push({ type: 'heading', level: next() < 0.5 ? 2 : 3, text: textOf(), line: i, ...(next() < 0.7 ? { id: `h${i}` } : {}) });
      else if (kind === 1) blocks.push({ type: 'paragraph', text: textOf(), line: i });
      else if (kind === 2) blocks.push({ type: 'list', ordered: next() < 0.5, items: [textOf(), textOf()], line: i });
      else if (kind === 3) blocks.push({ type: 'pre', text: textOf(), line: i });
      else blocks.push({ type: 'rule', line: i });
    }
    assertSameHast(blocks, next() < 0.5 ? '' : '/b');
  }
});
