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
import { compileTemplate, PAYLOAD_SCRIPT_DIR, TEMPLATE_BUCKET, TEMPLATE_IDS, type CompiledTemplate } from '../../lib/article-template';
import { basePathFromEnv } from '../../lib/base-path';
import { articleContextOf, adjacentOf, type ArticleContext } from '../../lib/content/article-page';
import { buildBrowseIndex } from '../../lib/content/browse-index';
import type { Corpus } from '../../lib/content/corpus';
import type { Article } from '../../lib/markdown/schema';
import { bodyCacheFor, type BodyCache } from './body-cache';
import { buildLinkGraph, type ArticleSummary, type MissingArticle } from '../../lib/content/graph';
import { buildArticleIndexes } from '../../lib/content/related';
import type { SourcesMode } from '../../lib/content/sources';
import { runInWorkers } from '../../lib/worker-pool';
import { keepTemplate, keptTemplate, pageDigest, readPageDigests, writePageDigests } from './incremental';

export type PageJob =
  | { kind: 'article'; article: Article; mtimeMs: number; size: number; context: ArticleContext }
  | { kind: 'missing'; missing: MissingArticle; previous: ArticleSummary | null; next: ArticleSummary | null };

export type PageResult = { ok: true } | { ok: false; error: string };

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
  /**
   * Incremental build (./incremental.ts): the digest of the build's inputs, and whether out/ holds the
   * export of a previous build of the same inputs (Next was not run): then the templates are the kept
   * ones, and only pages whose inputs changed are written.
   */
  incremental?: { digest: string; reuseExport: boolean };
}

export interface ArticlePagesResult {
  articles: number;
  missing: number;
  /** Pages left as they were (incremental build: same inputs as when they were written). */
  unchanged: number;
  errors: string[];
  ms: number;
}

/** Reads the two template pages from the export, and removes them from it. */
export function takeTemplates(outDir: string, kept = false): { article: CompiledTemplate; missing: CompiledTemplate } {
  const dir = path.join(outDir, 'kb', TEMPLATE_BUCKET);
  const read = (id: string) => {
    const name = id === TEMPLATE_IDS.article ? 'article' : 'missing';
    if (kept) return keptTemplate(name) ?? '';
    const file = path.join(dir, id, 'index.html');
    if (!existsSync(file)) throw new Error(`kbview: the article template ${path.relative(process.cwd(), file)} was not exported (was next build run with KB_ARTICLE_PAGES=template?)`);
    const html = readFileSync(file, 'utf8');
    keepTemplate(name, html);
    return html;
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
  const templates = takeTemplates(outDir, options.incremental?.reuseExport ?? false);
  writePayloadScripts(outDir, Object.values(templates));

  const graph = buildLinkGraph(corpus.articles);
  const site = { graph, indexes: buildArticleIndexes(corpus.articles, graph.summaries), browse: buildBrowseIndex(corpus.articles, graph.summaries), sources: options.sources };
  const versions = new Map(corpus.files.map((file) => [file.source, file]));
  const jobs: PageJob[] = [
    ...corpus.articles.map((article): PageJob => {
      const { mtimeMs, size } = versions.get(article.source)!;
      return { kind: 'article', article, mtimeMs, size, context: articleContextOf(site, article) };
    }),
    ...graph.missing.map((missing): PageJob => ({ kind: 'missing', missing, ...adjacentOf(site.indexes, missing.id) })),
  ];

  // Incremental: a page is written when its inputs' digest differs from the one recorded when it was written.
  const shared = JSON.stringify([options.incremental?.digest ?? '', templates, basePathFromEnv(process.env['KB_BASE_PATH']), options.sources]);
  const previous = options.incremental?.reuseExport ? readPageDigests() : new Map<string, string>();
  const digests = new Map<string, string>();
  const todo = jobs.filter((job) => {
    const permalink = job.kind === 'article' ? job.article.permalink : job.missing.permalink;
    const digest = pageDigest(shared, job);
    digests.set(permalink, digest);
    return previous.get(permalink) !== digest || !existsSync(path.join(outDir, ...permalink.split('/').filter(Boolean), 'index.html'));
  });

  const errors: string[] = [];
  let done = 0;
  // The workers' lib/site.ts prefixes links with KB_BASE_PATH as next.config.ts normalizes it.
  const basePath = basePathFromEnv(process.env['KB_BASE_PATH']);
  process.env['KB_BASE_PATH'] = basePath;
  const setup: WorkerSetup = { contentDir, outDir, basePath, bodies: bodyCacheFor(contentDir, path.resolve('.cache/kbview'), basePath), templates };
  await runInWorkers<PageJob, PageResult>({
    module: new URL(import.meta.url.endsWith('.ts') ? './article-pages-worker.tsx' : './article-pages-worker.js', import.meta.url),
    workerData: setup,
    workers: options.workers ?? availableParallelism(),
    jobs: todo,
    chunk: 100,
    onResults: (results) => {
      for (const result of results) if (!result.ok) errors.push(result.error);
      done += results.length;
      options.onProgress?.(done, todo.length);
    },
  });
  // A page that failed has no digest recorded: none is, and the next build writes them all.
  if (options.incremental && errors.length === 0) writePageDigests(digests);
  return { articles: corpus.articles.length, missing: graph.missing.length, unchanged: jobs.length - todo.length, errors, ms: performance.now() - started };
}
