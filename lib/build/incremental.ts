/**
 * Incremental `kb build`: what a rebuild may reuse of the previous site, from
 * dependencies the build records (never guessed from what changed on disk).
 *
 * 1. Next's pages (listings, home, search, sitemaps, cited-by pages, file
 *    index, the article and file page templates) read the code, the
 *    configuration, the content directory's path, the published articles'
 *    metadata (getSite() → corpus.articles, never a body), the file index
 *    (lib/content/files-store.ts) and `public/` (copied into the export; the
 *    search index apart, see 3). `kb prepare` records the digest of exactly
 *    that (`nextInputDigest`); it is also Next's build id (KB_BUILD_ID,
 *    next.config.js), so the same inputs give the same bytes. When the
 *    previous `out/` was built from the same digest, `next build`, prune, CSP,
 *    file pages and host files (which read nothing else) are skipped: the
 *    staging directory starts as a hard-link copy of `out/` (`linkTreeAsync`).
 * 2. Article and not-in-archive pages: each page's inputs (its page job: the
 *    article's metadata and file version, backlinks, related, prev/next,
 *    listing links; the templates; the code and configuration) are hashed
 *    (`pageDigest`). A page whose digest is the one recorded for it in `out/`
 *    is taken from there (already in a hard-link copy, else linked in); the
 *    others are rendered, and a page is always written as a new file
 *    (temp file + rename, `replaceFile`), never through a hard link, so the
 *    previous `out/` never changes. Pages of articles that no longer exist
 *    are removed from the copy.
 * 3. The search index: `kb prepare` rebuilds `public/search/` when an article
 *    file changed (lib/build/search-index.ts); a copy of `out/` gets only the
 *    index files whose bytes differ replaced (`syncDir`).
 *
 * The record (`.cache/kbview/incremental/<key>.state.json`, `<key>` a digest of
 * the `out/` path: sites built into other folders with the same cache keep
 * theirs) describes one `out/`: it is removed before the new site is swapped
 * in and written after, so a build interrupted anywhere leaves either the
 * previous `out/` with its record, or no record (the next build is a full one).
 */
import { createHash, randomBytes, type Hash } from 'node:crypto';
import { copyFileSync, existsSync, linkSync, mkdirSync, readdirSync, readFileSync, renameSync, rmdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { threadId, Worker } from 'node:worker_threads';
import { config, type Config } from '../config';
import type { IndexChanges } from '../search/build';
import { SEARCH_BOOT_FILE } from '../search/boot-bundle';
import { storedIndexContent } from '../content/files-store';
import { hashSources, PROJECT_SOURCES } from './source-hash';
import type { PagesRecord } from './article-pages';

/** Every source Next compiles or the build runs (public/ is hashed apart, without the search index: nextInputDigests). */
const CODE = PROJECT_SOURCES.filter((source) => source !== 'public');
const FORMAT = 'kbview-incremental-3';

const stateDir = (): string => path.join(config().cacheDir, 'incremental');

/** The records of the site in `outDir` (its record, its spare's, and the folder they are for), by a digest of the path. */
function recordFiles(outDir: string): { state: string; spare: string; dir: string } {
  const key = createHash('sha256').update(path.resolve(outDir)).digest('hex').slice(0, 16);
  const at = (suffix: string) => path.join(stateDir(), `${key}.${suffix}`);
  return { state: at('state.json'), spare: at('spare.json'), dir: at('dir') };
}

/** The file holding the record of the site in `outDir` (for tests). */
export const siteRecordFile = (outDir: string): string => recordFiles(outDir).state;

/**
 * Removes the records of sites whose folder is gone (a test's site, a folder renamed), and those of the one
 * record kept before records were by folder (`state.json`, `spare.json`, `next-inputs.json`).
 */
function sweepRecords(): void {
  let names: string[];
  try {
    names = readdirSync(stateDir());
  } catch {
    return;
  }
  const gone = new Set<string>();
  for (const name of names) {
    if (name === 'state.json' || name === 'spare.json' || name === 'next-inputs.json') {
      rmSync(path.join(stateDir(), name), { force: true });
      continue;
    }
    if (!name.endsWith('.dir')) continue;
    try {
      if (!existsSync(readFileSync(path.join(stateDir(), name), 'utf8'))) gone.add(name.slice(0, -'.dir'.length));
    } catch {
      // Removed by another build meanwhile.
    }
  }
  for (const name of names) {
    const key = name.slice(0, name.indexOf('.'));
    if (gone.has(key)) rmSync(path.join(stateDir(), name), { force: true });
  }
}

/** The configuration that can change what is written (not where caches, logs or Next's build folder are). */
function configKey(c: Config): string {
  const env = Object.keys(process.env)
    .filter((k) => k.startsWith('NEXT_PUBLIC_') || k === 'NODE_ENV')
    .sort()
    .map((k) => `${k}=${process.env[k]}`);
  return JSON.stringify([c.basePath, c.siteUrl, c.sources, c.articlePages, c.redirects, c.skipSearch, env]);
}

/**
 * What of `public/` is not among Next's inputs: the search index (synced apart, syncDir), and the folders its
 * builder writes beside it (`search.tmp-<pid>`, `search.old-<pid>`, lib/search/build.ts) while it runs.
 */
export const SEARCH_ENTRY = /^search(?:\.(?:tmp|old)-\d{1,10})?$/;

/** Adds every file under `dir` (name order) to `hash`, skipping top-level entries whose name `skip` accepts. */
function hashTree(hash: Hash, dir: string, skip: (name: string) => boolean = () => false): void {
  const walk = (rel: string): void => {
    const full = path.join(dir, rel);
    let entries;
    try {
      entries = readdirSync(full, { withFileTypes: true });
    } catch {
      return;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      const child = rel ? `${rel}/${entry.name}` : entry.name;
      if (!rel && skip(entry.name)) continue;
      if (entry.isDirectory()) walk(child);
      else if (entry.isFile())
        hash
          .update(`${child}\0`)
          .update(readFileSync(path.join(dir, child)))
          .update('\0');
    }
  };
  walk('');
}

export interface NextInputs {
  format: string;
  /** Code and configuration: a change rebuilds every page. */
  code: string;
  /** Everything Next's pages read (see 1 above). */
  next: string;
}

/** Digest of the code (sources, dependencies' lock, Node's version) and the configuration. */
export function codeDigest(): string {
  return hashSources(createHash('sha256').update(`${FORMAT}\0code\0${process.version}\0`), CODE)
    .update(configKey(config()))
    .digest('hex');
}

/**
 * Digests of the code and of Next's inputs, for `kb prepare` to record once the content is parsed; `articles`: the
 * digest of the articles' metadata (lib/content/data-export.ts `articlesDigest`, made once for the data export too).
 */
export function nextInputDigests(contentDir: string, articles: string, fileIndexFile: string | null): NextInputs {
  const code = codeDigest();
  const hash = createHash('sha256').update(`${FORMAT}\0next\0${code}\0${path.resolve(contentDir)}\0`);
  // public/ is copied into the export; its search index is synced apart (syncDir).
  hashTree(hash, path.resolve('public'), (name) => SEARCH_ENTRY.test(name));
  hash.update(`${articles}\n`);
  // The file index as the pages see it (its files and articles), not its fingerprint (file mtimes).
  hash.update((fileIndexFile && storedIndexContent(fileIndexFile)) || '\0none');
  return { format: FORMAT, code, next: hash.digest('hex') };
}

/**
 * An interrupted search index build leaves `public/search.tmp-<pid>/` (lib/search/build.ts): removed once its
 * process is gone, so that Next never copies it into a site. Returns the folders removed.
 */
export function removeStaleSearchBuilds(publicDir: string): string[] {
  const removed: string[] = [];
  let names: string[];
  try {
    names = readdirSync(publicDir);
  } catch {
    return removed;
  }
  for (const name of names) {
    const pid = SEARCH_ENTRY.test(name) && name !== 'search' ? Number(name.slice(name.lastIndexOf('-') + 1)) : null;
    if (pid === null) continue;
    let alive = true;
    try {
      process.kill(pid, 0);
    } catch (error) {
      alive = (error as NodeJS.ErrnoException).code === 'EPERM';
    }
    if (alive) continue;
    rmSync(path.join(publicDir, name), { recursive: true, force: true });
    removed.push(name);
  }
  return removed;
}

/** Inputs sent by `kb prepare` (its channel to `kb build`), or null when they are not of this format. */
export function nextInputsOf(message: unknown): NextInputs | null {
  if (typeof message !== 'object' || message === null) return null;
  const value = (message as { inputs?: unknown }).inputs as NextInputs | undefined;
  return value !== undefined && value.format === FORMAT && typeof value.code === 'string' && typeof value.next === 'string' ? value : null;
}

/**
 * Next's build id: the digest of the code and configuration, shortened. It is in every page (the RSC payload),
 * so it must not change with the articles: a title edit would otherwise change every article page.
 */
export const buildIdOf = (inputs: NextInputs): string => inputs.code.slice(0, 20);

/** What the previous build recorded about the `out/` it swapped in. */
export interface SiteRecord {
  format: string;
  outDir: string;
  /** This site's id (`newSiteId`): the spare copy (`SpareRecord`) names the site it holds by it. */
  site: string;
  /**
   * The site this one was made from by writing and removing the paths in `changed` (relative to out/, `/`
   * separated: every file this build wrote, replaced or removed in its copy of `base`, maybe more, never
   * fewer); null with `changed` when it was exported whole (`next build` ran).
   */
  base: string | null;
  changed: string[] | null;
  /** The archive the site was built from (absent in records of earlier versions). */
  contentDir?: string;
  inputs: NextInputs;
  /** The search index stamp (lib/build/search-index.ts) of the index in out/search/. */
  search: string;
  /** The page templates Next rendered (removed from the export; kept here for builds that skip Next). */
  templates: { article: string; missing: string; file: string };
  /** Each article and not-in-archive page's input digest and dependencies (./article-pages.ts). */
  pages: PagesRecord;
  /** Files and bytes of the site: an incremental build adds what it writes and removes instead of counting again. */
  files: { count: number; bytes: number };
}

export function readSiteRecord(outDir: string): SiteRecord | null {
  try {
    const value = JSON.parse(readFileSync(recordFiles(outDir).state, 'utf8')) as SiteRecord;
    if (value.format !== FORMAT || value.outDir !== path.resolve(outDir) || typeof value.site !== 'string') return null;
    return value;
  } catch {
    return null;
  }
}

/** Before the swap: the record no longer describes `out/` until the new one is written. */
export function forgetSiteRecord(outDir: string): void {
  rmSync(recordFiles(outDir).state, { force: true });
}

/** Writes one of the records of the site in `outDir`, and the name of the folder they are for. */
function writeRecordFile(outDir: string, which: 'state' | 'spare', text: string | Buffer): void {
  const files = recordFiles(outDir);
  writeAtomic(files.dir, path.resolve(outDir));
  writeAtomic(files[which], text);
}

/**
 * Writes the record of the site in `record.outDir`. `pages`: `record.pages` as JSON (`encodeRecordPages`), when it
 * was made before (~0.7 s at 60k articles: a build made from the previous site makes it while it waits for the
 * search index, rather than after the swap); the same bytes as without it.
 */
export function writeSiteRecord(record: SiteRecord, pages: Buffer = encodeRecordPages(record.pages)): void {
  writeRecordFile(record.outDir, 'state', siteRecordText(record, pages));
  sweepRecords();
}

/** `record.pages` as JSON, for writeSiteRecord. */
export function encodeRecordPages(pages: SiteRecord['pages']): Buffer {
  return Buffer.from(JSON.stringify(pages));
}

/** The record as JSON with `pages` (JSON already) last. */
export function siteRecordText(record: SiteRecord, pages: Buffer): Buffer {
  const { pages: _pages, ...rest } = record;
  const head = JSON.stringify({ ...rest, pages: 0 });
  const tail = '"pages":0}';
  if (!head.endsWith(tail)) throw new Error('site record: pages is not its last member');
  // `…,"pages":` + pages + `}`
  return Buffer.concat([Buffer.from(head.slice(0, -'0}'.length)), pages, Buffer.from('}')]);
}

/** Whether the previous site can be the start of this one (Next's inputs unchanged, its record complete). */
export function canReuseExport(record: SiteRecord | null, inputs: NextInputs | null, outDir: string): record is SiteRecord {
  return (
    record !== null &&
    inputs !== null &&
    config().articlePages !== 'next' &&
    record.inputs.next === inputs.next &&
    record.inputs.code === inputs.code &&
    existsSync(path.join(outDir, 'index.html'))
  );
}

/** Digest of one page's inputs: its job (everything the worker renders it from) and what every page shares. */
export function pageDigest(shared: string, job: unknown): string {
  return createHash('sha256').update(shared).update('\0').update(JSON.stringify(job)).digest('hex').slice(0, 32);
}

/** Writes `data` to `file` as a new file (temp + rename): a hard link at `file` keeps its old content. */
export function replaceFile(file: string, data: string | Buffer): void {
  const tmp = `${file}.${process.pid}-${threadId}.tmp`;
  writeFileSync(tmp, data);
  renameSync(tmp, file);
}

function writeAtomic(file: string, data: string | Buffer): void {
  mkdirSync(path.dirname(file), { recursive: true });
  replaceFile(file, data);
}

/** The link workers running (stopped when the build is interrupted: `stopLinking`). */
const linkWorkers = new Set<Worker>();

/** Stops the link copies running (before their staging directory is removed). */
export async function stopLinking(): Promise<void> {
  await Promise.all([...linkWorkers].map((worker) => worker.terminate()));
}

/**
 * `target` becomes a copy of the tree `source` made of hard links (directories are new; copies where a link
 * cannot be made), in `parallel` worker threads, so that the build goes on meanwhile (the copy is file-system
 * calls: two threads make it faster too). The folders two levels down (`kb/244/`) are shared out; what is above
 * them is linked here. Returns the number of files and their bytes. Nothing may write into `target` until it settles.
 */
export async function linkTreeAsync(source: string, target: string, parallel = 2): Promise<{ files: number; bytes: number }> {
  let files = 0;
  let bytes = 0;
  const units: Array<[string, string]> = [];
  const top = (from: string, to: string, depth: number): void => {
    mkdirSync(to, { recursive: true });
    for (const entry of readdirSync(from, { withFileTypes: true })) {
      const a = path.join(from, entry.name);
      const b = path.join(to, entry.name);
      if (entry.isDirectory()) {
        if (depth < 1) top(a, b, depth + 1);
        else units.push([a, b]);
      } else if (entry.isFile()) {
        try {
          linkSync(a, b);
        } catch {
          copyFileSync(a, b);
        }
        files++;
        bytes += statSync(b).size;
      }
    }
  };
  top(source, target, 0);
  // The worker links the folders it is given (plain JavaScript: no module to load).
  const code = `
    const { parentPort, workerData } = require('node:worker_threads');
    const { copyFileSync, linkSync, mkdirSync, readdirSync, statSync } = require('node:fs');
    const path = require('node:path');
    let files = 0;
    let bytes = 0;
    const walk = (from, to) => {
      mkdirSync(to, { recursive: true });
      for (const entry of readdirSync(from, { withFileTypes: true })) {
        const a = path.join(from, entry.name);
        const b = path.join(to, entry.name);
        if (entry.isDirectory()) walk(a, b);
        else if (entry.isFile()) {
          try { linkSync(a, b); } catch { copyFileSync(a, b); }
          files++;
          bytes += statSync(b).size;
        }
      }
    };
    for (const [a, b] of workerData) walk(a, b);
    parentPort.postMessage([files, bytes]);`;
  const shares = Array.from({ length: Math.max(1, Math.min(parallel, units.length)) }, (_, i) => units.filter((_, j) => j % parallel === i));
  const counts = await Promise.all(
    shares.map(
      (share) =>
        new Promise<[number, number]>((resolve, reject) => {
          const worker = new Worker(code, { eval: true, workerData: share, env: {} });
          linkWorkers.add(worker);
          let count: [number, number] | null = null;
          worker.on('message', (n: [number, number]) => (count = n));
          worker.on('error', reject);
          worker.on('exit', (code) => {
            linkWorkers.delete(worker);
            if (count !== null) resolve(count);
            else reject(new Error(`the link copy stopped (exit code ${code})`));
          });
        }),
    ),
  );
  for (const [n, b] of counts) {
    files += n;
    bytes += b;
  }
  return { files, bytes };
}

/** Links `source` (a file of the previous site) at `target` in the new one; false when there is no such file. */
export function linkFile(source: string, target: string): boolean {
  try {
    linkSync(source, target);
    return true;
  } catch (error) {
    // The target's folder is made only for a source that is there: a page the previous site lacks leaves no
    // empty folder behind (where the page writer would then take the slower path of replacing a page).
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || !existsSync(source)) return false;
  }
  try {
    mkdirSync(path.dirname(target), { recursive: true });
    linkSync(source, target);
    return true;
  } catch {
    return false;
  }
}

/**
 * Makes `target` hold the files of `source` (the search index): a file whose bytes differ, or that is new, is
 * replaced (never written through); files not in `source` are removed, except those `keep` accepts (the search
 * page Next rendered there). Returns the number of files replaced or removed, and their paths.
 */
export function syncDir(source: string, target: string, keep: (rel: string) => boolean): SyncResult {
  const sync = new FileSync(source, target);
  const wanted = new Set<string>();
  const walk = (rel: string): void => {
    for (const entry of readdirSync(path.join(source, rel), { withFileTypes: true })) {
      const child = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory()) walk(child);
      else if (entry.isFile()) {
        wanted.add(child);
        sync.file(child);
      }
    }
  };
  if (existsSync(source)) walk('');
  const prune = (rel: string): void => {
    let entries;
    try {
      entries = readdirSync(path.join(target, rel), { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      const child = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory()) prune(child);
      else if (!wanted.has(child) && !keep(child)) sync.remove(child);
    }
  };
  prune('');
  return sync.result();
}

/** What a sync changed in its target: files replaced or removed (`paths`, relative), and the change in file count and bytes. */
interface SyncResult {
  changed: number;
  files: number;
  bytes: number;
  paths: string[];
}

/** One sync of `target` from `source`, a file at a time (syncDir, syncIndexChanges). */
class FileSync {
  private readonly done: SyncResult = { changed: 0, files: 0, bytes: 0, paths: [] };
  constructor(
    private readonly source: string,
    private readonly target: string,
  ) {}

  /** `rel` in the target made `rel` in the source (written only when its bytes differ). */
  file(rel: string): void {
    const data = readFileSync(path.join(this.source, rel));
    const to = path.join(this.target, rel);
    const before = statSync(to, { throwIfNoEntry: false });
    if (before !== undefined && before.size === data.length && readFileSync(to).equals(data)) return;
    mkdirSync(path.dirname(to), { recursive: true });
    replaceFile(to, data);
    this.count(rel, before === undefined ? 1 : 0, data.length - (before?.size ?? 0));
  }

  /** `rel` removed from the target (counted when it was there). */
  remove(rel: string): void {
    const to = path.join(this.target, rel);
    const size = statSync(to, { throwIfNoEntry: false })?.size;
    rmSync(to, { force: true });
    this.count(rel, size === undefined ? 0 : -1, -(size ?? 0));
  }

  result(): SyncResult {
    return this.done;
  }

  private count(rel: string, files: number, bytes: number): void {
    this.done.changed++;
    this.done.paths.push(rel);
    this.done.files += files;
    this.done.bytes += bytes;
  }
}

/**
 * Brings `target` (a site's search/) up to date with `source` (public/search/) by the files an index update wrote
 * and removed (lib/search/build.ts `IndexChanges`), and the search page's script: when `target` holds the index the
 * update started from and `source` the one it made (their manifests' versions). Null otherwise (or without changes),
 * for the caller to compare every file (syncDir). The same result as syncDir, without reading ~100 MB twice.
 */
export function syncIndexChanges(source: string, target: string, changes: IndexChanges | null): SyncResult | null {
  if (changes === null || manifestVersion(target) !== changes.from || manifestVersion(source) !== changes.to) return null;
  const names = [...changes.written, ...changes.removed, SEARCH_BOOT_FILE];
  // Names of the index's own files (`t/3.json`): anything else is not taken.
  if (!names.every((name) => /^[\w-]+(\/[\w-]+)*\.(json|js)$/.test(name))) return null;
  const sync = new FileSync(source, target);
  for (const name of new Set(names)) {
    if (existsSync(path.join(source, name))) sync.file(name);
    else if (existsSync(path.join(target, name))) sync.remove(name);
  }
  return sync.result();
}

/** The `version` of the search index manifest in `dir`, or null. */
function manifestVersion(dir: string): string | null {
  try {
    const version = (JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as { version?: unknown }).version;
    return typeof version === 'string' ? version : null;
  } catch {
    return null;
  }
}

/**
 * The spare site: the previous `out/`, kept beside it (`out.spare/`, never served) instead of removed at the
 * swap, so that the next build does not copy the whole site: it brings the spare up to date by applying the
 * paths the last build changed (`applyChanges`, a few files after a body edit), renames it into the staging
 * directory, writes its own changes there, and swaps. Its record (`spare.json`) names the site it holds
 * exactly; it is removed before the spare is touched and written once the spare is complete, so a spare
 * without a record (an interrupted build) is never used.
 */
export interface SpareRecord {
  format: string;
  dir: string;
  /** The `SiteRecord.site` of the site the spare holds, file for file. */
  site: string;
}

export const spareDirOf = (outDir: string): string => `${outDir}.spare`;

/** A new site id (SiteRecord.site). */
export function newSiteId(): string {
  return `${Date.now().toString(36)}-${randomBytes(6).toString('hex')}`;
}

export function readSpare(outDir: string): SpareRecord | null {
  try {
    const value = JSON.parse(readFileSync(recordFiles(outDir).spare, 'utf8')) as SpareRecord;
    if (value.format !== FORMAT || value.dir !== spareDirOf(path.resolve(outDir)) || typeof value.site !== 'string') return null;
    return existsSync(value.dir) ? value : null;
  } catch {
    return null;
  }
}

export function forgetSpare(outDir: string): void {
  rmSync(recordFiles(outDir).spare, { force: true });
}

export function writeSpare(outDir: string, site: string): void {
  writeRecordFile(outDir, 'spare', JSON.stringify({ format: FORMAT, dir: spareDirOf(path.resolve(outDir)), site } satisfies SpareRecord));
}

/**
 * How the spare becomes `record`'s site: no change (it is that site), the paths `record` changed in its base
 * (it is the base), or null (it cannot: no spare, another site, or a site exported whole since).
 */
export function spareChanges(spare: SpareRecord | null, record: SiteRecord | null): string[] | null {
  if (!spare || !record) return null;
  if (spare.site === record.site) return [];
  if (record.base !== null && spare.site === record.base && record.changed !== null) return record.changed;
  return null;
}

/** A recorded path (`/` separated, relative): null unless it stays inside the site (the record is a file anyone could edit). */
function safeRelative(rel: string): string[] | null {
  const parts = rel.split('/');
  return parts.length > 0 && parts.every((p) => p !== '' && p !== '.' && p !== '..' && !p.includes('\\') && !p.includes('\0')) ? parts : null;
}

/**
 * Makes `target` (the spare) hold, at each of `paths`, what `source` (out/) holds: a hard link to its file, or
 * nothing (removed, and the folders it leaves empty). Never writes through a link: a file is removed, then
 * linked. Returns the number of paths applied.
 */
export function applyChanges(source: string, target: string, paths: readonly string[]): number {
  let applied = 0;
  for (const rel of paths) {
    const parts = safeRelative(rel);
    if (!parts) throw new Error(`the record of the last build holds a path outside the site: ${JSON.stringify(rel).slice(0, 200)}`);
    const from = path.join(source, ...parts);
    const to = path.join(target, ...parts);
    rmSync(to, { force: true });
    if (statSync(from, { throwIfNoEntry: false })?.isFile()) {
      mkdirSync(path.dirname(to), { recursive: true });
      linkSync(from, to);
    } else {
      // Gone from out/: so are the folders this leaves empty in the spare (rmdir fails on a folder that is not).
      for (let dir = path.dirname(to); dir.length > target.length && dir.startsWith(target + path.sep); dir = path.dirname(dir)) {
        try {
          rmdirSync(dir);
        } catch {
          break;
        }
      }
    }
    applied++;
  }
  return applied;
}

/**
 * Removes the tree `dir` in a worker thread (file-system calls: the build goes on meanwhile, and waits for it
 * before it returns, so that nothing is left running that slows the next build). Stopped by `stopLinking`.
 */
export function removeTreeAsync(dir: string): Promise<void> {
  const code = `
    const { parentPort, workerData } = require('node:worker_threads');
    const { rmSync } = require('node:fs');
    for (let i = 0; i < 5; i++) { try { rmSync(workerData, { recursive: true, force: true }); break; } catch { } }
    parentPort.postMessage(0);`;
  return new Promise<void>((resolve) => {
    const worker = new Worker(code, { eval: true, workerData: dir, env: {} });
    linkWorkers.add(worker);
    worker.on('error', () => {});
    worker.on('exit', () => {
      linkWorkers.delete(worker);
      resolve();
    });
  });
}
