/**
 * The browsing listings for the routes (server-only): built once per process
 * from getSite() and memoized, so that a listing page only slices arrays.
 */
import 'server-only';
import type { Article } from '../markdown/schema';
import { buildBrowseIndex, browseLinksOf, type ArticleBrowseLinks, type BrowseIndex } from './browse-index';
import { getSite, loadedSite, type Site } from './index';

export * from './browse-index';

const built = new WeakMap<Site, BrowseIndex>();

function indexOf(site: Site): BrowseIndex {
  let index = built.get(site);
  if (!index) {
    index = buildBrowseIndex(site.corpus.articles, site.graph.summaries);
    built.set(site, index);
  }
  return index;
}

/** Every listing of the archive (computed once per process). */
export async function getBrowse(): Promise<BrowseIndex> {
  return indexOf(await getSite());
}

/**
 * Links from an article's metadata (product, year, keywords) to their listings,
 * synchronously, for the metadata panel inside `<Static>`. Null until the page
 * has loaded the site (it has, by the time an article renders); the panel then
 * shows plain text.
 */
export function browseLinksFor(article: Pick<Article, 'product' | 'lastModified'>): ArticleBrowseLinks | null {
  const site = loadedSite();
  return site ? browseLinksOf(indexOf(site), article) : null;
}
