/**
 * Bundles the search page's early script (./boot.ts with the query engine, no
 * framework) into one file, `search/boot.js`, which the search page loads
 * `async` from its `<head>` (app/search/page.tsx). Written into public/search/
 * after the index by `kb build`'s first step and scripts/build-search.ts, so
 * that `next build` copies it into the export and `next dev` serves it. Node only.
 *
 * esbuild is the bundler tsx runs on (every kbview command runs under tsx).
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSync, version as esbuildVersion } from 'esbuild';
import { clientDefines, clientDefinesReading, config, type Config } from '../config';

export const SEARCH_BOOT_FILE = 'boot.js';

/** The script's text for a configuration (its base path is inlined, as in Next's browser bundles). */
export function bundleSearchBoot(c: Pick<Config, 'basePath'>): string {
  return bundle({ ...clientDefines(c) });
}

/**
 * The same script as the exported search page carries it inline, in its `<head>` (lib/search/boot-hold.ts
 * `inlineSearchBoot`): the same text for every configuration, so that the site's one policy can allow it by
 * hash (lib/build/csp.ts); the base path is read from the element's `data-base` attribute as it runs.
 */
export const INLINE_BOOT_BASE_ATTRIBUTE = 'data-base';

let inlineText: string | null = null;

/** The inline script's text (bundled once per process). */
export function inlineSearchBootScript(): string {
  inlineText ??= bundle(clientDefinesReading('document.currentScript.dataset.base'));
  return inlineText;
}

const ENTRY = "import { bootSearch } from './boot';\nbootSearch();\n";

/**
 * The bundle for `define`: taken from the cache (`<cacheDir>/search-boot/`) when every file the cached one was
 * made from is as it was then, else made by esbuild (~0.3 s, in each process that needs it: `kb prepare`,
 * `kb build`, its page and export workers) and cached.
 */
function bundle(define: Record<string, string>): string {
  const key = createHash('sha256')
    .update(JSON.stringify([esbuildVersion, ENTRY, define]))
    .digest('hex')
    .slice(0, 24);
  const cacheFile = path.join(config().cacheDir, 'search-boot', `${key}.json`);
  const cached = readCachedBundle(cacheFile);
  if (cached !== null) return cached;
  const dir = path.dirname(fileURLToPath(import.meta.url));
  const result = buildSync({
    stdin: { contents: ENTRY, resolveDir: dir, loader: 'ts', sourcefile: 'search-boot.ts' },
    bundle: true,
    minify: true,
    format: 'iife',
    target: 'es2020',
    platform: 'browser',
    legalComments: 'none',
    define: { ...define, 'process.env.NODE_ENV': '"production"' },
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  const file = result.outputFiles[0];
  if (!file) throw new Error('search boot script: esbuild wrote nothing');
  // Inline in a page: the HTML parser must not end the element early (esbuild escapes `</script` already).
  if (/<\/script|<!--/i.test(file.text)) throw new Error('search boot script: its text cannot be inlined');
  // The files it was made from (the entry is not a file): paths relative to the working directory, made absolute.
  const inputs = Object.keys(result.metafile.inputs)
    .filter((input) => input !== 'search-boot.ts')
    .map((input) => path.resolve(input));
  try {
    mkdirSync(path.dirname(cacheFile), { recursive: true });
    const tmp = `${cacheFile}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify({ inputs, digest: inputsDigest(inputs), text: file.text }));
    renameSync(tmp, cacheFile);
  } catch {
    // Not cached (a read-only cache folder): bundled again next time.
  }
  return file.text;
}

/** The cached bundle in `file`, or null when there is none or a file it was made from changed (or is gone). */
function readCachedBundle(file: string): string | null {
  try {
    const cached = JSON.parse(readFileSync(file, 'utf8')) as { inputs?: unknown; digest?: unknown; text?: unknown };
    const { inputs, digest, text } = cached;
    if (!Array.isArray(inputs) || inputs.length === 0 || !inputs.every((i) => typeof i === 'string') || typeof text !== 'string') return null;
    return inputsDigest(inputs as string[]) === digest ? text : null;
  } catch {
    return null;
  }
}

/** Digest of the files' paths and contents (a file that cannot be read counts as gone); lib/build/worker-bundle.ts's too. */
export function inputsDigest(files: readonly string[]): string {
  const hash = createHash('sha256');
  for (const file of files) {
    hash.update(`${file}\0`);
    try {
      hash.update(readFileSync(file));
      hash.update('\0\0');
    } catch {
      hash.update('\0gone\0');
    }
  }
  return hash.digest('hex');
}

/** Writes `boot.js` into an index directory (public/search/); false when there is no index there. */
export function writeSearchBoot(indexDir: string, c: Pick<Config, 'basePath'>): boolean {
  if (!existsSync(indexDir)) return false;
  writeFileSync(path.join(indexDir, SEARCH_BOOT_FILE), bundleSearchBoot(c));
  return true;
}
