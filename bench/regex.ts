/**
 * `npx tsx bench/regex.ts [--size N]`: time per byte of every regex that sees
 * untrusted text (the ones test/regex-safety.test.ts checks statically), on
 * long runs of blanks, tabs, U+2028/U+2029, NBSP and punctuation, each ended
 * by a character that makes the pattern fail or match late.
 *
 * For each regex and input it runs the pattern over N and 4N characters
 * (best of 3) and reports the worst time per byte and the worst growth
 * (4N time / N time: ~4 when linear, ~16 when quadratic). Exit 1 when a
 * regex is over the budget: 100 ns per byte at 4N, or growth over 8 on an
 * input that takes more than 2 ms.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { collectRegexes, regexFiles } from './lib/regex-safety';
import { VERSION_RULE } from '../lib/keywords';
import { cliArgs, integerOption } from '../lib/cli/args';

const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const REGEX_USAGE = 'usage: npx tsx bench/regex.ts [--size N]   (N characters, default 4000; each input is run at N and 4N)';
const SIZE = cliArgs(process.argv.slice(2), { usage: REGEX_USAGE, options: { size: { type: 'string' } } }, ({ values }) =>
  integerOption(values.size, '--size', REGEX_USAGE, 4000, 1),
);
const NS_PER_BYTE = 100;
const GROWTH = 8;

const PIECES = [
  ' ',
  '\t',
  '\u2028',
  '\u2029',
  '\u00a0',
  ' \u2028',
  '.',
  '-',
  '=',
  '#',
  ' #',
  '*',
  '*a_',
  '[',
  ':',
  '|',
  '<92>',
  '&amp;',
  'Q1',
  '0',
  '1.',
  'a ',
  'www.',
  'http://x/.,',
  'Date Time ',
  '+-',
];
const ENDS = ['', '\u2028', ':', '\u2028x'];
const PREFIXES = ['', 'x', '- ', 'TITLE :', 'Q123456', '# ', 'Product(s):', 'kbvc'];

const { found } = collectRegexes(regexFiles(ROOT));
const regexes = found.map((r) => ({ name: `${path.relative(ROOT, r.file)}:${r.line} /${r.source}/${r.flags}`, re: new RegExp(r.source, r.flags) }));
regexes.push({ name: `lib/keywords.ts VERSION_RULE /${VERSION_RULE.source.slice(0, 40)}…/`, re: VERSION_RULE });

function runOnce(re: RegExp, text: string): number {
  const started = performance.now();
  if (re.global || re.sticky) {
    re.lastIndex = 0;
    let guard = 0;
    for (let m = re.exec(text); m && guard < 1e7; m = re.exec(text), guard++) if (m[0].length === 0) re.lastIndex++;
  } else {
    re.exec(text);
  }
  return performance.now() - started;
}

const best = (re: RegExp, text: string) => Math.min(runOnce(re, text), runOnce(re, text), runOnce(re, text));

let failures = 0;
const started = performance.now();
const worst: Array<{ name: string; nsPerByte: number; growth: number; input: string }> = [];
for (const { name, re } of regexes) {
  let top = { nsPerByte: 0, growth: 0, input: '' };
  for (const prefix of PREFIXES) {
    for (const piece of PIECES) {
      for (const end of ENDS) {
        const make = (n: number) => prefix + piece.repeat(Math.ceil(n / piece.length)) + end;
        const small = best(re, make(SIZE));
        const large = best(re, make(SIZE * 4));
        const nsPerByte = (large * 1e6) / (SIZE * 4);
        const growth = large > 2 ? large / Math.max(small, 0.01) : 0;
        if (nsPerByte > top.nsPerByte || growth > top.growth) {
          top = { nsPerByte: Math.max(nsPerByte, top.nsPerByte), growth: Math.max(growth, top.growth), input: JSON.stringify(prefix + piece + '…' + end) };
        }
      }
    }
  }
  worst.push({ name, ...top });
  if (top.nsPerByte > NS_PER_BYTE || top.growth > GROWTH) failures++;
}
worst.sort((a, b) => b.nsPerByte - a.nsPerByte);
console.log(
  `${regexes.length} regexes × ${PREFIXES.length * PIECES.length * ENDS.length} inputs of ${SIZE} and ${SIZE * 4} characters (${((performance.now() - started) / 1000).toFixed(1)} s)`,
);
console.log('slowest ten, by time per byte at 4N:');
for (const w of worst.slice(0, 10))
  console.log(`  ${w.nsPerByte.toFixed(1)} ns/byte, growth ${w.growth ? w.growth.toFixed(1) : '-'}  ${w.name.slice(0, 110)}  on ${w.input.slice(0, 40)}`);
const bad = worst.filter((w) => w.nsPerByte > NS_PER_BYTE || w.growth > GROWTH);
for (const w of bad) console.log(`OVER BUDGET: ${w.name}: ${w.nsPerByte.toFixed(1)} ns/byte, growth ${w.growth.toFixed(1)} on ${w.input}`);
console.log(`budget: ${NS_PER_BYTE} ns/byte, growth ≤ ${GROWTH} (quadratic: 16); ${bad.length === 0 ? 'all within' : `${bad.length} over`}`);
process.exitCode = failures > 0 ? 1 : 0;
