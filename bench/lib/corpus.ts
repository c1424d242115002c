/**
 * The shared KB corpus (60,335 articles) for corpus tests.
 *
 * It lives as a tarball at `../shared/corpus/kbarchive-kb.tar.gz` beside the
 * repository (override: KB_CORPUS_TARBALL), is extracted once into
 * `.cache/corpus/kb` (override the extracted dir: KB_CORPUS_DIR), and may be
 * absent on other setups. Tests that need it skip with a visible reason, except
 * under CI (`CI=true`, ./ci.ts), where they run and fail naming what is missing:
 *
 *   import { corpusSkipReason, corpusDir } from '../bench/lib/corpus';
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
import { requireUnderCI, skipUnlessCI, underCI } from './ci';

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

function corpusMissing(): string {
  return `corpus not available: neither ${corpusExtractDir()} nor ${corpusTarball()} exists`;
}

/**
 * `false` when the corpus is there, else a reason for `test(name, { skip })`;
 * under CI always `false`: the test runs, and `corpusDir()` fails it.
 */
export function corpusSkipReason(): string | false {
  if (corpusAvailable()) return false;
  return skipUnlessCI(corpusMissing());
}

/** One extraction per place (KB_CORPUS_DIR and KB_CORPUS_TARBALL can change between tests). */
const extractions = new Map<string, Promise<string>>();

/**
 * The extracted corpus `kb/` directory, extracting the tarball first if needed
 * (about 6 s). Extraction goes to a temporary folder that is renamed into place,
 * so a present `.cache/corpus/kb` is always complete.
 */
export function corpusDir(): Promise<string> {
  const target = corpusExtractDir();
  const tarball = corpusTarball();
  const key = `${target}\0${tarball}`;
  const known = extractions.get(key);
  if (known) return known;
  const extracting = (async () => {
    if (existsSync(target)) return target;
    if (!existsSync(tarball)) {
      if (underCI()) requireUnderCI(corpusMissing());
      throw new Error(corpusMissing());
    }
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
  extractions.set(key, extracting);
  // A failure is not kept: the next call looks again.
  extracting.catch(() => extractions.delete(key));
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
