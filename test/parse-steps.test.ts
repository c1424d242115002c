/**
 * The steps of `parseArticle` (lib/markdown/parse.ts), each on its own: the
 * readable text, the body lines, the title, the id, the permalink, the
 * bounded metadata lists and the section anchors.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Diagnostic } from '../lib/markdown/schema';
import { bodyLinesOf, checkPermalink, LIMITS, nameSections, readableText, readId, readMetadata, readTitle, type Report } from '../lib/markdown/parse';
import { parseHeader } from '../lib/markdown/header';
import { parseFooter } from '../lib/markdown/footer';
import { toKbLines } from '../lib/markdown/lines';
import { toBlocks } from '../lib/markdown/blocks';
import { parseArticle } from '../lib/markdown/parse';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../bench/lib/corpus';

function recorder(): { diag: Report; seen: Array<Omit<Diagnostic, 'file'>> } {
  const seen: Array<Omit<Diagnostic, 'file'>> = [];
  return { seen, diag: (severity, kind, message, line) => seen.push({ severity, kind, message, ...(line ? { line } : {}) }) };
}

test('readableText: BOM, empty, binary, control characters, line endings', () => {
  let r = recorder();
  assert.equal(readableText('\ufeff---\ntitle: x\n', r.diag), '---\ntitle: x\n');
  assert.deepEqual(r.seen, []);
  r = recorder();
  assert.equal(readableText(' \n\t ', r.diag), null);
  assert.deepEqual(
    r.seen.map((d) => d.kind),
    ['empty-file'],
  );
  r = recorder();
  assert.equal(readableText('\0'.repeat(100) + 'x', r.diag), null);
  assert.deepEqual(
    r.seen.map((d) => d.kind),
    ['binary-file'],
  );
  r = recorder();
  assert.equal(readableText('a\r\nb\0c\ufffd\rd', r.diag), 'a\nbc\nd');
  assert.deepEqual(
    r.seen.map((d) => [d.kind, d.line]),
    [
      ['binary-data', 2],
      ['line-endings', 1],
    ],
  );
});

test('bodyLinesOf: the lines between header and footer, with plain text from outside the raw block around them', () => {
  const lines = toKbLines('Article: Q1\nbody one\nbody two\nfooter', 10);
  const body = bodyLinesOf({ plainBefore: { text: 'before', line: 3 }, plainAfter: null }, lines, 1, 3);
  assert.deepEqual(
    body.map((l) => [l.text, l.line]),
    [
      ['before', 3],
      ['', 3],
      ['body one', 11],
      ['body two', 12],
    ],
  );
});

test('readTitle: front matter first, then the heading; prefix taken off; entities decoded; long titles cut', () => {
  const lineOf = () => 7;
  let r = recorder();
  let t = readTitle({ title: 'Q244717: RAS &amp; Port' }, 'Q1: heading', r.diag, lineOf);
  assert.equal(t.title, 'RAS & Port');
  assert.equal(t.titleId?.[1], '244717');
  r = recorder();
  t = readTitle({}, 'A heading without number', r.diag, lineOf);
  assert.equal(t.title, 'A heading without number');
  assert.equal(t.titleId, null);
  // A front-matter key that is no string or number (a YAML map, a list) is not a title; `__proto__` is no key lookup.
  t = readTitle(JSON.parse('{"__proto__": {"title": "polluted"}}') as Record<string, unknown>, null, r.diag, lineOf);
  assert.equal(t.title, '');
  t = readTitle({ title: ['a', 'b'] }, 'Q5: fallback', r.diag, lineOf);
  assert.equal(t.title, 'fallback');
  r = recorder();
  t = readTitle({ title: `Q1: ${'x'.repeat(400)}` }, null, r.diag, lineOf);
  assert.equal(t.title.length, 300);
  assert.deepEqual(r.seen, [{ severity: 'warning', kind: 'long-title', message: 'title is 400 characters long; cut to 300', line: 7 }]);
});

test('readId: Article line, else title prefix, else file name; one number rule; disagreements reported', () => {
  const header = (article: string | null) => ({ article, lines: { article: article ? 12 : undefined } }) as never;
  const titleId = (digits: string) => /^Q(\d+)/.exec(`Q${digits}:`);
  const lineOf = () => 3;
  const from = (over: Partial<Parameters<typeof readId>[0]>) => ({
    header: header(null),
    titleId: null,
    rawTitle: null,
    source: 'x.md',
    firstLine: 10,
    headingLine: 5,
    ...over,
  });
  let r = recorder();
  assert.equal(readId(from({ header: header('Q050552'), titleId: titleId('50552'), rawTitle: 'Q50552: t' }), r.diag, lineOf), 'Q50552');
  assert.deepEqual(r.seen, []);
  r = recorder();
  assert.equal(readId(from({ titleId: titleId('244717'), rawTitle: 'Q244717: t', source: 'kb/Q244717.md' }), r.diag, lineOf), 'Q244717');
  assert.deepEqual(
    r.seen.map((d) => d.kind),
    ['missing-article-line'],
  );
  r = recorder();
  assert.equal(readId(from({ source: 'a/Q000123.md', rawTitle: 'no number' }), r.diag, lineOf), 'Q123');
  assert.deepEqual(
    r.seen.map((d) => d.kind),
    ['missing-article-line', 'title-without-id'],
  );
  r = recorder();
  assert.equal(readId(from({ header: header('Q1'), titleId: titleId('2'), rawTitle: 'Q2: t', source: 'Q3.md' }), r.diag, lineOf), 'Q1');
  assert.deepEqual(
    r.seen.map((d) => d.kind),
    ['file-name-mismatch', 'id-mismatch'],
  );
  // Numbers that are no article numbers: Q0, Q00000, seven digits; fullwidth digits are no digits.
  for (const bad of ['Q0', 'Q00000', 'Q1234567']) {
    r = recorder();
    assert.equal(readId(from({ header: header(bad) }), r.diag, lineOf), null, bad);
    assert.deepEqual(
      r.seen.map((d) => [d.kind, d.line]),
      [['missing-id', 12]],
    );
  }
  r = recorder();
  assert.equal(readId(from({ header: header('Q２４４７１７'), source: 'x.md' }), r.diag, lineOf), null);
});

test('checkPermalink: always the canonical permalink; any other value reported with its line', () => {
  let r = recorder();
  assert.equal(checkPermalink({ permalink: '/kb/244/Q244717' }, 'Q244717', '', r.diag), '/kb/244/Q244717/');
  assert.deepEqual(r.seen, []);
  for (const bad of ['../../x/', 'javascript:alert(1)', '/kb/990/Q990001/', 42, { a: 1 }]) {
    r = recorder();
    assert.equal(checkPermalink({ permalink: bad }, 'Q244717', '---\ntitle: x\npermalink: y\n', r.diag), '/kb/244/Q244717/');
    assert.deepEqual(
      r.seen.map((d) => [d.kind, d.line]),
      [['bad-permalink', 3]],
      String(bad),
    );
  }
});

test('readMetadata: lists split, de-duplicated and bounded; the product cut; each cut reported', () => {
  const keywords = Array.from({ length: 70 }, (_, i) => `kb${i}`).join(' ');
  const text = [
    'Article: Q1',
    `Product(s): ${'P'.repeat(250)}`,
    'Version(s): 3.51 4.0',
    'Operating System(s): winnt',
    `Keyword(s): ${keywords} ${'k'.repeat(65)} kb1`,
    'Last Modified: 01-JAN-2000',
  ].join('\n');
  const lines = toKbLines(text, 1);
  const r = recorder();
  const meta = readMetadata(parseHeader(lines), parseFooter(lines, parseHeader(lines).end), lines, r.diag);
  assert.equal(meta.keywords.length, LIMITS.keywords);
  assert.equal(meta.keywords[1], 'kb1');
  assert.equal(meta.product?.length, LIMITS.product);
  assert.deepEqual(
    meta.versions.map((v) => v.version),
    ['3.51', '4.0'],
  );
  assert.deepEqual(
    r.seen.map((d) => [d.kind, d.line]),
    [
      ['list-limit', 5],
      ['list-limit', 5],
      ['long-product', 2],
    ],
  );
});

test('nameSections: unique anchors of [a-z0-9-] from any heading text', () => {
  const blocks = toBlocks(toKbLines('SUMMARY\n=======\n\ntext\n\nSUMMARY\n=======\n\n__proto__\n=========\n\n<script>\n========\n', 1));
  const { sections } = nameSections(blocks);
  assert.deepEqual(
    sections.map((s) => s.id),
    ['summary', 'summary-1', 'proto', 'script'],
  );
});

test("text after the keyword footer's closing rule is reported with its line, never dropped silently", () => {
  const seed = readFileSync(path.join(REPO_ROOT, 'content', 'Q244717.md'), 'utf8');
  // The seed as it is: its footer ends the article, nothing is reported.
  assert.deepEqual(
    parseArticle(seed, 'Q244717.md').diagnostics.filter((d) => d.kind === 'text-after-footer'),
    [],
  );
  // Two lines put after the closing rule (before {% endraw %}): one warning, at the first of them.
  const edited = seed.replace('{% endraw %}', '\tA sentence after the footer.\n\n\tAnother one.\n{% endraw %}');
  const result = parseArticle(edited, 'Q244717.md');
  const lines = edited.split('\n');
  const first = lines.findIndex((l) => l.includes('A sentence after the footer.')) + 1;
  assert.deepEqual(
    result.diagnostics.filter((d) => d.kind === 'text-after-footer').map((d) => [d.severity, d.line, d.message]),
    [['warning', first, "2 lines after the keyword footer's closing rule are not shown"]],
  );
  // The article itself is still read whole, as before.
  assert.equal(result.article?.id, 'Q244717');
  assert.ok(result.article?.keywords.includes('kbfixlist'));
});
