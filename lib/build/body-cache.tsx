/** @jsxRuntime automatic */
// (The pragma: `kb check` may run from any folder, where tsx finds no tsconfig.json and would compile JSX for the classic runtime.)
/**
 * The rendered HTML of each article's body, cached beside the parse cache so
 * that a build parses each article once: the parse of `kb build`'s first step
 * (lib/content/corpus.ts, through its `bodyHook`) stores the body it has just
 * parsed, and the page writer (./article-pages.ts) reads it back; a rebuild
 * re-parses only changed files.
 *
 * One file per article under `.cache/kbview/<dir>/bodies-<code>/`, holding the
 * file's mtime and size on its first line (an entry for another version of
 * the file is a miss). `<code>` hashes what the HTML depends on besides the
 * file: the parser and renderer sources, the dependency lockfile and the base
 * path; a change to any of them starts a new folder (older ones are removed).
 */
import { createHash } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { threadId } from 'node:worker_threads';
import path from 'node:path';
import { renderToString } from 'react-dom/server';
import { ArticleBody } from '../../components/article/ArticleBody';
import { cacheFolder, CACHE_VERSION } from '../content/corpus';
import { renderBody, type ArticleBody as ParsedBody, type Diagnostic, type RenderOptions } from '../markdown/index';
import { hashSources } from './source-hash';
import { config } from '../config';

/** The sources the body HTML is made by (besides node_modules, covered by the lockfile). */
const CODE = [
  'lib/markdown',
  'lib/kb-links.ts',
  'lib/kb-number.ts',
  'lib/file-pages.ts',
  'lib/file-slug.ts',
  'components/article/ArticleBody.tsx',
  'components/article/BodyElements.tsx',
  'package-lock.json',
];

export interface BodyCache {
  dir: string;
  /** Link prefix of article links in bodies (the base path). */
  linkPrefix: string;
}

function hashCode(linkPrefix: string): string {
  return hashSources(createHash('sha256').update(`${CACHE_VERSION}\0${linkPrefix}\0`), CODE)
    .digest('hex')
    .slice(0, 12);
}

/** The body cache of a content directory (`cacheDir`: the loader's, `.cache/kbview`); removes outdated ones. */
export function bodyCacheFor(contentDir: string, cacheDir: string, linkPrefix: string): BodyCache {
  const parent = cacheFolder(contentDir, cacheDir);
  const name = `bodies-${hashCode(linkPrefix)}`;
  if (existsSync(parent)) {
    for (const entry of readdirSync(parent))
      if (entry.startsWith('bodies-') && entry !== name) rmSync(path.join(parent, entry), { recursive: true, force: true });
  }
  return { dir: path.join(parent, name), linkPrefix };
}

function entryFile(cache: BodyCache, source: string): string {
  const key = createHash('sha1').update(source).digest('hex');
  return path.join(cache.dir, key.slice(0, 2), `${key.slice(2)}.html`);
}

/**
 * The article body as the page shows it (`<div class="kb-body">…</div>`): the one render of a body that `kb build`'s
 * parse, the page writer and `kb check` share. `source` names the file (for `KB_TEST_ARTICLE_FAULT=render:<source>`).
 */
export function renderBodyHtml(body: ParsedBody, linkPrefix: string, onFallback?: RenderOptions['onFallback'], source?: string): string {
  const fault = config().testArticleFault;
  if (fault?.step === 'render' && source !== undefined && fault.source === source) throw new Error('test fault (KB_TEST_ARTICLE_FAULT)');
  return renderToString(<ArticleBody body={renderBody(body, { linkPrefix, ...(onFallback ? { onFallback } : {}) })} />);
}

export function storeBody(cache: BodyCache, source: string, mtimeMs: number, size: number, html: string): void {
  const file = entryFile(cache, source);
  // Written beside and renamed: a worker stopped mid-write (KB_FILE_TIMEOUT) never leaves half an entry.
  const tmp = `${file}.${process.pid}.${threadId}.tmp`;
  const entry = `${JSON.stringify({ source, mtimeMs, size })}\n${html}`;
  try {
    writeFileSync(tmp, entry);
  } catch (error) {
    // The entry's folder is made when first needed (a cold parse stores 60,000 bodies in 256 folders).
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(tmp, entry);
  }
  renameSync(tmp, file);
}

/** The cached body HTML of this version of the file, or null. */
export function cachedBody(cache: BodyCache, source: string, mtimeMs: number, size: number): string | null {
  let text: string;
  try {
    text = readFileSync(entryFile(cache, source), 'utf8');
  } catch {
    return null;
  }
  const newline = text.indexOf('\n');
  try {
    const key = JSON.parse(text.slice(0, newline)) as { source: string; mtimeMs: number; size: number };
    return key.source === source && key.mtimeMs === mtimeMs && key.size === size ? text.slice(newline + 1) : null;
  } catch {
    return null;
  }
}

/** Whether the cache holds the body of this version of the file (reads its first line only). */
export function hasCachedBody(cache: BodyCache, source: string, mtimeMs: number, size: number): boolean {
  let fd: number;
  try {
    fd = openSync(entryFile(cache, source), 'r');
  } catch {
    return false;
  }
  try {
    const buffer = Buffer.alloc(8192);
    const text = buffer.toString('utf8', 0, readSync(fd, buffer, 0, buffer.length, 0));
    const newline = text.indexOf('\n');
    if (newline < 0) return cachedBody(cache, source, mtimeMs, size) !== null;
    const key = JSON.parse(text.slice(0, newline)) as { source: string; mtimeMs: number; size: number };
    return key.source === source && key.mtimeMs === mtimeMs && key.size === size;
  } catch {
    return false;
  } finally {
    closeSync(fd);
  }
}

/**
 * The loader's body hook (lib/content/corpus.ts `LoadOptions.bodyHook`): called
 * in the parse workers with each freshly parsed body.
 */
export function onParsedBody(cache: BodyCache, source: string, mtimeMs: number, size: number, body: ParsedBody): Diagnostic[] {
  // The renderer's fallbacks become the article's diagnostics (the loader adds them to the parse's, and caches them).
  const diagnostics: Diagnostic[] = [];
  const html = renderBodyHtml(body, cache.linkPrefix, (kind, message) => diagnostics.push({ severity: 'warning', kind, message, file: source }), source);
  storeBody(cache, source, mtimeMs, size, html);
  return diagnostics;
}
