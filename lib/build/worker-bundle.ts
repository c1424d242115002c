/**
 * Worker modules as plain JavaScript, for `kb build` and `kb prepare`.
 *
 * A `.ts` worker module run through tsx (lib/worker-pool.ts) loads every module of its graph through tsx's
 * hooks: a loader thread of its own per worker and a look-up in tsx's disk cache per module, 1-3 s of CPU per
 * worker; a 60k build starts ~9 workers (BENCHMARKS.md "Session 19"). So the build has each worker module bundled
 * once by esbuild (the project's own sources; packages stay imports, which Node resolves from `node_modules/` as
 * before) into `node_modules/.cache/kbview-workers/`, and the worker runs that file with no loader.
 *
 * Each source in a bundle keeps its own `import.meta.url` (the file's URL is written in at bundling), so that code
 * that finds files beside its source (the search boot script's sources, the project root) works as under tsx.
 * A bundle is reused while every file it was made from is as it was (their digest, as lib/search/boot-bundle.ts
 * does); any failure to make or write one leaves the worker to tsx, as before.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build, version as esbuildVersion, type Plugin } from 'esbuild';
import { setWorkerModuleResolver } from '../worker-pool';
import { inputsDigest } from '../search/boot-bundle';
import { REPO_ROOT } from './source-hash';

/** Where the bundles go: beside the dependencies they import, so that Node finds those from there. */
export const WORKER_BUNDLE_DIR = path.join(REPO_ROOT, 'node_modules', '.cache', 'kbview-workers');

/** Each project source's `import.meta.url` written in as its own file's URL (a bundle's would be the bundle's). */
const ownImportMetaUrl: Plugin = {
  name: 'kbview-own-import-meta-url',
  setup(b) {
    b.onLoad({ filter: /\.(?:ts|tsx|mts)$/ }, (args) => {
      if (args.path.split(path.sep).includes('node_modules')) return undefined;
      const source = readFileSync(args.path, 'utf8');
      return {
        contents: source.replaceAll('import.meta.url', JSON.stringify(pathToFileURL(args.path).href)),
        loader: args.path.endsWith('.tsx') ? 'tsx' : 'ts',
      };
    });
  },
};

/** Bundles made in this process (a pool started twice uses the first one's). */
const made = new Map<string, Promise<URL | null>>();

/**
 * The bundle of a `.ts`/`.tsx` worker module (made, or reused when its sources are unchanged); null when it cannot
 * be made or written (the module then runs through tsx).
 */
export function bundledWorkerModule(module: URL): Promise<URL | null> {
  let bundle = made.get(module.href);
  if (bundle === undefined) {
    bundle = makeBundle(module).catch(() => null);
    made.set(module.href, bundle);
  }
  return bundle;
}

/** A module's bundle's path without its extension (`.mjs` the bundle, `.json` the note naming what it was made from). */
function bundleBase(source: string): string {
  const name = path.basename(source).replace(/\.(?:ts|tsx|mts)$/, '');
  const key = createHash('sha256')
    .update(JSON.stringify([esbuildVersion, source]))
    .digest('hex')
    .slice(0, 16);
  return path.join(WORKER_BUNDLE_DIR, `${name}-${key}`);
}

/**
 * The bundle of a `.ts`/`.tsx` module when one is at hand and current (every file it was made from unchanged), else
 * null; makes none (bundledWorkerModule does). Synchronous: for a process about to start (./prepare-process.ts).
 */
export function currentBundle(module: URL): URL | null {
  const base = bundleBase(fileURLToPath(module));
  return isCurrent(`${base}.json`) ? pathToFileURL(`${base}.mjs`) : null;
}

async function makeBundle(module: URL): Promise<URL | null> {
  const source = fileURLToPath(module);
  const base = bundleBase(source);
  if (isCurrent(`${base}.json`)) return pathToFileURL(`${base}.mjs`);
  const result = await build({
    entryPoints: [source],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    jsx: 'automatic',
    plugins: [ownImportMetaUrl],
    metafile: true,
    write: false,
    logLevel: 'silent',
  });
  const file = result.outputFiles?.[0];
  if (!file) return null;
  // The files it was made from, made absolute (esbuild names them relative to the working directory).
  const inputs = Object.keys(result.metafile.inputs).map((input) => path.resolve(input));
  mkdirSync(WORKER_BUNDLE_DIR, { recursive: true });
  // The bundle first, then the note that names its inputs: a note is never of a bundle not written yet. Each through a
  // file of this process's own, renamed (two builds may make the same bundle at once).
  const write = (target: string, data: string) => {
    const tmp = `${target}.${process.pid}.tmp`;
    writeFileSync(tmp, data);
    renameSync(tmp, target);
  };
  write(`${base}.mjs`, file.text);
  write(`${base}.json`, JSON.stringify({ inputs, digest: inputsDigest(inputs), bundle: createHash('sha256').update(file.text).digest('hex') }));
  return pathToFileURL(`${base}.mjs`);
}

/** Whether the note and its bundle are there, the bundle as written, and every file it was made from unchanged. */
function isCurrent(note: string): boolean {
  try {
    const { inputs, digest, bundle } = JSON.parse(readFileSync(note, 'utf8')) as { inputs?: unknown; digest?: unknown; bundle?: unknown };
    if (!Array.isArray(inputs) || inputs.length === 0 || !inputs.every((i) => typeof i === 'string')) return false;
    if (inputsDigest(inputs as string[]) !== digest) return false;
    return (
      createHash('sha256')
        .update(readFileSync(note.replace(/\.json$/, '.mjs')))
        .digest('hex') === bundle
    );
  } catch {
    return false;
  }
}

/** From now on, this process's pools run `.ts` worker modules from their bundles (lib/worker-pool.ts). */
export function runWorkersFromBundles(): void {
  setWorkerModuleResolver(bundledWorkerModule);
}
