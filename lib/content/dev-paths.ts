/**
 * `next dev`: the article files by number (./scan.ts `articlePathsByName`), kept between processes,
 * and looked up one article at a time.
 *
 * `npm run dev` walks the archive's names while Next starts (scripts/dev.ts); the dev server then
 * finds each requested article's file here before the archive has loaded (./index.ts `getArticle`).
 * The list is written to the cache folder with the modification time of every folder the walk read:
 * a process whose folders all have the same times uses the list (a file created, removed or renamed
 * in a folder changes that folder's time) instead of walking the archive. An article folder's own
 * README.md is not looked at (as in the walk itself).
 *
 * The file is one line of JSON (the header: root, folders and their times, where each chunk of the
 * list starts) and then one JSON line `[number, path]` per article in number order, in chunks of
 * `CHUNK` lines. A lookup reads the header and the one chunk its number falls in, not the list: at
 * 241,340 articles the list is 9.8 MB and took 0.4–0.5 s to read whole (on a loaded 2-core machine),
 * against a few milliseconds for the header and a chunk (BENCHMARKS.md "Session 6, branch s6-dev").
 */
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { config } from '../config';
import { readRange } from './text-at';
import { cacheFolder, parseCacheFile } from './cache-paths';
import { articlePathsByName } from './scan';

const VERSION = 2;
/** Articles per chunk: a lookup reads ~40 bytes × this. */
const CHUNK = 512;
/** A header longer than this is not read (at 241,340 articles it is 25.7 KB: 505 folders, 472 chunk starts). */
const MAX_HEADER = 64 << 20;

interface Header {
  version: number;
  root: string;
  /** Each folder the walk read (relative) and its modification time (ms). */
  folders: Array<[string, number]>;
  /** Articles listed. */
  count: number;
  /** Each chunk's first number and its first byte in the file, in number order. */
  chunks: Array<[number, number]>;
  /** The file's length: the last chunk's end. */
  end: number;
}

/** One article number's file, read a chunk at a time from the list kept in the cache folder. */
export interface DevArticleLookup {
  /** Articles listed. */
  readonly size: number;
  /** The lowest number, if any. */
  readonly first: number | undefined;
  /** The file of article `number` (relative to the archive's root), if the list has it. */
  get(number: number): string | undefined;
}

function mtimeOf(file: string): number | null {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return null;
  }
}

function isHeader(value: unknown, root: string): value is Header {
  if (typeof value !== 'object' || value === null) return false;
  const h = value as Partial<Header>;
  return (
    h.version === VERSION &&
    h.root === root &&
    Array.isArray(h.folders) &&
    Array.isArray(h.chunks) &&
    Number.isSafeInteger(h.count) &&
    Number.isSafeInteger(h.end) &&
    h.chunks.every(
      (c, i) => Array.isArray(c) && Number.isSafeInteger(c[0]) && Number.isSafeInteger(c[1]) && c[1] <= h.end! && (i === 0 || c[1] > h.chunks![i - 1]![1]),
    )
  );
}

/** The header of the list at `file` if every folder it lists still has its recorded time, else null. */
function readHeader(root: string, file: string): Header | null {
  let text = '';
  try {
    // The first line, read in growing pieces: the list after it is not read.
    for (let size = 1 << 16; ; size *= 4) {
      const bytes = readRange(file, 0, Math.min(size, MAX_HEADER));
      const newline = bytes.indexOf(10);
      if (newline !== -1) {
        text = bytes.subarray(0, newline).toString('utf8');
        break;
      }
      if (bytes.length < size || size >= MAX_HEADER) return null;
    }
  } catch {
    return null;
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (!isHeader(value, root)) return null;
  for (const entry of value.folders) {
    if (!Array.isArray(entry) || typeof entry[0] !== 'string' || mtimeOf(path.join(root, entry[0])) !== entry[1]) return null;
  }
  return value;
}

/** Writes the list of `paths` (in number order) with the folders' times, atomically. */
function writeList(root: string, file: string, folders: Array<[string, number]>, paths: Map<number, string>): void {
  const lines: string[] = [];
  const chunkLines: number[] = [];
  const chunkBytes: number[] = [];
  let bytes = 0;
  let i = 0;
  for (const [number, rel] of paths) {
    const line = `${JSON.stringify([number, rel])}\n`;
    if (i % CHUNK === 0) {
      chunkLines.push(number);
      chunkBytes.push(bytes);
    }
    lines.push(line);
    bytes += Buffer.byteLength(line);
    i++;
  }
  // The header's length moves every chunk's start: measured once, with the starts as they will be.
  const header = (offset: number) =>
    `${JSON.stringify({
      version: VERSION,
      root,
      folders,
      count: paths.size,
      chunks: chunkLines.map((number, c) => [number, chunkBytes[c]! + offset]),
      end: bytes + offset,
    } satisfies Header)}\n`;
  let offset = Buffer.byteLength(header(0));
  while (Buffer.byteLength(header(offset)) !== offset) offset = Buffer.byteLength(header(offset));
  try {
    mkdirSync(path.dirname(file), { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, header(offset) + lines.join(''));
    renameSync(tmp, file);
  } catch {
    // A read-only cache: walked again next time.
  }
}

/** Walks `root` (./scan.ts) and keeps the list at `file`. */
function walkAndWrite(root: string, file: string): Map<number, string> {
  const folders: Array<[string, number]> = [];
  // Each folder's time is taken before it is read: a change during the walk makes the list stale, never wrong.
  const found = articlePathsByName(root, (rel) => folders.push([rel, mtimeOf(path.join(root, rel)) ?? -1]));
  const paths = new Map(Array.from(found).sort((a, b) => a[0] - b[0]));
  writeList(root, file, folders, paths);
  return paths;
}

/** Where the list of `root`'s articles is kept: its cache folder (./corpus.ts). */
export function devPathsFile(root: string, cacheDir = config().cacheDir): string {
  return path.join(cacheFolder(root, cacheDir), 'dev-paths.ndjson');
}

/** The chunk `c` of the list at `file`, or null when it is not what the header says (the file was replaced). */
function readChunk(file: string, header: Header, c: number): Map<number, string> | null {
  const [first, start] = header.chunks[c]!;
  const end = c + 1 < header.chunks.length ? header.chunks[c + 1]![1] : header.end;
  const limit = c + 1 < header.chunks.length ? header.chunks[c + 1]![0] : Infinity;
  let text;
  try {
    text = readRange(file, start, end - start).toString('utf8');
  } catch {
    return null;
  }
  const out = new Map<number, string>();
  let previous = -Infinity;
  for (const line of text.split('\n')) {
    if (line === '') continue;
    let entry: unknown;
    try {
      entry = JSON.parse(line);
    } catch {
      return null;
    }
    if (!Array.isArray(entry) || !Number.isSafeInteger(entry[0]) || typeof entry[1] !== 'string') return null;
    const number = entry[0] as number;
    if (number <= previous || number < first || number >= limit) return null;
    previous = number;
    out.set(number, entry[1]);
  }
  return out.size > 0 && out.keys().next().value === first ? out : null;
}

/** The last chunk whose first number is ≤ `number`, or -1. */
function chunkOf(header: Header, number: number): number {
  let lo = 0;
  let hi = header.chunks.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (header.chunks[mid]![0] <= number) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}

/** Chunks kept per lookup: a dev session reads a few; a crawl of every article stays bounded. */
const CHUNKS_KEPT = 64;

/**
 * The lookup of `root`'s articles from the list at `file` when its folders are as they were, else
 * after walking `root` and writing the list there (atomically). `stats.walked` says which. Chunks are
 * read when a number in them is first looked up; a list replaced since (by another process) is
 * read again once, and a number it cannot give is not found (the loaded archive decides).
 */
export function devArticleLookup(root: string, file: string, stats?: { walked: boolean }): DevArticleLookup {
  let header = readHeader(root, file);
  if (stats) stats.walked = header === null;
  if (!header) {
    const paths = walkAndWrite(root, file);
    header = readHeader(root, file);
    // The list could not be kept (a read-only cache): the walk's own map.
    if (!header) return { size: paths.size, first: paths.keys().next().value, get: (number) => paths.get(number) };
  }
  let current = header;
  const chunks = new Map<number, Map<number, string>>();
  const chunk = (c: number): Map<number, string> | null => {
    const kept = chunks.get(c);
    if (kept) return kept;
    const read = readChunk(file, current, c);
    if (read) {
      if (chunks.size >= CHUNKS_KEPT) chunks.clear();
      chunks.set(c, read);
    }
    return read;
  };
  return {
    size: header.count,
    first: header.chunks[0]?.[0],
    get(number) {
      const c = chunkOf(current, number);
      if (c === -1) return undefined;
      let found = chunk(c);
      if (!found) {
        const again = readHeader(root, file);
        if (!again) return undefined;
        current = again;
        chunks.clear();
        const c2 = chunkOf(current, number);
        found = c2 === -1 ? null : chunk(c2);
      }
      return found?.get(number);
    },
  };
}

/**
 * Each article number's file under `root` (as `articlePathsByName`, in number order), read whole from
 * `file` when the folders are as they were, else walked and written there. `stats.walked` says which.
 */
export function devArticlePathsCached(root: string, file: string, stats?: { walked: boolean }): Map<number, string> {
  const header = readHeader(root, file);
  if (header) {
    const paths = new Map<number, string>();
    let whole = true;
    for (let c = 0; c < header.chunks.length && whole; c++) {
      const read = readChunk(file, header, c);
      if (read) for (const [number, rel] of read) paths.set(number, rel);
      else whole = false;
    }
    if (whole && paths.size === header.count) {
      if (stats) stats.walked = false;
      return paths;
    }
  }
  if (stats) stats.walked = true;
  return walkAndWrite(root, file);
}

/**
 * The numbers whose page needs the loaded archive: the cited missing ones (their page lists the articles
 * citing them), and articles whose file is not where the list above puts their number. Written by the dev
 * server once it has loaded the archive, with the parse cache's size and time then; a later dev server
 * whose parse cache is the same reads it before its own load ends, and answers 404 at once for a number
 * that is neither here nor in the list (instead of waiting up to a minute for the archive at 241,340
 * articles). Until that load has read the archive again, a citation added while no dev server ran (its
 * file not yet parsed again) is not known here: that page is a 404 for those first seconds.
 */
const NEEDS_ARCHIVE_VERSION = 1;

interface NeedsArchive {
  version: number;
  root: string;
  /** The parse cache's size and modification time when the numbers were taken from it. */
  parsed: [number, number];
  numbers: number[];
}

/** Where the numbers needing the archive are kept: beside the list, in `root`'s cache folder. */
export function devNeedsArchiveFile(root: string, cacheDir = config().cacheDir): string {
  return path.join(cacheFolder(root, cacheDir), 'dev-needs-archive.json');
}

function parseCacheStamp(root: string, cacheDir: string): [number, number] | null {
  try {
    const st = statSync(parseCacheFile(root, cacheDir));
    return [st.size, st.mtimeMs];
  } catch {
    return null;
  }
}

/** Keeps `numbers` as the ones needing the archive, for the parse cache as it is now (nothing without one). */
export function writeNumbersNeedingArchive(root: string, numbers: Iterable<number>, cacheDir = config().cacheDir): void {
  const parsed = parseCacheStamp(root, cacheDir);
  if (!parsed) return;
  const file = devNeedsArchiveFile(root, cacheDir);
  const data: NeedsArchive = { version: NEEDS_ARCHIVE_VERSION, root, parsed, numbers: Array.from(numbers).sort((a, b) => a - b) };
  mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(data));
  renameSync(tmp, file);
}

/** The numbers needing the archive, when they were kept for the parse cache as it is now; else null. */
export function numbersNeedingArchive(root: string, cacheDir = config().cacheDir): Set<number> | null {
  const parsed = parseCacheStamp(root, cacheDir);
  if (!parsed) return null;
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(devNeedsArchiveFile(root, cacheDir), 'utf8'));
  } catch {
    return null;
  }
  if (typeof data !== 'object' || data === null) return null;
  const d = data as Partial<NeedsArchive>;
  const fresh =
    d.version === NEEDS_ARCHIVE_VERSION &&
    d.root === root &&
    Array.isArray(d.parsed) &&
    d.parsed[0] === parsed[0] &&
    d.parsed[1] === parsed[1] &&
    Array.isArray(d.numbers) &&
    d.numbers.every((n) => Number.isSafeInteger(n));
  return fresh ? new Set(d.numbers) : null;
}

/**
 * After a build: what the first dev server on this archive reads before its own load, so that it need not wait for
 * that load (`kb build`, lib/build/build.ts). The list of article files by name (walked again only when a folder
 * changed, which also spares `npm run dev` its walk) and the numbers needing the archive, for the parse cache as it is
 * now: the cited missing ones (`missing`) and the articles whose file is not where their name puts them. Before, the
 * first dev server after a build answered an unknown number's 404 only once its archive had loaded that far (13.7 s
 * at 241,340 articles). Returns how many numbers were kept.
 */
export function keepDevLists(
  root: string,
  articles: Iterable<{ number: number; source: string }>,
  missing: Iterable<number>,
  cacheDir = config().cacheDir,
): number {
  const paths = devArticlePathsCached(root, devPathsFile(root, cacheDir));
  const numbers = Array.from(missing);
  for (const article of articles) if (paths.get(article.number) !== article.source) numbers.push(article.number);
  writeNumbersNeedingArchive(root, numbers, cacheDir);
  return numbers.length;
}
