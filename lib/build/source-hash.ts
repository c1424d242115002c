/**
 * Adds the project's own source files to a hash: what a cache of derived
 * output (rendered bodies, the search index) depends on besides its input.
 */
import type { Hash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * The project's files a build is made from: every source Next compiles or the build runs, the dependencies'
 * lock, and `public/` (copied into the export). The one list: the incremental build's code digest
 * (lib/build/incremental.ts, without `public/`, which it hashes apart) and the tests' project copies
 * (test/helpers/site-build.ts, test/helpers/incremental-project.ts) read it.
 */
export const PROJECT_SOURCES = [
  'app',
  'components',
  'lib',
  'scripts',
  'public',
  'next.config.js',
  'package.json',
  'package-lock.json',
  'postcss.config.mjs',
  'tsconfig.json',
] as const;

/**
 * Each file, and every file under each folder (in name order), of `paths` (relative to the repository). A path that
 * does not exist is an error naming it: skipping it would let a renamed source folder silently drop out of the hash,
 * and the cache built on it would never be invalidated by that code again.
 */
export function hashSources(hash: Hash, paths: readonly string[]): Hash {
  const add = (rel: string): void => {
    let stat;
    try {
      stat = statSync(path.join(REPO_ROOT, rel));
    } catch (error) {
      throw new Error(`hashSources: cannot read ${rel} (under ${REPO_ROOT}): ${(error as Error).message}`, { cause: error });
    }
    if (stat.isDirectory()) {
      for (const entry of readdirSync(path.join(REPO_ROOT, rel)).sort()) add(`${rel}/${entry}`);
    } else {
      hash.update(`${rel}\0`).update(readFileSync(path.join(REPO_ROOT, rel)));
    }
  };
  for (const rel of paths) add(rel);
  return hash;
}
