/**
 * `npx tsx bench/hostile.ts [--no-corpus]`: the time budget of one article.
 *
 * 1. Parse + render (hast and HTML, as the page writer does) + index (the
 *    plain text for search) of every hostile file (test/fixtures/hostile and
 *    the files bench/lib/hostile-content.ts makes) and of the 100 slowest
 *    articles of the corpus (found by timing the parse of every article
 *    first); best of 3 per file. Budget: 1 s per file of at most 1 MB. Larger
 *    files are reported, not budgeted.
 * 2. Linearity: runs of one piece, 40,000 and 160,000 characters long, inside
 *    the KB text, in Markdown and in a heading: 4× the input must cost less
 *    than 8× the time (quadratic is 16×).
 *
 * Exit 1 when a budget is exceeded. The machine may be shared: note the load.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArticle, renderBody, bodyText } from '../lib/markdown/index';
import { renderBodyHtml } from '../lib/build/body-cache';
import { scanContent } from '../lib/content/scan';
import { makeHostileContent } from './lib/hostile-content';
import { corpusDir } from './lib/corpus';
import { cliArgs } from '../lib/cli/args';

const BUDGET_MS = 1000;
const MAX_BYTES = 1024 * 1024;
const args = process.argv.slice(2);
cliArgs(args, { usage: 'usage: npx tsx bench/hostile.ts [--no-corpus]', options: { 'no-corpus': { type: 'boolean' } } });

function cost(text: string, source: string): number {
  const started = performance.now();
  const parsed = parseArticle(text, source);
  renderBodyHtml(parsed.body, '');
  bodyText(parsed.body.blocks);
  return performance.now() - started;
}

const best = (text: string, source: string) => Math.min(cost(text, source), cost(text, source), cost(text, source));

let failed = false;
console.log(
  `load average at start: ${os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')} (${os.availableParallelism()} cores)`,
);

// 1. Hostile files and the slowest corpus articles.
const content = makeHostileContent({ unreadable: false });
const measured: Array<{ file: string; bytes: number; ms: number }> = [];
try {
  for (const source of scanContent(content.dir).files) {
    const full = path.join(content.dir, source);
    let text: string;
    try {
      if (!statSync(full).isFile() || statSync(full).size > 32 * 1024 * 1024) continue;
      text = readFileSync(full, 'utf8');
    } catch {
      continue;
    }
    measured.push({ file: `hostile/${source}`, bytes: Buffer.byteLength(text), ms: best(text, source) });
  }
} finally {
  content.cleanup();
}
if (!args.includes('--no-corpus')) {
  const dir = await corpusDir();
  const files: Array<[string, number]> = [];
  const started = performance.now();
  for (const bucket of readdirSync(dir)) {
    for (const q of readdirSync(path.join(dir, bucket))) {
      const file = path.join(bucket, q, 'README.md');
      const text = readFileSync(path.join(dir, file), 'utf8');
      const t0 = performance.now();
      parseArticle(text, file);
      files.push([file, performance.now() - t0]);
    }
  }
  console.log(`corpus: parsed ${files.length} articles once to find the slowest (${((performance.now() - started) / 1000).toFixed(1)} s)`);
  files.sort((a, b) => b[1] - a[1]);
  for (const [file] of files.slice(0, 100)) {
    const text = readFileSync(path.join(dir, file), 'utf8');
    measured.push({ file: `corpus/${file}`, bytes: Buffer.byteLength(text), ms: best(text, file) });
  }
}
measured.sort((a, b) => b.ms - a.ms);
const budgeted = measured.filter((m) => m.bytes <= MAX_BYTES);
const over = budgeted.filter((m) => m.ms > BUDGET_MS);
console.log(`\nparse + render + index, best of 3, ${measured.length} files (${budgeted.length} of at most 1 MB):`);
for (const m of measured.slice(0, 12))
  console.log(
    `  ${m.ms.toFixed(0).padStart(6)} ms  ${(m.bytes / 1024).toFixed(0).padStart(6)} KB  ${m.file}${m.bytes > MAX_BYTES ? '  (over 1 MB: not budgeted)' : ''}`,
  );
const maxHostile = budgeted.filter((m) => m.file.startsWith('hostile/'))[0];
const maxCorpus = budgeted.filter((m) => m.file.startsWith('corpus/'))[0];
if (maxHostile) console.log(`max, hostile files ≤ 1 MB: ${maxHostile.ms.toFixed(0)} ms (${maxHostile.file})`);
if (maxCorpus) console.log(`max, slowest 100 corpus articles: ${maxCorpus.ms.toFixed(0)} ms (${maxCorpus.file})`);
console.log(`budget ${BUDGET_MS} ms per file ≤ 1 MB: ${over.length === 0 ? 'all within' : `${over.length} over: ${over.map((m) => m.file).join(', ')}`}`);
if (over.length > 0) failed = true;

// 2. Linearity of parse + render on runs of one piece.
const pieces = [
  'a ',
  ' ',
  '\t',
  '\u2028',
  ' \u2028',
  '\u00a0',
  '-',
  '=',
  '+-',
  ' #',
  '*a_',
  '[',
  'Date Time ',
  'http://x/.,',
  'Q123456 ',
  'Q00000 ',
  '<92>',
  '&amp;',
  '- x\n',
  '\n',
  'x\n\n',
  'a\n=\n',
  '> ',
  '<div>',
  '|a|\n',
  'title: x\n',
  '__proto__ ',
];
let worstGrowth = { growth: 0, what: '' };
for (const piece of pieces) {
  for (const where of ['kb', 'markdown', 'heading'] as const) {
    const make = (n: number) => {
      const run = piece.repeat(n);
      if (where === 'kb') return `---\ntitle: "Q990501: T"\n---\n{% raw %}\n\tArticle: Q990501\n\n\tx${run}y\n{% endraw %}\n`;
      const line = where === 'heading' ? `# x${run}y` : `x${run}y`;
      return `---\ntitle: "Q990501: T"\n---\n\n${line}\n\n{% raw %}\n\tArticle: Q990501\n{% endraw %}\n`;
    };
    const time = (n: number) => {
      const text = make(n);
      let min = Infinity;
      for (let i = 0; i < 3; i++) {
        const started = performance.now();
        renderBody(parseArticle(text, 'Q990501.md').body);
        min = Math.min(min, performance.now() - started);
      }
      return min;
    };
    // Both sizes over the 32 KB Markdown limit, so that both take the same path (Markdown below it is parsed by
    // remark, within its limits; above it, read as KB text).
    const n = Math.floor(160_000 / piece.length);
    const small = time(Math.floor(n / 4));
    const large = time(n);
    // Small timings are noisy (and the machine shared): growth is judged against at least 20 ms.
    const growth = large / Math.max(small, 20);
    if (growth > worstGrowth.growth) worstGrowth = { growth, what: `${JSON.stringify(piece)} in ${where}: ${small.toFixed(0)} ms → ${large.toFixed(0)} ms` };
    if (growth > 8) {
      failed = true;
      console.log(`NOT LINEAR: ${JSON.stringify(piece)} (${where}): ${small.toFixed(0)} ms for ${n / 4}, ${large.toFixed(0)} ms for ${n}`);
    }
  }
}
console.log(`\nlinearity: worst growth for 4× the input ${worstGrowth.growth.toFixed(1)}× (${worstGrowth.what}); budget 8× (quadratic: 16×)`);
console.log(
  `load average at end: ${os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}`,
);
process.exitCode = failed ? 1 : 0;
