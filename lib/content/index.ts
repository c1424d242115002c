/**
 * The content API the app's routes use. Server-only: it reads the content
 * directory (`KB_CONTENT_DIR`, default `content/`) through the cached loader.
 */
import 'server-only';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Root } from 'hast';
import { parseArticle, renderBody, permalinkOf, type Article } from '../markdown/index';
import { loadCorpus, resolveContentDir, type Corpus } from './corpus';
import { buildLinkGraph, type ArticleSummary, type LinkGraph, type MissingArticle } from './graph';
import { sourceFilePath, sourcesMode } from './sources';
import { buildArticleIndexes, nearestTo, neighbours, relatedArticles, type ArticleIndexes } from './related';

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

/** Loads (once per process) the content directory and its link graph. */
export function getSite(): Promise<Site> {
  site ??= (async () => {
    const corpus = await loadCorpus(resolveContentDir());
    const byId = new Map(corpus.articles.map((a) => [a.id, a]));
    loaded = { corpus, byId, graph: buildLinkGraph(corpus.articles) };
    return loaded;
  })();
  return site;
}

/**
 * The site once getSite() has resolved in this process, else null: for
 * synchronous components (inside `<Static>`) rendered by a page that awaited it.
 */
export function loadedSite(): Site | null {
  return loaded;
}

/** The base path the site is served under (`KB_BASE_PATH`), without trailing slash. */
export function basePath(): string {
  return (process.env['KB_BASE_PATH'] ?? '').replace(/\/+$/, '');
}

export async function listArticles(): Promise<ArticleSummary[]> {
  return (await getSite()).graph.summaries;
}

export async function getArticle(id: string): Promise<{ article: Article; body: Root } | null> {
  const { corpus, byId } = await getSite();
  const article = byId.get(id);
  if (!article) return null;
  const text = readFileSync(path.join(corpus.dir, article.source), 'utf8');
  const parsed = parseArticle(text, article.source);
  return { article, body: renderBody(parsed.body, { linkPrefix: basePath() }) };
}

export async function listMissing(): Promise<MissingArticle[]> {
  return (await getSite()).graph.missing;
}

export async function getMissing(id: string): Promise<MissingArticle | null> {
  return (await getSite()).graph.missingById.get(id) ?? null;
}

/** Articles that cite `id` (backlinks). */
export async function citedBy(id: string): Promise<ArticleSummary[]> {
  return (await getSite()).graph.citedBy.get(id) ?? [];
}

const indexesBySite = new WeakMap<Site, ArticleIndexes>();

/** Position, term and product indexes over the whole archive: built once per process (see ./related.ts). */
export async function getIndexes(): Promise<ArticleIndexes> {
  const site = await getSite();
  let indexes = indexesBySite.get(site);
  if (!indexes) {
    indexes = buildArticleIndexes(site.corpus.articles, site.graph.summaries);
    indexesBySite.set(site, indexes);
  }
  return indexes;
}

/** The articles before and after `id` by number; for a number not in the archive, the nearest on each side. */
export async function adjacentArticles(id: string): Promise<{ previous: ArticleSummary | null; next: ArticleSummary | null }> {
  const indexes = await getIndexes();
  return indexes.position.has(id) ? neighbours(indexes, id) : nearestTo(indexes, Number(id.slice(1)));
}

/** A few articles sharing product and keywords with `id`, leaving out `exclude` (already linked ones). */
export async function relatedTo(id: string, options: { limit?: number; exclude?: ReadonlySet<string> } = {}): Promise<ArticleSummary[]> {
  return relatedArticles(await getIndexes(), id, options);
}

/** Root-relative path of an article's shipped source (`/kb/244/Q244717/Q244717.md`), or null when sources are not shipped. */
export async function sourceHref(article: Article): Promise<string | null> {
  const { corpus } = await getSite();
  return sourcesMode(corpus.articles.length) === 'files' ? sourceFilePath(article) : null;
}
