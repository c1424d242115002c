/**
 * The static search index of a content directory (public/search/ by default):
 * built by `kb build` when its fingerprint changed, and by scripts/build-search.ts.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { config } from '../config';
import { CACHE_VERSION, loadCorpus, publishedFiles } from '../content/corpus';
import type { ParsedFile } from '../content/parse-file';
import { buildSearchIndex } from '../search/build';
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
 * What the index is made of: every article file's path, mtime and size, and
 * the index builder's own sources. `kb build` rebuilds the index only when
 * this changes.
 */
export function searchFingerprint(files: readonly ParsedFile[]): string {
  const hash = createHash('sha256').update(`${CACHE_VERSION}\0`);
  for (const file of files) hash.update(`${file.source}\0${file.mtimeMs}\0${file.size}\n`);
  return hashSources(hash, ['lib/search']).digest('hex');
}

/** Whether `outDir` holds the index of this content, as it is now. */
export function searchIndexCurrent(outDir: string, contentDir: string, fingerprint: string): boolean {
  return existsSync(stampFile()) && existsSync(outDir) && readFileSync(stampFile(), 'utf8') === `${stampOf(outDir, contentDir)}${fingerprint}\n`;
}
/** What the index in public/search/ was built from (its stamp), or '' when unknown: a copy of it in a site is current when the stamps agree. */
export function searchIndexStamp(): string {
  return existsSync(stampFile()) ? readFileSync(stampFile(), 'utf8') : '';
}
const stampFile = (): string => path.join(config().cacheDir, 'search-index.source');
const stampOf = (outDir: string, contentDir: string): string => `${path.resolve(outDir)}\n${path.resolve(contentDir)}\n`;

export async function buildSearch(contentDir: string, outDir = 'public/search', log: (line: string) => void = console.log, ifStale = false): Promise<number> {
  const source = path.resolve(contentDir);
  if (ifStale && existsSync(stampFile()) && existsSync(outDir) && readFileSync(stampFile(), 'utf8').startsWith(stampOf(outDir, contentDir))) {
    log(`kbview: search index in ${outDir}/ is from ${source}; keeping it (kb build or build-search without --if-stale rebuilds it)`);
    return 0;
  }
  const started = performance.now();
  const corpus = await loadCorpus(contentDir, { withText: true });
  const loadedMs = performance.now() - started;
  // Only the published file of each number (lib/content/corpus.ts): a stray duplicate never reaches the index.
  const stats = buildSearchIndex(publishedFiles(corpus), outDir, { log });
  markSearchIndex(outDir, contentDir);
  log(
    `kbview: search index of ${stats.docs} articles: ${stats.files} files, ${(stats.bytes / 1e6).toFixed(1)} MB in ${path.relative(process.cwd(), path.resolve(outDir)) || outDir}/ ` +
      `(load ${(loadedMs / 1000).toFixed(1)} s, index ${(stats.ms / 1000).toFixed(1)} s)`,
  );
  return 0;
}
