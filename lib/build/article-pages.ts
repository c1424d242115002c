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
}

export interface ArticlePagesResult {
  articles: number;
  missing: number;
  /** Pages shown as plain text (warnings) or left out (errors), one diagnostic each; the other pages are written. */
  diagnostics: Diagnostic[];
  /** Pages left out. */
  failed: number;
  ms: number;
}

/** The file a page job stands for: the article's source, or the missing article's id. */
export function jobLabel(job: PageJob): string {
  return job.kind === 'article' ? job.article.source : job.missing.id;
}

/** Reads the two template pages from the export, and removes them from it. */
export function takeTemplates(outDir: string): { article: CompiledTemplate; missing: CompiledTemplate } {
  const dir = path.join(outDir, 'kb', TEMPLATE_BUCKET);
  const read = (id: string) => {
    const file = path.join(dir, id, 'index.html');
    if (!existsSync(file))
      throw new Error(
        `kbview: the article template ${path.relative(process.cwd(), file)} was not exported (was next build run with KB_ARTICLE_PAGES=template?)`,
      );
    return readFileSync(file, 'utf8');
  };
  const templates = { article: compileTemplate('article', read(TEMPLATE_IDS.article)), missing: compileTemplate('missing', read(TEMPLATE_IDS.missing)) };
  rmSync(dir, { recursive: true, force: true });
  return templates;
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
  const templates = takeTemplates(outDir);
  writePayloadScripts(outDir, Object.values(templates));

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

  let failed = 0;
  let done = 0;
  // The workers see the same configuration (runInWorkers gives them configEnv(config())): lib/site.ts's base path too.
  const { basePath, cacheDir } = config();
  const setup: WorkerSetup = { contentDir, outDir, basePath, bodies: bodyCacheFor(contentDir, cacheDir, basePath), templates };
  await runInWorkers<PageJob, PageResult>({
    module: new URL(import.meta.url.endsWith('.ts') ? './article-pages-worker.tsx' : './article-pages-worker.js', import.meta.url),
    workerData: setup,
    workers: options.workers ?? availableParallelism(),
    jobs,
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
        }
      }
      done += results.length;
      options.onProgress?.(done, jobs.length);
    },
  });
  return { articles: corpus.articles.length, missing: graph.missing.length, diagnostics, failed, ms: performance.now() - started };
}
