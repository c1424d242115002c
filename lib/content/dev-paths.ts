/**
 * `next dev`: the article files by number (./scan.ts `articlePathsByName`), kept between processes.
 *
 * Next's dev server runs the article route's generateStaticParams in a fresh worker for the first
 * request of the route and again in the background after each later one: each run listed the whole
 * archive by name and sorted it (4 s of CPU at 241,340 articles on a loaded 2-core machine, 22.7 s of
 * a 29.4 s first request; BENCHMARKS.md "s5-mem"). The list is written to the cache folder with the
 * modification time of every folder the walk read: a process whose folders all have the same times
 * reads the list (a file created, removed or renamed in a folder changes that folder's time) instead of
 * walking the archive. An article folder's own README.md is not looked at (as in the walk itself).
 */
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { config } from '../config';
import { cacheFolder } from './corpus';
import { articlePathsByName } from './scan';

const VERSION = 1;

interface Snapshot {
  version: number;
  root: string;
  /** Each folder the walk read (relative) and its modification time (ms). */
  folders: Array<[string, number]>;
  /** Numbers and their files, in number order. */
  paths: Array<[number, string]>;
}

function mtimeOf(file: string): number | null {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return null;
  }
}

function isSnapshot(value: unknown, root: string): value is Snapshot {
  if (typeof value !== 'object' || value === null) return false;
  const s = value as Partial<Snapshot>;
  return s.version === VERSION && s.root === root && Array.isArray(s.folders) && Array.isArray(s.paths);
}

/** The snapshot at `file` if every folder it lists still has its recorded time, else null. */
function readSnapshot(root: string, file: string): Map<number, string> | null {
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return null;
  }
  if (!isSnapshot(value, root)) return null;
  for (const entry of value.folders) {
    if (!Array.isArray(entry) || typeof entry[0] !== 'string' || mtimeOf(path.join(root, entry[0])) !== entry[1]) return null;
  }
  const paths = new Map<number, string>();
  for (const entry of value.paths) {
    if (!Array.isArray(entry) || !Number.isSafeInteger(entry[0]) || typeof entry[1] !== 'string') return null;
    paths.set(entry[0], entry[1]);
  }
  return paths;
}

/** Where the list of `root`'s articles is kept: its cache folder (./corpus.ts). */
export function devPathsFile(root: string): string {
  return path.join(cacheFolder(root, config().cacheDir), 'dev-paths.json');
}

/**
 * Each article number's file under `root` (as `articlePathsByName`, in number order), read from
 * `file` when the folders are as they were, else walked and written there (atomically).
 * `stats.walked` says which.
 */
export function devArticlePathsCached(root: string, file: string, stats?: { walked: boolean }): Map<number, string> {
  const kept = readSnapshot(root, file);
  if (kept) {
    if (stats) stats.walked = false;
    return kept;
  }
  const folders: Array<[string, number]> = [];
  // Each folder's time is taken before it is read: a change during the walk makes the snapshot stale, never wrong.
  const found = articlePathsByName(root, (rel) => folders.push([rel, mtimeOf(path.join(root, rel)) ?? -1]));
  const paths = new Map([...found].sort((a, b) => a[0] - b[0]));
  const snapshot: Snapshot = { version: VERSION, root, folders, paths: [...paths] };
  try {
    mkdirSync(path.dirname(file), { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(snapshot));
    renameSync(tmp, file);
  } catch {
    // A read-only cache: walked again next time.
  }
  if (stats) stats.walked = true;
  return paths;
}
