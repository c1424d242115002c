/**
 * `npm run bench -- --halves [--subset N]`: two half builds merged (README "Beyond one machine").
 *
 * The archive is split by number range into two halves (whole `kb/<bucket>/` folders, hard-linked into
 * `.cache/halves/a` and `.cache/halves/b`; `.cache/halves/whole` links every article). Each half is one
 * "job" of a CI matrix: `kb check` parses it and renders every body into its own parse cache and body cache,
 * from nothing. The merge step joins the two jobs' caches into the whole archive's (the parse cache's three
 * NDJSON files are concatenated; body packs are hard-linked: both are keyed on a file's path inside the
 * archive, its mtime and size, and a body's HTML depends on the file and the base path only). Then one
 * `kb build` of the whole archive runs from the merged caches: the steps that still need the whole archive
 * on one machine (link graph, search index, `next build`, page writer). The same build from nothing, in the
 * same run, is the baseline. Figures go to stdout and BENCHMARKS.md.
 */
import { execFileSync } from 'node:child_process';
import { appendFileSync, closeSync, existsSync, linkSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import path from 'node:path';
import { scanContent } from '../lib/content/scan';
import { cacheFolder, CACHE_VERSION } from '../lib/content/corpus';
import { countFiles } from '../lib/build/build';
import { bodyCacheEntries } from '../lib/build/body-cache';
import type { PhaseRecord } from '../lib/build/phases';
import { readPhases } from './scale';
import { corpusDir, corpusSubset } from './lib/corpus';
import { measure, gib, mb, sec, type Measured } from './lib/measure';

const root = process.cwd();
const tsx = path.join(root, 'node_modules/.bin/tsx');
const cacheDir = path.join(root, '.cache/kbview');
const say = (line: string): void => console.log(line);
const load = (): string =>
  loadavg()
    .map((n) => n.toFixed(1))
    .join(' / ');

/** The parse cache's files, in the order the loader keeps them in step (corpus.ts `readCache`). */
const CACHE_FILES = ['parsed.ndjson', 'text.ndjson', 'listing.ndjson'] as const;

/** Hard-links `files` (paths inside `from`) into `to`, in the same layout. */
function linkFiles(from: string, to: string, files: readonly string[]): void {
  rmSync(to, { recursive: true, force: true });
  for (const file of files) {
    mkdirSync(path.dirname(path.join(to, file)), { recursive: true });
    linkSync(path.join(from, file), path.join(to, file));
  }
}

/** Splits the archive's files by `kb/<bucket>/` folder at the middle file: two number ranges of ~equal size. */
function split(files: readonly string[]): [string[], string[]] {
  const bucketOf = (file: string) => file.split('/')[0]!;
  const middle = bucketOf(files[Math.floor(files.length / 2)]!);
  const a = files.filter((f) => bucketOf(f) < middle);
  const b = files.filter((f) => bucketOf(f) >= middle);
  return [a, b];
}

function coldCaches(...dirs: string[]): void {
  for (const dir of dirs) rmSync(cacheFolder(dir, cacheDir), { recursive: true, force: true });
  for (const dir of ['.next', 'public/search', 'out', 'out.spare', 'out.trash'])
    rmSync(path.join(root, dir), { recursive: true, force: true, maxRetries: 10, retryDelay: 500 });
}

/** Copies every line but the version line of `from` onto the open file `fd`; returns the count. */
function appendEntries(fd: number, from: string): number {
  const text = readFileSync(from, 'utf8');
  const first = text.indexOf('\n');
  if (text.slice(0, first) !== JSON.stringify({ version: CACHE_VERSION })) throw new Error(`${from}: not a parse cache of version ${CACHE_VERSION}`);
  const rest = text.slice(first + 1);
  writeSync(fd, rest.endsWith('\n') || rest === '' ? rest : `${rest}\n`);
  let count = 0;
  for (let i = rest.indexOf('\n'); i !== -1; i = rest.indexOf('\n', i + 1)) count++;
  return count;
}

/** Hard-links every file under `from` into `to` (same layout); returns the count. */
function linkTree(from: string, to: string): number {
  let count = 0;
  mkdirSync(to, { recursive: true });
  for (const entry of readdirSync(from, { withFileTypes: true })) {
    const source = path.join(from, entry.name);
    const target = path.join(to, entry.name);
    if (entry.isDirectory()) count += linkTree(source, target);
    else if (!existsSync(target)) {
      linkSync(source, target);
      count++;
    }
  }
  return count;
}

/** The merge job: the halves' parse caches and body caches joined into the whole archive's. */
function merge(halves: readonly string[], whole: string): { entries: number; bodies: number } {
  const target = cacheFolder(whole, cacheDir);
  rmSync(target, { recursive: true, force: true });
  mkdirSync(target, { recursive: true });
  let entries = 0;
  for (const name of CACHE_FILES) {
    const fd = openSync(path.join(target, name), 'w');
    try {
      writeSync(fd, `${JSON.stringify({ version: CACHE_VERSION })}\n`);
      let count = 0;
      for (const half of halves) count += appendEntries(fd, path.join(cacheFolder(half, cacheDir), name));
      if (name === 'parsed.ndjson') entries = count;
    } finally {
      closeSync(fd);
    }
  }
  // The body packs: each has a name of its own (lib/build/body-cache.tsx); a body is counted by its index line.
  let bodies = 0;
  for (const half of halves) {
    const folder = cacheFolder(half, cacheDir);
    for (const entry of readdirSync(folder)) if (entry.startsWith('bodies-')) linkTree(path.join(folder, entry), path.join(target, entry));
  }
  for (const entry of readdirSync(target))
    if (entry.startsWith('bodies-')) bodies += bodyCacheEntries({ dir: path.join(target, entry), linkPrefix: '' }).length;
  return { entries, bodies };
}

/** Paths (inside the two folders) whose files differ or exist in one only. */
function differences(one: string, two: string): string[] {
  const found: string[] = [];
  const walk = (rel: string): void => {
    const left = new Map(readdirSync(path.join(one, rel), { withFileTypes: true }).map((e) => [e.name, e]));
    const right = new Map(readdirSync(path.join(two, rel), { withFileTypes: true }).map((e) => [e.name, e]));
    for (const name of new Set([...left.keys(), ...right.keys()])) {
      const child = path.join(rel, name);
      const l = left.get(name);
      const r = right.get(name);
      if (!l || !r || l.isDirectory() !== r.isDirectory()) found.push(child);
      else if (l.isDirectory()) walk(child);
      else if (!readFileSync(path.join(one, child)).equals(readFileSync(path.join(two, child)))) found.push(child);
    }
  };
  walk('');
  return found.sort();
}

async function job(label: string, args: string[], content: string): Promise<Measured> {
  say(`\n== ${label} (load ${load()})`);
  const result = await measure(tsx, ['scripts/kb.ts', ...args], { env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1', KB_CONTENT_DIR: content } });
  // `kb check` exits 1 when the archive has errors (the real one has a few): the job still did its work.
  if (result.code !== 0 && !(args[0] === 'check' && result.code === 1)) throw new Error(`${label} failed (${result.code}): ${result.stderr.slice(-800)}`);
  say(`${label}: ${sec(result.ms)}, peak ${gib(result.peakRssBytes)}`);
  return result;
}

/** `subset`: a deterministic subset of the archive instead of all of it (bench/lib/corpus.ts `corpusSubset`). */
export async function halvesBench(subset: number | null = null): Promise<void> {
  const corpus = await corpusDir();
  const full = subset ? corpusSubset(corpus, subset, path.join(root, '.cache/bench', `subset-${subset}`)) : corpus;
  const files = scanContent(full).files;
  const [a, b] = split(files);
  const work = path.join(root, '.cache/halves');
  const dirs = { a: path.join(work, 'a'), b: path.join(work, 'b'), whole: path.join(work, 'whole') };
  linkFiles(full, dirs.a, a);
  linkFiles(full, dirs.b, b);
  linkFiles(full, dirs.whole, files);
  say(
    `kbview halves bench: ${files.length} articles split at kb/${a.at(-1)!.split('/')[0]}/ | kb/${b[0]!.split('/')[0]}/ into ${a.length} + ${b.length}; ${availableParallelism()} cores, Node ${process.version}`,
  );

  coldCaches(dirs.a, dirs.b, dirs.whole);
  const jobA = await job(`job A: kb check of half A (${a.length} articles, cold)`, ['check'], dirs.a);
  const jobB = await job(`job B: kb check of half B (${b.length} articles, cold)`, ['check'], dirs.b);
  const started = performance.now();
  const merged = merge([dirs.a, dirs.b], dirs.whole);
  const mergeMs = performance.now() - started;
  say(`merge: ${sec(mergeMs)} (${merged.entries} parse-cache entries, ${merged.bodies} bodies linked)`);
  const fromMerged = await job('kb build of the whole archive from the merged caches', ['build'], dirs.whole);
  const mergedPhases = readPhases();
  const mergedOut = countFiles(path.join(root, 'out'));
  const mergedSite = path.join(work, 'out-merged');
  rmSync(mergedSite, { recursive: true, force: true });
  renameSync(path.join(root, 'out'), mergedSite);

  coldCaches(dirs.whole);
  const cold = await job('kb build of the whole archive from nothing (baseline)', ['build'], dirs.whole);
  const coldPhases = readPhases();
  const coldOut = countFiles(path.join(root, 'out'));
  const differ = differences(mergedSite, path.join(root, 'out'));
  say(`the two sites: ${differ.length === 0 ? 'byte-identical' : `${differ.length} files differ: ${differ.slice(0, 10).join(', ')}`}`);

  const parallel = Math.max(jobA.ms, jobB.ms) + mergeMs + fromMerged.ms;
  const phase = (phases: PhaseRecord[], name: string) => phases.find((p) => p.name === name);
  const names = [...new Set([...coldPhases, ...mergedPhases].map((p) => p.name))];
  const table = [
    '| phase | from the merged caches | from nothing |',
    '|---|---|---|',
    ...names.map((name) => {
      const cell = (p: PhaseRecord | undefined) => (p ? `${sec(p.ms)}, ${gib(p.peakRssBytes)}` : '–');
      return `| ${name} | ${cell(phase(mergedPhases, name))} | ${cell(phase(coldPhases, name))} |`;
    }),
  ];
  const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
  const section = [
    `\n### Two half builds merged: ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC, commit ${commit}, ${files.length} articles`,
    '',
    `\`npm run bench -- --halves\` (bench/halves.ts); ${availableParallelism()} cores, load at the end ${load()}.`,
    '',
    '| step | wall | peak |',
    '|---|---|---|',
    `| job A: \`kb check\` of half A (${a.length} articles, kb/${a[0]!.split('/')[0]}–${a.at(-1)!.split('/')[0]}), cold | ${sec(jobA.ms)} | ${gib(jobA.peakRssBytes)} |`,
    `| job B: \`kb check\` of half B (${b.length} articles, kb/${b[0]!.split('/')[0]}–${b.at(-1)!.split('/')[0]}), cold | ${sec(jobB.ms)} | ${gib(jobB.peakRssBytes)} |`,
    `| merge: parse caches concatenated, body packs of ${merged.bodies} bodies hard-linked | ${sec(mergeMs)} | – |`,
    `| \`kb build\` of the whole from the merged caches | ${sec(fromMerged.ms)} | ${gib(fromMerged.peakRssBytes)} |`,
    `| **two machines** (the slower job + merge + whole build) | **${sec(parallel)}** | |`,
    `| **one machine, \`kb build\` from nothing** | **${sec(cold.ms)}** | ${gib(cold.peakRssBytes)} |`,
    '',
    `Sites: ${differ.length === 0 ? 'byte-identical' : `${differ.length} files differ (${differ.slice(0, 5).join(', ')})`}; out/: ${mergedOut.count} files, ${mb(mergedOut.bytes)} from the merged caches; ${coldOut.count} files, ${mb(coldOut.bytes)} from nothing.`,
    '',
    ...table,
    '',
  ].join('\n');
  say(section);
  appendFileSync(path.join(root, 'BENCHMARKS.md'), section);
  console.log('wrote BENCHMARKS.md');
}
