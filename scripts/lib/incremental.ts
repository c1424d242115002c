/**
 * Incremental `kb build`: what a rebuild may skip, from dependencies the build records.
 *
 * 1. `next build` (then prune and CSP, which only touch Next's output). In template mode
 *    (lib/article-template.ts) Next renders the listings, home, search, sitemaps, cited-by
 *    pages and the two article templates; they read the code, the KB_/NEXT_ environment, the
 *    content directory's path and the published articles' metadata (getSite() →
 *    corpus.articles), never an article's body. `kb prepare` records the digest of exactly
 *    that (`nextInputDigest`) in `.cache/kbview/next-inputs`; when the export in out/ was made
 *    from the same digest by a build that finished, Next is not run again: a body edit that
 *    changes no metadata (no title, header field, heading or citation) skips it. The digest
 *    is also Next's build id (next.config.ts, KB_BUILD_ID), so that two builds from the same
 *    inputs write the same bytes. The templates Next rendered are kept in `.cache/kbview/`
 *    for the page writer of a build that skips Next.
 * 2. Article pages whose inputs did not change: each page's inputs (its job: article metadata,
 *    file version, backlinks, related, prev/next, listing links; the templates; the base path)
 *    are hashed, and the page is written only when its hash differs from the one recorded
 *    when it was last written into this out/ (pages.tsv). A `next build` empties out/, so then
 *    every page is written.
 * A build that fails leaves no record: the next one starts over.
 */
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Article } from '../../lib/markdown/schema';
import { hashSources } from './source-hash';

const STATE_DIR = path.join('.cache', 'kbview', 'incremental');
const NEXT_INPUTS = path.join('.cache', 'kbview', 'next-inputs');
/** What the project's code is: every source Next compiles or the build runs, and the public files Next copies. */
const CODE = ['app', 'components', 'lib', 'scripts', 'next.config.ts', 'package.json', 'package-lock.json', 'postcss.config.mjs', 'tsconfig.json'];

/** Digest of everything the pages Next renders depend on (see above). */
export function nextInputDigest(contentDir: string, articles: readonly Article[], env: NodeJS.ProcessEnv = process.env): string {
  const hash = createHash('sha256').update('kbview-next-inputs-1\0');
  hashSources(hash, CODE);
  const publicDir = path.resolve('public');
  // public/ is copied into the export, but for the search index, which `syncSearch` mirrors itself.
  if (existsSync(publicDir)) hashSources(hash, readdirSync(publicDir).filter((n) => n !== 'search').sort().map((n) => `public/${n}`));
  for (const key of Object.keys(env).sort()) {
    if (/^(KB_|NEXT_|NODE_ENV$)/.test(key) && key !== 'KB_PHASES_FILE' && key !== 'KB_BUILD_ID' && key !== 'KB_CONTENT_DIR') hash.update(`${key}=${env[key]}\0`);
  }
  hash.update(`${path.resolve(contentDir)}\0`);
  for (const article of articles) hash.update(JSON.stringify(article)).update('\n');
  return hash.digest('hex');
}

/** Called by `kb prepare` once the content is parsed. */
export function recordNextInputs(contentDir: string, articles: readonly Article[]): string {
  const digest = nextInputDigest(contentDir, articles);
  mkdirSync(path.dirname(NEXT_INPUTS), { recursive: true });
  writeFileSync(NEXT_INPUTS, `${digest}\n`);
  return digest;
}

export function readNextInputs(): string {
  return readFileSync(NEXT_INPUTS, 'utf8').trim();
}

/** The build id Next is given: the inputs' digest, shortened. */
export const buildIdOf = (digest: string): string => digest.slice(0, 24);

interface State {
  outDir: string;
  digest: string;
  /** The search index's stamp (scripts/build-search.ts) when out/search/ was last made equal to public/search/. */
  search: string;
}

const stateFile = () => path.join(STATE_DIR, 'state.json');
const pagesFile = () => path.join(STATE_DIR, 'pages.tsv');
const SEARCH_STAMP = path.join('.cache', 'kbview', 'search-index.source');
const searchStamp = (): string => (existsSync(SEARCH_STAMP) ? readFileSync(SEARCH_STAMP, 'utf8') : '');

function readState(): State | null {
  try {
    return JSON.parse(readFileSync(stateFile(), 'utf8')) as State;
  } catch {
    return null;
  }
}

/** Whether out/ holds Next's export of exactly these inputs (from a build that finished). */
export function nextExportCurrent(outDir: string, digest: string): boolean {
  if (process.env['KB_INCREMENTAL'] === '0' || process.env['KB_ARTICLE_PAGES'] === 'next') return false;
  const state = readState();
  return state !== null && state.outDir === path.resolve(outDir) && state.digest === digest && existsSync(path.join(outDir, 'index.html')) && keptTemplate('article') !== null && keptTemplate('missing') !== null;
}

/** Before anything is written into out/: the record of it no longer holds until the build finishes. */
export function forgetExport(): void {
  rmSync(stateFile(), { force: true });
}

/** After `next build` replaced out/: no page of the last build is there any more. */
export function forgetPages(): void {
  rmSync(pagesFile(), { force: true });
}

/** When Next is skipped: out/search/ made equal to public/search/ (which `next build` would copy) if the index changed. */
export function syncSearch(outDir: string): boolean {
  const state = readState();
  const stamp = searchStamp();
  if (state && state.search === stamp) return false;
  // out/search/ also holds the search page Next rendered (index.html); the index is JSON only.
  const target = path.join(outDir, 'search');
  if (existsSync(target)) for (const entry of readdirSync(target)) if (!entry.endsWith('.html')) rmSync(path.join(target, entry), { recursive: true, force: true });
  if (existsSync(path.join('public', 'search'))) cpSync(path.join('public', 'search'), target, { recursive: true });
  return true;
}

/** At the end of a build that finished. */
export function recordExport(outDir: string, digest: string): void {
  mkdirSync(STATE_DIR, { recursive: true });
  const state: State = { outDir: path.resolve(outDir), digest, search: searchStamp() };
  writeFileSync(stateFile(), JSON.stringify(state));
}

/** The two template pages Next rendered, kept for builds that skip Next. */
export function keepTemplate(name: string, html: string): void {
  mkdirSync(STATE_DIR, { recursive: true });
  writeFileSync(path.join(STATE_DIR, `template-${name}.html`), html);
}

export function keptTemplate(name: string): string | null {
  const file = path.join(STATE_DIR, `template-${name}.html`);
  return existsSync(file) ? readFileSync(file, 'utf8') : null;
}

/** permalink → digest of the inputs of the page written there (this out/). */
export function readPageDigests(): Map<string, string> {
  const pages = new Map<string, string>();
  let text = '';
  try {
    text = readFileSync(pagesFile(), 'utf8');
  } catch {
    return pages;
  }
  for (const line of text.split('\n')) {
    const tab = line.indexOf('\t');
    if (tab > 0) pages.set(line.slice(0, tab), line.slice(tab + 1));
  }
  return pages;
}

export function writePageDigests(pages: ReadonlyMap<string, string>): void {
  mkdirSync(STATE_DIR, { recursive: true });
  const lines: string[] = [];
  for (const [permalink, digest] of pages) lines.push(`${permalink}\t${digest}`);
  writeFileSync(pagesFile(), `${lines.join('\n')}\n`);
}

/** Digest of one page's inputs: its job (everything the worker renders it from) and what every page shares. */
export function pageDigest(shared: string, job: unknown): string {
  return createHash('sha1').update(shared).update('\0').update(JSON.stringify(job)).digest('hex');
}
