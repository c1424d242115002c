/**
 * Step three of `kb build`: writes every article page and every
 * not-in-archive page into the export, from the two template pages Next.js
 * rendered (lib/article-template.ts explains why and how).
 *
 * The main thread loads the parsed metadata (cache), builds the archive-wide
 * indexes once and computes each page's context (backlinks, related,
 * previous/next, listing links); worker threads render the articles (their
 * bodies from the body cache the build's parse filled, ./body-cache.tsx) and
 * write the pages, each with its Content-Security-Policy.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { compileTemplate, PAYLOAD_SCRIPT_DIR, TEMPLATE_BUCKET, TEMPLATE_IDS, type CompiledTemplate } from '../article-template';
import { config } from '../config';
import { articleContextOf, adjacentOf, EMPTY_CONTEXT, type ArticleContext } from '../content/article-page';
import { buildBrowseIndex } from '../content/browse-index';
import type { Corpus } from '../content/corpus';
import type { Article, Diagnostic } from '../markdown/schema';
import { bodyCacheFor, type BodyCache } from './body-cache';
import { buildLinkGraph, type ArticleSummary, type MissingArticle } from '../content/graph';
import { buildArticleIndexes } from '../content/related';
import type { SourcesMode } from '../content/sources';
import { runInWorkers } from '../worker-pool';
import { linkFile, pageDigest } from './incremental';
import { stablePage } from './static-keys';

export type PageJob =
  | { kind: 'article'; article: Article; mtimeMs: number; size: number; context: ArticleContext }
  | { kind: 'missing'; missing: MissingArticle; previous: ArticleSummary | null; next: ArticleSummary | null };

/** `file`: the article's source (or the missing article's id); a warning when the page fell back to plain text. */
export type PageResult = { ok: true; file: string; warning?: string } | { ok: false; file: string; error: string };

export interface WorkerSetup {
  contentDir: string;
  outDir: string;
  basePath: string;
  bodies: BodyCache;
  templates: { article: CompiledTemplate; missing: CompiledTemplate };
}

export interface ArticlePagesOptions {
  outDir: string;
  sources: SourcesMode;
  workers?: number;
  onProgress?: (done: number, total: number) => void;
  /** The two template pages' HTML when Next was not run (incremental build, ./incremental.ts); else they are taken from the export. */
  templates?: { article: string; missing: string };
  /**
   * Incremental build (./incremental.ts): `shared`, the digest of the code and configuration; `previousDir`
   * and `pages`, the previous site and the digest of each page's inputs there. A page whose digest is
   * unchanged is that site's file (`linked`: outDir is a hard-link copy of it already; else it is linked in);
   * pages of the previous site that are not pages any more are removed from a linked copy.
   */
  incremental?: { shared: string; previousDir: string | null; pages: Readonly<Record<string, string>>; linked: boolean };
}

export interface ArticlePagesResult {
  articles: number;
  missing: number;
  /** Pages shown as plain text (warnings) or left out (errors), one diagnostic each; the other pages are written. */
  diagnostics: Diagnostic[];
  /** Pages left out. */
  failed: number;
  /** Pages taken from the previous site unchanged (incremental build). */
  reused: number;
  /** Permalink → digest of the page's inputs, for every page written or reused without a diagnostic. */
  pages: Record<string, string>;
  /** The templates' HTML (to be kept for a build that skips Next). */
  templateHtml: { article: string; missing: string };
  ms: number;
}

/** The file a page job stands for: the article's source, or the missing article's id. */
export function jobLabel(job: PageJob): string {
  return job.kind === 'article' ? job.article.source : job.missing.id;
}

/** Reads the two template pages' HTML from the export, and removes them from it. */
export function takeTemplateHtml(outDir: string): { article: string; missing: string } {
  const dir = path.join(outDir, 'kb', TEMPLATE_BUCKET);
  const read = (id: string) => {
    const file = path.join(dir, id, 'index.html');
    if (!existsSync(file))
      throw new Error(
        `kbview: the article template ${path.relative(process.cwd(), file)} was not exported (was next build run with KB_ARTICLE_PAGES=template?)`,
      );
    return readFileSync(file, 'utf8');
  };
  // Stable keys and payload chunks (./static-keys.ts): the same inputs give the same templates, hence the same pages.
  const html = { article: stablePage(read(TEMPLATE_IDS.article)), missing: stablePage(read(TEMPLATE_IDS.missing)) };
  rmSync(dir, { recursive: true, force: true });
  return html;
}

/** Reads the two template pages from the export, and removes them from it. */
export function takeTemplates(outDir: string): { article: CompiledTemplate; missing: CompiledTemplate } {
  const html = takeTemplateHtml(outDir);
  return { article: compileTemplate('article', html.article), missing: compileTemplate('missing', html.missing) };
}

/** The templates' payload scripts (lib/article-template.ts), under out/_next/static/kbview/. */
export function writePayloadScripts(outDir: string, templates: CompiledTemplate[]): void {
  const dir = path.join(outDir, ...PAYLOAD_SCRIPT_DIR.split('/'));
  mkdirSync(dir, { recursive: true });
  for (const { script } of templates) writeFileSync(path.join(dir, script.name), script.source);
}

export async function writeArticlePages(corpus: Corpus, options: ArticlePagesOptions): Promise<ArticlePagesResult> {
  const started = performance.now();
  const contentDir = corpus.dir;
  const outDir = path.resolve(options.outDir);
  const templateHtml = options.templates ?? takeTemplateHtml(outDir);
  const templates = { article: compileTemplate('article', templateHtml.article), missing: compileTemplate('missing', templateHtml.missing) };
  // A hard-link copy of the previous site has them already (same templates: same scripts).
  if (!options.incremental?.linked) writePayloadScripts(outDir, Object.values(templates));

  const graph = buildLinkGraph(corpus.articles);
  const site = {
    graph,
    indexes: buildArticleIndexes(corpus.articles, graph.summaries),
    browse: buildBrowseIndex(corpus.articles, graph.summaries),
    sources: options.sources,
  };
  const versions = new Map(corpus.files.map((file) => [file.source, file]));
  const diagnostics: Diagnostic[] = [];
  // One article's context (backlinks, related, listing links) that cannot be computed leaves that page without it.
  const contextOf = (article: Article): ArticleContext => {
    try {
      return articleContextOf(site, article);
    } catch (error) {
      diagnostics.push({
        severity: 'warning',
        kind: 'page-context',
        message: `backlinks, related articles and listing links left out (${error instanceof Error ? error.message : String(error)})`,
        file: article.source,
      });
      return EMPTY_CONTEXT;
    }
  };
  const jobs: PageJob[] = [];
  for (const article of corpus.articles) {
    const version = versions.get(article.source);
    jobs.push({ kind: 'article', article, mtimeMs: version?.mtimeMs ?? 0, size: version?.size ?? -1, context: contextOf(article) });
  }
  for (const missing of graph.missing) jobs.push({ kind: 'missing', missing, ...adjacentOf(site.indexes, missing.id) });

  // Incremental: a page whose inputs' digest is the one recorded for the previous site's page is that page.
  const incremental = options.incremental;
  const shared = JSON.stringify([incremental?.shared ?? '', templateHtml, config().basePath, options.sources]);
  const pages: Record<string, string> = Object.create(null) as Record<string, string>;
  const permalinkOf = new Map<string, string>();
  const digestOf = new Map<string, string>();
  const pageFile = (dir: string, permalink: string) => path.join(dir, ...permalink.split('/').filter(Boolean), 'index.html');
  let reused = 0;
  const todo = jobs.filter((job) => {
    const permalink = job.kind === 'article' ? job.article.permalink : job.missing.permalink;
    const digest = pageDigest(shared, job);
    permalinkOf.set(jobLabel(job), permalink);
    if (incremental && Object.hasOwn(incremental.pages, permalink) && incremental.pages[permalink] === digest && incremental.previousDir) {
      const kept = incremental.linked
        ? existsSync(pageFile(outDir, permalink))
        : linkFile(pageFile(incremental.previousDir, permalink), pageFile(outDir, permalink));
      if (kept) {
        pages[permalink] = digest;
        reused++;
        return false;
      }
    }
    // Recorded once the page is written without a diagnostic (below).
    digestOf.set(jobLabel(job), digest);
    return true;
  });
  // A linked copy keeps the pages of the previous site: those that are no page any more are removed.
  if (incremental?.linked) {
    const current = new Set(jobs.map((job) => (job.kind === 'article' ? job.article.permalink : job.missing.permalink)));
    for (const permalink of Object.keys(incremental.pages)) if (!current.has(permalink)) rmSync(pageFile(outDir, permalink), { force: true });
  }

  let failed = 0;
  let done = 0;
  // The workers see the same configuration (runInWorkers gives them configEnv(config())): lib/site.ts's base path too.
  const { basePath, cacheDir } = config();
  const setup: WorkerSetup = { contentDir, outDir, basePath, bodies: bodyCacheFor(contentDir, cacheDir, basePath), templates };
  await runInWorkers<PageJob, PageResult>({
    module: new URL(import.meta.url.endsWith('.ts') ? './article-pages-worker.tsx' : './article-pages-worker.js', import.meta.url),
    workerData: setup,
    workers: options.workers ?? availableParallelism(),
    jobs: todo,
    chunk: 100,
    label: jobLabel,
    onTimeout: (job, ms) => ({
      ok: false,
      file: jobLabel(job),
      error: `the page took longer than ${ms / 1000} s (KB_FILE_TIMEOUT); the worker was stopped and the page skipped`,
    }),
    onResults: (results) => {
      for (const result of results) {
        if (!result.ok) {
          failed++;
          diagnostics.push({ severity: 'error', kind: 'page-failed', message: result.error, file: result.file });
        } else if (result.warning) {
          diagnostics.push({ severity: 'warning', kind: 'page-plain-text', message: result.warning, file: result.file });
        } else {
          const permalink = permalinkOf.get(result.file);
          const digest = digestOf.get(result.file);
          if (permalink !== undefined && digest !== undefined) pages[permalink] = digest;
        }
      }
      done += results.length;
      options.onProgress?.(done, todo.length);
    },
  });
  return { articles: corpus.articles.length, missing: graph.missing.length, diagnostics, failed, reused, pages, templateHtml, ms: performance.now() - started };
}
