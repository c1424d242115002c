/**
 * The file index (./files.ts), computed once per content change and kept in
 * the loader's cache folder (`.cache/kbview/<dir-hash>/files.json`).
 *
 * "Mentioned in" needs every article's plain text, which the routes' loader
 * does not keep in memory (60,000 texts): `kb build` computes the index in its
 * first step, where the texts are at hand (`prepareFileIndex`), and the
 * `/files/` routes and the data export read it (`readFileIndex`). When the
 * stored index is not the one of the content as it is now (say `next dev`
 * before any `kb build`), the routes build the rows alone, without mentions.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Article } from '../markdown/index';
import { config } from '../config';
import { CACHE_VERSION, cacheFolder, loadCorpus, TextCache, type Corpus } from './corpus';
import type { ParsedFile } from './parse-file';
import { buildFileIndex, updateMentions, type FileArticle, type FileEntry, type FileIndex } from './files';

const FORMAT = 1;
/** The code the index is made by: a change rebuilds it. */
const CODE = ['lib/content/files.ts', 'lib/file-pages.ts', 'lib/file-slug.ts'];

interface Stored {
  format: number;
  fingerprint: string;
  files: FileEntry[];
  articles: FileArticle[];
  skipped: number;
  withMentions: boolean;
}

/** Files (path, mtime, size) of the content, the parser's cache version and this code. */
export function fileIndexFingerprint(files: readonly Pick<ParsedFile, 'source' | 'mtimeMs' | 'size'>[]): string {
  const hash = createHash('sha256').update(`${FORMAT}\0${CACHE_VERSION}\0`);
  for (const file of files) hash.update(`${file.source}\0${file.mtimeMs}\0${file.size}\n`);
  for (const rel of CODE) {
    hash.update(`${rel}\0`);
    try {
      hash.update(readFileSync(path.resolve(rel)));
    } catch {
      // Not there (a packaged build): the format number and the content decide.
    }
  }
  return hash.digest('hex');
}

/** Where the file index of `contentDir` is stored (in the cache). */
export function storePath(contentDir: string): string {
  return path.join(cacheFolder(contentDir, config().cacheDir), 'files.json');
}

/**
 * `kb build`'s first step: makes sure the stored index is the one of `corpus`
 * (whose texts are loaded when it parsed anything; else they are read from
 * the parse cache). Returns a line for the build log.
 */
export async function prepareFileIndex(corpus: Corpus): Promise<string> {
  const started = performance.now();
  const file = storePath(corpus.dir);
  const fingerprint = fileIndexFingerprint(corpus.files);
  const current = readStored(file);
  if (current && current.fingerprint === fingerprint && current.withMentions) {
    return `kbview: file index unchanged (${current.files.length} file names)`;
  }
  // What the rows, names and articles of the index are made of (everything but the texts), and each file's version.
  const structure = rowsDigest(corpus.articles);
  const versions = new Map(corpus.files.map((f) => [f.source, `${f.mtimeMs}:${f.size}`]));
  // (Written after the index, with its fingerprint: versions that are not the stored index's are not used.)
  const before = current?.withMentions ? readVersions(file, current.fingerprint) : null;
  // Only texts changed (the same articles with the same file tables): the mentions of the changed articles are found again.
  const changed = before && before.structure === structure ? corpus.articles.filter((a) => before.versions.get(a.source) !== versions.get(a.source)) : null;
  // The changed articles were parsed by this load, as a rule: their texts are at hand (TextCache would first read
  // the whole text cache to find where each text is).
  const update = current !== null && changed !== null && changed.length <= 1000;
  const { texts, close } = update ? await changedTexts(corpus, changed) : await textsById(corpus);
  let index: FileIndex;
  try {
    index =
      update && current && changed
        ? updateMentions({ files: current.files, articles: new Map(current.articles.map((a) => [a.n, a])), skipped: current.skipped }, changed, texts)
        : buildFileIndex(corpus.articles, texts);
  } finally {
    close();
  }
  // By number: an index updated in place and one built anew are stored alike.
  const articles = [...index.articles.values()].sort((a, b) => a.n - b.n);
  writeStored(file, { format: FORMAT, fingerprint, files: index.files, articles, skipped: index.skipped, withMentions: true });
  writeVersions(file, fingerprint, structure, versions);
  if (update) {
    return `kbview: file index: mentions of ${changed.length} changed articles updated (${((performance.now() - started) / 1000).toFixed(1)} s)`;
  }
  const rows = index.files.reduce((sum, f) => sum + f.rows.length, 0);
  const mentions = index.files.reduce((sum, f) => sum + f.mentions.length, 0);
  return (
    `kbview: file index: ${index.files.length} file names, ${rows} rows, ${mentions} mentions` +
    `${index.skipped > 0 ? `, ${index.skipped} rows not indexed (no usable name, or over an article's cap)` : ''}` +
    `${index.failed?.length ? `, the file tables of ${index.failed.length} articles could not be read and are not indexed: ${index.failed.slice(0, 20).join(', ')}` : ''}` +
    ` (${((performance.now() - started) / 1000).toFixed(1)} s)`
  );
}

/** The texts of `changed` by id: those the load parsed (held by `corpus.files`), else all of them as textsById reads them. */
async function changedTexts(corpus: Corpus, changed: readonly Article[]): Promise<{ texts: Pick<ReadonlyMap<string, string>, 'get'>; close: () => void }> {
  const bySource = new Map(corpus.files.map((f) => [f.source, f]));
  const texts = new Map<string, string>();
  for (const article of changed) {
    const text = bySource.get(article.source)?.text ?? '';
    // '' is also what a file read from the parse cache holds (its text stays on disk).
    if (!text) return textsById(corpus);
    texts.set(article.id, text);
  }
  return { texts, close: () => {} };
}

/**
 * Each published article's text by id: read one at a time from the parse cache (./corpus.ts TextCache:
 * never every text at once) when it holds every article's, else the texts `corpus` holds when it parsed
 * anything (a file that is not cached: the loader rewrote the caches with every text), else loaded.
 */
async function textsById(corpus: Corpus): Promise<{ texts: Pick<ReadonlyMap<string, string>, 'get'>; close: () => void }> {
  const sources = new Map(corpus.articles.map((a) => [a.id, a.source]));
  const cache = corpus.cacheDir === null ? null : await TextCache.open(corpus.dir, corpus.cacheDir);
  if (cache && corpus.articles.every((a) => cache.has(a.source))) {
    const get = (id: string): string | undefined => {
      const source = sources.get(id);
      return source === undefined ? undefined : cache.text(source);
    };
    return { texts: { get }, close: () => cache.close() };
  }
  cache?.close();
  const files = corpus.stats.parsed > 0 ? corpus.files : (await loadCorpus(corpus.dir, { withText: true })).files;
  const texts = new Map<string, string>();
  for (const f of files) if (f.article && sources.get(f.article.id) === f.source) texts.set(f.article.id, f.text);
  return { texts, close: () => {} };
}

/** The index of the content as it is now: the stored one, or (stale or missing) the rows alone from `articles`. */
export function readFileIndex(contentDir: string, files: readonly ParsedFile[], articles: readonly Article[]): FileIndex & { withMentions: boolean } {
  const stored = readStored(storePath(contentDir));
  if (stored && stored.fingerprint === fileIndexFingerprint(files)) {
    return { files: stored.files, articles: new Map(stored.articles.map((a) => [a.n, a])), skipped: stored.skipped, withMentions: stored.withMentions };
  }
  return { ...buildFileIndex(articles), withMentions: false };
}

/** Digest of what buildFileIndex reads of the articles besides their texts (and of its code). */
function rowsDigest(articles: readonly Article[]): string {
  const hash = createHash('sha256').update(`${FORMAT}\0${fileIndexFingerprint([])}\0`);
  for (const a of articles)
    hash.update(JSON.stringify([a.id, a.number, a.title, a.permalink, a.product, a.appliesTo, a.fileAttributes, a.source])).update('\n');
  return hash.digest('hex');
}

/** Beside the stored index: the digest of its articles' rows (rowsDigest) and the version of each file it was made from. */
const versionsPath = (file: string): string => file.replace(/\.json$/, '-versions.json');

function readVersions(file: string, fingerprint: string): { structure: string; versions: Map<string, string> } | null {
  try {
    const value = JSON.parse(readFileSync(versionsPath(file), 'utf8')) as { fingerprint: string; structure: string; versions: Array<[string, string]> };
    return value.fingerprint === fingerprint && typeof value.structure === 'string' && Array.isArray(value.versions)
      ? { structure: value.structure, versions: new Map(value.versions) }
      : null;
  } catch {
    return null;
  }
}

function writeVersions(file: string, fingerprint: string, structure: string, versions: ReadonlyMap<string, string>): void {
  const tmp = `${versionsPath(file)}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify({ fingerprint, structure, versions: [...versions] }));
  renameSync(tmp, versionsPath(file));
}

/**
 * The stored file index as the pages and the data export see it (its files, articles, skipped names), without its
 * fingerprint (the article files' versions, which any edit changes); null when there is none (or it is unreadable).
 */
export function storedIndexContent(file: string): string | null {
  const stored = readStored(file);
  return stored && JSON.stringify([stored.format, stored.files, stored.articles, stored.skipped, stored.withMentions]);
}

function readStored(file: string): Stored | null {
  if (!existsSync(file)) return null;
  try {
    const value = JSON.parse(readFileSync(file, 'utf8')) as Stored;
    return value.format === FORMAT && Array.isArray(value.files) && Array.isArray(value.articles) ? value : null;
  } catch {
    return null;
  }
}

function writeStored(file: string, value: Stored): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(value));
  renameSync(tmp, file);
}
