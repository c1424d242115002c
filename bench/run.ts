/**
 * `npm run bench [-- --subset N] [--baseline-pages N] [--skip-build] [--no-rebuild]`
 * `npm run bench -- --scale N [--no-1x] [--only-1x] [--no-hugo] [--no-edit]`: the scale bench (bench/scale.ts)
 * `npm run bench -- --halves [--subset N]`: two half builds merged (bench/halves.ts)
 *
 * Measures, in one run on this machine, kbview against plain baselines:
 * - our full build (`kb build`, cold parse cache): wall time, peak RSS of the
 *   process tree, files and bytes in out/, page weights;
 * - our cached rebuild;
 * - `kb parse` of the corpus (cold, no cache);
 * - baselines: a stock Next.js export of trivial pages at the same permalinks
 *   (a subset, scaled up linearly, unless --baseline-pages covers them all),
 *   and raw remark parsing of the corpus.
 * Prints figures and ratios, and appends them to BENCHMARKS.md with date and commit.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync, appendFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import path from 'node:path';
import { corpusDir, corpusSubset } from './lib/corpus';
import { scanContent } from '../lib/content/scan';
import { cacheFolder } from '../lib/content/corpus';
import { loadConfig } from '../lib/config';
import { measure, gib, mb, sec, type Measured } from './lib/measure';
import { countFiles } from '../lib/build/build';
import { readPhaseTable } from '../lib/build/phases';
import { phaseTable, scaleBench } from './scale';
import { halvesBench } from './halves';
import { cliArgs, integerOption } from '../lib/cli/args';

const USAGE = `usage: npm run bench [-- --subset N] [--baseline-pages N] [--skip-build] [--no-rebuild]
       npm run bench -- --scale N [--no-1x] [--only-1x] [--no-hugo] [--no-edit]
       npm run bench -- --halves [--subset N]`;
const args = process.argv.slice(2);
const { values: opts } = cliArgs(args, {
  usage: USAGE,
  options: {
    subset: { type: 'string' },
    'baseline-pages': { type: 'string' },
    'skip-build': { type: 'boolean' },
    'no-rebuild': { type: 'boolean' },
    scale: { type: 'string' },
    'no-1x': { type: 'boolean' },
    'only-1x': { type: 'boolean' },
    halves: { type: 'boolean' },
    'no-hugo': { type: 'boolean' },
    'no-edit': { type: 'boolean' },
    pairs: { type: 'string' },
  },
});
const subset = opts.subset ? Number(opts.subset) : null;
const baselinePages = Number(opts['baseline-pages'] ?? 10000);
const root = process.cwd();
const tsx = path.join(root, 'node_modules/.bin/tsx');

type Row = { name: string; value: string; baseline?: string; ratio?: string; target?: string };
const rows: Row[] = [];
let phaseSection = '';
const row = (r: Row) => {
  rows.push(r);
  console.log(
    `  ${r.name}: ${r.value}${r.baseline ? `   baseline ${r.baseline}` : ''}${r.ratio ? `   ratio ${r.ratio}` : ''}${r.target ? `   target ${r.target}` : ''}`,
  );
};

function step(title: string): void {
  console.log(`\n== ${title}`);
}

function ensureOk(result: Measured, what: string): void {
  if (result.code !== 0) {
    console.error(result.stdout.slice(-4000));
    console.error(result.stderr.slice(-4000));
    throw new Error(`${what} failed with exit code ${result.code}`);
  }
}

function gzipSize(file: string): number {
  return gzipSync(readFileSync(file), { level: 9 }).length;
}

/** JavaScript an article page loads on first visit, gzip-compressed. */
function firstLoadJs(outDir: string, html: string): number {
  let total = 0;
  for (const m of html.matchAll(/<script([^>]+)src="([^"]+)"[^>]*>/g)) {
    // A `noModule` script (Next's polyfills) is skipped by every browser that runs modules.
    if (/nomodule/i.test(m[0])) continue;
    const src = m[2]!.replace(/^\/[^_]*?(?=\/_next\/)/, '');
    const file = path.join(outDir, src.split('?')[0]!);
    if (existsSync(file)) total += gzipSize(file);
  }
  return total;
}

function largestFile(dir: string): { file: string; bytes: number } {
  let best = { file: '', bytes: 0 };
  const walk = (d: string): void => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const full = path.join(d, entry.name);
      if (entry.isDirectory()) walk(full);
      else {
        const size = statSync(full).size;
        if (size > best.bytes) best = { file: path.relative(dir, full), bytes: size };
      }
    }
  };
  walk(dir);
  return best;
}

async function main(): Promise<void> {
  if (opts.scale) return scaleBench(Number(opts.scale), args, integerOption(opts.pairs, '--pairs', USAGE, 1, 1, 9));
  if (opts.halves) return halvesBench(subset);
  const full = await corpusDir();
  const content = subset ? corpusSubset(full, subset, path.join(root, '.cache/bench', `subset-${subset}`)) : full;
  const articles = scanContent(content).files.length;
  const scale = subset ? `subset of ${articles} articles` : `full corpus, ${articles} articles`;
  console.log(`kbview bench: ${scale} (${content})`);
  const env = { ...process.env, KB_CONTENT_DIR: content, NEXT_TELEMETRY_DISABLED: '1' };
  const outDir = path.join(root, 'out');

  step('kb parse (cold, no cache)');
  const parse = await measure(tsx, ['scripts/kb.ts', 'parse', '--no-cache', content], { env });
  ensureOk(parse, 'kb parse');
  const parsedCount = parse.stdout.split('\n').filter(Boolean).length;
  step('baseline: raw remark parse');
  const remark = await measure(tsx, ['bench/baseline-remark.ts', content], { env });
  ensureOk(remark, 'remark baseline');
  const remarkMs = (JSON.parse(remark.stdout) as { ms: number }).ms;
  row({
    name: 'kb parse, cold',
    value: `${sec(parse.ms)} (${parsedCount} articles, ${gib(parse.peakRssBytes)})`,
    baseline: `remark alone ${sec(remarkMs)} in one thread`,
    ratio: (parse.ms / remarkMs).toFixed(2),
    target: '≤ 30 s (full corpus)',
  });

  step('npm run dev: ready, then articles while the archive loads');
  const devFiles = scanContent(content).files;
  const devIds = Array.from(
    { length: Math.min(20, devFiles.length) },
    (_, i) => /Q\d+/.exec(devFiles[Math.floor((i * devFiles.length) / Math.min(20, devFiles.length))]!)![0],
  );
  // Twice: the first start compiles the route; the second reuses Turbopack's file-system cache.
  rmSync(path.join(root, '.next', 'dev'), { recursive: true, force: true, maxRetries: 10, retryDelay: 500 });
  for (const run of ['first start', 'second start']) {
    const dev = await measure(tsx, ['bench/dev.ts', content, ...devIds], { env });
    if (dev.code === 0) {
      const figures = JSON.parse(dev.stdout.trim().split('\n').pop()!) as {
        nextReadyMs: number;
        readyMs: number;
        medianMs: number;
        maxMs: number;
        results: Array<{ id: string; status: number; ms: number }>;
      };
      const failed = figures.results.filter((r) => r.status !== 200).map((r) => `${r.id} ${r.status}`);
      row({
        name: `dev, ${run}`,
        value: `ready ${sec(figures.readyMs)} after start (Next ${sec(figures.nextReadyMs)}, then the article route compiled); then ${figures.results.length} articles in the next ${sec(figures.results.length * 400 + figures.results.reduce((n, r) => n + r.ms, 0))}: median ${sec(figures.medianMs)}, max ${sec(figures.maxMs)}${failed.length ? `; not 200: ${failed.join(', ')}` : ''}`,
        target: 'any article < 2 s',
      });
    } else {
      row({ name: `dev, ${run}`, value: `failed: ${dev.stderr.slice(-300)}` });
    }
  }

  if (!args.includes('--skip-build')) {
    step('kb build (cold parse cache)');
    rmSync(cacheFolder(content, loadConfig(env, root).cacheDir), { recursive: true, force: true });
    rmSync(path.join(root, '.next'), { recursive: true, force: true, maxRetries: 10, retryDelay: 500 });
    const build = await measure(tsx, ['scripts/kb.ts', 'build'], { env, echo: true });
    ensureOk(build, 'kb build');
    phaseSection = `\n${phaseTable([{ label: 'cold build', articles, result: build, phases: readPhaseTable(root), files: 0, bytes: 0 }])}\n`;
    const out = countFiles(outDir);
    const pages = readdirSync(path.join(outDir, 'kb')).reduce((n, bucket) => n + readdirSync(path.join(outDir, 'kb', bucket)).length, 0);
    row({ name: 'build, cold', value: `${sec(build.ms)}, peak RSS ${gib(build.peakRssBytes)}`, target: '≤ 240 s, ≤ 2.5 GiB (full corpus)' });
    row({
      name: 'output',
      value: `${out.count} files (${(out.count / articles).toFixed(2)} per article), ${mb(out.bytes)}; ${pages} article pages`,
      target: '≤ 2.2 files per article, ≤ 900 MB',
    });
    const largest = largestFile(outDir);
    row({ name: 'largest file', value: `${largest.file} ${(largest.bytes / 1024).toFixed(0)} KB`, target: '≤ 500 KB' });
    const sample = path.join(outDir, 'kb/244/Q244717/index.html');
    if (existsSync(sample)) {
      const html = readFileSync(sample, 'utf8');
      row({
        name: 'Q244717 page',
        value: `HTML ${(html.length / 1024).toFixed(1)} KB, first-load JS ${(firstLoadJs(outDir, html) / 1024).toFixed(1)} KB gzip`,
        target: 'HTML ≤ 30 KB, JS ≤ 150 KB gzip',
      });
    }

    if (!args.includes('--no-rebuild')) {
      step('kb build (cached rebuild)');
      const rebuild = await measure(tsx, ['scripts/kb.ts', 'build'], { env });
      ensureOk(rebuild, 'kb rebuild');
      row({
        name: 'build, cached',
        value: `${sec(rebuild.ms)}, peak RSS ${gib(rebuild.peakRssBytes)}`,
        baseline: sec(build.ms),
        ratio: (rebuild.ms / build.ms).toFixed(2),
      });
    }

    step(`baseline: stock Next.js export of ${Math.min(baselinePages, articles)} trivial pages`);
    const ids = scanContent(content).files.map((f) => /Q\d+/.exec(f)![0]);
    const baseIds = ids.slice(0, Math.min(baselinePages, ids.length));
    const baseDir = path.join(root, '.cache/bench/baseline-next');
    rmSync(baseDir, { recursive: true, force: true });
    mkdirSync(baseDir, { recursive: true });
    execFileSync('cp', ['-r', 'bench/baseline-next/.', baseDir]);
    writeFileSync(path.join(baseDir, 'ids.json'), JSON.stringify(baseIds));
    const base = await measure(process.execPath, [path.join(root, 'node_modules/next/dist/bin/next'), 'build'], {
      env: { ...env, BASELINE_IDS: path.join(baseDir, 'ids.json') },
      cwd: baseDir,
    });
    ensureOk(base, 'Next baseline');
    const baseOut = countFiles(path.join(baseDir, 'out'));
    const factor = articles / baseIds.length;
    const baseMs = base.ms * factor;
    const label = factor === 1 ? '' : ` (${sec(base.ms)} for ${baseIds.length} pages, scaled ×${factor.toFixed(2)})`;
    row({
      name: 'build vs stock Next',
      value: sec(build.ms),
      baseline: `${sec(baseMs)}${label}, peak ${gib(base.peakRssBytes)}`,
      ratio: (build.ms / baseMs).toFixed(2),
    });
    row({
      name: 'files vs stock Next',
      value: String(out.count),
      baseline: `${Math.round(baseOut.count * factor)} (${mb(baseOut.bytes * factor)})`,
      ratio: (out.count / (baseOut.count * factor)).toFixed(2),
    });
  }

  const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
  const dirty = execFileSync('git', ['status', '--porcelain'], { encoding: 'utf8' }).trim() ? ' (uncommitted changes)' : '';
  const date = new Date().toISOString().replace('T', ' ').slice(0, 16);
  const table = [
    '| measure | ours | baseline | ratio | target |',
    '|---|---|---|---|---|',
    ...rows.map((r) => `| ${r.name} | ${r.value} | ${r.baseline ?? ''} | ${r.ratio ?? ''} | ${r.target ?? ''} |`),
  ].join('\n');
  const section = `\n### ${date} UTC, commit ${commit}${dirty}: ${scale}\n\nMachine: ${process.platform} ${process.arch}, ${(await import('node:os')).availableParallelism()} cores, Node ${process.version}. Command: \`npm run bench${args.length ? ` -- ${args.join(' ')}` : ''}\`.\n\n${table}\n${phaseSection}`;
  const file = path.join(root, 'BENCHMARKS.md');
  if (!existsSync(file)) writeFileSync(file, '# Benchmarks\n\nFigures written by `npm run bench`; newest last.\n');
  appendFileSync(file, section);
  console.log(`\nwrote ${path.relative(root, file)}`);
}

await main();
