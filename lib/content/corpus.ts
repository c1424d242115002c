/**
 * Loads a content directory: scans it, parses every article once (in worker
 * threads when there are many), and caches the parse in
 * `.cache/kbview/<dir-hash>/parsed.ndjson`, keyed on each file's mtime and
 * size, so that a second run re-parses only changed files.
 *
 * Duplicate ids: every file is reported (`duplicate-id`, an error). The file
 * at the number's canonical place wins (`kb/244/Q244717/README.md`, or a file
 * named `Q244717.md`: the number without leading zeros); when none or more
 * than one is, none is used, so that a stray file never takes over another
 * article's page. The others count as skipped.
 */
import {
  appendFileSync,
  existsSync,
  fstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  openSync,
  readSync,
  writeFileSync,
  writeSync,
  closeSync,
  write,
} from 'node:fs';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import type { Article, Diagnostic } from '../markdown/index';
import { config } from '../config';
import { runInWorkers } from '../worker-pool';
import { runSteps, runStepsInSlices } from './slices';
import { scanContent, scanContentAsync, statSafe, type ScanResult } from './scan';
import { canonicalPlaces, duplicateWinner } from './duplicates';
import { parseFile, type BodyCallback, type ParsedFile } from './parse-file';
import { buildLinkGraph } from './graph';
import { listingArticle } from './listing';
import { checkHeap } from './heap-guard';
import { readTextLine, type TextAt } from './text-at';
import { readAhead } from './read-ahead';
import { cacheFolder, parseCacheFile } from './cache-paths';

export interface Corpus {
  /** Absolute content directory. */
  dir: string;
  /** One article per id, sorted by number. */
  articles: Article[];
  /** Every parsed file (including duplicates and failures), sorted by source. */
  files: ParsedFile[];
  diagnostics: Diagnostic[];
  stats: CorpusStats;
  /** The cache folder it was loaded with (null: none), where TextCache finds the texts its files do not hold. */
  cacheDir?: string | null;
}

export interface CorpusStats {
  /** Article files found, including the ones that could not be read: `files = articles + skipped`. */
  files: number;
  /** Articles to render: one per id. */
  articles: number;
  fromCache: number;
  parsed: number;
  /** Files (or scan entries) whose worst diagnostic is a warning / an error. */
  withWarnings: number;
  withErrors: number;
  /** Files that give no article (unreadable, empty, binary, no number), duplicates that lost, and scan entries not followed. */
  skipped: number;
  ms: number;
}

export interface LoadOptions {
  /** Cache folder; default `config().cacheDir` (`.cache/kbview`). `false` disables caching. */
  cacheDir?: string | false;
  /** Worker threads for parsing; default: cores, and none under 2,000 files. */
  workers?: number;
  onProgress?: (done: number, total: number) => void;
  /** Also load each file's plain body text (for the search index); default false. */
  withText?: boolean;
  /**
   * Scan and stat the files asynchronously, one directory or batch at a time: slower (~3 s more for
   * 60k articles) but it never holds the event loop for long, for a dev server that loads the
   * archive in the background while it serves pages. Default false.
   */
  background?: boolean;
  /** With `background`: the longest slice of work between two turns of the event loop (./slices.ts `SLICE_MS`). */
  sliceMs?: number;
  /** Hands each body parsed (not read from the cache) to a module, e.g. to cache its HTML. */
  bodyHook?: BodyHook;
  /**
   * With `bodyHook`: whether a file whose parse is cached must be parsed again so that the hook sees its body
   * (`kb check` renders every body: those the body cache does not hold are parsed and rendered again).
   */
  rehook?: (source: string, mtimeMs: number, size: number) => boolean;
  /**
   * Texts the load parsed are not kept once the caches are rewritten with every one of them (each file's `text`
   * is then '', as for a file read from the cache; TextCache reads them one at a time): `kb prepare`, whose
   * readers take the texts from TextCache after a whole parse (~0.5 GB at 241k articles). Default false.
   */
  dropTexts?: boolean;
  /**
   * Articles carry only the fields listings read (./listing.ts), read from the listing cache
   * when it is fresh: for `next build`'s export workers. Default false.
   */
  listing?: boolean;
  /**
   * Keeps what the scan found (every article file with its mtime and size, and the scan's issues) beside the
   * parse cache (`keptScanFile`), once the caches are written: `kb prepare`, whose build then loads the archive
   * again (its own metadata, `next build`'s export workers) without walking 60,000 folders each time.
   */
  keepScan?: boolean;
  /**
   * A scan kept by `keepScan` (its file): the files and their mtimes and sizes are taken from it instead of a
   * walk and a stat of every file (~3 s at 60k articles, per process). When it is missing, unreadable or of
   * another directory, the archive is walked as without it. Only for loads in the same build as the `kb prepare`
   * that kept it (`kb build` passes it on, `KB_SCAN_FILE`): the archive is taken to be what that scan saw.
   */
  fromScan?: string | null;
  /**
   * The metadata cache as read ahead of this load (`readCacheAhead`): `kb build`, while `kb prepare` parses, reads
   * the cache of the previous build; here only what was appended to it since (the files parsed again) is read.
   * Ignored when the cache was rewritten (another file, shorter) since: read whole as without it.
   */
  ahead?: CacheAhead | null;
}

/** The metadata cache (`parsed.ndjson`) read up to a point (`readCacheAhead`): its file, which file it was, and how far. */
export interface CacheAhead {
  file: string;
  dev: number;
  ino: number;
  /** Bytes read: complete lines only. */
  bytes: number;
  map: Map<string, ParsedFile>;
  lines: number;
}

/**
 * A module exporting `onParsedBody(data, source, mtimeMs, size, body)`, loaded
 * in each parse worker (by URL, as workers cannot receive functions), and the
 * data to call it with. `kb build` caches rendered bodies with it
 * (lib/build/body-cache.tsx), so that it parses each article once.
 */
export interface BodyHook {
  module: string;
  data: unknown;
}

/**
 * The hook's module loaded: `onBody` calls its `onParsedBody`, `flush` its `flushParsedBodies` (optional: what the
 * hook holds is written), called after each chunk of files and at the end of a parse.
 */
export async function loadBodyHook(hook: BodyHook): Promise<{ onBody: BodyCallback; flush: () => void }> {
  const loaded = (await import(hook.module)) as {
    onParsedBody: (data: unknown, ...args: Parameters<BodyCallback>) => ReturnType<BodyCallback>;
    flushParsedBodies?: (data: unknown) => void;
  };
  return { onBody: (...args) => loaded.onParsedBody(hook.data, ...args), flush: () => loaded.flushParsedBodies?.(hook.data) };
}

/**
 * The parse cache's format and the parser's output: raised whenever either changes, so that no cached parse
 * lacks what the parser now reports (11: text after the keyword footer is a warning, `text-after-footer`).
 */
export const CACHE_VERSION = 11;

// (lib/config: light to import, for the CLI before it loads the parser.)
export { resolveContentDir } from '../config';
export { cacheFolder, devBusyFile, parseCacheFile } from './cache-paths';

export async function loadCorpus(dirInput: string, options: LoadOptions = {}): Promise<Corpus> {
  const started = performance.now();
  const dir = path.resolve(dirInput);
  const cacheDir = options.cacheDir === false ? null : path.resolve(options.cacheDir ?? config().cacheDir);
  const keptFile = options.keepScan && cacheDir ? keptScanFile(dir, cacheDir) : null;
  // Removed before the scan: a kept scan always describes the caches next to it.
  if (keptFile) rmSync(keptFile, { force: true });
  const kept = options.fromScan ? readKeptScan(options.fromScan, dir) : null;
  const scan = kept ?? (options.background ? await scanContentAsync(dir, options.sliceMs) : scanContent(dir));
  // In the background, every long step runs a slice at a time (./slices.ts), with one promise per slice.
  const run = <T>(steps: Generator<void, T, void>): Promise<T> =>
    options.background ? runStepsInSlices(steps, options.sliceMs) : Promise.resolve(runSteps(steps));
  const diagnostics: Diagnostic[] = scan.issues.map((i) => ({ severity: i.severity, kind: i.kind, message: i.message, file: i.file }));
  const cacheFile = cacheDir ? parseCacheFile(dir, cacheDir) : null;
  const listingFile = cacheFile && listingFileOf(cacheFile);
  const listingOnly = Boolean(options.listing && !options.withText && listingFile);
  const ahead = cacheFile && !listingOnly && !options.withText && options.ahead?.file === cacheFile ? readCacheFrom(cacheFile, options.ahead) : null;
  let read = ahead
    ? ahead
    : cacheFile
      ? await run(readCache(listingOnly ? listingFile! : cacheFile, options.withText ?? false))
      : { map: new Map<string, ParsedFile>(), lines: 0 };
  let cached = read.map;
  const fileStats = new Map<string, { mtimeMs: number; size: number } | null>();
  const statOf = (source: string, st: { mtimeMs: number; size: number } | null) => fileStats.set(source, st && { mtimeMs: st.mtimeMs, size: st.size });
  const statSteps = function* (): Generator<void, void, void> {
    for (const source of scan.files) {
      statOf(source, statSafe(path.join(dir, source)));
      yield;
    }
  };
  if (kept) kept.stats.forEach((st, i) => statOf(kept.files[i]!, st && { mtimeMs: st[0], size: st[1] }));
  else await run(statSteps());
  const rehook = options.bodyHook ? options.rehook : undefined;
  const rehooked = new Set<string>();
  const fresh = (source: string): boolean => {
    const hit = cached.get(source);
    const stat = fileStats.get(source);
    if (!hit || !stat || hit.mtimeMs !== stat.mtimeMs || hit.size !== stat.size || rehooked.has(source)) return false;
    if (rehook && hit.article && rehook(source, hit.mtimeMs, hit.size)) {
      rehooked.add(source);
      return false;
    }
    return true;
  };
  let stale = scan.files.filter((source) => !fresh(source));
  // A file changed since the listing cache was written: the full metadata is needed to update both caches.
  if (listingOnly && stale.length > 0) {
    read = await run(readCache(cacheFile!, false));
    cached = read.map;
    stale = scan.files.filter((source) => !fresh(source));
  }
  // A few changed files are appended to the caches (appendCache: the files of the others keep no text, which
  // TextCache reads); more, and the caches are rewritten, which needs the cached texts too.
  let append = cacheFile !== null && !options.withText && canAppend(read, stale.length);
  if (cacheFile && !append && !options.withText && cached.size > 0 && stale.length > 0) cached = (await run(readCache(cacheFile, true))).map;
  const results: ParsedFile[] = [];
  const todo: Array<[string, number, number]> = [];
  const staleSet = new Set(stale);
  for (const source of scan.files) {
    const stat = fileStats.get(source);
    if (!staleSet.has(source)) results.push(cached.get(source)!);
    else todo.push([source, stat?.mtimeMs ?? 0, stat?.size ?? -1]);
  }
  const fromCache = results.length;
  const progress = options.onProgress;
  progress?.(results.length, scan.files.length);
  const workers = options.workers ?? (todo.length >= 2000 ? Math.max(1, Math.min(availableParallelism(), 4)) : 0);
  // dropTexts, when the caches are to be rewritten: each text parsed goes to disk as it arrives (TextSpool), so that
  // the texts are never all held (~0.5 GB at 241k articles, with the metadata: the parse's peak).
  const spool = cacheFile && options.dropTexts && !options.withText && !append && workers > 0 ? new TextSpool(cacheFile) : null;
  let rewrite = false;
  try {
    if (workers > 0) {
      for (const file of await parseInWorkers(dir, todo, workers, options.bodyHook, (n) => progress?.(fromCache + n, scan.files.length), spool))
        results.push(file);
    } else {
      const hook = options.bodyHook && todo.length > 0 ? await loadBodyHook(options.bodyHook) : undefined;
      todo.forEach(([source, mtimeMs, size], i) => {
        results.push(parseFile(dir, source, mtimeMs, size, hook?.onBody));
        if (progress && i % 500 === 0) progress(fromCache + i, scan.files.length);
      });
      hook?.flush();
    }
    progress?.(scan.files.length, scan.files.length);
    if (cacheFile && append && todo.length > 0) {
      const parsedNow = results.slice(fromCache);
      if (parsedNow.every(cacheable)) appendCache(cacheFile, parsedNow);
      else {
        // A file that is not cached (its text is not in TextCache): the texts of the others are loaded, and the caches rewritten.
        const texts = (await run(readCache(cacheFile, true))).map;
        for (const file of results.slice(0, fromCache)) file.text = texts.get(file.source)?.text ?? '';
        append = false;
      }
    }
    results.sort((a, b) => (a.source < b.source ? -1 : a.source > b.source ? 1 : 0));
    rewrite = cacheFile !== null && !append && todo.length > 0;
    if (rewrite) await writeCache(cacheFile!, results, spool);
    // Every text is in the rewritten text cache: not held (the readers fall back to corpus.files only when one is not).
    if (options.dropTexts && !options.withText && rewrite && results.every(cacheable)) for (const file of results) file.text = '';
    // A file not cached: the readers take every text from corpus.files, as without the spool.
    else if (spool) for (const file of results) file.text = spool.text(file.source) ?? file.text;
  } finally {
    spool?.remove();
  }
  if (listingFile && (rewrite || !existsSync(listingFile))) await writeListingCache(listingFile, results);
  if (keptFile) keepScanFile(keptFile, dir, scan, fileStats);
  if (options.listing) {
    for (let i = 0; i < results.length; i++) {
      const file = results[i]!;
      if (file.article) results[i] = { ...file, article: listingArticle(file.article), text: '' };
    }
  }

  const byId = new Map<string, ParsedFile[]>();
  for (const file of results) {
    for (const d of file.diagnostics) diagnostics.push(d);
    if (!file.article) continue;
    const list = byId.get(file.article.id) ?? [];
    list.push(file);
    byId.set(file.article.id, list);
  }
  const articles: Article[] = [];
  let duplicates = 0;
  for (const [id, list] of byId) {
    if (list.length === 1) {
      articles.push(list[0]!.article!);
      continue;
    }
    const winner = duplicateWinner(
      id,
      list.map((f) => f.source),
    );
    if (winner !== null) articles.push(list[winner]!.article!);
    duplicates += winner === null ? list.length : list.length - 1;
    for (const file of list) {
      const others = list
        .filter((f) => f !== file)
        .map((f) => f.source)
        .join(', ');
      diagnostics.push({
        severity: 'error',
        kind: 'duplicate-id',
        message:
          winner === null
            ? `${id} is also in ${others}, and no file is at its canonical place (${canonicalPlaces(id).join(' or ')}); none of them is used`
            : `${id} is also in ${others}; using ${list[winner]!.source}, the file at its canonical place`,
        file: file.source,
      });
    }
  }
  articles.sort((a, b) => a.number - b.number);
  const worst = new Map<string, 'error' | 'warning'>();
  for (const d of diagnostics) if (worst.get(d.file) !== 'error') worst.set(d.file, d.severity);
  const stats: CorpusStats = {
    // Every article file found, the ones the scan could not read included: files = articles + skipped.
    files: scan.files.length + scan.issues.filter((i) => i.severity === 'error').length,
    articles: articles.length,
    fromCache,
    parsed: todo.length,
    withWarnings: [...worst.values()].filter((s) => s === 'warning').length,
    withErrors: [...worst.values()].filter((s) => s === 'error').length,
    // Files without an article, duplicates that lost, and entries the scan could not read.
    skipped: results.filter((r) => !r.article).length + duplicates + scan.issues.filter((i) => i.severity === 'error').length,
    ms: Math.round(performance.now() - started),
  };
  diagnostics.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : (a.line ?? 0) - (b.line ?? 0)));
  return { dir, articles, files: results, diagnostics, stats, cacheDir };
}

/** Where `keepScan` keeps the scan of `dir` (beside its parse cache). */
export function keptScanFile(dir: string, cacheDir: string = config().cacheDir): string {
  return path.join(cacheFolder(path.resolve(dir), path.resolve(cacheDir)), 'scan.json');
}

interface KeptScan extends ScanResult {
  /** Per file (same order): [mtimeMs, size], or null when it could not be stat'ed. */
  stats: Array<[number, number] | null>;
}

function keepScanFile(file: string, dir: string, scan: ScanResult, stats: ReadonlyMap<string, { mtimeMs: number; size: number } | null>): void {
  const kept = {
    format: KEPT_SCAN_FORMAT,
    dir,
    files: scan.files,
    issues: scan.issues,
    stats: scan.files.map((source) => {
      const st = stats.get(source);
      return st ? [st.mtimeMs, st.size] : null;
    }),
  };
  mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, JSON.stringify(kept));
  renameSync(tmp, file);
}

const KEPT_SCAN_FORMAT = 1;

/** The scan kept in `file` for `dir`, or null when there is none, it is unreadable, or it is not `dir`'s. */
function readKeptScan(file: string, dir: string): KeptScan | null {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return null;
  }
  const kept = raw as Partial<KeptScan> & { format?: unknown; dir?: unknown };
  if (kept === null || typeof kept !== 'object' || kept.format !== KEPT_SCAN_FORMAT || kept.dir !== dir) return null;
  const { files, issues, stats } = kept;
  if (!Array.isArray(files) || !Array.isArray(issues) || !Array.isArray(stats) || stats.length !== files.length) return null;
  return { files, issues, stats };
}

/** A file the parse workers gave up on: no article, one error saying why. */
function skippedFile([source, mtimeMs, size]: [string, number, number], kind: string, message: string): ParsedFile {
  return { source, mtimeMs, size, article: null, text: '', diagnostics: [{ severity: 'error', kind, message, file: source }] };
}

async function parseInWorkers(
  root: string,
  todo: Array<[string, number, number]>,
  count: number,
  bodyHook: BodyHook | undefined,
  progress: (n: number) => void,
  spool: TextSpool | null,
): Promise<ParsedFile[]> {
  const out: ParsedFile[] = [];
  // The files read ahead of the workers (./read-ahead.ts): on a cold disk none of them waits for its reads.
  const ahead = readAhead(todo.map(([source]) => path.join(root, source)));
  try {
    await runInWorkers<[string, number, number], ParsedFile>({
      module: new URL(import.meta.url.endsWith('.ts') ? './parse-worker.ts' : './parse-worker.js', import.meta.url),
      workerData: { root, bodyHook },
      workers: count,
      jobs: todo,
      chunk: 200,
      label: ([source]) => source,
      // A file that takes longer than the per-file limit is reported and skipped (and not cached: it is tried again next time).
      onTimeout: (job, ms) =>
        skippedFile(job, 'timeout', `parsing took longer than ${ms / 1000} s (KB_FILE_TIMEOUT); the worker was stopped and the file skipped`),
      // A worker that dies on a file (out of memory, a crash in native code) costs that file only; not cached either.
      onCrash: (job, reason) => skippedFile(job, 'parser-crash', `${reason}; the file was skipped`),
      onResults: (batch) => {
        spool?.put(batch);
        for (const file of batch) out.push(file);
        ahead.advance(out.length);
        progress(out.length);
      },
    });
  } finally {
    ahead.stop();
  }
  return out;
}

/**
 * The cache is two NDJSON files in the same order: metadata, and body texts (read only when asked); the
 * listing cache (./listing.ts) has the metadata's entries too. A file parsed again is appended to the three
 * (appendCache): the last entry of a source is its entry. `lines`: the entries read, the superseded ones included.
 * Pauses (`yield`) after each entry (./slices.ts).
 */
function* readCache(file: string, withText: boolean): Generator<void, { map: Map<string, ParsedFile>; lines: number }, void> {
  const map = new Map<string, ParsedFile>();
  const none = { map, lines: 0 };
  const textFile = file.replace(/(parsed|listing)\.ndjson$/, 'text.ndjson');
  if (!existsSync(file) || (withText && !existsSync(textFile))) return none;
  const entries: ParsedFile[] = [];
  for (const entry of readNdjson<ParsedFile>(file)) {
    if (entry === null) return none;
    entry.text = '';
    entries.push(entry);
    yield;
  }
  if (withText) {
    let i = 0;
    for (const entry of readNdjson<{ source: string; text: string }>(textFile)) {
      const target = entries[i++];
      if (entry === null || !target || target.source !== entry.source) return none;
      target.text = entry.text;
      yield;
    }
    if (i !== entries.length) return none;
  }
  for (const entry of entries) map.set(entry.source, entry);
  return { map, lines: entries.length };
}

/**
 * The metadata cache of `dir` read now, up to its last complete line (an append under way is left to the load that
 * takes it), or null when there is none or it is stale or broken. `kb build` reads it while `kb prepare` parses:
 * `loadCorpus` (`ahead`) then reads only what was appended since.
 */
export function readCacheAhead(dir: string, cacheDir: string = config().cacheDir): CacheAhead | null {
  return readCacheFrom(parseCacheFile(path.resolve(dir), path.resolve(cacheDir)), null);
}

/**
 * The metadata cache `file` read from its start (`from` null: its version line first), or a cache read ahead
 * (`from`) completed by what was appended to the file since (the last entry of a source is its entry; `from` is
 * completed in place). Null when there is no file, its version is another, a line is broken, or it is another file
 * (rewritten) or shorter than `from` read.
 */
function readCacheFrom(file: string, from: CacheAhead | null): CacheAhead | null {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch {
    return null;
  }
  try {
    const st = fstatSync(fd);
    if (from && (st.dev !== from.dev || st.ino !== from.ino || st.size < from.bytes)) return null;
    const map = from?.map ?? new Map<string, ParsedFile>();
    const end = { bytes: 0 };
    let lines = from?.lines ?? 0;
    let versioned = from !== null;
    for (const line of readLines(fd, { start: from?.bytes ?? 0, end: st.size, read: end })) {
      if (!versioned) {
        if (line !== JSON.stringify({ version: CACHE_VERSION })) return null;
        versioned = true;
        continue;
      }
      if (!line) continue;
      const entry = JSON.parse(line) as ParsedFile;
      entry.text = '';
      map.set(entry.source, entry);
      lines++;
    }
    return versioned ? { file, dev: st.dev, ino: st.ino, bytes: end.bytes, map, lines } : null;
  } catch {
    return null;
  } finally {
    closeSync(fd);
  }
}

/**
 * Whether `changed` files can be appended to the cache just read instead of rewriting it: there is one, the
 * changed files are few, and the entries they supersede stay few (past a tenth of the cache, it is rewritten).
 */
function canAppend(read: { map: ReadonlyMap<string, ParsedFile>; lines: number }, changed: number): boolean {
  const size = read.map.size;
  return size > 0 && changed <= Math.max(50, size / 100) && read.lines - size + changed <= Math.max(50, size / 10);
}

/** Yields the entries after the version line; yields null (and stops) on a stale or broken file. */
function* readNdjson<T>(file: string): Generator<T | null, void, void> {
  let first = true;
  for (const line of readLines(file)) {
    if (first) {
      first = false;
      if (line !== JSON.stringify({ version: CACHE_VERSION })) {
        yield null;
        return;
      }
      continue;
    }
    if (!line) continue;
    try {
      yield JSON.parse(line) as T;
    } catch {
      yield null;
      return;
    }
  }
}

/**
 * A file's lines (UTF-8, ending in `\n` or `\r\n`), read synchronously 4 MiB at a time. Of an open file (`fd`,
 * not closed here), `range` reads from `start` to `end` only, the last line only if it ends there, and tells how
 * far its complete lines go (`read.bytes`).
 */
export function* readLines(file: string | number, range?: { start?: number; end: number; read?: { bytes: number } }): Generator<string, void, void> {
  const fd = typeof file === 'number' ? file : openSync(file, 'r');
  let position = range?.start ?? 0;
  if (range?.read) range.read.bytes = position;
  try {
    const buffer = Buffer.allocUnsafe(1 << 22);
    let rest: Buffer | null = null;
    for (;;) {
      const read = readSync(fd, buffer, 0, range ? Math.min(buffer.length, range.end - position) : buffer.length, range ? position : null);
      if (read <= 0) break;
      position += read;
      const chunk: Buffer = rest ? Buffer.concat([rest, buffer.subarray(0, read)]) : buffer.subarray(0, read);
      let start = 0;
      for (let end = chunk.indexOf(10, start); end >= 0; end = chunk.indexOf(10, start)) {
        yield lineOf(chunk, start, end);
        start = end + 1;
        if (range?.read) range.read.bytes = position - (chunk.length - start);
      }
      // The unfinished line is copied: the buffer is read into again.
      rest = start < chunk.length ? Buffer.from(chunk.subarray(start)) : null;
    }
    // Past `end`, a line may still be being written.
    if (rest && !range) yield lineOf(rest, 0, rest.length);
  } finally {
    if (typeof file !== 'number') closeSync(fd);
  }
}

const lineOf = (chunk: Buffer, start: number, end: number): string => chunk.toString('utf8', start, end > start && chunk[end - 1] === 13 ? end - 1 : end);

/**
 * The body texts of the parse cache, read one at a time from disk (`text.ndjson`), for
 * the search index: a 241k-article archive has ~0.5 GB of text, which no process should hold
 * whole. `open` reads the file once to note where each entry is; `text(source)` reads one.
 */
export class TextCache {
  private constructor(
    /** The text cache's file (`locate` names it: a worker thread reads a text there with lib/content/text-at.ts `TextReader`). */
    readonly file: string,
    private readonly fd: number,
    private readonly at: Map<string, { offset: number; length: number }>,
  ) {}

  /** The text cache of `dir`'s parse cache, or null when there is none (or it is stale or broken). */
  static async open(dirInput: string, cacheDir: string = config().cacheDir, chunkBytes = TEXT_CACHE_CHUNK): Promise<TextCache | null> {
    const file = path.join(cacheFolder(path.resolve(dirInput), path.resolve(cacheDir)), 'text.ndjson');
    if (!existsSync(file)) return null;
    const fd = openSync(file, 'r');
    try {
      const at = await indexTextLines(fd, chunkBytes);
      if (at) return new TextCache(file, fd, at);
    } catch (error) {
      closeSync(fd);
      throw error;
    }
    closeSync(fd);
    return null;
  }

  has(source: string): boolean {
    return this.at.has(source);
  }

  /** The cached text of one file ('' when it is not in the cache). */
  text(source: string): string {
    const entry = this.at.get(source);
    return entry ? readTextLine(this.fd, entry.offset, entry.length) : '';
  }

  /** Where the text of one file is (for `TextReader`, in a worker thread), or null when it is not in the cache. */
  locate(source: string): TextAt | null {
    const entry = this.at.get(source);
    return entry ? { file: this.file, offset: entry.offset, length: entry.length } : null;
  }

  close(): void {
    closeSync(this.fd);
  }
}

/** How much of the text cache `TextCache.open` reads at a time. */
const TEXT_CACHE_CHUNK = 8 << 20;

/**
 * Where each text of a text cache is (its line: offset and length in bytes), by source; null when the file is not
 * a text cache of this version. Only the lines' heads are decoded (`{"source":"…","text":`): the texts, ~0.5 GB at
 * 241k articles, are only scanned for line ends. A turn of the event loop between chunks.
 */
async function indexTextLines(fd: number, chunkBytes: number): Promise<Map<string, { offset: number; length: number }> | null> {
  const at = new Map<string, { offset: number; length: number }>();
  const header = Buffer.from(JSON.stringify({ version: CACHE_VERSION }));
  const head = Buffer.from('{"source":');
  const marker = Buffer.from('","text":');
  const chunk = Buffer.allocUnsafe(Math.max(chunkBytes, 1));
  let chunkStart = 0;
  let lineStart = 0;
  let first = true;
  /** The line [start, end) of the file, `inChunk`: its bytes when the whole line is in the chunk read. */
  const line = (start: number, end: number, inChunk: Buffer | null): boolean => {
    const length = end - start;
    if (first) {
      first = false;
      const bytes = inChunk ?? readAt(fd, start, length);
      return bytes.equals(header);
    }
    if (length === 0) return true;
    // The writer puts `source` first; a source is a path (JSON escapes every quote in it): its head is short.
    const bytes = inChunk ?? readAt(fd, start, Math.min(length, 1 << 16));
    const end_ = bytes.indexOf(marker);
    if (bytes.subarray(0, head.length).compare(head) !== 0 || end_ < 0) return false;
    try {
      at.set(JSON.parse(bytes.subarray(head.length, end_ + 1).toString('utf8')) as string, { offset: start, length });
    } catch {
      return false;
    }
    return true;
  };
  for (;;) {
    const read = readSync(fd, chunk, 0, chunk.length, chunkStart);
    if (read === 0) break;
    const view = chunk.subarray(0, read);
    for (let from = 0; ;) {
      const newline = view.indexOf(10, from);
      if (newline < 0) break;
      const end = chunkStart + newline;
      if (!line(lineStart, end, lineStart >= chunkStart ? view.subarray(lineStart - chunkStart, newline) : null)) return null;
      lineStart = end + 1;
      from = newline + 1;
    }
    chunkStart += read;
    await new Promise((resolve) => setImmediate(resolve));
  }
  // A last line without its newline (the writer ends every line with one): a text cache cut short.
  return first || lineStart < chunkStart ? null : at;
}

function readAt(fd: number, offset: number, length: number): Buffer {
  const buffer = Buffer.allocUnsafe(length);
  const read = readSync(fd, buffer, 0, length, offset);
  return buffer.subarray(0, read);
}

/**
 * The texts of a parse, on disk as they arrive from the parse workers (`put`: each file's text is then ''), read back
 * one at a time (`text`) when the text cache is written in the order of the sources: `kb prepare` (dropTexts) never
 * holds them all. Only the texts of files that are cached are spooled (the others keep theirs). A temporary file
 * beside the parse cache, removed by `remove`.
 */
class TextSpool {
  private readonly file: string;
  private readonly fd: number;
  private readonly at = new Map<string, { offset: number; length: number }>();
  private offset = 0;

  constructor(cacheFile: string) {
    const folder = path.dirname(cacheFile);
    mkdirSync(folder, { recursive: true });
    // Left by a load that was stopped (its process is gone): up to ~0.5 GB each at 241k articles.
    const prefix = `${path.basename(cacheFile)}.texts.`;
    for (const name of readdirSync(folder)) {
      const pid = name.startsWith(prefix) && name.endsWith('.tmp') ? Number(name.slice(prefix.length, -4)) : NaN;
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && !processAlive(pid)) rmSync(path.join(folder, name), { force: true });
    }
    this.file = `${cacheFile}.texts.${process.pid}.tmp`;
    this.fd = openSync(this.file, 'w+');
  }

  put(batch: readonly ParsedFile[]): void {
    const parts: string[] = [];
    for (const file of batch) {
      if (!cacheable(file) || this.at.has(file.source)) continue;
      const length = Buffer.byteLength(file.text);
      this.at.set(file.source, { offset: this.offset, length });
      this.offset += length;
      parts.push(file.text);
      file.text = '';
    }
    if (parts.length > 0) {
      const bytes = Buffer.from(parts.join(''), 'utf8');
      let done = 0;
      while (done < bytes.length) done += writeSync(this.fd, bytes, done, bytes.length - done, this.offset - bytes.length + done);
    }
  }

  /** The spooled text of `source`, or undefined when it was not spooled. */
  text(source: string): string | undefined {
    const entry = this.at.get(source);
    if (!entry) return undefined;
    const buffer = Buffer.allocUnsafe(entry.length);
    let done = 0;
    while (done < entry.length) {
      const read = readSync(this.fd, buffer, done, entry.length - done, entry.offset + done);
      if (read === 0) throw new Error(`${this.file}: ended before the text of ${source}`);
      done += read;
    }
    return buffer.toString('utf8');
  }

  remove(): void {
    closeSync(this.fd);
    rmSync(this.file, { force: true });
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Failures that may pass on the next run (permissions fixed, a crash from memory pressure) are not cached. */
const UNCACHED = new Set(['unreadable', 'parser-crash', 'timeout', 'render-failed']);
const cacheable = (file: ParsedFile): boolean => !file.diagnostics.some((d) => UNCACHED.has(d.kind));

async function writeCache(file: string, all: readonly ParsedFile[], spool: TextSpool | null = null): Promise<void> {
  const results = all.filter((r) => !r.diagnostics.some((d) => UNCACHED.has(d.kind)));
  const textFile = file.replace(/parsed\.ndjson$/, 'text.ndjson');
  // Each line made as it is written (a generator, not a mapped array): at 241k articles the arrays of copies held
  // every one of them at once. A spooled text is read back as its line is made.
  await writeNdjson(
    textFile,
    mapped(results, (r) => ({ source: r.source, text: spool?.text(r.source) ?? r.text })),
  );
  await writeNdjson(
    file,
    mapped(results, ({ text: _text, ...meta }) => meta),
  );
}

/**
 * Appends files just parsed to the three caches (texts first: a cache whose metadata has an entry more than its
 * texts is read as stale, never as wrong; a listing cache without the entry finds it stale and reads the full one).
 */
function appendCache(file: string, parsed: readonly ParsedFile[]): void {
  const results = parsed.filter(cacheable);
  if (results.length === 0) return;
  const lines = (entries: unknown[]) => entries.map((e) => `${JSON.stringify(e)}\n`).join('');
  appendFileSync(file.replace(/parsed\.ndjson$/, 'text.ndjson'), lines(results.map((r) => ({ source: r.source, text: r.text }))));
  appendFileSync(file, lines(results.map(({ text: _text, ...meta }) => meta)));
  const listing = listingFileOf(file);
  if (existsSync(listing))
    appendFileSync(listing, lines(results.map(({ text: _text, article, ...meta }) => ({ ...meta, article: article && listingArticle(article) }))));
}

/** The listing cache (./listing.ts) beside a parse cache. */
function listingFileOf(cacheFile: string): string {
  return cacheFile.replace(/parsed\.ndjson$/, 'listing.ndjson');
}

/** The parse cache's entries with each article cut down to its listing fields (./listing.ts). */
async function writeListingCache(file: string, all: readonly ParsedFile[]): Promise<void> {
  const results = all.filter((r) => !r.diagnostics.some((d) => UNCACHED.has(d.kind)));
  await writeNdjson(
    file,
    mapped(results, ({ text: _text, article, ...meta }) => ({ ...meta, article: article && listingArticle(article) })),
  );
}

/** `items` mapped one at a time, as they are asked for. */
function* mapped<T, U>(items: readonly T[], map: (item: T) => U): Generator<U, void, void> {
  for (const item of items) yield map(item);
}

/**
 * Writes the entries as lines (after the version line) into `file`, through a temporary file. Each MiB of lines is
 * written by libuv's thread pool while this thread makes the next one: after a cold parse, this thread wrote the three
 * caches for 5 s at 60k articles (~20 s at 241k) with the workers done and a core idle, 3 of those 5 s in `write`.
 */
async function writeNdjson(file: string, entries: Iterable<unknown>): Promise<void> {
  mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  const fd = openSync(tmp, 'w');
  // The write in flight (one at a time: the lines stay in order, and at most two MiB of them are held).
  let writing: Promise<void> = Promise.resolve();
  const send = async (text: string) => {
    const bytes = Buffer.from(text, 'utf8');
    await writing;
    writing = writeAll(fd, bytes);
  };
  try {
    let buffer = `${JSON.stringify({ version: CACHE_VERSION })}\n`;
    let n = 0;
    for (const entry of entries) {
      buffer += `${JSON.stringify(entry)}\n`;
      if (buffer.length > 1 << 20) {
        await send(buffer);
        buffer = '';
      }
      // Synchronous over every file (and each line garbage once written): the heap guard's check (./heap-guard.ts).
      if ((++n & 1023) === 0) checkHeap();
    }
    await send(buffer);
    await writing;
  } finally {
    // A failed write: the one in flight ends before its file is closed.
    await writing.catch(() => {});
    closeSync(fd);
  }
  renameSync(tmp, file);
}

/** Writes all of `bytes` at the file's position (in the thread pool), however many calls it takes. */
function writeAll(fd: number, bytes: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    const from = (done: number) => {
      if (done >= bytes.length) {
        resolve();
        return;
      }
      write(fd, bytes, done, bytes.length - done, null, (error, written) => (error ? reject(error) : from(done + written)));
    };
    from(0);
  });
}

/**
 * Adds the archive-wide diagnostics to a loaded corpus (`kb check` and `kb
 * build` report them): the articles whose not-in-archive pages were limited,
 * and the ones no listing could show (`listing-failed`, ./listing-entry.ts). Kept out of `loadCorpus`, which the export workers call too.
 */
export function addArchiveDiagnostics(corpus: Corpus): void {
  const added = buildLinkGraph(corpus.articles).diagnostics;
  if (added.length === 0) return;
  const worst = new Map<string, 'error' | 'warning'>();
  for (const d of corpus.diagnostics) if (worst.get(d.file) !== 'error') worst.set(d.file, d.severity);
  for (const d of added) {
    // The summary counts each file once, by its worst diagnostic.
    const before = worst.get(d.file);
    if (before === undefined || (before === 'warning' && d.severity === 'error')) {
      if (before === 'warning') corpus.stats.withWarnings--;
      if (d.severity === 'error') corpus.stats.withErrors++;
      else corpus.stats.withWarnings++;
      worst.set(d.file, d.severity);
    }
    corpus.diagnostics.push(d);
  }
  corpus.diagnostics.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : (a.line ?? 0) - (b.line ?? 0)));
}

/**
 * The parsed files whose article is published: one per article, the file that
 * won its number (`duplicate-id`), so that the search index (or anything else
 * reading files rather than articles) never shows a stray duplicate or a
 * refused pair. `files` may come from another load of the same directory.
 */
export function publishedFiles(corpus: Corpus, files: readonly ParsedFile[] = corpus.files): ParsedFile[] {
  const published = new Set(corpus.articles.map((a) => a.source));
  return files.filter((f) => f.article !== null && published.has(f.source));
}
