/**
 * Where an archive's caches live (its cache folder, its parse cache) and the dev server's busy file. Light to import
 * (node:path, node:crypto, ../config): `npm run dev` finds them while Next starts, without loading the parser
 * (./corpus.ts, ~0.6 s of imports on 2 cores).
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import { config } from '../config';

/**
 * Present (holding a process id) while `npm run dev` builds the search index,
 * whose parse fills the parse cache: the dev server waits for it before it
 * loads the archive itself, instead of parsing the same files at the same time.
 */
export function devBusyFile(): string {
  return path.join(config().cacheDir, 'dev-search-building');
}

export function cacheFolder(dir: string, cacheDir: string): string {
  const hash = createHash('sha1').update(path.resolve(dir)).digest('hex').slice(0, 12);
  return path.join(cacheDir, hash);
}

/** The parse cache of the archive `dir` (its metadata, one line per file; `text.ndjson` and `listing.ndjson` beside it). */
export function parseCacheFile(dir: string, cacheDir: string): string {
  return path.join(cacheFolder(dir, cacheDir), 'parsed.ndjson');
}
