/**
 * Every regular expression that sees untrusted text is linear: a static check
 * of each regex literal in the parser, the content loader and the CLI
 * (bench/lib/regex-safety.ts explains the rules), a check that the checker
 * catches the patterns that went quadratic before, and a property test that
 * runs each regex on long runs of blanks, tabs, U+2028/U+2029, NBSP and
 * punctuation. How long they take per byte is measured by `npm run bench --
 * regex` (bench/regex.ts), not here.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { collectRegexes, regexFiles, regexProblems } from '../bench/lib/regex-safety';
import { VERSION_RULE } from '../lib/keywords';

const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');

const { found, dynamic } = collectRegexes(regexFiles(ROOT));

test("the regex files hold the parser's patterns (the collector finds them)", () => {
  assert.ok(found.length > 80, `only ${found.length} regexes found`);
  assert.ok(
    found.some((r) => r.source.includes('ARTICLE-ID')),
    'the ARTICLE-ID pattern of references.ts is not found',
  );
});

test('every regex literal is linear: no nested or adjacent overlapping unbounded quantifiers, no unanchored re-scans', () => {
  const bad = found.flatMap((r) => regexProblems(r.source, r.flags).map((p) => `${path.relative(ROOT, r.file)}:${r.line} /${r.source}/${r.flags}: ${p}`));
  assert.deepEqual(bad, []);
});

test('regexes built at run time are known and linear too', () => {
  // keywords.ts builds VERSION_RULE from its product codes; any other one must be added here.
  assert.deepEqual(
    dynamic.map((d) => path.relative(ROOT, d.file)),
    ['lib/keywords.ts'],
    `regexes built at run time: ${JSON.stringify(dynamic)}`,
  );
  assert.deepEqual(regexProblems(VERSION_RULE.source, VERSION_RULE.flags), []);
});

test('the checker flags the shapes that went quadratic, and passes their linear rewrites', () => {
  const quadratic: RegExp[] = [
    /^\s*[-*•]\s+(.*)$/, // applies-to item before a U+2028
    /^\s*TITLE\s*:\s*(.+)$/i, // references TITLE
    /^ {0,3}#{1,6}[ \t]+(.*)$/, // fallback heading
    /(a+)+$/,
    /(a|ab)*c/,
    /\s+$/,
    /[ \t]+\S/,
    /^\s* \s*x/,
    /a.*b/,
    /\S {3,}\S.*\S {3,}\S/,
  ];
  for (const re of quadratic) assert.notDeepEqual(regexProblems(re.source, re.flags), [], `${re} is not flagged`);
  const linear: RegExp[] = [/^\s*[-*•]\s(.*)$/s, /^\s*TITLE\s*:(.*)$/is, /^ {0,3}#{1,6}[ \t](.*)$/s, /^(\d+(?:\.\d+)+)\(build$/i, /\S {3,}(?=\S)/g, /\s+/g];
  for (const re of linear) assert.deepEqual(regexProblems(re.source, re.flags), [], `${re} is flagged`);
});

/** Runs of the characters that made patterns backtrack, with a character `.` cannot match (U+2028) or a stray one at the end. */
const HOSTILE_PIECES = [
  ' ',
  '\t',
  '\u2028',
  '\u2029',
  '\u00a0',
  '.',
  '-',
  '=',
  '#',
  '*',
  '_',
  ':',
  '|',
  '<',
  '&',
  'Q1',
  '0',
  'a',
  ' #',
  '- ',
  'www.',
  'http://',
];
const hostile = fc
  .array(fc.tuple(fc.constantFrom(...HOSTILE_PIECES), fc.integer({ min: 1, max: 3000 })), { minLength: 1, maxLength: 4 })
  .chain((runs) => fc.constantFrom('', '\u2028', 'x', '\n', ':').map((end) => runs.map(([piece, n]) => piece.repeat(n)).join('') + end));

test('property: each regex runs on long hostile runs and returns a match or null (never throws)', () => {
  const compiled = found.map((r) => new RegExp(r.source, r.flags));
  compiled.push(VERSION_RULE);
  fc.assert(
    fc.property(hostile, (text) => {
      for (const re of compiled) {
        re.lastIndex = 0;
        const match = re.exec(text);
        if (match) assert.ok(match.index >= 0 && match.index + match[0].length <= text.length);
      }
    }),
    { numRuns: Number(process.env['KB_FUZZ_RUNS'] ?? 30) },
  );
});
