/**
 * Property-based tests of the parser on random and mutated articles (fast-check):
 * `parseArticle` and `renderBody` never throw, give an article that matches
 * the schema (or none, with an error), never fall back to plain text without
 * saying so, and the rendered body never holds an element or attribute that
 * could run script. How long they take (and that it grows linearly) is
 * measured by bench/hostile.ts and bench/regex.ts, not here.
 *
 *   KB_FUZZ_RUNS=5000 npm test -- test/fuzz.test.ts    more runs (default 200 per property)
 *   KB_FUZZ_SEED=123 …                                 replay a failure (fast-check prints the seed)
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { articleSchema, parseArticle, renderBody } from '../lib/markdown/index';
import { markdownRisk, MARKDOWN_LIMITS } from '../lib/markdown/document';
import { dangers } from '../bench/lib/hostile-content';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const RUNS = Number(process.env['KB_FUZZ_RUNS'] ?? 200);
const SEED = process.env['KB_FUZZ_SEED'] ? Number(process.env['KB_FUZZ_SEED']) : undefined;
const params = { numRuns: RUNS, ...(SEED === undefined ? {} : { seed: SEED }) };

/** Real articles to mutate: the parser fixtures and the hostile fixtures. */
function seeds(): string[] {
  const out: string[] = [];
  const parserDir = path.join(HERE, 'fixtures', 'parser');
  for (const name of readdirSync(parserDir).sort()) out.push(readFileSync(path.join(parserDir, name, 'input.md'), 'utf8'));
  const hostileDir = path.join(HERE, 'fixtures', 'hostile');
  for (const name of readdirSync(hostileDir).sort()) {
    if (/^Q9909(0[1-9]|1[0-5])\.md$/.test(name)) out.push(readFileSync(path.join(hostileDir, name), 'utf8'));
  }
  return out;
}
const SEEDS = seeds();

/** Pieces of KB articles, Markdown and attacks, to build and mutate articles from. */
const TOKENS = [
  '---\n',
  'title: "Q990001: T"\n',
  'permalink: ../../x\n',
  '## Q990001: Title\n',
  '{% raw %}',
  '{% endraw %}',
  '{%- raw -%}',
  '\tArticle: Q990001\n',
  '\tProduct(s): x\n',
  '\tVersion(s): winnt:4.0\n',
  '\tKeyword(s): kbbug\n',
  '\tLast Modified: 31-FEB-1999\n',
  '\t========\n',
  '\t--------\n',
  '\t' + '-'.repeat(79) + '\n',
  '\t' + '='.repeat(70) + '\n',
  '\tThe information in this article applies to:\n',
  '\t  Date      Time     Size    File name     Platform\n',
  '\t  10/29/99  01:15a   69,904 Rassrv.exe    x86\n',
  '\t+------+------+\n',
  '\t| Date | Time | File name |\n',
  '\tAdditional query words: x\n',
  '\tKeywords          : kbbug\n',
  '\t- item\n',
  '\t1. item\n',
  '\t    code();\n',
  'Q244717',
  'Q1',
  'Q0',
  'Q99999999',
  'http://example.com/a_(b).',
  'www.example.com.',
  'ftp://x/',
  '<92>',
  '<A0>',
  '&quot;',
  '&#0;',
  '&#x110000;',
  '<script>alert(1)</script>',
  '<img src=x onerror=alert(1)>',
  '<a href="javascript:alert(1)">x</a>',
  '<svg onload=alert(1)>',
  '<iframe src=//x>',
  '<div style="x:expression(alert(1))">',
  '[x](javascript:alert(1))',
  '<javascript:alert(1)>',
  '<!--',
  '-->',
  '<![CDATA[',
  ']]>',
  '</script>',
  '*',
  '_',
  '**',
  '[',
  ']',
  '(',
  ')',
  '`',
  '```\n',
  '> ',
  '  ',
  '\t',
  '\n',
  '\n\n',
  '\r\n',
  '\r',
  '\u0000',
  '\ufffd',
  '\ufeff',
  '\u2028',
  '\u001b[2J',
  '#',
  '=',
  '-',
  '|',
  '\\',
  '"',
  "'",
  '<',
  '>',
  '&',
  ':',
  'Date',
  'Time',
  'File name',
  '😀',
  '\ud800',
  // Round two: prototype names, line separators, NBSP, lax fences, raw tags in values, non-numbers.
  '__proto__',
  'constructor',
  'toString',
  '\u2029',
  '\u00a0',
  ' '.repeat(64),
  '--- \n',
  'title: "Q990001: {% raw %}"\n',
  'Q00000',
  'Q0000001',
  '\tTITLE : ',
  '\tARTICLE-ID: Q123456\n',
  '\tKeywords          : __proto__ constructor\n',
  'Q0990001',
];
const token = fc.constantFrom(...TOKENS);

/** An article put together from tokens and random text. */
const assembled = fc
  .array(
    fc.oneof(
      { weight: 4, arbitrary: token },
      { weight: 1, arbitrary: fc.string({ maxLength: 20 }) },
      { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 8 }) },
    ),
    { maxLength: 120 },
  )
  .map((parts) => parts.join(''));

/** A real article with random edits: insertions, deletions, duplications and long runs of one token. */
const mutated = fc
  .tuple(
    fc.constantFrom(...SEEDS),
    fc.array(
      fc.tuple(
        fc.constantFrom('insert', 'delete', 'duplicate', 'repeat'),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        token,
        fc.integer({ min: 1, max: 400 }),
      ),
      { minLength: 1, maxLength: 8 },
    ),
  )
  .map(([seed, edits]) => {
    let text = seed;
    for (const [op, a, b, tok, n] of edits) {
      const at = Math.floor(a * text.length);
      const to = Math.min(text.length, at + Math.floor(b * 200));
      if (op === 'insert') text = text.slice(0, at) + tok + text.slice(at);
      else if (op === 'delete') text = text.slice(0, at) + text.slice(to);
      else if (op === 'duplicate') text = text.slice(0, to) + text.slice(at, to) + text.slice(to);
      else text = text.slice(0, at) + tok.repeat(n) + text.slice(at);
    }
    return text;
  });

function check(text: string): void {
  const result = parseArticle(text, 'fuzz/Q990500.md');
  const fallbacks: string[] = [];
  const body = renderBody(result.body, { linkPrefix: '/base', onFallback: (kind) => fallbacks.push(kind) });
  // The parser's limits keep the renderer from failing: a fallback would be a part shown as plain text.
  assert.ok(!fallbacks.includes('render-fallback'), `renderBody fell back to plain text for ${JSON.stringify(text.slice(0, 200))}`);
  if (result.article) {
    const parsed = articleSchema.safeParse(result.article);
    assert.ok(parsed.success, `article does not match the schema: ${JSON.stringify(parsed.error?.issues.slice(0, 2))}`);
  } else {
    assert.ok(
      result.diagnostics.some((d) => d.severity === 'error'),
      'no article, but no error says why',
    );
  }
  for (const d of result.diagnostics) {
    assert.ok(d.kind && d.message && d.file === 'fuzz/Q990500.md', `malformed diagnostic ${JSON.stringify(d)}`);
    assert.ok(!/[\u0000-\u0008\u000b-\u001f\u007f]/.test(d.message), `control character in diagnostic ${JSON.stringify(d.message)}`);
  }
  assert.deepEqual(dangers(body), []);
}

test('random articles assembled from KB pieces, Markdown and attacks never throw, hang, or render script', () => {
  fc.assert(fc.property(assembled, check), params);
});

test('real articles with random edits never throw, hang, or render script', () => {
  fc.assert(fc.property(mutated, check), params);
});

test('random strings (any UTF-16, binary) never throw or hang', () => {
  fc.assert(fc.property(fc.oneof(fc.string({ unit: 'binary', maxLength: 2000 }), fc.string({ unit: 'grapheme', maxLength: 500 })), check), params);
});

test('random text inside the raw block and inside the front matter never throws or hangs', () => {
  const wrapped = fc
    .tuple(fc.string({ unit: 'binary-ascii', maxLength: 400 }), assembled)
    .map(([fm, kbText]) => `---\n${fm}\n---\n\n## Q990500: T\n\n{% raw %}\n\n\tArticle: Q990500\n${kbText}\n{% endraw %}\n${kbText}`);
  fc.assert(fc.property(wrapped, check), params);
});

test('markdownRisk keeps slow and deep Markdown away from micromark', () => {
  assert.equal(markdownRisk('# Title\n\nSome *text* with [a link](http://x).\n\n- a\n- b\n'), null);
  assert.match(markdownRisk('x'.repeat(MARKDOWN_LIMITS.chars + 1))!.reason, /KB/);
  assert.match(markdownRisk('*a_'.repeat(1500))!.reason, /\* and _/);
  assert.match(markdownRisk('['.repeat(2500))!.reason, /brackets/);
  assert.match(markdownRisk('<div>'.repeat(1500))!.reason, /< signs/);
  assert.match(markdownRisk('a\n=\n'.repeat(150))!.reason, /underlines/);
  assert.deepEqual(markdownRisk('ok\n' + '> '.repeat(9) + 'deep'), { reason: 'block quotes nested more than 8 deep', line: 2 });
  assert.match(markdownRisk(' '.repeat(80) + '- deep')!.reason, /indented/);
  assert.match(markdownRisk('a\n'.repeat(2500))!.reason, /lines/);
});
