/**
 * Search bench: `npx tsx bench/search.ts [options]`
 *
 *   --content DIR    corpus (default: the extracted full corpus, .cache/corpus/kb)
 *   --index DIR      use an index already built there instead of building one
 *   --keep-index DIR keep the index the bench built there (for later runs with --index)
 *   --site DIR       a built site (default out/ when it holds search/) for the Chromium part;
 *                    its search/ is replaced by the bench's index in a temporary copy
 *   --no-browser     skip the Chromium part
 *   --only-browser   only the Chromium part (with --index)
 *   --minisearch     also measure MiniSearch as a per-shard format (why the index is hand-written)
 *   --baseline-site DIR  a site built from the code before search-as-you-type (same content), for the
 *                    slow-phone baseline of the search page (its search/ is replaced by the same index)
 *   --lighthouse BIN a Lighthouse CLI (e.g. installed with `npm install --prefix /tmp/lh lighthouse`):
 *                    mobile performance / accessibility / CLS of /search/?q=rassrv and an article page
 *   --append         append the table to BENCHMARKS.md
 *
 * Measures, on the full corpus:
 * 1. index build (scripts/build-search.ts in a child): wall time and peak RSS, with
 *    /usr/bin/time -v and by sampling the process tree; files and bytes written;
 * 2. transfer: gzip bytes (level 6, what scripts/serve.ts and most static hosts send)
 *    of the index files the engine loads for a first query on a fresh page and for
 *    later queries, running the same engine as the browser with a recording fetch;
 * 3. quality: 200 sampled article titles searched verbatim (is the article first?),
 *    and every `kb…` keyword searched (is the count the metadata's count?);
 * 4. Chromium: the exported search page served with gzip, typed into key by key;
 *    latency from keydown to the results for that text being rendered, and bytes
 *    transferred (counted at the server) before the first results and per later query;
 * 5. the header box (search as you type) on an article page: bytes from focus to the first
 *    dropdown (worker script included), bytes and latency per keystroke; the same typing
 *    with the engine of before (bench/lib/baseline-engine.ts: a full search per keystroke,
 *    as the search page does) in Node, on the same index, as the baseline;
 * 6. a slow phone through Chromium's DevTools protocol (150 ms latency, 1.6 Mbit/s down,
 *    CPU ×4): first dropdown after the first keystroke of "rassrv" on an article page; first
 *    result painted on a fresh /search/?q=rassrv; its cumulative layout shift
 *    (PerformanceObserver); the same on --baseline-site.
 *
 * Baselines (measured once on this machine, same corpus; figures from the issue):
 * MiniSearch 7 as one index, Pagefind 1.6.
 */
import { execFileSync } from 'node:child_process';
import { appendFileSync, cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { loadCorpus } from '../lib/content/corpus';
import { SearchEngine, titleKey } from '../lib/search/engine';
import { SearchEngine as BaselineEngine } from './lib/baseline-engine';
import { cleanBody } from '../lib/search/build';
import { metadataKeywordsOf } from '../lib/search/facets';
import { PAGE_SIZE } from '../lib/search/params';
import { BOOT_RESULTS } from '../lib/search/boot';
import { corpusDir } from './lib/corpus';
import { measure, gib, mb, sec } from './lib/measure';
import { cliArgs } from '../lib/cli/args';
import { LIGHTHOUSE_CATEGORIES, runLighthouse } from './lib/lighthouse';

const args = process.argv.slice(2);
const { values: opts } = cliArgs(args, {
  usage: `usage: npx tsx bench/search.ts [--content DIR] [--index DIR | --keep-index DIR] [--site DIR] [--no-browser | --only-browser]
                              [--minisearch] [--baseline-site DIR] [--lighthouse BIN] [--append]`,
  options: {
    content: { type: 'string' },
    index: { type: 'string' },
    'keep-index': { type: 'string' },
    site: { type: 'string' },
    'no-browser': { type: 'boolean' },
    'only-browser': { type: 'boolean' },
    minisearch: { type: 'boolean' },
    'baseline-site': { type: 'string' },
    lighthouse: { type: 'string' },
    append: { type: 'boolean' },
  },
});
const root = process.cwd();
const tsx = path.join(root, 'node_modules/.bin/tsx');

type Row = { name: string; value: string; baseline?: string; target?: string; ok?: boolean };
const rows: Row[] = [];
const row = (r: Row) => {
  rows.push(r);
  const verdict = r.ok === undefined ? '' : r.ok ? '  [ok]' : '  [MISSED]';
  console.log(`  ${r.name}: ${r.value}${r.baseline ? `   baseline ${r.baseline}` : ''}${r.target ? `   target ${r.target}` : ''}${verdict}`);
};
const step = (title: string) => console.log(`\n== ${title}`);
const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;

const FIRST_QUERIES = ['rassrv', 'windows nt printer', 'kbfixlist', 'excel macro error', 'RAS Port Becomes Unavailable in Windows NT 4.0', 'Q244717'];
const LATER_QUERIES = [
  'outlook calendar',
  'kbbug',
  'access database corrupt',
  'setup fails',
  'dhcp server',
  'visual basic ole automation',
  'foxpro report',
  'exchange mailbox',
];
/** Typed key by key in Chromium (search as you type: every keystroke is a search). */
const TYPED_QUERIES = ['printer driver', 'word macro', 'sql server login', 'mail merge', 'tcp/ip address', 'excel chart', 'modem dial', 'iis asp error'];

function countTree(dir: string): { files: number; bytes: number; gzip: number } {
  let files = 0;
  let bytes = 0;
  let gzip = 0;
  const walk = (d: string): void => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const full = path.join(d, entry.name);
      if (entry.isDirectory()) walk(full);
      else {
        files++;
        const body = readFileSync(full);
        bytes += body.length;
        gzip += gzipSync(body).length;
      }
    }
  };
  walk(dir);
  return { files, bytes, gzip };
}

function timeV(stderr: string): { maxRssKb: number; elapsed: string; cpuS: number } | null {
  const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(stderr);
  const wall = /Elapsed \(wall clock\) time(?: \([^)]*\))?: ([\d:.]+)/.exec(stderr);
  const user = /User time \(seconds\): ([\d.]+)/.exec(stderr);
  const sys = /System time \(seconds\): ([\d.]+)/.exec(stderr);
  return rss && wall ? { maxRssKb: Number(rss[1]), elapsed: wall[1]!, cpuS: Number(user?.[1] ?? NaN) + Number(sys?.[1] ?? NaN) } : null;
}

/** An engine reading the index from disk, recording the gzip size of every file it loads. */
function recordingEngine(indexDir: string): { engine: SearchEngine; bytes: () => number };
function recordingEngine(indexDir: string, baseline: true): { engine: BaselineEngine; bytes: () => number };
function recordingEngine(indexDir: string, baseline = false): { engine: SearchEngine | BaselineEngine; bytes: () => number } {
  let total = 0;
  const sizes = new Map<string, number>();
  const Engine = baseline ? BaselineEngine : SearchEngine;
  const engine = new Engine(async (file) => {
    const name = file.replace(/\?.*$/, '');
    const body = readFileSync(path.join(indexDir, name));
    let size = sizes.get(name);
    if (size === undefined) sizes.set(name, (size = gzipSync(body).length));
    total += size;
    return JSON.parse(body.toString('utf8'));
  });
  return { engine, bytes: () => total };
}

function quantile(values: number[], q: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
}

function printTable(): string {
  const table = [
    '| search measure | kbview | baseline | target |',
    '|---|---|---|---|',
    ...rows.map((r) => `| ${r.name} | ${r.value} | ${r.baseline ?? ''} | ${r.target ?? ''} |`),
  ].join('\n');
  console.log(`\n${table}`);
  return table;
}

async function main(): Promise<void> {
  const content = opts.content ?? (await corpusDir());
  let indexDir = opts.index;
  const work = mkdtempSync(path.join(os.tmpdir(), 'kbview-search-bench-'));
  console.log(`kbview search bench: ${content}`);

  if (!indexDir) {
    step('index build (scripts/build-search.ts; parse cache warm)');
    indexDir = path.join(work, 'search');
    const useTime = existsSync('/usr/bin/time');
    const command = useTime ? '/usr/bin/time' : tsx;
    const commandArgs = [...(useTime ? ['-v', tsx] : []), 'scripts/build-search.ts', content, '--out', indexDir];
    const run = await measure(command, commandArgs, { env: { ...process.env, NODE_OPTIONS: '' } });
    if (run.code !== 0) {
      console.error(run.stdout, run.stderr);
      throw new Error('index build failed');
    }
    const line = run.stdout.split('\n').find((l) => l.includes('search index of')) ?? '';
    console.log(`  ${line}`);
    const split = /\(load ([\d.]+) s, index ([\d.]+) s\)/.exec(line);
    const tv = timeV(run.stderr);
    const peak = tv ? tv.maxRssKb * 1024 : run.peakRssBytes;
    row({
      name: 'index build',
      value: `${sec(run.ms)} wall (${split ? `corpus load ${split[1]} s + index ${split[2]} s` : ''}${tv ? `; CPU ${tv.cpuS.toFixed(1)} s user+sys` : ''}; load average ${os.loadavg()[0]!.toFixed(1)} on ${os.availableParallelism()} cores), peak RSS ${gib(peak)}${tv ? ' (time -v)' : ''}, tree sample ${gib(run.peakRssBytes)}`,
      baseline: 'before this change: 22 s / 1.53 GiB (issue); MiniSearch 58 s / 0.8 GiB; Pagefind 114 s / 8.7 GiB',
      target: '≤ 30 s, ≤ 2 GiB',
      ok: run.ms <= 30_000 && peak <= 2 * 2 ** 30,
    });
  }

  const tree = countTree(indexDir);
  const kinds = ['t', 'r', 'm', 's', 'f', 'ids']
    .map((d) => `${d}/ ${existsSync(path.join(indexDir!, d)) ? readdirSync(path.join(indexDir!, d)).length : 0}`)
    .join(', ');
  row({
    name: 'index files',
    value: `${tree.files} files (${kinds}), ${mb(tree.bytes)} (${mb(tree.gzip)} gzip)`,
    baseline: 'MiniSearch: 1 file, 118 MB JSON',
    target: "a few thousand files (≤ 8,000 with the header box's r/ title records), ≲ 300 MB",
    ok: tree.files <= 8000 && tree.bytes <= 300e6,
  });
  const sizes = ['manifest.json', 'facets.json', 'keywords.json', 'dates.json'].map((f) => {
    const body = readFileSync(path.join(indexDir!, f));
    return `${f} ${kb(gzipSync(body).length)}`;
  });
  console.log(`  gzip: ${sizes.join(', ')}`);

  if (args.includes('--only-browser')) {
    await browserPart(indexDir, work);
    printTable();
    return;
  }
  step('transfer (engine in Node, gzip level 6)');
  // As a fresh search page asks (lib/search/boot.ts): its first results without facet counts, then the
  // page of results with the facet columns.
  const firsts: number[] = [];
  const wholes: number[] = [];
  for (const q of FIRST_QUERIES) {
    const { engine, bytes } = recordingEngine(indexDir);
    await engine.search({ q, limit: BOOT_RESULTS, prefix: true, facetsLater: true });
    const first = bytes();
    const files = engine.loaded.length;
    const r = await engine.search({ q, limit: PAGE_SIZE });
    firsts.push(first);
    wholes.push(bytes());
    console.log(
      `  first query ${JSON.stringify(q)}: ${kb(first)} in ${files} files before the first results; ${kb(bytes())} in ${engine.loaded.length} files with the facet columns, ${r.total} results`,
    );
  }
  const { engine, bytes } = recordingEngine(indexDir);
  await engine.search({ q: FIRST_QUERIES[0]!, limit: PAGE_SIZE });
  await engine.loadKeywords(); // loaded in the background right after the first results
  const afterFirst = bytes();
  const laters: number[] = [];
  for (const q of LATER_QUERIES) {
    const before = bytes();
    const r = await engine.search({ q, limit: PAGE_SIZE });
    laters.push(bytes() - before);
    console.log(`  later query ${JSON.stringify(q)}: ${kb(bytes() - before)}, ${r.total} results`);
  }
  row({
    name: 'first query, index files before the first results (a fresh search page: facet counts come after)',
    value: `max ${kb(Math.max(...firsts))}, median ${kb(quantile(firsts, 0.5))}`,
    baseline: 'Pagefind 670–830 KB',
    target: '≤ 150 KB',
    ok: Math.max(...firsts) <= 150 * 1024,
  });
  row({
    name: 'first query, index files with the facet columns',
    value: `max ${kb(Math.max(...wholes))}, median ${kb(quantile(wholes, 0.5))} (+ keyword lists ${kb(afterFirst - wholes[0]!)} after the results)`,
    target: '≤ 300 KB',
    ok: Math.max(...wholes) <= 300 * 1024,
  });
  row({
    name: 'later queries, index files',
    value: `max ${kb(Math.max(...laters))}, median ${kb(quantile(laters, 0.5))}`,
    target: '≤ 100 KB each',
    ok: Math.max(...laters) <= 100 * 1024,
  });

  step('typed key by key (engine in Node): the header box (suggestions) vs a full search per keystroke (before)');
  {
    const perKey = async (baseline: boolean): Promise<{ first: number; keys: number[]; ms: number[] }> => {
      const { engine, bytes } = baseline ? recordingEngine(indexDir!, true) : recordingEngine(indexDir!);
      const search = (q: string) =>
        baseline ? (engine as BaselineEngine).search({ q, limit: PAGE_SIZE }) : (engine as SearchEngine).search({ q, limit: 8, suggest: true });
      // First query of a fresh page: the whole of "rassrv" typed (a search per keystroke).
      for (let i = 1; i <= 'rassrv'.length; i++) await search('rassrv'.slice(0, i));
      const first = bytes();
      const keys: number[] = [];
      const ms: number[] = [];
      for (const q of TYPED_QUERIES) {
        for (let i = 1; i <= q.length; i++) {
          const before = bytes();
          const t0 = performance.now();
          await search(q.slice(0, i));
          ms.push(performance.now() - t0);
          keys.push(bytes() - before);
        }
      }
      return { first, keys, ms };
    };
    const now = await perKey(false);
    const before = await perKey(true);
    const fmt = (r: { keys: number[] }) =>
      `median ${kb(quantile(r.keys, 0.5))}, p90 ${kb(quantile(r.keys, 0.9))}, max ${kb(Math.max(...r.keys))} over ${r.keys.length} keystrokes`;
    row({
      name: 'Node: bytes per keystroke (index files, gzip)',
      value: `header box: ${fmt(now)}; first query "rassrv" typed: ${kb(now.first)}`,
      baseline: `full search per keystroke (engine before): ${fmt(before)}; first query ${kb(before.first)}`,
      target: 'median ≤ 30 KB, max ≤ 60 KB',
      ok: quantile(now.keys, 0.5) <= 30 * 1024 && Math.max(...now.keys) <= 60 * 1024,
    });
  }

  step('quality');
  const corpus = await loadCorpus(content);
  const articles = corpus.articles;
  let seed = 20240229;
  const random = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
  const quality = recordingEngine(indexDir).engine;
  let first = 0;
  let tiedFirst = 0;
  const misses: string[] = [];
  for (let i = 0; i < 200; i++) {
    const article = articles[Math.floor(random() * articles.length)]!;
    const r = await quality.search({ q: article.title, limit: 10 });
    if (r.hits[0]?.id === article.id) first++;
    if (r.hits[0] && titleKey(r.hits[0].title) === titleKey(article.title)) tiedFirst++;
    else misses.push(`${article.id} "${article.title}" → rank ${r.hits.findIndex((h) => h.id === article.id) + 1 || '>10'}`);
  }
  for (const m of misses.slice(0, 10)) console.log(`  miss: ${m}`);
  row({
    name: 'exact title → first (prefix matching on)',
    value: `${first}/200 (${tiedFirst}/200 counting same-title articles as ties)`,
    target: '≥ 196/200',
    ok: first >= 196,
  });
  const counts = new Map<string, number>();
  for (const a of articles) for (const k of metadataKeywordsOf(a)) counts.set(k, (counts.get(k) ?? 0) + 1);
  const keywords = [...counts].filter(([k]) => k.startsWith('kb')).sort((a, b) => b[1] - a[1]);
  let same = 0;
  const wrong: string[] = [];
  for (const [k, n] of keywords) {
    const r = await quality.search({ q: k, limit: 1 });
    if (r.total === n) same++;
    else wrong.push(`${k}: metadata ${n}, search ${r.total}`);
  }
  for (const w of wrong.slice(0, 10)) console.log(`  keyword mismatch: ${w}`);
  row({
    name: 'KB keyword count = metadata count',
    value: `${same}/${keywords.length} keywords (e.g. kbbug ${counts.get('kbbug')}, kbfixlist ${counts.get('kbfixlist')})`,
    target: 'all',
    ok: same === keywords.length,
  });

  {
    // A problem described in words: the first sentence of an article's SYMPTOMS section as the query.
    const withText = await loadCorpus(content, { withText: true });
    const samples: Array<{ id: string; q: string }> = [];
    let s2 = 7;
    const rand = () => (s2 = (Math.imul(s2, 1103515245) + 12345) >>> 0) / 2 ** 32;
    const files = withText.files.filter((f) => f.article && f.article.sections.some((x) => x.id === 'symptoms'));
    for (let tries = 0; samples.length < 300 && tries < 5000; tries++) {
      const f = files[Math.floor(rand() * files.length)]!;
      const body = cleanBody(f.text ?? '', f.article);
      const sym = f.article!.sections.findIndex((x) => x.id === 'symptoms');
      const line = body.text.split('\n').find((_, i) => body.sections[i] === sym);
      const sentence = line ? /^(.{20,300}?[.!?])(\s|$)/.exec(line)?.[1] : undefined;
      if (sentence && !samples.some((x) => x.id === f.article!.id)) samples.push({ id: f.article!.id, q: sentence });
    }
    const score = async (engine: { search(r: { q: string; limit: number }): Promise<{ hits: Array<{ id: string }> }> }) => {
      let top10 = 0;
      let rr = 0;
      for (const { id, q } of samples) {
        const rank = (await engine.search({ q, limit: 10 })).hits.findIndex((h) => h.id === id);
        if (rank >= 0) {
          top10++;
          rr += 1 / (rank + 1);
        }
      }
      return { top10, mrr: rr / samples.length };
    };
    const now = await score(recordingEngine(indexDir).engine);
    const before = await score(recordingEngine(indexDir, true).engine);
    row({
      name: 'problem in words (first SYMPTOMS sentence → own article)',
      value: `in first 10: ${now.top10}/${samples.length}, MRR ${now.mrr.toFixed(3)}`,
      baseline: `engine before: ${before.top10}/${samples.length}, MRR ${before.mrr.toFixed(3)}`,
      target: 'no worse than before',
      ok: now.top10 >= before.top10 && now.mrr >= before.mrr - 1e-9,
    });
  }

  if (args.includes('--minisearch')) {
    step('MiniSearch as a shard format');
    // A term-sharded index needs shards that load alone. A MiniSearch instance always
    // carries per-document tables (ids, field lengths) for every document it has seen,
    // whatever its terms: measure that floor with no terms at all.
    const { default: MiniSearch } = await import('minisearch');
    const started = performance.now();
    const docs = corpus.articles.map((a) => ({ id: a.id, title: a.title }));
    const empty = new MiniSearch({ fields: ['title', 'text'], tokenize: () => [] });
    empty.addAll(docs);
    const json = JSON.stringify(empty);
    row({
      name: 'MiniSearch per-shard floor',
      value: `${mb(json.length)} JSON, ${kb(gzipSync(json).length)} gzip per shard before any term (${sec(performance.now() - started)})`,
      baseline: 'our shards: median ~14 KB gzip',
      target: 'shards ≪ first-query budget',
    });
  }

  if (!args.includes('--no-browser')) await browserPart(indexDir, work);

  const table = printTable();
  if (args.includes('--append')) {
    let commit = 'unknown';
    try {
      commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
    } catch {
      // not a git checkout
    }
    const date = new Date().toISOString().replace('T', ' ').slice(0, 16);
    const file = path.join(root, 'BENCHMARKS.md');
    if (!existsSync(file)) writeFileSync(file, '# Benchmarks\n');
    appendFileSync(
      file,
      `\n### ${date} UTC, commit ${commit}: search, full corpus\n\nMachine: ${os.availableParallelism()} cores, Node ${process.version}. Command: \`npx tsx bench/search.ts ${args.join(' ')}\`.\n\n${table}\n`,
    );
    console.log(`appended to ${path.relative(root, file)}`);
  }
  const keep = opts['keep-index'];
  if (keep && !opts.index) {
    rmSync(keep, { recursive: true, force: true });
    cpSync(indexDir, keep, { recursive: true });
  }
  rmSync(work, { recursive: true, force: true });
}

/** A copy of a built site (hard links) whose search/ is the bench's index. */
function siteWithIndex(siteDir: string, indexDir: string, work: string, name: string): string {
  const site = path.join(work, name);
  execFileSync('cp', ['-al', siteDir, site]);
  for (const entry of readdirSync(path.join(site, 'search'))) {
    if (entry !== 'index.html' && entry !== 'boot.js' && !entry.startsWith('__next') && !entry.endsWith('.txt'))
      rmSync(path.join(site, 'search', entry), { recursive: true, force: true });
  }
  cpSync(indexDir, path.join(site, 'search'), { recursive: true });
  return site;
}

async function browserPart(indexDir: string, work: string): Promise<void> {
  const siteDir = opts.site ?? path.join(root, 'out');
  if (!existsSync(path.join(siteDir, 'search', 'index.html'))) {
    console.log(`\n== Chromium: skipped (no built site with a search page at ${siteDir}; pass --site DIR)`);
    return;
  }
  step(`Chromium (site ${siteDir}, full-corpus index)`);
  const { withPage } = await import('./lib/browser.js');
  const { serveDir } = await import('./lib/server.js');
  const site = siteWithIndex(siteDir, indexDir, work, 'site');
  // Bytes on the wire, as the server sent them (gzip bodies); the worker's fetches are
  // not in the page's Resource Timing, so count at the server.
  let sent = 0;
  const sentLog: string[] = [];
  const server = await serveDir(site, {
    gzip: true,
    log: (line) => {
      const m = /^GET (\S+) \d+ (\d+)B/.exec(line);
      if (m) {
        sent += Number(m[2]);
        sentLog.push(`${m[1]} ${m[2]}`);
      }
    },
  });
  try {
    await withPage(async (page, info) => {
      await page.goto(server.href('search/'));
      const input = page.locator('input[data-search-primary]');
      await input.waitFor();
      await page.evaluate(() => {
        const w = window as unknown as { __lat: Array<[string, number]>; __t0: Map<string, number> };
        w.__lat = [];
        w.__t0 = new Map();
        const field = document.querySelector<HTMLInputElement>('input[data-search-primary]')!;
        const status = document.querySelector('[data-search-status]')!;
        let pressed = 0;
        field.addEventListener('keydown', () => (pressed = performance.now()), true);
        field.addEventListener('input', () => w.__t0.set(field.value.trim(), pressed));
        new MutationObserver(() => {
          const text = status.textContent ?? '';
          for (const [value, t0] of w.__t0) {
            if (value && text.includes(`“${value}”`)) {
              w.__t0.delete(value);
              requestAnimationFrame(() => w.__lat.push([value, performance.now() - t0]));
            }
          }
        }).observe(status, { childList: true, characterData: true, subtree: true });
      });
      const resourceBytes = async () => sent;
      const pageBytes = await resourceBytes();
      const pageFiles = sentLog.length;
      const waitFor = async (value: string) => {
        await page.waitForFunction((v) => (document.querySelector('[data-search-status]')?.textContent ?? '').includes(`“${v}”`), value, { timeout: 30_000 });
        await page.waitForTimeout(50);
      };
      await input.click();
      const firstQuery = 'rassrv';
      await page.keyboard.type(firstQuery, { delay: 150 });
      await waitFor(firstQuery);
      const afterFirst = await resourceBytes();
      console.log(
        `  first query files: ${sentLog
          .slice(pageFiles)
          .map((l) => l.replace(/\?v=\w+/, ''))
          .join(', ')}`,
      );
      const firstLatencies = await page.evaluate(() => (window as unknown as { __lat: Array<[string, number]> }).__lat.splice(0));
      await page.waitForTimeout(1500); // the keyword lists load after the first results
      const settled = await resourceBytes();
      // Later queries entered at once (pasted, or a link followed): one search each.
      const later: number[] = [];
      for (const q of LATER_QUERIES) {
        const before = await resourceBytes();
        await input.fill(q);
        await waitFor(q);
        await page.waitForTimeout(600); // let the keyword lists (if still missing) load: charged to this query
        later.push((await resourceBytes()) - before);
      }
      await page.evaluate(() => (window as unknown as { __lat: Array<[string, number]> }).__lat.splice(0));
      // Later queries typed key by key: every keystroke is a search (and may fetch files).
      const typed: number[] = [];
      const latencies: number[] = [];
      let keystrokes = 0;
      for (const q of TYPED_QUERIES) {
        await input.fill('');
        await page.waitForTimeout(100);
        const before = await resourceBytes();
        await page.keyboard.type(q, { delay: 150 });
        await waitFor(q);
        await page.waitForTimeout(200);
        typed.push((await resourceBytes()) - before);
        const got = await page.evaluate(() => (window as unknown as { __lat: Array<[string, number]> }).__lat.splice(0));
        latencies.push(...got.map(([, ms]) => ms));
        keystrokes += q.length;
      }
      const typedFirst = firstLatencies.map(([v, ms]) => `${v}:${ms.toFixed(0)}`).join(' ');
      console.log(`  first query keystrokes (ms): ${typedFirst}`);
      console.log(
        `  search page (HTML, CSS, scripts) before typing: ${kb(pageBytes)}; first query added ${kb(afterFirst - pageBytes)}; keyword lists after: ${kb(settled - afterFirst)}`,
      );
      console.log(`  later queries, entered at once: ${later.map(kb).join(', ')}`);
      console.log(`  later queries, typed key by key: ${typed.map(kb).join(', ')}`);
      row({
        name: 'Chromium first query',
        value: `${kb(afterFirst - pageBytes)} transferred from first keystroke to first results (worker script + index files, gzip); the page itself ${kb(pageBytes)}`,
        baseline: 'Pagefind 670–830 KB',
        target: '≤ 300 KB',
        ok: afterFirst - pageBytes <= 300 * 1024,
      });
      row({
        name: 'Chromium later queries',
        value: `entered at once: max ${kb(Math.max(...later))}, median ${kb(quantile(later, 0.5))}; typed key by key (a search per keystroke): max ${kb(Math.max(...typed))}, median ${kb(quantile(typed, 0.5))}`,
        target: '≤ 100 KB each',
        ok: Math.max(...later) <= 100 * 1024,
      });
      row({
        name: 'Chromium keystroke → results',
        value: `p50 ${quantile(latencies, 0.5).toFixed(0)} ms, p95 ${quantile(latencies, 0.95).toFixed(0)} ms, max ${Math.max(...latencies).toFixed(0)} ms over ${latencies.length} rendered searches of ${keystrokes} keystrokes (a space, or a 1-letter word, changes no results)`,
        target: 'p95 ≤ 100 ms',
        ok: quantile(latencies, 0.95) <= 100,
      });
      if (info.pageErrors.length) console.log(`  page errors: ${info.pageErrors.map((e) => e.message).join('; ')}`);
    });
    await headerBoxPart(withPage, server.href.bind(server), () => sent, sentLog);
    step('slow phone (CDP: 150 ms latency, 1.6 Mbit/s down, 750 kbit/s up, CPU ×4; 412×823 mobile viewport)');
    const now = await slowPhone(withPage, server.href.bind(server), true);
    const baselineDir = opts['baseline-site'];
    let before: SlowPhone | null = null;
    if (baselineDir && existsSync(path.join(baselineDir, 'search', 'index.html'))) {
      const baseSite = await serveDir(siteWithIndex(baselineDir, indexDir, work, 'baseline-site'), { gzip: true });
      try {
        before = await slowPhone(withPage, baseSite.href.bind(baseSite), false);
      } finally {
        await baseSite.close();
      }
    }
    row({
      name: 'slow phone: article page, "rassrv" typed at 100 ms/key → dropdown with results',
      value: `${sec(now.dropdownMs!)} after the first keystroke (focus just before it)`,
      baseline: 'no dropdown',
      target: '≤ 1.5 s',
      ok: now.dropdownMs! <= 1500,
    });
    row({
      name: 'slow phone: fresh /search/?q=rassrv → first result painted',
      value: `${sec(now.firstResultMs)} after navigation start`,
      baseline: before ? `${sec(before.firstResultMs)} (site before, same index)` : '~3.5 s (issue)',
      target: '≤ 1.5 s',
      ok: now.firstResultMs <= 1500,
    });
    row({
      name: 'slow phone: /search/?q=rassrv cumulative layout shift (PerformanceObserver, until 3 s after the first result)',
      value: now.cls.toFixed(3),
      baseline: before ? `${before.cls.toFixed(3)} (site before)` : '0.157 (Lighthouse, issue)',
      target: '≤ 0.05',
      ok: now.cls <= 0.05,
    });
    const lighthouse = opts.lighthouse;
    if (lighthouse) await lighthousePart(lighthouse, server.href.bind(server));
  } finally {
    await server.close();
  }
}

type WithPage = typeof import('./lib/browser.js').withPage;

/** The header box on an article page: bytes from focus to the first dropdown, then bytes and latency per keystroke. */
async function headerBoxPart(withPage: WithPage, href: (p: string) => string, sent: () => number, sentLog: string[]): Promise<void> {
  step('header box (article page, fast machine)');
  await withPage(async (page, info) => {
    await page.goto(href('kb/244/Q244717/'));
    await page.waitForLoadState('networkidle');
    const input = page.locator('input[data-site-search]');
    await page.locator('input[data-site-search][data-ready]').waitFor();
    const shows = (value: string) =>
      page.waitForFunction((v) => document.querySelector('[data-search-popup]')?.getAttribute('data-for') === v, value, { timeout: 30_000 });
    const pageFiles = sentLog.length;
    const before = sent();
    await input.click();
    await page.keyboard.type('rassrv', { delay: 100 });
    await shows('rassrv');
    await page.waitForTimeout(100);
    const first = sent() - before;
    console.log(
      `  from focus to the dropdown for "rassrv": ${sentLog
        .slice(pageFiles)
        .map((l) => l.replace(/\?v=\w+/, ''))
        .join(', ')}`,
    );
    await page.evaluate(() => performance.clearMarks());
    const keys: number[] = [];
    for (const q of TYPED_QUERIES) {
      await input.fill('');
      await page.waitForTimeout(50);
      for (let i = 1; i <= q.length; i++) {
        const b = sent();
        await page.keyboard.type(q[i - 1]!);
        await shows(q.slice(0, i)).catch(() => {}); // a lone letter or space may change nothing
        await page.waitForTimeout(30);
        keys.push(sent() - b);
      }
    }
    // The client's own performance marks (components/search/SearchBox.tsx), read over CDP: from the
    // keystroke that made a text to the dropdown committed with the answer for that text.
    const marks = await page.evaluate(() =>
      performance
        .getEntriesByType('mark')
        .filter((m) => m.name.startsWith('kbview:'))
        .map((m) => [m.name, m.startTime, String((m as PerformanceMark).detail)] as const),
    );
    const lat: number[] = [];
    const typedAt = new Map<string, number>();
    for (const [name, at, text] of marks) {
      if (name === 'kbview:key') typedAt.set(text, at);
      else if (name === 'kbview:dropdown' && typedAt.has(text)) {
        lat.push(at - typedAt.get(text)!);
        typedAt.delete(text);
      }
    }
    row({
      name: 'header box: first query, bytes (gzip) from focus to the dropdown for "rassrv"',
      value: `${kb(first)} (worker scripts + manifest + shards + title records)`,
      baseline: 'no dropdown; the search page needed 193.8 KB for its first query',
      target: '≤ 150 KB',
      ok: first <= 150 * 1024,
    });
    row({
      name: 'header box: bytes per later keystroke (gzip, typed key by key)',
      value: `median ${kb(quantile(keys, 0.5))}, p90 ${kb(quantile(keys, 0.9))}, max ${kb(Math.max(...keys))} over ${keys.length} keystrokes`,
      baseline: 'search page typed key by key: see "Chromium later queries" (per query)',
      target: 'median ≤ 30 KB, max ≤ 60 KB',
      ok: quantile(keys, 0.5) <= 30 * 1024 && Math.max(...keys) <= 60 * 1024,
    });
    row({
      name: 'header box: keystroke → dropdown updated',
      value: `p50 ${quantile(lat, 0.5).toFixed(0)} ms, p95 ${quantile(lat, 0.95).toFixed(0)} ms, max ${Math.max(...lat).toFixed(0)} ms over ${lat.length} updates (performance marks, keystroke → dropdown committed; load average ${os.loadavg()[0]!.toFixed(1)})`,
      target: 'p95 ≤ 50 ms',
      ok: quantile(lat, 0.95) <= 50,
    });
    if (info.pageErrors.length) console.log(`  page errors: ${info.pageErrors.map((e) => e.message).join('; ')}`);
  });
}

interface SlowPhone {
  dropdownMs: number | null;
  firstResultMs: number;
  cls: number;
}

async function slowPhone(withPage: WithPage, href: (p: string) => string, hasDropdown: boolean): Promise<SlowPhone> {
  const { emulateSlowPhone, PHONE_CONTEXT, slowPhoneDropdown } = await import('./lib/browser.js');
  let dropdownMs: number | null = null;
  if (hasDropdown) {
    dropdownMs = await withPage(
      async (page) => {
        const { any } = await slowPhoneDropdown(page, href('kb/244/Q244717/'));
        return any;
      },
      { context: PHONE_CONTEXT },
    );
    console.log(`  article page → dropdown with results: ${dropdownMs} ms after the first keystroke`);
  }
  const { firstResultMs, cls } = await withPage(
    async (page) => {
      await emulateSlowPhone(page);
      await page.addInitScript(() => {
        const w = window as unknown as { __cls: number; __first: number };
        w.__cls = 0;
        w.__first = 0;
        new PerformanceObserver((list) => {
          for (const entry of list.getEntries() as Array<PerformanceEntry & { value: number; hadRecentInput: boolean }>)
            if (!entry.hadRecentInput) w.__cls += entry.value;
        }).observe({ type: 'layout-shift', buffered: true });
        new MutationObserver(() => {
          if (!w.__first && document.querySelector('main [data-result]')) {
            w.__first = -1;
            requestAnimationFrame(() => (w.__first = performance.now()));
          }
        }).observe(document, { childList: true, subtree: true });
      });
      await page.goto(href('search/?q=rassrv'));
      await page.waitForFunction(() => (window as unknown as { __first: number }).__first > 0, undefined, { timeout: 60_000 });
      await page.waitForTimeout(3000);
      return page.evaluate(() => {
        const w = window as unknown as { __cls: number; __first: number };
        return { firstResultMs: w.__first, cls: w.__cls };
      });
    },
    { context: PHONE_CONTEXT },
  );
  console.log(`  ${hasDropdown ? 'this site' : 'site before'}: /search/?q=rassrv first result at ${firstResultMs.toFixed(0)} ms, CLS ${cls.toFixed(3)}`);
  return { dropdownMs, firstResultMs, cls };
}

/** Lighthouse (mobile defaults) on the search page and an article page, with Debian's Chromium. */
async function lighthousePart(bin: string, href: (p: string) => string): Promise<void> {
  step('Lighthouse (mobile defaults)');
  for (const [name, url] of [
    ['/search/?q=rassrv', href('search/?q=rassrv')],
    ['article Q244717', href('kb/244/Q244717/')],
  ] as const) {
    try {
      const run = await runLighthouse(bin, url);
      const score = (c: (typeof LIGHTHOUSE_CATEGORIES)[number]) => run.scores[LIGHTHOUSE_CATEGORIES.indexOf(c)]!;
      const clsValue = run.cls;
      row({
        name: `Lighthouse mobile, ${name}: performance / accessibility / best practices / SEO / CLS`,
        value: `${score('performance')} / ${score('accessibility')} / ${score('best-practices')} / ${score('seo')} / ${clsValue.toFixed(3)}`,
        baseline: name.startsWith('/search') ? '93 / 96 / – / – / 0.157 (issue)' : '100 in all four (issue)',
        target: name.startsWith('/search') ? '≥ 98 / 100 / – / – / ≤ 0.05' : '100',
        ok: name.startsWith('/search')
          ? score('performance') >= 98 && score('accessibility') === 100 && clsValue <= 0.05
          : score('performance') === 100 && score('accessibility') === 100,
      });
    } catch (error) {
      console.log(`  Lighthouse on ${name} failed: ${(error as Error).message.split('\n')[0]}`);
    }
  }
}

await main();
