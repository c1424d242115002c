/**
 * Step three of `kb build`: writes every article page and every
 * not-in-archive page into the export, from the two template pages Next.js
 * rendered (lib/article-template.ts explains why and how).
 *
 * The main thread loads the parsed metadata (cache), builds the archive-wide
 * indexes once and computes each page's context (backlinks, related,
 * previous/next, listing links); worker threads render the articles (their
 * bodies from the body cache the build's parse filled, ./body-cache.tsx) and
 * write the pages, each with its Content-Security-Policy. In a new export the
 * workers start on the first chunk of pages while the main thread makes the
 * rest (a JobFeed, lib/worker-pool.ts), so that neither core waits.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { compileTemplate, PAYLOAD_SCRIPT_DIR, TEMPLATE_BUCKET, TEMPLATE_IDS, type CompiledTemplate } from '../article-template';
import { config } from '../config';
import { articleContextOf, adjacentOf, EMPTY_CONTEXT, type ArticleContext } from '../content/article-page';
import { buildBrowseIndex, type BrowseIndex } from '../content/browse-index';
import { checkHeap } from '../content/heap-guard';
import type { Corpus } from '../content/corpus';
import type { Article, Diagnostic } from '../markdown/schema';
import { bodyCacheFor, type BodyCache } from './body-cache';
import { buildLinkGraph, type ArticleSummary, type LinkGraph, type MissingArticle } from '../content/graph';
import { buildArticleIndexes, termsOf, type ArticleIndexes } from '../content/related';
import type { SourcesMode } from '../content/sources';
import { JobFeed, runInWorkers } from '../worker-pool';
import { linkFile, pageDigest } from './incremental';
import { tidyPage } from './static-keys';

export type PageJob =
  | { kind: 'article'; article: Article; mtimeMs: number; size: number; context: ArticleContext }
  | { kind: 'missing'; missing: MissingArticle; previous: ArticleSummary | null; next: ArticleSummary | null };

/** `file`: the article's source (or the missing article's id); a warning when the page fell back to plain text. */
export type PageResult =
  | {
      ok: true;
      file: string;
      warning?: string;
      /** Bytes written. */ bytes: number;
      /** Bytes of the file replaced, -1 when there was none. */ replaced: number;
    }
  | { ok: false; file: string; error: string };

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
   * and `previous`, the previous site and what was recorded of its pages (`PagesRecord`). A page whose inputs
   * are unchanged is that site's file (`linked`: outDir is a hard-link copy of it already; else it is linked
   * in); pages of the previous site that are not pages any more are removed from a linked copy.
   */
  incremental?: { shared: string; previousDir: string | null; previous: PagesRecord | null; linked: boolean };
  /** The archive-wide indexes of this corpus, when made already (`archiveIndexes`); else they are made here. */
  archive?: ArchiveIndexes;
}

/** What every page reads of the whole archive: the link graph (backlinks, missing articles), related articles, listings. */
export interface ArchiveIndexes {
  graph: LinkGraph;
  indexes: ArticleIndexes;
  browse: BrowseIndex;
}

/** The archive-wide indexes of `corpus` (~3 s at 60k articles, in this thread). */
export function archiveIndexes(corpus: Corpus): ArchiveIndexes {
  const graph = buildLinkGraph(corpus.articles);
  return { graph, indexes: buildArticleIndexes(corpus.articles, graph.summaries), browse: buildBrowseIndex(corpus.articles, graph.summaries) };
}

/**
 * What the page writer records about the pages of a site, for the next incremental build: each page's input
 * digest and dependencies (the articles whose data its job holds: the article itself, the articles citing it,
 * its related articles and neighbours; for a not-in-archive page, the articles citing it and its neighbours),
 * and, for each article, digests of what other pages and the archive-wide indexes read of it.
 */
export interface PagesRecord {
  /** Digest of what every page shares (code, configuration, templates, sources mode). */
  shared: string;
  /** Permalink → digest of the page's inputs (`pageDigest`) and the ids of the articles its job read. */
  pages: Record<string, { digest: string; deps: string[] }>;
  /** Article id → its digests (`articleDigests`) and the terms the related-article index holds for it. */
  articles: Record<string, ArticleRecord>;
}

export interface ArticleRecord {
  /**
   * The file the article was read from and its version (mtime and size, the parse cache's key): while it and
   * what every page shares (the code) are unchanged, so is the article, and the next build takes this record
   * as it is instead of digesting the article again.
   */
  file: string;
  /** Everything of the article its own page reads: its metadata and file version (the body). */
  own: string;
  /** What the archive-wide indexes (link graph, related articles, listing links) read of it, but its title. */
  structure: string;
  /** What other pages show of it: its summary (id, number, title, permalink, product, date) and the titles it gives cited articles. */
  summary: string;
  /** Its terms in the related-article index (lib/content/related.ts `termsOf`: title words and tags). */
  terms: string[];
}

export interface ArticlePagesResult {
  articles: number;
  missing: number;
  /** The numbers of the cited missing articles (their not-in-archive pages). */
  missingNumbers: number[];
  /** Pages shown as plain text (warnings) or left out (errors), one diagnostic each; the other pages are written. */
  diagnostics: Diagnostic[];
  /** Pages left out. */
  failed: number;
  /** Pages taken from the previous site unchanged (incremental build). */
  reused: number;
  /** Pages whose inputs were computed and digested (all of them, unless the recorded dependencies spared some). */
  digested: number;
  /** The record of this site's pages (every page written or reused without a diagnostic), for the next build. */
  record: PagesRecord;
  /** What the pages written and removed changed in the site's file count and bytes. */
  delta: { files: number; bytes: number };
  /** The files written or removed (relative to outDir, `/` separated; lib/build/incremental.ts `SiteRecord.changed`). */
  changed: string[];
  /** The templates' HTML (to be kept for a build that skips Next). */
  templateHtml: { article: string; missing: string };
  /** The archive's listings, as the pages' listing links read them (the listing pages are written from it: ./listing-pages.tsx). */
  browse: BrowseIndex;
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
  const html = { article: tidyPage(read(TEMPLATE_IDS.article)), missing: tidyPage(read(TEMPLATE_IDS.missing)) };
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

/** `ArticleRecord.file`: the article's file and the version it was read in. */
export function fileVersionOf(article: Article, version: { mtimeMs: number; size: number } | undefined): string {
  return JSON.stringify([article.source, version?.mtimeMs ?? 0, version?.size ?? -1]);
}

/** Digests of what the pages read of one article (`ArticleRecord`). */
export function articleRecordOf(article: Article, version: { mtimeMs: number; size: number } | undefined, summary: ArticleSummary | undefined): ArticleRecord {
  const digest = (value: unknown) => createHash('sha256').update(JSON.stringify(value)).digest('base64').slice(0, 22);
  const { title: _title, referenceTitles: _titles, ...rest } = article;
  let terms: string[];
  try {
    terms = termsOf(article);
  } catch {
    terms = [];
  }
  return {
    file: fileVersionOf(article, version),
    own: digest([article, version?.mtimeMs ?? 0, version?.size ?? -1]),
    // Everything but the title (which other pages read through the summary, and the related index through the
    // terms) and the titles it gives the articles it cites (not-in-archive pages show them; they depend on it).
    structure: digest(rest),
    summary: digest([summary ?? null, article.referenceTitles]),
    terms,
  };
}

/**
 * The pages whose inputs may have changed since `previous` was recorded, from the recorded dependencies; or null
 * when they cannot tell (every page's inputs are then computed): a change of what every page shares, of the
 * set of articles, or of anything but an article's title and body (its references, product, tags, date…: the
 * link graph, the related articles' scores and the listing links of any page may change).
 *
 * Otherwise a page's job can change only through an article it read (its recorded dependencies) or through the
 * related-article index: a title edit changes the terms of its article, and so the scores of every article that
 * carries one of the terms added or removed. So the pages to compute are: each changed article's own page; the
 * pages that read a changed article whose summary changed; the pages of the articles carrying a changed term.
 */
export function pagesToCompute(
  previous: PagesRecord | null,
  shared: string,
  articles: ReadonlyMap<string, ArticleRecord>,
  permalinkOfId: ReadonlyMap<string, string>,
): Set<string> | null {
  if (!previous || previous.shared !== shared) return null;
  const before = previous.articles;
  if (Object.keys(before).length !== articles.size) return null;
  const changed: string[] = [];
  for (const [id, now] of articles) {
    if (!Object.hasOwn(before, id)) return null;
    const was = before[id]!;
    if (was.structure !== now.structure) return null;
    if (was.own !== now.own || was.summary !== now.summary) changed.push(id);
  }
  const dirty = new Set<string>();
  if (changed.length === 0) return dirty;
  const summaryChanged = new Set<string>();
  const terms = new Set<string>();
  for (const id of changed) {
    dirty.add(permalinkOfId.get(id)!);
    const was = before[id]!;
    const now = articles.get(id)!;
    if (was.summary !== now.summary) summaryChanged.add(id);
    const old = new Set(was.terms);
    const added = new Set(now.terms);
    for (const t of old) if (!added.has(t)) terms.add(t);
    for (const t of added) if (!old.has(t)) terms.add(t);
  }
  if (summaryChanged.size > 0) {
    for (const [permalink, page] of Object.entries(previous.pages)) if (page.deps.some((id) => summaryChanged.has(id))) dirty.add(permalink);
  }
  if (terms.size > 0) {
    for (const [id, record] of articles) if (record.terms.some((t) => terms.has(t))) dirty.add(permalinkOfId.get(id)!);
  }
  return dirty;
}

/** The ids of the articles whose data a page job holds (its recorded dependencies). */
export function jobDependencies(job: PageJob): string[] {
  const ids = new Set<string>();
  const add = (summary: ArticleSummary | null) => {
    if (summary) ids.add(summary.id);
  };
  if (job.kind === 'article') {
    ids.add(job.article.id);
    for (const s of job.context.citedBy) add(s);
    for (const s of job.context.related) add(s);
    add(job.context.previous);
    add(job.context.next);
  } else {
    for (const s of job.missing.citedBy) add(s);
    add(job.previous);
    add(job.next);
  }
  return [...ids];
}

/** Pages a worker takes at a time. */
const PAGE_CHUNK = 100;

/** At most this many pages of an incremental build are written in the build's own thread (no worker started). */
export const IN_PROCESS_PAGES = 50;

let renderer: Promise<typeof import('./article-pages-render')> | null = null;

/** Loads the page renderer into this thread (once; `kb build` starts it early, while it waits for prepare). */
export function preloadRenderer(): Promise<typeof import('./article-pages-render')> {
  renderer ??= import(import.meta.url.endsWith('.ts') ? './article-pages-render.tsx' : './article-pages-render.js') as Promise<
    typeof import('./article-pages-render')
  >;
  return renderer;
}

export async function writeArticlePages(corpus: Corpus, options: ArticlePagesOptions): Promise<ArticlePagesResult> {
  const started = performance.now();
  const contentDir = corpus.dir;
  const outDir = path.resolve(options.outDir);
  const templateHtml = options.templates ?? takeTemplateHtml(outDir);
  const templates = { article: compileTemplate('article', templateHtml.article), missing: compileTemplate('missing', templateHtml.missing) };
  // A hard-link copy of the previous site has them already (same templates: same scripts).
  if (!options.incremental?.linked) writePayloadScripts(outDir, Object.values(templates));

  const diagnostics: Diagnostic[] = [];
  const incremental = options.incremental;
  // What every page shares (code, configuration, templates, sources mode), and the record of the pages written.
  const shared = createHash('sha256')
    .update(JSON.stringify([incremental?.shared ?? '', templateHtml, config().basePath, options.sources]))
    .digest('hex');
  const record: PagesRecord = {
    shared,
    pages: Object.create(null) as PagesRecord['pages'],
    articles: Object.create(null) as PagesRecord['articles'],
  };

  // The pages to write. A new export (not a copy of the previous site) sends them to the workers as they are
  // made: the contexts and digests of 60k pages take this thread ~20 s, which the workers' rendering overlaps.
  const streaming = !incremental?.linked;
  // Its workers are started at once: they load their modules (React, the components) while this thread builds the
  // archive-wide indexes below, instead of after (~3 s at 60k articles).
  const feed = new JobFeed<PageJob>({ startWorkers: streaming });
  const todo = feed.jobs;
  const pending = new Map<string, { permalink: string; digest: string; deps: string[] }>();
  // With the not-in-archive pages once the link graph is built (below).
  let pageCount = corpus.articles.length;
  let considered = 0;
  const delta = { files: 0, bytes: 0 };
  let failed = 0;
  let done = 0;
  // The workers see the same configuration (runInWorkers gives them configEnv(config())): lib/site.ts's base path too.
  const { basePath, cacheDir } = config();
  const setup: WorkerSetup = { contentDir, outDir, basePath, bodies: bodyCacheFor(contentDir, cacheDir, basePath), templates };
  const onResults = (results: PageResult[]) => {
    for (const result of results) {
      if (!result.ok) {
        failed++;
        diagnostics.push({ severity: 'error', kind: 'page-failed', message: result.error, file: result.file });
        continue;
      }
      delta.files += result.replaced < 0 ? 1 : 0;
      delta.bytes += result.bytes - Math.max(0, result.replaced);
      if (result.warning) {
        diagnostics.push({ severity: 'warning', kind: 'page-plain-text', message: result.warning, file: result.file });
      } else {
        const page = pending.get(result.file);
        if (page !== undefined) record.pages[page.permalink] = { digest: page.digest, deps: page.deps };
      }
    }
    done += results.length;
    // While pages are still being made, the total is at most what is made plus what is left to consider.
    options.onProgress?.(done, feed.ended ? todo.length : todo.length + pageCount - considered);
  };
  const pool = (jobs: PageJob[] | JobFeed<PageJob>, workers: number) =>
    runInWorkers<PageJob, PageResult>({
      module: new URL(import.meta.url.endsWith('.ts') ? './article-pages-worker.tsx' : './article-pages-worker.js', import.meta.url),
      workerData: setup,
      workers,
      jobs,
      chunk: PAGE_CHUNK,
      label: jobLabel,
      onTimeout: (job, ms) => ({
        ok: false,
        file: jobLabel(job),
        error: `the page took longer than ${ms / 1000} s (KB_FILE_TIMEOUT); the worker was stopped and the page skipped`,
      }),
      onResults,
    });
  // A feed starts no worker before a chunk of pages is made (none for a title edit that changes no page).
  const streamed = streaming ? pool(feed, options.workers ?? availableParallelism()) : null;
  // Its failure (a crashed worker) is thrown when the pages are all made (below).
  streamed?.catch(() => {});
  try {
    const { graph, indexes, browse } = options.archive ?? archiveIndexes(corpus);
    pageCount += graph.missing.length;
    const site = { graph, indexes, browse, sources: options.sources };
    const versions = new Map(corpus.files.map((file) => [file.source, file]));
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

    // What each page reads of each article, and the pages whose inputs may have changed (pagesToCompute).
    const previous = incremental?.previousDir ? incremental.previous : null;
    // An article read from the same file version, by the same code, is the same article: its record is the
    // previous one (digesting 60k articles again takes seconds).
    const recorded = previous && previous.shared === shared ? previous.articles : null;
    const articleRecords = new Map<string, ArticleRecord>();
    const permalinkOfId = new Map<string, string>();
    corpus.articles.forEach((article, i) => {
      const version = versions.get(article.source);
      const before = recorded && Object.hasOwn(recorded, article.id) ? recorded[article.id]! : null;
      articleRecords.set(
        article.id,
        before && before.file === fileVersionOf(article, version) ? before : articleRecordOf(article, version, graph.summaries[i]),
      );
      permalinkOfId.set(article.id, article.permalink);
    });
    const dirty = pagesToCompute(previous, shared, articleRecords, permalinkOfId);

    for (const [id, a] of articleRecords) record.articles[id] = a;
    const pageFile = (dir: string, permalink: string) => path.join(dir, ...permalink.split('/').filter(Boolean), 'index.html');
    /** The previous site's page at `permalink`, kept (linked in unless the site is a linked copy already). */
    const keep = (permalink: string): boolean =>
      incremental?.linked ? existsSync(pageFile(outDir, permalink)) : linkFile(pageFile(incremental!.previousDir!, permalink), pageFile(outDir, permalink));
    let reused = 0;
    let digested = 0;
    const consider = (permalink: string, job: () => PageJob, readAlso: readonly string[] = []): void => {
      // A synchronous loop over every page (its context, digest and dependencies): the heap guard's check runs here.
      checkHeap();
      considered++;
      // Not among the pages to compute: the recorded page is this build's page.
      if (dirty && previous && !dirty.has(permalink) && Object.hasOwn(previous.pages, permalink) && keep(permalink)) {
        record.pages[permalink] = previous.pages[permalink]!;
        reused++;
        return;
      }
      const made = job();
      const digest = pageDigest(shared, made);
      const deps = readAlso.length > 0 ? [...new Set([...jobDependencies(made), ...readAlso])] : jobDependencies(made);
      digested++;
      if (previous && Object.hasOwn(previous.pages, permalink) && previous.pages[permalink]!.digest === digest && keep(permalink)) {
        record.pages[permalink] = { digest, deps };
        reused++;
        return;
      }
      // Recorded once the page is written without a diagnostic (below).
      pending.set(jobLabel(made), { permalink, digest, deps });
      feed.push(made);
    };
    let turn = 0;
    // A turn of the event loop now and then while pages are streamed: the pool sends the chunks made meanwhile.
    const breathe = async () => {
      if (streaming && ++turn % 200 === 0) await nextTurn();
    };
    for (const article of corpus.articles) {
      await breathe();
      consider(article.permalink, () => {
        const version = versions.get(article.source);
        return { kind: 'article', article, mtimeMs: version?.mtimeMs ?? 0, size: version?.size ?? -1, context: contextOf(article) };
      });
    }
    // A not-in-archive page shows the titles the articles citing it give it: all of them, also those of articles
    // whose citation of it is over their limit (lib/content/graph.ts), which its job does not hold.
    const titledBy = new Map<string, string[]>();
    for (const article of corpus.articles) {
      for (const { id } of article.referenceTitles) {
        const list = titledBy.get(id);
        if (list) list.push(article.id);
        else titledBy.set(id, [article.id]);
      }
    }
    for (const missing of graph.missing) {
      await breathe();
      consider(missing.permalink, () => ({ kind: 'missing', missing, ...adjacentOf(site.indexes, missing.id) }), titledBy.get(missing.id));
    }

    feed.end();
    const changed: string[] = [];
    const pagePath = (permalink: string) => [...permalink.split('/').filter(Boolean), 'index.html'].join('/');
    // A linked copy keeps the pages of the previous site: those that are no page any more are removed.
    if (incremental?.linked && previous) {
      const current = new Set(corpus.articles.map((a) => a.permalink));
      for (const missing of graph.missing) current.add(missing.permalink);
      for (const permalink of Object.keys(previous.pages)) {
        if (current.has(permalink)) continue;
        const file = pageFile(outDir, permalink);
        const size = statSync(file, { throwIfNoEntry: false })?.size;
        if (size === undefined) continue;
        rmSync(file, { force: true });
        changed.push(pagePath(permalink));
        delta.files--;
        delta.bytes -= size;
      }
    }

    // Every page sent to be written (a page that fails may have been written or not: listed all the same).
    for (const job of todo) changed.push(pagePath(job.kind === 'article' ? job.article.permalink : job.missing.permalink));
    // A few pages of a copy of the previous site (a body or title edit): written here, which takes less than
    // starting a worker (its module graph: React and the components). A full build's pages go to workers, which
    // stop a page that takes too long (KB_FILE_TIMEOUT) and survive one that crashes.
    if (todo.length > 0 && incremental?.linked && todo.length <= IN_PROCESS_PAGES) {
      const render = (await preloadRenderer()).pageRenderer(setup);
      onResults(todo.map((job) => render(job)));
    }
    // A new export's pages went to the workers as they were made: their end.
    else if (streamed) await streamed;
    // No page to write (a body edit of an article whose page failed, say): no worker is started. No more workers
    // than chunks of pages: a body edit's one page starts one worker, not one per core.
    else if (todo.length > 0) await pool(todo, Math.max(1, Math.min(options.workers ?? availableParallelism(), Math.ceil(todo.length / PAGE_CHUNK))));
    return {
      articles: corpus.articles.length,
      missing: graph.missing.length,
      missingNumbers: graph.missing.map((m) => m.number),
      diagnostics,
      failed,
      reused,
      digested,
      record,
      delta,
      changed,
      templateHtml,
      browse: site.browse,
      ms: performance.now() - started,
    };
  } catch (error) {
    // The workers started at once (JobFeed `startWorkers`) wait for pages that will not come: stopped.
    feed.end();
    throw error;
  }
}
