/**
 * The shared KB corpus (60,335 articles) for corpus tests.
 *
 * It lives as a tarball at `../shared/corpus/kbarchive-kb.tar.gz` beside the
 * repository (override: KB_CORPUS_TARBALL), is extracted once into
 * `.cache/corpus/kb` (override the extracted dir: KB_CORPUS_DIR), and may be
 * absent on other setups. Tests that need it skip with a visible reason:
 *
 *   import { corpusSkipReason, corpusDir } from './helpers/corpus';
 *   test('builds the whole corpus', { skip: corpusSkipReason() }, async () => {
 *     const dir = await corpusDir(); // .../.cache/corpus/kb
 *   });
 */
import { execFile } from 'node:child_process';
import { existsSync, linkSync, mkdirSync, rmSync } from 'node:fs';
import { scanContent } from '../../lib/content/scan';
import { mkdir, mkdtemp, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export function corpusTarball(): string {
  return process.env.KB_CORPUS_TARBALL || path.resolve(REPO_ROOT, '..', 'shared', 'corpus', 'kbarchive-kb.tar.gz');
}

/** Where the extracted `kb/` tree is (or will be). */
export function corpusExtractDir(): string {
  return process.env.KB_CORPUS_DIR || path.join(REPO_ROOT, '.cache', 'corpus', 'kb');
}

export function corpusAvailable(): boolean {
  return existsSync(corpusExtractDir()) || existsSync(corpusTarball());
}

/** `false` when the corpus is there, else a reason for `test(name, { skip })`. */
export function corpusSkipReason(): string | false {
  if (corpusAvailable()) return false;
  return `corpus not available: neither ${corpusExtractDir()} nor ${corpusTarball()} exists`;
}

let extracting: Promise<string> | undefined;

/**
 * The extracted corpus `kb/` directory, extracting the tarball first if needed
 * (about 6 s). Extraction goes to a temporary folder that is renamed into place,
 * so a present `.cache/corpus/kb` is always complete.
 */
export function corpusDir(): Promise<string> {
  extracting ??= (async () => {
    const target = corpusExtractDir();
    if (existsSync(target)) return target;
    const tarball = corpusTarball();
    if (!existsSync(tarball)) throw new Error(corpusSkipReason() || `corpus tarball missing: ${tarball}`);
    const parent = path.dirname(target);
    await mkdir(parent, { recursive: true });
    const tmp = await mkdtemp(path.join(parent, '.extract-'));
    try {
      await execFileAsync('tar', ['xzf', tarball, '-C', tmp], { maxBuffer: 64 * 1024 * 1024 });
      try {
        await rename(path.join(tmp, 'kb'), target);
      } catch (err) {
        // Another test process finished extracting first: use its copy.
        if (!existsSync(target)) throw err;
      }
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
    return target;
  })();
  return extracting;
}

/**
 * A deterministic subset of a content directory: every k-th article (by path),
 * hard-linked into `dir` in the same layout. Made anew when `dir` holds another count.
 */
export function corpusSubset(full: string, n: number, dir: string): string {
  const files = scanContent(full).files;
  const stride = files.length / n;
  const chosen = Array.from({ length: Math.min(n, files.length) }, (_, i) => files[Math.floor(i * stride)]!);
  if (existsSync(dir) && scanContent(dir).files.length === chosen.length) return dir;
  rmSync(dir, { recursive: true, force: true });
  for (const file of chosen) {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    linkSync(path.join(full, file), path.join(dir, file));
  }
  return dir;
}
