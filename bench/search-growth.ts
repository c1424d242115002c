/**
 * How the search index build grows with the archive (issue 16: "index build at 241k ≤ 4.5 × the 60k one"):
 * scripts/build-search.ts on a small and a large archive, in turns (small, large, small, large, …), so that both
 * see the same machine. Each run's "index" time (the builder's own, without the corpus load) and CPU time are
 * printed; the ratio is taken of the medians. On a shared 2-core machine one build can take 30 % longer than the
 * same build minutes later (BENCHMARKS.md "Session 10"): a single pair says little.
 *
 *   npx tsx bench/search-growth.ts [--runs 3] <small archive> <large archive>
 *
 * The parse caches of both archives should be warm (a `kb build` or a build-search run on each first): a cold
 * parse is not what is measured here, and the index builder times itself after the load either way.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { cliArgs, integerOption } from '../lib/cli/args';
import { measure, median } from './lib/measure';

const USAGE = 'usage: npx tsx bench/search-growth.ts [--runs 3] <small archive> <large archive>';
const { values, positionals } = cliArgs(process.argv.slice(2), {
  usage: USAGE,
  options: { runs: { type: 'string' } },
  positionals: { min: 2, max: 2 },
});
const runs = integerOption(values.runs, '--runs', USAGE, 3, 1, 20);
const tsx = path.join(process.cwd(), 'node_modules', '.bin', 'tsx');
const TIME = existsSync('/usr/bin/time') ? '/usr/bin/time' : null;
const env = { ...process.env, NODE_OPTIONS: '' };

interface Run {
  indexS: number;
  cpuS: number;
}

async function buildOnce(content: string): Promise<Run> {
  const out = mkdtempSync(path.join(os.tmpdir(), 'kbview-growth-'));
  try {
    const args = ['scripts/build-search.ts', content, '--out', path.join(out, 'search')];
    // GNU time for the CPU time when there is one (else NaN).
    const run = TIME ? await measure(TIME, ['-f', 'cpu %U %S', tsx, ...args], { env }) : await measure(tsx, args, { env });
    if (run.code !== 0) throw new Error(`build-search failed on ${content}:\n${run.stderr.slice(-2000)}`);
    const index = /\(load [\d.]+ s, index ([\d.]+) s\)/.exec(run.stdout);
    const cpu = /cpu ([\d.]+) ([\d.]+)/.exec(run.stderr);
    if (!index) throw new Error(`no index time in build-search's output:\n${run.stdout.slice(-2000)}`);
    return { indexS: Number(index[1]), cpuS: cpu ? Number(cpu[1]) + Number(cpu[2]) : NaN };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

const ratio = (a: number, b: number): string => (b > 0 ? (a / b).toFixed(2) : '–');

const [small, large] = positionals as [string, string];
const figures: Record<'small' | 'large', Run[]> = { small: [], large: [] };
for (let r = 1; r <= runs; r++) {
  for (const [label, dir] of [
    ['small', small],
    ['large', large],
  ] as const) {
    const load = os.loadavg()[0]!.toFixed(1);
    const run = await buildOnce(dir);
    figures[label].push(run);
    console.log(`run ${r} ${label}: index ${run.indexS.toFixed(1)} s, whole process CPU ${run.cpuS.toFixed(1)} s (load average ${load} before)`);
  }
}
const s = median(figures.small.map((r) => r.indexS));
const l = median(figures.large.map((r) => r.indexS));
console.log(
  `median index build: ${s.toFixed(1)} s (${small}) and ${l.toFixed(1)} s (${large}): ${ratio(l, s)} × ` +
    `(each pair: ${figures.small.map((r, i) => ratio(figures.large[i]!.indexS, r.indexS)).join(', ')})`,
);
