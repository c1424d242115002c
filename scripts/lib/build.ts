/**
 * `kb build`: parse the content once (cached), then let Next.js export the
 * site into out/, then drop the files the deployed site never requests.
 */
import { spawn } from 'node:child_process';
import { readdirSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { loadCorpus, type Corpus } from '../../lib/content/corpus';
import { copySources, sourcesMode } from '../../lib/content/sources';
import { progressReporter } from './progress';
import { applyCspToDir } from './csp';
import { buildSearchIndex } from '../../lib/search/build';
import { markSearchIndex, searchFingerprint, searchIndexCurrent } from '../build-search';
import { writeArticlePages } from './article-pages';
import { bodyCacheFor } from './body-cache';
import { basePathFromEnv } from '../../lib/base-path';
import { startPhases, timed } from './phases';
import { buildIdOf, forgetExport, forgetPages, nextExportCurrent, readNextInputs, recordExport, recordNextInputs, syncSearch } from './incremental';

export interface BuildOptions {
  contentDir: string;
  outDir?: string;
}

const require = createRequire(import.meta.url);

/**
 * Step one of `kb build`, run in a child process so that its memory (the whole
 * archive with its text, for the search index) is given back before Next.js
 * starts its export workers: parse (cached), report, build the search index.
 */
export async function prepareSite(contentDirInput: string): Promise<number> {
  const contentDir = path.resolve(contentDirInput);
  // Each body parsed now is rendered and cached for the page writer (./body-cache.tsx): one parse per build.
  const bodyCache = bodyCacheFor(contentDir, path.resolve('.cache/kbview'), basePathFromEnv(process.env['KB_BASE_PATH']));
  const bodyHook = { module: new URL(import.meta.url.endsWith('.ts') ? './body-cache.tsx' : './body-cache.js', import.meta.url).href, data: bodyCache };
  const corpus = await timed('parse', () => loadCorpus(contentDir, { bodyHook, onProgress: progressReporter('parse') }));
  const shown = corpus.diagnostics.slice(0, 200);
  for (const d of shown) console.error(printable(`${path.join(contentDir, d.file)}${d.line ? `:${d.line}` : ''}: ${d.severity}: ${d.message} [${d.kind}]`));
  if (corpus.diagnostics.length > shown.length) console.error(`… and ${corpus.diagnostics.length - shown.length} more diagnostics (run kb check for all)`);
  console.log(summaryOf(corpus));
  recordNextInputs(contentDir, corpus.articles);
  if (corpus.articles.length === 0) {
    console.error(`kbview: no article could be read in ${contentDir}; nothing to build (articles are Q<number>.md or Q<number>/README.md files)`);
    return 1;
  }
  // The search index goes to public/search/: `next build` copies it into the export and `next dev` serves it.
  // It is rebuilt when an article file (or the index builder) changed since it was built.
  if (process.env['KB_SKIP_SEARCH'] !== '1') {
    const fingerprint = searchFingerprint(corpus.files);
    if (searchIndexCurrent('public/search', contentDir, fingerprint)) {
      console.log('kbview: search index unchanged (no article file changed since it was built)');
    } else {
      // When anything was parsed, the loader has every text (it rewrote the cache); else load them from the cache.
      const files = corpus.stats.parsed > 0 ? corpus.files : (await timed('search texts', () => loadCorpus(contentDir, { withText: true }))).files;
      const search = timed('search index', () => buildSearchIndex(files, path.resolve('public/search')));
      markSearchIndex('public/search', contentDir, fingerprint);
      console.log(`kbview: search index of ${search.docs} articles: ${search.files} files, ${(search.bytes / 1e6).toFixed(1)} MB (${(search.ms / 1000).toFixed(1)} s)`);
    }
  }
  return 0;
}

function summaryOf(corpus: Corpus): string {
  const s = corpus.stats;
  return `kbview: ${s.files} files read, ${s.articles} articles to render, ${s.withWarnings} with warnings, ${s.withErrors} with errors, ${s.skipped} skipped`;
}

export async function buildSite(options: BuildOptions): Promise<number> {
  const contentDir = path.resolve(options.contentDir);
  const started = performance.now();
  const phases = startPhases();
  console.log(`kbview: building ${contentDir}`);
  const prepared = await run(process.execPath, [...process.execArgv, process.argv[1]!, 'prepare', contentDir], process.env, started, false);
  if (prepared !== 0) return prepared;

  const nextBin = require.resolve('next/dist/bin/next');
  // Next renders every page but the articles', whose two templates it renders instead (lib/article-template.ts);
  // KB_ARTICLE_PAGES=next has Next render every article page itself (slower; the tests compare the two).
  const articlePages = process.env['KB_ARTICLE_PAGES'] === 'next' ? 'next' : 'template';
  const outDir = path.resolve(options.outDir ?? 'out');
  // Incremental (./incremental.ts): Next's pages depend on code, environment and metadata only, whose digest
  // `prepare` recorded; it is also Next's build id, so that the same inputs give the same bytes.
  const digest = readNextInputs();
  const reuseExport = nextExportCurrent(outDir, digest);
  forgetExport();
  if (reuseExport) {
    const synced = syncSearch(outDir);
    console.log(`kbview: next build skipped: code, configuration and article metadata are those of the export in out/${synced ? ' (search index copied)' : ''}`);
  } else {
    const code = await timed('next build', () => run(process.execPath, [nextBin, 'build'], { ...process.env, KB_CONTENT_DIR: contentDir, KB_ARTICLE_PAGES: articlePages, KB_BUILD_ID: buildIdOf(digest), NEXT_TELEMETRY_DISABLED: '1' }, started));
    if (code !== 0) {
      console.error(`kbview: next build failed with exit code ${code}`);
      return code;
    }
    forgetPages();
    const pruneStarted = performance.now();
    const removed = timed('prune', () => pruneExport(outDir));
    console.log(`kbview: removed ${removed} RSC payload files the static site never requests (${((performance.now() - pruneStarted) / 1000).toFixed(1)} s)`);
    // Every page gets a Content-Security-Policy allowing only its own inline scripts (scripts/lib/csp.ts);
    // the article pages written next get theirs as they are written.
    const csp = timed('csp', () => applyCspToDir(outDir));
    console.log(`kbview: Content-Security-Policy added to ${csp.pages} pages (${(csp.ms / 1000).toFixed(1)} s)`);
  }

  // The parse cache is warm now: this reads metadata only.
  const corpus = await timed('metadata', () => loadCorpus(contentDir));
  const summary = summaryOf(corpus);
  // Whether each article's source is shipped as "Original text" (lib/content/sources.ts):
  // resolved once, so that the pages and the copied files agree.
  const sources = sourcesMode(corpus.articles.length);
  let errors: readonly string[] = [];
  if (articlePages === 'template') {
    const pages = await timed('page writer', () => writeArticlePages(corpus, { outDir, sources, onProgress: progressReporter('article pages'), incremental: { digest, reuseExport } }));
    errors = pages.errors;
    for (const error of errors.slice(0, 200)) console.error(printable(`kbview: error: ${error}`));
    if (errors.length > 200) console.error(`kbview: … and ${errors.length - 200} more page errors`);
    console.log(`kbview: wrote ${pages.articles} article pages and ${pages.missing} not-in-archive pages${pages.unchanged ? ` (${pages.unchanged} unchanged, left as they were)` : ''} (${(pages.ms / 1000).toFixed(1)} s)`);
  }
  if (sources === 'files') {
    const copied = timed('sources', () => copySources(contentDir, corpus.articles, outDir));
    console.log(`kbview: KB_SOURCES=files: copied ${copied.files} article sources (${(copied.bytes / 1e6).toFixed(1)} MB) next to their pages`);
  } else {
    console.log('kbview: KB_SOURCES=none: article sources not shipped (see lib/content/sources.ts)');
  }
  const files = countFiles(outDir);
  phases.finish();
  if (errors.length === 0) recordExport(outDir, digest);
  console.log(`${summary}; ${corpus.articles.length - errors.length} articles rendered; ${files.count} files, ${(files.bytes / 1e6).toFixed(1)} MB in ${path.relative(process.cwd(), outDir) || outDir}/ (${((performance.now() - started) / 1000).toFixed(1)} s)`);
  // Every other page is written; a page that could not be is an error of the build.
  return errors.length > 0 ? 1 : 0;
}

/** File names and messages come from the input: control characters are shown escaped, never sent to the terminal. */
export function printable(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/** Runs a step; Next's output gets each line prefixed with the seconds since the build started. */
function run(command: string, args: string[], env: NodeJS.ProcessEnv, started: number, stampLines = true): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: stampLines ? ['ignore', 'pipe', 'pipe'] : 'inherit', env });
    child.on('close', (code) => resolve(code ?? 1));
    if (!stampLines) return;
    const stamp = (stream: NodeJS.WriteStream) => {
      let rest = '';
      return (chunk: Buffer) => {
        const lines = (rest + chunk.toString()).split('\n');
        rest = lines.pop() ?? '';
        for (const line of lines) stream.write(`[${((performance.now() - started) / 1000).toFixed(0).padStart(4)}s] ${line}\n`);
      };
    };
    child.stdout!.on('data', stamp(process.stdout));
    child.stderr!.on('data', stamp(process.stderr));
  });
}

/**
 * Pages link with plain `<a>`, so the browser never asks for the RSC payloads
 * (`*.txt` next to each page, `__next.*.txt` segments): remove them.
 */
export function pruneExport(outDir: string): number {
  let removed = 0;
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        if (entry.name === '_next') continue;
        walk(full);
      } else if (entry.name.endsWith('.txt') && entry.name !== 'robots.txt') {
        rmSync(full);
        removed++;
      }
    }
  };
  walk(outDir);
  return removed;
}

export function countFiles(dir: string): { count: number; bytes: number } {
  let count = 0;
  let bytes = 0;
  const walk = (d: string): void => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const full = path.join(d, entry.name);
      if (entry.isDirectory()) walk(full);
      else {
        count++;
        bytes += statSync(full).size;
      }
    }
  };
  walk(dir);
  return { count, bytes };
}
