/**
 * The static search index of a content directory (public/search/ by default):
 * built by `kb build` when its fingerprint changed, and by scripts/build-search.ts.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { config } from '../config';
import { CACHE_VERSION, loadCorpus, publishedFiles, TextCache, type Corpus } from '../content/corpus';
import { checkHeap, collectNow } from '../content/heap-guard';
import type { ParsedFile } from '../content/parse-file';
import { buildSearchIndex, type SearchSource } from '../search/build';
import { writeSearchBoot } from '../search/boot-bundle';
import { hashSources } from './source-hash';

/**
 * Records which content directory the index in `outDir` was built from (`--if-stale` compares it).
 * Kept in .cache, not beside the index: public/ is shipped, and the path is nobody's business.
 */
export function markSearchIndex(outDir: string, contentDir: string, fingerprint = ''): void {
  mkdirSync(path.dirname(stampFile()), { recursive: true });
  writeFileSync(stampFile(), `${stampOf(outDir, contentDir)}${fingerprint}\n`);
}

/**
 * The code an index is made by: the index builder's, the parser's and the loader's sources. The index's fingerprint
 * and its builder's state are keyed on the same code: when the fingerprint covered `lib/search` only, a change in
 * `lib/content` kept the index but not its state, and the first body edit after it rebuilt the index whole (32-39 s
 * at 60k articles instead of ~13 s).
 */
const SEARCH_CODE = ['lib/search', 'lib/markdown', 'lib/content'];

/**
 * What the index is made of: every article file's path, mtime and size, and
 * the code that makes it (`SEARCH_CODE`). `kb build` rebuilds the index only when
 * this changes.
 */
export function searchFingerprint(files: readonly ParsedFile[]): string {
  const hash = createHash('sha256').update(`${CACHE_VERSION}\0`);
  for (const file of files) hash.update(`${file.source}\0${file.mtimeMs}\0${file.size}\n`);
  return hashSources(hash, SEARCH_CODE).digest('hex');
}

/** Whether `outDir` holds the index of this content, as it is now. */
export function searchIndexCurrent(outDir: string, contentDir: string, fingerprint: string): boolean {
  return existsSync(stampFile()) && existsSync(outDir) && readFileSync(stampFile(), 'utf8') === `${stampOf(outDir, contentDir)}${fingerprint}\n`;
}
/** What the index in public/search/ was built from (its stamp), or '' when unknown: a copy of it in a site is current when the stamps agree. */
export function searchIndexStamp(): string {
  return existsSync(stampFile()) ? readFileSync(stampFile(), 'utf8') : '';
}
/**
 * Where the index builder keeps its state for incremental updates (lib/search/state.ts), and its key:
 * the builder's and the parser's sources and the parse cache's version (a state of other code is not
 * used: an article's digest there is its file's path, mtime and size, `textKey`).
 */
export function searchStateOptions(): { dir: string; key: string } {
  const hash = createHash('sha256').update(`${CACHE_VERSION}\0`);
  return { dir: path.join(config().cacheDir, 'search-state'), key: hashSources(hash, SEARCH_CODE).digest('hex') };
}

/** What a file's text is made from, for the index builder's change check: the parse cache keys on the same. */
const textKey = (dir: string, file: ParsedFile): string => `${dir}\0${file.source}\0${file.mtimeMs}\0${file.size}`;

const stampFile = (): string => path.join(config().cacheDir, 'search-index.source');
const stampOf = (outDir: string, contentDir: string): string => `${path.resolve(outDir)}\n${path.resolve(contentDir)}\n`;

export async function buildSearch(contentDir: string, outDir = 'public/search', log: (line: string) => void = console.log, ifStale = false): Promise<number> {
  const source = path.resolve(contentDir);
  if (ifStale && existsSync(stampFile()) && existsSync(outDir) && readFileSync(stampFile(), 'utf8').startsWith(stampOf(outDir, contentDir))) {
    log(`kbview: search index in ${outDir}/ is from ${source}; keeping it (kb build or build-search without --if-stale rebuilds it)`);
    writeSearchBoot(outDir, config());
    return 0;
  }
  const started = performance.now();
  const corpus = await loadCorpus(contentDir);
  const { sources, close } = await searchSources(corpus);
  const loadedMs = performance.now() - started;
  const stats = await (async () => {
    try {
      return await buildSearchIndex(sources, outDir, { log, state: searchStateOptions(), collect: collectNow });
    } finally {
      close();
    }
  })();
  markSearchIndex(outDir, contentDir);
  writeSearchBoot(outDir, config()); // the search page's early script (lib/search/boot-bundle.ts)
  log(
    `kbview: search index of ${stats.docs} articles: ${stats.files} files, ${(stats.bytes / 1e6).toFixed(1)} MB written ${stats.incremental ? `(updated: ${stats.incremental.tokenized} articles re-indexed, ${stats.incremental.written} files written) ` : ''}in ${path.relative(process.cwd(), path.resolve(outDir)) || outDir}/ ` +
      `(load ${(loadedMs / 1000).toFixed(1)} s, index ${(stats.ms / 1000).toFixed(1)} s)`,
  );
  return 0;
}

/**
 * What the search index is built from: the published file of each number (a stray
 * duplicate never reaches the index, lib/content/corpus.ts), each text read from the
 * parse cache when the index builder asks for it, so that no process holds every text
 * (~0.5 GB at 241k articles). The texts `corpus` holds (it parsed files) are dropped.
 * When the cache does not have every text, they are loaded as before. `close` when done.
 */
export async function searchSources(corpus: Corpus): Promise<{ sources: SearchSource[]; close: () => void }> {
  const published = publishedFiles(corpus);
  const cache = await TextCache.open(corpus.dir);
  if (cache && published.every((f) => cache.has(f.source))) {
    for (const file of corpus.files) file.text = '';
    return {
      // Reading a text is the search index builder's step per article (tokenizing, then the result chunks), in loops that
      // hold the event loop for minutes: the heap guard's check runs there (lib/content/heap-guard.ts; nothing without a guard).
      sources: published.map((f) => ({
        article: f.article,
        text: () => {
          checkHeap();
          return cache.text(f.source);
        },
        // Where a worker thread of the index builder reads it (lib/search/build-worker.ts).
        textAt: cache.locate(f.source) ?? undefined,
        key: textKey(corpus.dir, f),
      })),
      close: () => cache.close(),
    };
  }
  cache?.close();
  const files = corpus.stats.parsed > 0 ? corpus.files : (await loadCorpus(corpus.dir, { withText: true })).files;
  return { sources: publishedFiles(corpus, files).map((f) => ({ article: f.article, text: f.text, key: textKey(corpus.dir, f) })), close: () => {} };
}
