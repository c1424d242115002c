/**
 * Bundles the search page's early script (./boot.ts with the query engine, no
 * framework) into one file, `search/boot.js`, which the search page loads
 * `async` from its `<head>` (app/search/page.tsx). Written into public/search/
 * after the index by `kb build`'s first step and scripts/build-search.ts, so
 * that `next build` copies it into the export and `next dev` serves it. Node only.
 *
 * esbuild is the bundler tsx runs on (every kbview command runs under tsx).
 */
import { writeFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSync } from 'esbuild';
import { clientDefines, clientDefinesReading, type Config } from '../config';

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

function bundle(define: Record<string, string>): string {
  const dir = path.dirname(fileURLToPath(import.meta.url));
  const result = buildSync({
    stdin: { contents: "import { bootSearch } from './boot';\nbootSearch();\n", resolveDir: dir, loader: 'ts', sourcefile: 'search-boot.ts' },
    bundle: true,
    minify: true,
    format: 'iife',
    target: 'es2020',
    platform: 'browser',
    legalComments: 'none',
    define: { ...define, 'process.env.NODE_ENV': '"production"' },
    write: false,
    logLevel: 'silent',
  });
  const file = result.outputFiles[0];
  if (!file) throw new Error('search boot script: esbuild wrote nothing');
  // Inline in a page: the HTML parser must not end the element early (esbuild escapes `</script` already).
  if (/<\/script|<!--/i.test(file.text)) throw new Error('search boot script: its text cannot be inlined');
  return file.text;
}

/** Writes `boot.js` into an index directory (public/search/); false when there is no index there. */
export function writeSearchBoot(indexDir: string, c: Pick<Config, 'basePath'>): boolean {
  if (!existsSync(indexDir)) return false;
  writeFileSync(path.join(indexDir, SEARCH_BOOT_FILE), bundleSearchBoot(c));
  return true;
}
