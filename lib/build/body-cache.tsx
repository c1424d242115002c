/** @jsxRuntime automatic */
// (The pragma: `kb check` may run from any folder, where tsx finds no tsconfig.json and would compile JSX for the classic runtime.)
/**
 * The rendered HTML of each article's body, cached beside the parse cache so
 * that a build parses each article once: the parse of `kb build`'s first step
 * (lib/content/corpus.ts, through its `bodyHook`) stores the body it has just
 * parsed, and the page writer (./article-pages.ts) reads it back; a rebuild
 * re-parses only changed files.
 *
 * Packs under `.cache/kbview/<dir>/bodies-<code>/`: each thread that stores
 * bodies appends them to a pack of its own (`<stamp>.pack`, the HTML one
 * after another) and, once a body is written, a line to the pack's index
 * (`<stamp>.index`: the file, its mtime and size, the body's offset and
 * length). One file per body cost a file creation and a rename each: a
 * quarter of a cold parse's time on this project's 2-core machine
 * (BENCHMARKS.md "Session 15"). A reader loads the indexes (the latest entry
 * of a file wins; an entry for another version of the file is a miss) and
 * looks again when a body is missing. A thread stopped mid-write leaves at
 * most an unindexed tail or an unfinished last line, which readers ignore.
 * `tidyBodyCache` drops what newer entries replaced once it outweighs the rest.
 *
 * `<code>` hashes what the HTML depends on besides the file: the parser and
 * renderer sources, the dependency lockfile, the base path and the packs'
 * layout; a change to any of them starts a new folder (older ones are removed).
 */
import { createHash, randomBytes } from 'node:crypto';
import {
  appendFileSync,
  closeSync,
  existsSync,
  fstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { threadId } from 'node:worker_threads';
import path from 'node:path';
import { renderToString } from 'react-dom/server';
import { ArticleBody } from '../../components/article/ArticleBody';
import { articleBodyHtml } from './body-html';
import { cacheFolder, CACHE_VERSION } from '../content/corpus';
import { renderBody, type ArticleBody as ParsedBody, type Diagnostic, type RenderOptions } from '../markdown/index';
import { hashSources } from './source-hash';
import { readAt, readRange } from '../content/text-at';
import { config } from '../config';

/** The sources the body HTML is made by (besides node_modules, covered by the lockfile). */
const CODE = [
  'lib/markdown',
  'lib/kb-links.ts',
  'lib/kb-number.ts',
  'lib/file-pages.ts',
  'lib/file-slug.ts',
  'components/article/ArticleBody.tsx',
  'components/article/BodyElements.tsx',
  'lib/build/body-html.ts',
  'package-lock.json',
];

/** The folder's layout (packs and their indexes): part of its name, so that a folder of another layout is never read. */
const LAYOUT = 'packs-1';

export interface BodyCache {
  dir: string;
  /** Link prefix of article links in bodies (the base path). */
  linkPrefix: string;
}

function hashCode(linkPrefix: string): string {
  return hashSources(createHash('sha256').update(`${CACHE_VERSION}\0${LAYOUT}\0${linkPrefix}\0`), CODE)
    .digest('hex')
    .slice(0, 12);
}

/** The body cache of a content directory (`cacheDir`: the loader's, `.cache/kbview`); removes outdated ones. */
export function bodyCacheFor(contentDir: string, cacheDir: string, linkPrefix: string): BodyCache {
  const parent = cacheFolder(contentDir, cacheDir);
  const name = `bodies-${hashCode(linkPrefix)}`;
  if (existsSync(parent)) {
    for (const entry of readdirSync(parent))
      if (entry.startsWith('bodies-') && entry !== name) rmSync(path.join(parent, entry), { recursive: true, force: true });
  }
  return { dir: path.join(parent, name), linkPrefix };
}

/**
 * The article body as the page shows it (`<div class="kb-body">…</div>`): the one render of a body that `kb build`'s
 * parse, the page writer and `kb check` share. `source` names the file (for `KB_TEST_ARTICLE_FAULT=render:<source>`).
 */
export function renderBodyHtml(body: ParsedBody, linkPrefix: string, onFallback?: RenderOptions['onFallback'], source?: string): string {
  const fault = config().testArticleFault;
  if (fault?.step === 'render' && source !== undefined && fault.source === source) throw new Error('test fault (KB_TEST_ARTICLE_FAULT)');
  const tree = renderBody(body, { linkPrefix, ...(onFallback ? { onFallback } : {}) });
  // The same bytes as React's render, written straight for the KB format's elements (./body-html.ts).
  return articleBodyHtml(tree) ?? renderToString(<ArticleBody body={tree} />);
}

/** One body in a pack: the file and version it was rendered from, and its bytes' place in the pack. */
export interface PackEntry {
  /** The pack's stamp (`<stamp>.pack`, `<stamp>.index`). */
  pack: string;
  source: string;
  mtimeMs: number;
  size: number;
  offset: number;
  length: number;
}

const PACK = '.pack';
const INDEX = '.index';
/** A body longer than this in an index line is a damaged line (the parse reads no file over 32 MB, `MAX_FILE_BYTES`). */
const MAX_BODY_BYTES = 1 << 30;

/** The entry of an index line, or null for a damaged one. */
function entryOf(pack: string, line: string): PackEntry | null {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return null;
  }
  if (!Array.isArray(value) || value.length !== 5) return null;
  const [source, mtimeMs, size, offset, length] = value as unknown[];
  if (typeof source !== 'string' || typeof mtimeMs !== 'number' || !Number.isFinite(mtimeMs)) return null;
  for (const n of [size, offset, length]) if (!Number.isSafeInteger(n) || (n as number) < 0) return null;
  if ((length as number) > MAX_BODY_BYTES) return null;
  return { pack, source, mtimeMs, size: size as number, offset: offset as number, length: length as number };
}

function versionKey(source: string, mtimeMs: number, size: number): string {
  return `${mtimeMs}\0${size}\0${source}`;
}

/** The stamps of a cache folder's indexes, oldest first (a stamp starts with its pack's creation time). */
function indexStamps(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names
    .filter((name) => name.endsWith(INDEX))
    .map((name) => name.slice(0, -INDEX.length))
    .sort();
}

/**
 * Reads what an index holds past `from` (complete lines only: a line being written, or left unfinished by a
 * stopped thread, is not one yet). Returns the entries and how far the complete lines reach.
 */
function readIndex(dir: string, stamp: string, from: number): { entries: PackEntry[]; end: number } {
  const file = path.join(dir, stamp + INDEX);
  const size = statSync(file, { throwIfNoEntry: false })?.size ?? 0;
  if (size <= from) return { entries: [], end: from };
  let buffer: Buffer;
  try {
    buffer = readRange(file, from, size - from);
  } catch {
    return { entries: [], end: from };
  }
  const complete = buffer.lastIndexOf(10) + 1;
  const entries: PackEntry[] = [];
  let start = 0;
  while (start < complete) {
    const newline = buffer.indexOf(10, start);
    const entry = entryOf(stamp, buffer.toString('utf8', start, newline));
    if (entry) entries.push(entry);
    start = newline + 1;
  }
  return { entries, end: from + complete };
}

/** What this thread has read of a folder's indexes: every version's entry, and how far each index was read. */
interface Reader {
  entries: Map<string, PackEntry>;
  read: Map<string, number>;
}

const readers = new Map<string, Reader>();

/**
 * Reads what the folder's indexes gained since the last look, newest first, until `key` is among the entries
 * read (the others are read at a later miss): a rebuild that renders a few pages in the build's own thread finds
 * an edited article's body in the newest pack without reading the whole archive's index.
 */
function readUntil(dir: string, reader: Reader, key: string): PackEntry | undefined {
  for (const stamp of indexStamps(dir).reverse()) {
    const { entries, end } = readIndex(dir, stamp, reader.read.get(stamp) ?? 0);
    reader.read.set(stamp, end);
    for (const entry of entries) reader.entries.set(versionKey(entry.source, entry.mtimeMs, entry.size), entry);
    const found = reader.entries.get(key);
    if (found !== undefined) return found;
  }
  return undefined;
}

/** The entry of this version of the file: from what was read, else after reading what the indexes gained. */
function lookup(cache: BodyCache, source: string, mtimeMs: number, size: number): PackEntry | undefined {
  const key = versionKey(source, mtimeMs, size);
  let reader = readers.get(cache.dir);
  if (reader === undefined) readers.set(cache.dir, (reader = { entries: new Map(), read: new Map() }));
  return reader.entries.get(key) ?? readUntil(cache.dir, reader, key);
}

/**
 * The packs this thread reads, open: the page writer reads ~30,000 bodies a thread from a few packs, and opening
 * the pack for each cost ~0.7 s of each thread's ~13 s at 60k articles. Packs are only appended to and their names
 * are never reused, so a descriptor reads what its entries name even after the pack is removed (a reader that
 * held it then still finds the bytes, as before). At most `OPEN_PACKS` are kept.
 */
const packFds = new Map<string, number>();
const OPEN_PACKS = 64;

function packFd(file: string): number {
  let fd = packFds.get(file);
  if (fd === undefined) {
    if (packFds.size >= OPEN_PACKS) closePacks();
    fd = openSync(file, 'r');
    packFds.set(file, fd);
  }
  return fd;
}

/** Closes the packs this thread holds open (all, or `file`'s). */
function closePacks(file?: string): void {
  for (const [name, fd] of packFds) {
    if (file !== undefined && name !== file) continue;
    packFds.delete(name);
    try {
      closeSync(fd);
    } catch {
      // Closed already.
    }
  }
}

/** A body's bytes from its pack, or null when the pack is gone or shorter than the entry says. */
function readBytes(dir: string, entry: PackEntry): Buffer | null {
  const file = path.join(dir, entry.pack + PACK);
  let bytes: Buffer;
  try {
    bytes = readAt(packFd(file), entry.offset, entry.length);
  } catch {
    closePacks(file);
    return null;
  }
  return bytes.length === entry.length ? bytes : null;
}

/** This thread's pack in each folder (a new stamp per thread: one writer per pack). */
const stamps = new Map<string, string>();

function newStamp(): string {
  // The creation time first, in fixed width: sorted stamps are oldest first.
  return `${Date.now().toString(36).padStart(9, '0')}-${process.pid}-${threadId}-${randomBytes(3).toString('hex')}`;
}

/** A body to append to a pack: the file and version it was rendered from, and its HTML. */
interface NewBody {
  source: string;
  mtimeMs: number;
  size: number;
  body: Buffer;
}

/**
 * Appends bodies to `stamp`'s pack and then their lines to the pack's index (one open and one write of each file for
 * them all: a parse stores ~60,000 bodies, and opening both files for each was ~10 % of a parse worker's time); the
 * entries.
 */
function appendBodies(dir: string, stamp: string, bodies: readonly NewBody[]): PackEntry[] {
  const file = path.join(dir, stamp + PACK);
  let fd: number;
  try {
    fd = openSync(file, 'a');
  } catch (error) {
    // The folder is made when the first body is stored.
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    mkdirSync(dir, { recursive: true });
    fd = openSync(file, 'a');
  }
  const entries: PackEntry[] = [];
  try {
    // The pack's one writer is this thread: its size is where these bodies go (appends go to the end).
    let offset = fstatSync(fd).size;
    for (const { source, mtimeMs, size, body } of bodies) {
      entries.push({ pack: stamp, source, mtimeMs, size, offset, length: body.length });
      offset += body.length;
    }
    const all = bodies.length === 1 ? bodies[0]!.body : Buffer.concat(bodies.map((b) => b.body));
    let done = 0;
    while (done < all.length) done += writeSync(fd, all, done, all.length - done);
  } finally {
    closeSync(fd);
  }
  // Indexed once written: a thread stopped before this line leaves bytes no entry names.
  appendFileSync(path.join(dir, stamp + INDEX), entries.map((e) => `${JSON.stringify([e.source, e.mtimeMs, e.size, e.offset, e.length])}\n`).join(''));
  return entries;
}

/** Writes bodies to this thread's pack of the folder, and tells this thread's reader of them. */
function storeBodies(cache: BodyCache, bodies: readonly NewBody[]): void {
  let stamp = stamps.get(cache.dir);
  if (stamp === undefined) stamps.set(cache.dir, (stamp = newStamp()));
  let entries: PackEntry[];
  try {
    entries = appendBodies(cache.dir, stamp, bodies);
  } catch (error) {
    // A write that failed half way may have left an unfinished index line: this thread's next body starts a new pack.
    stamps.delete(cache.dir);
    throw error;
  }
  const reader = readers.get(cache.dir);
  if (reader) for (const entry of entries) reader.entries.set(versionKey(entry.source, entry.mtimeMs, entry.size), entry);
}

export function storeBody(cache: BodyCache, source: string, mtimeMs: number, size: number, html: string): void {
  storeBodies(cache, [{ source, mtimeMs, size, body: Buffer.from(html) }]);
}

/** Bodies `storeBodyLater` holds for each folder, not written yet. */
const held = new Map<string, { cache: BodyCache; bodies: NewBody[]; bytes: number }>();
/** `storeBodyLater` writes what it holds once it holds this many bytes. */
const HELD_BYTES = 4 * 1024 * 1024;

/**
 * Stores a body with the next ones (the parse's threads: `onParsedBody`): written by `flushStoredBodies`, which the
 * parse calls at the end of each chunk of files, or once 4 MB are held. Until then no reader sees it; a body never
 * written (a thread that died) is rendered again by the page that needs it.
 */
export function storeBodyLater(cache: BodyCache, source: string, mtimeMs: number, size: number, html: string): void {
  let entry = held.get(cache.dir);
  if (entry === undefined) held.set(cache.dir, (entry = { cache, bodies: [], bytes: 0 }));
  const body = Buffer.from(html);
  entry.bodies.push({ source, mtimeMs, size, body });
  entry.bytes += body.length;
  if (entry.bytes >= HELD_BYTES) flushStoredBodies();
}

/**
 * Writes the bodies `storeBodyLater` holds. A folder that cannot be written is left without them (their pages render
 * them again, from the article files); said once per folder on stderr, and the count of bodies left out returned.
 */
export function flushStoredBodies(): number {
  let lost = 0;
  for (const [dir, entry] of held) {
    held.delete(dir);
    try {
      storeBodies(entry.cache, entry.bodies);
    } catch (error) {
      lost += entry.bodies.length;
      if (!unwritable.has(dir)) {
        unwritable.add(dir);
        console.error(
          `kbview: body cache ${dir}: ${entry.bodies.length} bodies not written (${(error as Error).message.split('\n')[0]}); their pages render them again`,
        );
      }
    }
  }
  return lost;
}
const unwritable = new Set<string>();

/** The cached body HTML of this version of the file, or null. */
export function cachedBody(cache: BodyCache, source: string, mtimeMs: number, size: number): string | null {
  const entry = lookup(cache, source, mtimeMs, size);
  return entry === undefined ? null : (readBytes(cache.dir, entry)?.toString('utf8') ?? null);
}

/** Whether the cache holds the body of this version of the file (its index; the pack is not read). */
export function hasCachedBody(cache: BodyCache, source: string, mtimeMs: number, size: number): boolean {
  return lookup(cache, source, mtimeMs, size) !== undefined;
}

/** Every entry of the folder's indexes, oldest pack first (tests, `tidyBodyCache`). */
export function bodyCacheEntries(cache: BodyCache): PackEntry[] {
  return indexStamps(cache.dir).flatMap((stamp) => readIndex(cache.dir, stamp, 0).entries);
}

/** More packs than this, or more replaced bytes than kept ones (and over `SLACK`): `tidyBodyCache` rewrites them. */
const MAX_PACKS = 32;
const SLACK = 64 * 1024 * 1024;
/** `tidyBodyCache`'s note of the bytes it kept at its last look. */
const NOTE = 'tidy.json';

function keptAtLastLook(dir: string): number | null {
  try {
    const { kept } = JSON.parse(readFileSync(path.join(dir, NOTE), 'utf8')) as { kept?: unknown };
    return Number.isSafeInteger(kept) && (kept as number) >= 0 ? (kept as number) : null;
  } catch {
    return null;
  }
}

/**
 * Run before a parse that fills the cache (no other thread writes to it then): when the packs hold more
 * replaced bodies than current ones (or there are over `MAX_PACKS` of them), the bodies of the files' current
 * versions are written into one new pack and the old packs removed. Packs or indexes without their other
 * half (a thread stopped between creating the two) go too. Null when there was nothing to do.
 */
export function tidyBodyCache(cache: BodyCache, contentDir: string): { packs: number; kept: number; droppedBytes: number } | null {
  let names: string[];
  try {
    names = readdirSync(cache.dir);
  } catch {
    return null;
  }
  const packs = new Set(names.filter((n) => n.endsWith(PACK)).map((n) => n.slice(0, -PACK.length)));
  const indexes = new Set(names.filter((n) => n.endsWith(INDEX)).map((n) => n.slice(0, -INDEX.length)));
  for (const stamp of packs) if (!indexes.has(stamp)) rmSync(path.join(cache.dir, stamp + PACK), { force: true });
  for (const stamp of indexes) if (!packs.has(stamp)) rmSync(path.join(cache.dir, stamp + INDEX), { force: true });
  const stampsNow = [...packs].filter((stamp) => indexes.has(stamp)).sort();
  let total = 0;
  for (const stamp of stampsNow) total += statSync(path.join(cache.dir, stamp + PACK), { throwIfNoEntry: false })?.size ?? 0;
  const worthIt = (live: number) => stampsNow.length > MAX_PACKS || total - live > Math.max(SLACK, live);
  // The bytes kept at the last look (`NOTE`): what was added since replaced at most as much. Without reading the
  // indexes (~0.25 s at 60k articles), a rebuild that stored a few bodies knows there is nothing to do.
  const noted = keptAtLastLook(cache.dir);
  if (noted !== null && !worthIt(noted)) return null;
  const all = stampsNow.flatMap((stamp) => readIndex(cache.dir, stamp, 0).entries);
  // Each file's last entry stands for what is kept (an estimate: the current versions are known only by a stat).
  const last = new Map<string, PackEntry>();
  for (const entry of all) last.set(entry.source, entry);
  let live = 0;
  for (const entry of last.values()) live += entry.length;
  if (!worthIt(live)) {
    writeFileSync(path.join(cache.dir, NOTE), JSON.stringify({ kept: live }));
    return null;
  }

  // Each file's entry of its current version, if the file is still there, into a new pack; then the old ones go.
  const versions = new Map<string, PackEntry>();
  for (const entry of all) versions.set(versionKey(entry.source, entry.mtimeMs, entry.size), entry);
  const stamp = newStamp();
  let kept = 0;
  let keptBytes = 0;
  let batch: NewBody[] = [];
  let batchBytes = 0;
  for (const { source } of last.values()) {
    if (path.isAbsolute(source) || source.split(/[\\/]/).includes('..')) continue;
    const stat = statSync(path.join(contentDir, source), { throwIfNoEntry: false });
    const entry = stat?.isFile() ? versions.get(versionKey(source, stat.mtimeMs, stat.size)) : undefined;
    const bytes = entry === undefined ? null : readBytes(cache.dir, entry);
    if (bytes === null) continue;
    batch.push({ source, mtimeMs: stat!.mtimeMs, size: stat!.size, body: bytes });
    batchBytes += bytes.length;
    if (batchBytes >= HELD_BYTES) {
      appendBodies(cache.dir, stamp, batch);
      batch = [];
      batchBytes = 0;
    }
    kept++;
    keptBytes += bytes.length;
  }
  if (batch.length > 0) appendBodies(cache.dir, stamp, batch);
  for (const old of stampsNow) {
    rmSync(path.join(cache.dir, old + INDEX), { force: true });
    rmSync(path.join(cache.dir, old + PACK), { force: true });
  }
  writeFileSync(path.join(cache.dir, NOTE), JSON.stringify({ kept: keptBytes }));
  readers.delete(cache.dir);
  return { packs: stampsNow.length, kept, droppedBytes: total - keptBytes };
}

/**
 * The loader's body hook (lib/content/corpus.ts `LoadOptions.bodyHook`): called
 * in the parse workers with each freshly parsed body.
 */
export function onParsedBody(cache: BodyCache, source: string, mtimeMs: number, size: number, body: ParsedBody): Diagnostic[] {
  // The renderer's fallbacks become the article's diagnostics (the loader adds them to the parse's, and caches them).
  const diagnostics: Diagnostic[] = [];
  const html = renderBodyHtml(body, cache.linkPrefix, (kind, message) => diagnostics.push({ severity: 'warning', kind, message, file: source }), source);
  storeBodyLater(cache, source, mtimeMs, size, html);
  return diagnostics;
}

/** Called by the parse after each chunk of files (lib/content/corpus.ts `loadBodyHook`): writes the bodies stored. */
export function flushParsedBodies(): void {
  flushStoredBodies();
}
