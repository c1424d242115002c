/**
 * Phase timing of `kb build`: wall time and peak memory of the whole process tree per phase
 * (parse, search index, next build, prune, CSP, metadata, page writer, ...).
 *
 * The build's parent process calls `startPhases()`: it samples the resident memory of its
 * process tree (itself, the prepare child, Next and its workers) from /proc every 250 ms and
 * sets KB_PHASES_FILE, so that phases timed in a child process (`timed()` in `kb prepare`)
 * are appended there as one JSON line each, with wall-clock start and end. `finish()` then
 * gives each phase the peak of the samples taken while it ran, prints one line per phase
 * (`kbview: phase <name> <s> s, peak <GiB> [<ms> <bytes>]`) and writes
 * `.cache/kbview/phases.json`, which `npm run bench` reads for its phase table.
 * Outside a build (no KB_PHASES_FILE) `timed()` only runs the step.
 */
import { appendFileSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { config } from '../config';

export interface PhaseRecord {
  name: string;
  /** Wall clock (ms since the epoch) at start and end. */
  start: number;
  end: number;
  ms: number;
  /** Peak resident memory of the build's process tree while the phase ran (bytes); 0 when unsampled. */
  peakRssBytes: number;
}

const PHASES_NAME = 'phases.json';
export const PHASES_JSON = path.join('.cache', 'kbview', PHASES_NAME);

/** The phase table of the last `kb build` run in `root` (its phases.json, written by `startPhases().finish()`). */
export function readPhaseTable(root: string): PhaseRecord[] {
  return (JSON.parse(readFileSync(path.join(root, PHASES_JSON), 'utf8')) as { phases: PhaseRecord[] }).phases;
}
const PAGE = 4096;

/** Resident memory of a process and all its descendants, from /proc (Linux; 0 elsewhere). */
export function treeRss(root: number): number {
  const children = new Map<number, number[]>();
  const rss = new Map<number, number>();
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return 0;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const ppid = Number(fields[1]);
      const pid = Number(entry);
      rss.set(pid, Number(fields[21]) * PAGE);
      const list = children.get(ppid);
      if (list) list.push(pid);
      else children.set(ppid, [pid]);
    } catch {
      // The process ended while we looked.
    }
  }
  let total = 0;
  const stack = [root];
  while (stack.length > 0) {
    const pid = stack.pop()!;
    total += rss.get(pid) ?? 0;
    for (const child of children.get(pid) ?? []) stack.push(child);
  }
  return total;
}

/** Set in the build's parent process by startPhases; its child processes get it as KB_PHASES_FILE (lib/config). */
let phasesFile: string | null = null;

function record(name: string, start: number, end: number): void {
  const file = phasesFile ?? config().phasesFile;
  if (file) appendFileSync(file, `${JSON.stringify({ name, start, end })}\n`);
}

/** Runs `step` as phase `name` (sync or async); recorded when a build collects phases. */
export function timed<T>(name: string, step: () => T): T {
  const start = Date.now();
  const result = step();
  if (result instanceof Promise) return result.finally(() => record(name, start, Date.now())) as T;
  record(name, start, Date.now());
  return result;
}

export interface PhaseCollector {
  /** Where phases are recorded: hand it to child processes (`configEnv({ ...config(), phasesFile })`). */
  file: string;
  finish(): PhaseRecord[];
}

/** Called once by the build's parent process, before any phase. */
export function startPhases(cacheDir = config().cacheDir): PhaseCollector {
  mkdirSync(cacheDir, { recursive: true });
  const file = path.resolve(cacheDir, 'phases.ndjson');
  rmSync(file, { force: true });
  phasesFile = file;
  const samples: Array<[number, number]> = [];
  const sample = () => samples.push([Date.now(), treeRss(process.pid)]);
  sample();
  const timer = setInterval(sample, 250);
  timer.unref();
  return {
    file,
    finish(): PhaseRecord[] {
      clearInterval(timer);
      sample();
      let lines: string[] = [];
      try {
        lines = readFileSync(file, 'utf8').split('\n').filter(Boolean);
      } catch {
        // No phase recorded.
      }
      const phases = lines.map((line): PhaseRecord => {
        const { name, start, end } = JSON.parse(line) as { name: string; start: number; end: number };
        let peak = 0;
        for (const [t, rss] of samples) if (t >= start - 250 && t <= end + 250 && rss > peak) peak = rss;
        return { name, start, end, ms: end - start, peakRssBytes: peak };
      });
      phases.sort((a, b) => a.start - b.start);
      let total = 0;
      for (const [, rss] of samples) if (rss > total) total = rss;
      for (const p of phases) {
        console.log(`kbview: phase ${p.name.padEnd(16)} ${(p.ms / 1000).toFixed(1).padStart(7)} s, peak ${(p.peakRssBytes / 2 ** 30).toFixed(2)} GiB`);
      }
      writeFileSync(path.resolve(cacheDir, PHASES_NAME), `${JSON.stringify({ phases, peakRssBytes: total }, null, 1)}\n`);
      return phases;
    },
  };
}
