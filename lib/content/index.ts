/**
 * The content API the app's routes use. Server-only: it reads the content
 * directory (`KB_CONTENT_DIR`, default `content/`) through the cached loader.
 */
import 'server-only';
import { readFileSync } from 'node:fs';
import type { Root } from 'hast';
import { parseArticle, renderBody, permalinkOf, type Article } from '../markdown/index';
import { config } from '../config';
import { devBusyFile, loadCorpus, resolveContentDir, type Corpus } from './corpus';
import { devArticleLookup, devPathsFile, numbersNeedingArchive, writeNumbersNeedingArchive, type DevArticleLookup } from './dev-paths';
import { runStepsInSlices } from './slices';
import { idOfNumber } from '../kb-number';
import { readArticleText } from './parse-file';
import { buildLinkGraph, buildLinkGraphInSlices, type ArticleSummary, type LinkGraph, type MissingArticle } from './graph';
import { sourcesMode } from './sources';
import { buildArticleIndexes, buildArticleIndexesYielding, type ArticleIndexes } from './related';
import { buildBrowseIndex, buildBrowseIndexInSlices, type BrowseIndex } from './browse-index';
import { adjacentOf, articleContextOf, EMPTY_CONTEXT, type ArticleContext, type PageIndexes } from './article-page';
import { startHeapGuard } from './heap-guard';

export type { ArticleSummary, MissingArticle } from './graph';
export { permalinkOf as permalinkFor };
export { sourcesMode } from './sources';

export interface Site {
  corpus: Corpus;
  byId: Map<string, Article>;
  graph: LinkGraph;
}

let site: Promise<Site> | null = null;
let loaded: Site | null = null;

/**
 * The site loaded in this process, shared by every copy of this module: Next bundles it once for the
 * route handlers (sitemaps), once for the pages and once for the article route, and an export worker
 * that ran both a sitemap and a listing held the archive twice (728 MB live against 386 MB at 241k
 * articles, BENCHMARKS.md "s5-mem"). Builds only: in development a module reloaded after an edit loads
 * the archive with its new code.
 */
const SHARED_SITE = Symbol.for('kbview.content.site');
/** The least garbage an export worker's heap guard lets through between two full collections (bytes). */
const EXPORT_WORKER_SLACK = 128 * 1024 * 1024;
type SharedSite = { [SHARED_SITE]?: Promise<Site> };

/** Loads (once per process) the content directory and its link graph. */
export function getSite(): Promise<Site> {
  if (site) return site;
  if (DEV) return (site = loadSite());
  const shared = globalThis as SharedSite;
  site = (shared[SHARED_SITE] ??= loadSite()).then((s) => (loaded = s));
  return site;
}

function loadSite(): Promise<Site> {
  const loadStarted = performance.now();
  return (async () => {
    // `next build`'s export workers: garbage bounded (./heap-guard.ts), whatever the archive's size. Two of them run
    // beside Next's own process: at least 128 MiB of garbage between two full collections instead of the guard's
    // default 192 (at 241k articles each worker reached ~0.86 GiB with it, for a live heap of ~0.3 GiB).
    if (!DEV) startHeapGuard(EXPORT_WORKER_SLACK);
    // Under `kb build` Next renders listings and templates only: the listing index is all it reads (./listing.ts).
    // Under `kb build`, the files are those its `kb prepare` found (config `scanFile`): the archive is not walked again.
    const corpus = await loadCorpus(resolveContentDir(), { background: DEV, listing: listingOnly(), fromScan: DEV ? null : config().scanFile });
    const byId = new Map(corpus.articles.map((a) => [a.id, a]));
    // In development every step runs a slice at a time (./slices.ts): the server answers requests meanwhile.
    loaded = { corpus, byId, graph: DEV ? await buildLinkGraphInSlices(corpus.articles) : buildLinkGraph(corpus.articles) };
    // In development the indexes an article page needs are built right away, in the background, a slice at a
    // time: article pages leave out their archive-wide parts until then rather than wait for them inside their
    // render (`devPageIndexes`).
    if (DEV) {
      const site = loaded;
      setTimeout(() => {
        const built = pageIndexesOf(site);
        void built.then(() => {
          devPageIndexes = built;
          // Said once the pages have their archive-wide parts (bench/dev.ts waits for this line).
          const seconds = ((performance.now() - loadStarted) / 1000).toFixed(1);
          const gib = (process.memoryUsage().rss / 2 ** 30).toFixed(2);
          console.log(
            `kbview: archive loaded in ${seconds} s: ${corpus.articles.length} articles; backlinks, related articles and listings are served (RSS ${gib} GiB)`,
          );
          void keepNumbersNeedingArchive(site);
        });
      }, 0);
    }
    return loaded;
  })();
}

/**
 * Whether this process renders listings and article templates only (`kb build`'s `next build`:
 * lib/article-template.ts), so that the articles it loads carry only their listing fields.
 */
function listingOnly(): boolean {
  return !DEV && config().articlePages === 'template';
}

/** The base path the site is served under (`KB_BASE_PATH`), without trailing slash. */
export function basePath(): string {
  return config().basePath;
}

/**
 * The permalinks of every page of the article route (the archive's articles, then the missing ones
 * they cite). In development, none: `next dev` runs without `output: 'export'` (next.config.js), so
 * it needs no list, and with an empty one it does not hold requests to it either. A list made Next
 * turn each of 241,340 params into a route in a fresh worker for the first request and again after
 * every later one (22.7 s of a 29.4 s first request, BENCHMARKS.md "s5-mem"), and overflow its 5 MiB
 * cache of them from ~260,000 articles on. The route answers 404 for any other id itself, as the
 * export does (app/kb/[bucket]/[id]/page.tsx: an article or a missing one, in its bucket).
 */
export async function articleRoutePermalinks(): Promise<string[]> {
  if (DEV) return [];
  const { graph } = await getSite();
  return [...graph.summaries, ...graph.missing].map((a) => a.permalink);
}

/**
 * Whether the routes list no pages (`generateStaticParams` returns none): in development, where `next dev`
 * runs without `output: 'export'` (next.config.js) and would list them in a fresh worker that loads the
 * whole archive itself, for a route's first request and again later (at 241,340 articles: 91 s for
 * /products/, 42 s for /numbers/, BENCHMARKS.md "Session 7, branch s7-dev"). With an empty list Next holds
 * no request to the route; each route answers 404 itself for what the export has no page for.
 */
export function routesListNoPages(): boolean {
  return DEV;
}

export async function listArticles(): Promise<ArticleSummary[]> {
  return (await getSite()).graph.summaries;
}

/**
 * `next dev` serves an article before the whole archive is loaded (parsing a
 * 60k-article archive with a cold cache takes a minute): the article's file is
 * found by its number and parsed alone, and the archive-wide parts of the page
 * (backlinks, related, previous/next) are left out until the archive has
 * loaded in the background. Production builds always load everything first.
 */
const DEV = process.env.NODE_ENV === 'development';

let loadTimer: ReturnType<typeof setTimeout> | null = null;

/**
 * In development, starts loading the archive in the background a moment from
 * now: reading a 60k-article parse cache takes the main thread for seconds,
 * which the first page (served without it) should not wait for.
 */
function loadSoon(): void {
  if (site || loadTimer) return;
  scheduleLoad(3000);
}

/** Loads the archive in `delay` ms, or later while `npm run dev` is still building the search index. */
function scheduleLoad(delay: number): void {
  loadTimer = setTimeout(() => (searchBuildRunning() ? scheduleLoad(2000) : void getSite()), delay);
  loadTimer.unref?.();
}

/** Whether `npm run dev` is building the search index (and filling the parse cache) right now. */
function searchBuildRunning(): boolean {
  try {
    process.kill(Number(readFileSync(devBusyFile(), 'utf8')), 0);
    return true;
  } catch {
    return false;
  }
}

/** In development: the loaded site, or null while it loads (loading is started). Elsewhere: the site. */
async function siteUnlessLoading(): Promise<Site | null> {
  if (DEV && !loaded) {
    loadSoon();
    return null;
  }
  return getSite();
}

let articleLookup: DevArticleLookup | null = null;

/** In development: the numbers kept by the last dev server that loaded this archive (./dev-paths.ts), if still valid. */
let needingArchive: Set<number> | null | undefined;

/**
 * In development, before the archive has loaded: whether `id` surely has no page (neither an article
 * by name nor a number the last load found cited or misplaced), so that it is a 404 at once.
 */
function devSurelyAbsent(id: string): boolean {
  const number = Number(id.slice(1));
  if (!Number.isSafeInteger(number) || idOfNumber(number) !== id) return false;
  needingArchive ??= numbersNeedingArchive(resolveContentDir());
  return needingArchive !== null && !needingArchive.has(number) && devArticleFile(number) === undefined;
}

/** Keeps the numbers whose page needs the loaded archive for the next dev server (a slice at a time). */
async function keepNumbersNeedingArchive(site: Site): Promise<void> {
  const root = resolveContentDir();
  const steps = function* (): Generator<void, number[], void> {
    const numbers = site.graph.missing.map((m) => m.number);
    for (const article of site.corpus.articles) {
      if (devArticleFile(article.number) !== article.source) numbers.push(article.number);
      yield;
    }
    return numbers;
  };
  try {
    writeNumbersNeedingArchive(root, await runStepsInSlices(steps()));
  } catch {
    // Not kept (a read-only cache folder): the next dev server waits for its archive to answer those pages.
  }
}

/**
 * In development, before the archive has loaded: each article number's file, from names alone
 * (./scan.ts), as `npm run dev` listed them while Next started (./dev-paths.ts): one chunk of the
 * list is read per article looked up, not the whole list.
 */
function devArticleFile(number: number): string | undefined {
  const root = resolveContentDir();
  articleLookup ??= devArticleLookup(root, devPathsFile(root));
  return articleLookup.get(number);
}

export async function getArticle(id: string): Promise<{ article: Article; body: Root } | null> {
  if (DEV && !loaded) {
    loadSoon();
    if (devSurelyAbsent(id)) return null;
    const source = devArticleFile(Number(id.slice(1)));
    try {
      const page = source ? readAndRender(resolveContentDir(), source) : null;
      if (page?.article?.id === id) return { article: page.article, body: page.body };
    } catch {
      // Not where its name said (or unreadable): the loaded archive decides.
    }
  }
  const { corpus, byId } = await getSite();
  const article = byId.get(id);
  if (!article) return null;
  return { article, body: readAndRender(corpus.dir, article.source).body };
}

/** Reads one article file and renders its body (article links carry the base path). */
function readAndRender(dir: string, source: string): { article: Article | null; body: Root } {
  const parsed = parseArticle(readArticleText(dir, source), source);
  return { article: parsed.article, body: renderBody(parsed.body, { linkPrefix: basePath() }) };
}

export async function listMissing(): Promise<MissingArticle[]> {
  return (await getSite()).graph.missing;
}

export async function getMissing(id: string): Promise<MissingArticle | null> {
  if (DEV && !loaded && devSurelyAbsent(id)) return null;
  return (await getSite()).graph.missingById.get(id) ?? null;
}

/** Articles that cite `id` (backlinks). */
export async function citedBy(id: string): Promise<ArticleSummary[]> {
  return (await siteUnlessLoading())?.graph.citedBy.get(id) ?? [];
}

const indexesBySite = new WeakMap<Site, Promise<ArticleIndexes>>();

/**
 * Position, term and product indexes over the whole archive: built once per process (see ./related.ts);
 * in development a slice at a time, so that the dev server answers other requests meanwhile.
 */
export async function getIndexes(): Promise<ArticleIndexes> {
  const site = await getSite();
  let indexes = indexesBySite.get(site);
  if (!indexes) {
    // Related articles read fields the listing index leaves empty: a page that needs them is not a listing.
    if (listingOnly()) throw new Error('kbview: article indexes are not available while rendering templates (only listing fields are loaded)');
    indexes = DEV
      ? buildArticleIndexesYielding(site.corpus.articles, site.graph.summaries)
      : Promise.resolve(buildArticleIndexes(site.corpus.articles, site.graph.summaries));
    indexesBySite.set(site, indexes);
  }
  return indexes;
}

/** In development: an article page's indexes once the background load has built them all, else null. */
let devPageIndexes: Promise<PageIndexes> | null = null;

/** The articles before and after `id` by number; for a number not in the archive, the nearest on each side. */
export async function adjacentArticles(id: string): Promise<{ previous: ArticleSummary | null; next: ArticleSummary | null }> {
  if (DEV && !devPageIndexes) {
    loadSoon();
    return { previous: null, next: null };
  }
  return adjacentOf(await getIndexes(), id);
}

const browseBySite = new WeakMap<Site, Promise<BrowseIndex>>();

/** The browsing listings of a loaded site, built once per process (see ./browse.ts); in development a slice at a time. */
export function browseIndexOf(site: Site): Promise<BrowseIndex> {
  let index = browseBySite.get(site);
  if (!index) {
    index = DEV
      ? buildBrowseIndexInSlices(site.corpus.articles, site.graph.summaries)
      : Promise.resolve(buildBrowseIndex(site.corpus.articles, site.graph.summaries));
    browseBySite.set(site, index);
  }
  return index;
}

/** Every index an article page's context needs (./article-page.ts). */
export async function getPageIndexes(): Promise<PageIndexes> {
  return pageIndexesOf(await getSite());
}

async function pageIndexesOf(site: Site): Promise<PageIndexes> {
  const indexes = await getIndexes();
  return { graph: site.graph, indexes, browse: await browseIndexOf(site), sources: sourcesMode(site.corpus.articles.length) };
}

/**
 * Backlinks, related articles, previous/next, source link and listing links
 * of an article page; in development, empty until the archive has loaded and
 * its indexes are built (in the background: a page never waits for them).
 */
export async function articlePageContext(article: Article): Promise<ArticleContext> {
  if (DEV && !devPageIndexes) {
    loadSoon();
    return EMPTY_CONTEXT;
  }
  return articleContextOf(await (devPageIndexes ?? getPageIndexes()), article);
}
