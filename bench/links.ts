/**
 * Old links, files and data bench: `npx tsx bench/links.ts [--content DIR] [--out DIR] [--append]`
 *
 *   --content DIR   corpus (default: the extracted full corpus, .cache/corpus/kb), read through the parse cache
 *   --out DIR       a site built from it (default out/): files and bytes of /files/ and /data/
 *   --site DIR      a site holding files/rassrv.exe/ (default out/), whose page is made into the file page template
 *   --append        append the table to BENCHMARKS.md
 *
 * 1. Resolution: every old-link form of issue 12 (lib/kb-links.ts) written for
 *    real article numbers (in the archive, cited but missing, and neither) →
 *    share resolving to the right number (target 100%); look-alikes built the
 *    same way → false jumps (target 0).
 * 2. The archive's own old KB URLs (in article texts) → how many link to our page.
 * 3. Linear time: 10,000-character pastes and 2,048-character worst shapes.
 * 4. Build time added: the file index with mentions (texts loaded from the
 *    parse cache, as `kb build` does when it parsed nothing) and the data export.
 * 5. Files and bytes the export gained: out/files/ and out/data/.
 */
import { appendFileSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { loadCorpus } from '../lib/content/corpus';
import { buildFileIndex } from '../lib/content/files';
import { citationsCsv, filesCsv, articleLine, reproducibleGzip } from '../lib/content/data-export';
import { kbNumberOf, MAX_LINK_LENGTH } from '../lib/kb-links';
import { corpusDir } from './lib/corpus';
import { FILE_TEMPLATE_BODY, FILE_TEMPLATE_SLUG } from '../lib/file-page-template';
import { writeFilePagesFrom } from '../lib/build/file-pages';
import { cliArgs } from '../lib/cli/args';

const args = process.argv.slice(2);
const { values: opts } = cliArgs(args, {
  usage: 'usage: npx tsx bench/links.ts [--content DIR] [--out DIR] [--site DIR] [--append]',
  options: { content: { type: 'string' }, out: { type: 'string' }, site: { type: 'string' }, append: { type: 'boolean' } },
});
const contentFlag = opts.content;
let content = '';
const outDir = path.resolve(opts.out ?? 'out');
const siteDir = path.resolve(opts.site ?? 'out');
const rows: Array<[string, string, string]> = [];
const row = (name: string, value: string, target = '') => {
  rows.push([name, value, target]);
  console.log(`  ${name}: ${value}${target ? `   target ${target}` : ''}`);
};

/** Every form of issue 12, section 1, for article number n. */
function forms(n: number): string[] {
  const s = String(n);
  const six = s.padStart(6, '0');
  const head = String(Math.floor(n / 1000));
  const mid = six[3]!;
  const tail = six.slice(4);
  const bucket = six.slice(0, 3);
  return [
    `support.microsoft.com/kb/${s}`,
    `http://support.microsoft.com/kb/${s}/en-us`,
    `https://support.microsoft.com/en-us/kb/${s}`,
    `https://support.microsoft.com/help/${s}`,
    `http://support.microsoft.com/default.aspx?scid=kb;en-us;Q${s}`,
    `HTTP://SUPPORT.MICROSOFT.COM/DEFAULT.ASPX?SCID=KB%3BEN-US%3B${s}`,
    `http://support.microsoft.com/default.aspx?kbid=${s}`,
    `http://support.microsoft.com/support/kb/articles/Q${head}/${mid}/${tail}.asp`,
    `https://support2.microsoft.com/kb/${s}`,
    `KB${s}`,
    `Q${s}`,
    `MSKB ${s}`,
    `https://jeffpar.github.io/kbarchive/kb/${bucket}/Q${s}/`,
    `https://www.pcjs.org/pubs/pc/reference/microsoft/kb/Q${s}/`,
    `/kb/${s}/`,
    `/Q${s}`,
    `/kb/Q${s}/`,
    `/default.aspx?scid=kb;en-us;Q${s}`,
  ];
}

/** Texts that look like old links to n but must not resolve. */
function lookAlikes(n: number): string[] {
  const s = String(n);
  return [
    `https://evil.example/kb/${s}`,
    `https://support.microsoft.com.evil.example/kb/${s}`,
    `https://support.microsoft.com@evil.example/kb/${s}`,
    `https://evil.example/support.microsoft.com/kb/${s}`,
    `javascript:location='//support.microsoft.com/kb/${s}'`,
    `data:text/html,support.microsoft.com/kb/${s}`,
    `ftp://support.microsoft.com/kb/${s}`,
    `http://support.microsoft.com/default.aspx?scid=fh;en-us;Q${s}`,
    `http://support.microsoft.com/kb/${s}/extra/path`,
    `http://support.microsoft.com/kb/${s}x`,
    `Q${s} and more words`,
    `https://evil.example/kbarchive/kb/000/Q${s}/`,
  ];
}

async function main(): Promise<void> {
  content = path.resolve(contentFlag ?? (await corpusDir()));
  console.log(`kbview links bench: ${content}`);
  let started = performance.now();
  const corpus = await loadCorpus(content);
  console.log(`  corpus: ${corpus.articles.length} articles (${((performance.now() - started) / 1000).toFixed(1)} s, metadata)`);
  const present = new Set(corpus.articles.map((a) => a.number));
  const cited = new Set<number>();
  for (const a of corpus.articles) for (const r of a.references) cited.add(Number(r.slice(1)));
  const missing = [...cited].filter((n) => !present.has(n));
  // Deterministic sample: every k-th article, every missing number up to 300, 200 numbers in neither.
  const inArchive = corpus.articles.filter((_, i) => i % Math.max(1, Math.floor(corpus.articles.length / 700)) === 0).map((a) => a.number);
  const neither: number[] = [];
  for (let n = 1; neither.length < 200 && n < 999_999; n += 4_999) if (!present.has(n) && !cited.has(n)) neither.push(n);
  const numbers = [...inArchive, ...missing.slice(0, 300), ...neither];

  console.log('\n== 1. old links resolve');
  let total = 0;
  let right = 0;
  const wrong: string[] = [];
  for (const n of numbers) {
    for (const text of forms(n)) {
      total++;
      if (kbNumberOf(text) === n) right++;
      else if (wrong.length < 10) wrong.push(text);
    }
  }
  row(
    'old URLs/identifiers generated',
    `${total} (${inArchive.length} numbers in the archive, ${Math.min(300, missing.length)} cited but missing, ${neither.length} neither; ${forms(1).length} forms)`,
    '≥ 1,000',
  );
  row('resolved to the right number', `${right} = ${((100 * right) / total).toFixed(2)}%${wrong.length ? ` (e.g. ${wrong.join(' ')})` : ''}`, '100%');
  let lookTotal = 0;
  let falseJumps = 0;
  for (const n of numbers) {
    for (const text of lookAlikes(n)) {
      lookTotal++;
      if (kbNumberOf(text) !== null) falseJumps++;
    }
  }
  row('look-alikes', `${lookTotal}, false jumps ${falseJumps}`, '0 false jumps');

  console.log('\n== 2. old KB URLs in the archive');
  started = performance.now();
  const withText = await loadCorpus(content, { withText: true });
  const loadMs = performance.now() - started;
  const published = new Set(corpus.articles.map((a) => a.source));
  const texts = new Map<string, string>();
  for (const f of withText.files) if (f.article && published.has(f.source)) texts.set(f.article.id, f.text);
  let oldUrls = 0;
  let linked = 0;
  const URL = /\b(?:https?:\/\/)?support2?\.microsoft\.com\/[^\s<>"'`]+/gi;
  for (const text of texts.values()) {
    for (const m of text.matchAll(URL)) {
      const url = m[0].replace(/[.,;:!?)\]}>]+$/, '');
      const kbish = /\/kb\/|kbid=|scid=kb|\/help\/\d/i.test(url);
      if (!kbish) continue;
      oldUrls++;
      if (kbNumberOf(url) !== null) linked++;
    }
  }
  row('old KB URLs in article texts', `${oldUrls}, linking to our page: ${linked}`);

  console.log('\n== 3. linear time');
  const shapes: Array<[string, string]> = [
    ['10,000-char paste of a URL', `https://support.microsoft.com/kb/244717?${'a'.repeat(10_000)}`],
    ['2,048 slashes', `https://support.microsoft.com/${'/'.repeat(MAX_LINK_LENGTH - 40)}`],
    ['2,048 chars of scid pairs', `http://support.microsoft.com/default.aspx?${'scid=kb;&'.repeat(200)}`.slice(0, MAX_LINK_LENGTH)],
    ['2,048 chars of host labels', `https://${'a.'.repeat(1010)}com/kb/1`.slice(0, MAX_LINK_LENGTH)],
    ['2,048 digits', '1'.repeat(MAX_LINK_LENGTH)],
  ];
  for (const [name, text] of shapes) {
    const reps = 2000;
    const t = performance.now();
    for (let i = 0; i < reps; i++) kbNumberOf(text);
    row(`recognizer, ${name}`, `${(((performance.now() - t) * 1000) / reps).toFixed(1)} µs a call`);
  }

  console.log('\n== 4. build time added');
  let dataBytes = 0;
  let pagesWritten = { files: 0, bytes: 0 };
  const count = (dir: string): { files: number; bytes: number } => {
    let files = 0;
    let bytes = 0;
    const walk = (d: string) => {
      for (const e of readdirSync(d, { withFileTypes: true })) {
        const p = path.join(d, e.name);
        if (e.isDirectory()) walk(p);
        else {
          files++;
          bytes += statSync(p).size;
        }
      }
    };
    try {
      walk(dir);
    } catch {
      // not built
    }
    return { files, bytes };
  };

  started = performance.now();
  const index = buildFileIndex(corpus.articles, texts);
  const indexMs = performance.now() - started;
  const rowsCount = index.files.reduce((s, f) => s + f.rows.length, 0);
  const mentions = index.files.reduce((s, f) => s + f.mentions.length, 0);
  const tableArticles = new Set(index.files.flatMap((f) => f.rows.map((r) => r.n))).size;
  let maxPerArticle = 0;
  for (const a of corpus.articles) maxPerArticle = Math.max(maxPerArticle, new Set(a.fileAttributes.map((r) => r.name.toLowerCase())).size);
  row(
    'file index',
    `${index.files.length} file pages, ${rowsCount} rows in ${tableArticles} articles, ${mentions} mentions, ${index.skipped} rows not indexed; most names in one article ${maxPerArticle}`,
  );
  row(
    'file index build (with mentions)',
    `${(indexMs / 1000).toFixed(2)} s (+ ${(loadMs / 1000).toFixed(1)} s loading texts from the parse cache when kb build parsed nothing; cached afterwards)`,
  );
  started = performance.now();
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'kb-links-bench-'));
  try {
    let articles = '';
    for (const a of corpus.articles) articles += articleLine(a);
    const sizes = [articles, citationsCsv(corpus.articles).text, filesCsv(index).text].map((t) => reproducibleGzip(Buffer.from(t)).length);
    dataBytes = sizes.reduce((a, b) => a + b, 0);
    const dataMs = performance.now() - started;
    row(
      'data export',
      `${(dataMs / 1000).toFixed(2)} s; articles.jsonl.gz ${(sizes[0]! / 1e6).toFixed(1)} MB, citations.csv.gz ${(sizes[1]! / 1e6).toFixed(2)} MB, files.csv.gz ${(sizes[2]! / 1e6).toFixed(2)} MB`,
    );
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }

  // The file pages, written as kb build writes them, from a template made of a built page (--site, default out/).
  const sample = path.join(siteDir, 'files', 'rassrv.exe', 'index.html');
  if (existsSync(sample)) {
    const html = readFileSync(sample, 'utf8');
    const open = /<div data-static="[^"]+">(?=<nav aria-label="Breadcrumb")/.exec(html);
    const close = html.lastIndexOf('</div><!--$-->');
    if (open && close > open.index) {
      const at = open.index + open[0].length;
      const template = (html.slice(0, at) + '\u0000' + html.slice(close)).split('rassrv.exe').join(FILE_TEMPLATE_SLUG).replace('\u0000', FILE_TEMPLATE_BODY);
      const pagesDir = mkdtempSync(path.join(os.tmpdir(), 'kb-file-pages-'));
      try {
        started = performance.now();
        const written = await writeFilePagesFrom(template, index, pagesDir);
        const writeMs = performance.now() - started;
        const pages = count(path.join(pagesDir, 'files'));
        row('file pages, written from one render', `${written} pages in ${(writeMs / 1000).toFixed(2)} s, ${(pages.bytes / 1e6).toFixed(1)} MB`);
        pagesWritten = pages;
        const big = readdirSync(path.join(pagesDir, 'files'))
          .map((slug) => [slug, statSync(path.join(pagesDir, 'files', slug, 'index.html')).size] as const)
          .sort((a, b) => b[1] - a[1])[0];
        if (big) row('largest file page', `${big[0]} ${(big[1] / 1e3).toFixed(0)} KB`);
      } finally {
        rmSync(pagesDir, { recursive: true, force: true });
      }
    }
  } else {
    row('file pages, written from one render', `skipped (no ${path.relative(process.cwd(), sample)} to make a template of)`);
  }

  console.log('\n== 5. files added to the export');
  if (pagesWritten.files > 0) {
    // The written file pages, the data files (3 + manifest) and the two pages Next renders (/files/, /data/: measured in out/ when there).
    const nextPages = count(path.join(outDir, 'files')).files > 0 ? 0 : 2;
    row(
      'added (computed from the above)',
      `${pagesWritten.files + 4 + nextPages} files, ${((pagesWritten.bytes + dataBytes) / 1e6).toFixed(1)} MB + the /files/ index page`,
      '≤ 2,500 files, ≤ 40 MB',
    );
  }
  const files = count(path.join(outDir, 'files'));
  const data = count(path.join(outDir, 'data'));
  row(
    `${path.relative(process.cwd(), outDir) || outDir}/files/ + data/`,
    `${files.files + data.files} files, ${((files.bytes + data.bytes) / 1e6).toFixed(1)} MB (files/ ${files.files}, ${(files.bytes / 1e6).toFixed(1)} MB; data/ ${data.files}, ${(data.bytes / 1e6).toFixed(1)} MB)`,
    '≤ 2,500 files, ≤ 40 MB',
  );

  if (args.includes('--append')) {
    let commit = '';
    try {
      commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
    } catch {
      // not a checkout
    }
    const table = rows.map(([n, v, t]) => `| ${n} | ${v.replace(/\|/g, '\\|')} | ${t} |`).join('\n');
    appendFileSync(
      'BENCHMARKS.md',
      `\n## Old links, files and data (issue 12): ${new Date().toISOString().slice(0, 10)}, commit ${commit}\n\n` +
        `Machine: ${os.cpus().length} cores, Node ${process.version}. Command: \`npx tsx bench/links.ts --append\` (content ${path.relative(process.cwd(), content)}).\n\n` +
        `| measure | value | target |\n|---|---|---|\n${table}\n`,
    );
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
