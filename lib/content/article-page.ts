/**
 * What an article page shows besides the article itself, and its metadata:
 * computed from the archive-wide indexes, once for the Next.js route
 * (app/kb/[bucket]/[id]/page.tsx, through ./index.ts) and once for the page
 * writer of `kb build` (lib/build/article-pages.ts), so that the two agree.
 *
 * Pure: no fs, no Next.
 */
import type { Article } from '../markdown/schema';
import { displayTitle } from '../site';
import { resolveBrowseLinks, type BrowseIndex, type ResolvedBrowseLinks } from './browse-index';
import type { ArticleSummary, LinkGraph, MissingArticle } from './graph';
import { nearestTo, neighbours, relatedArticles, type ArticleIndexes } from './related';
import { sourceFilePath } from './sources';

/** Backlinks shown on the article page; the rest are on its `cited-by/` page. */
export const BACKLINKS_SHOWN = 50;

/** Related articles shown on an article page. */
export const RELATED_SHOWN = 5;

/** What the page shows around the article. */
export interface ArticleContext {
  /** Every article citing this one, in number order (only the first `BACKLINKS_SHOWN` are listed). */
  citedBy: readonly ArticleSummary[];
  related: readonly ArticleSummary[];
  previous: ArticleSummary | null;
  next: ArticleSummary | null;
  /** Root-relative path of the shipped source page (the Markdown, escaped in HTML), or null when sources are not shipped. */
  source: string | null;
  /** Listing links of the metadata panel (product, year, keywords); null shows them as text. */
  links: ResolvedBrowseLinks | null;
}

/** An article page without the archive around it (`next dev` before the archive has loaded). */
export const EMPTY_CONTEXT: ArticleContext = { citedBy: [], related: [], previous: null, next: null, source: null, links: null };

/** The archive-wide indexes a page's context is computed from (each built once per process). */
export interface PageIndexes {
  graph: LinkGraph;
  indexes: ArticleIndexes;
  browse: BrowseIndex;
  /** Whether article sources are shipped next to their pages (./sources.ts). */
  sources: 'files' | 'none';
}

export function articleContextOf(site: PageIndexes, article: Article): ArticleContext {
  const citedBy = site.graph.citedBy.get(article.id) ?? [];
  // Related articles leave out those the page already links: its references and listed backlinks.
  const exclude = new Set([...article.references, ...citedBy.slice(0, BACKLINKS_SHOWN).map((a) => a.id)]);
  const { previous, next } = adjacentOf(site.indexes, article.id);
  return {
    citedBy,
    related: relatedArticles(site.indexes, article.id, { limit: RELATED_SHOWN, exclude }),
    previous,
    next,
    source: site.sources === 'files' ? sourceFilePath(article) : null,
    links: resolveBrowseLinks(site.browse, article),
  };
}

/** The articles before and after `id` by number; for a number not in the archive, the nearest on each side. */
export function adjacentOf(indexes: ArticleIndexes, id: string): { previous: ArticleSummary | null; next: ArticleSummary | null } {
  return indexes.position.has(id) ? neighbours(indexes, id) : nearestTo(indexes, Number(id.slice(1)));
}

/** Title and description of an article page (the layout appends the site name to the title). */
export function articleMetadata(article: Pick<Article, 'id' | 'title' | 'product'>): { title: string; description: string } {
  return {
    title: `${article.id}: ${displayTitle(article.id, article.title)}`,
    description: article.product ? `${article.product} KnowledgeBase article ${article.id}.` : `KnowledgeBase article ${article.id}.`,
  };
}

/** Title of a not-in-archive page. */
export function missingTitle(missing: Pick<MissingArticle, 'id'>): string {
  return `${missing.id}: not in this archive`;
}
