/**
 * The site's sitemap files (server-only): browsing pages in `pages-N.xml`,
 * articles in `articles-N.xml`. Pages of articles missing from the archive are
 * left out (they are `noindex`). Built once per process.
 */
import 'server-only';
import { absoluteUrl, siteRoot } from '../site-url';
import { splitSitemap, type SitemapUrl } from '../sitemap';
import { getBrowse, laterPages, LISTING_KINDS, listingPath, listingsOf, indexPath, rareKeywordsPath } from './browse';
import { listArticles } from './index';

export interface SitemapFile {
  name: string;
  urls: SitemapUrl[];
}

let files: Promise<SitemapFile[]> | null = null;

export function sitemapFiles(): Promise<SitemapFile[]> {
  files ??= (async () => {
    const [index, articles] = await Promise.all([getBrowse(), listArticles()]);
    const root = siteRoot();
    const at = (path: string, lastmod?: string | null): SitemapUrl => ({ loc: absoluteUrl(path, root), lastmod });
    const pages: SitemapUrl[] = [at('/')];
    for (const kind of LISTING_KINDS) {
      pages.push(at(indexPath(kind)));
      for (const listing of listingsOf(index, kind)) {
        pages.push(at(listingPath(kind, listing.slug)));
        for (const page of laterPages(listing.articles.length)) pages.push(at(listingPath(kind, listing.slug, Number(page))));
      }
    }
    if (index.rareKeywords.length > 0) {
      pages.push(at(rareKeywordsPath()));
      for (const page of laterPages(index.rareKeywords.length)) pages.push(at(rareKeywordsPath(Number(page))));
    }
    const articleUrls = articles.map((a) => at(a.permalink, a.lastModified));
    return [...splitSitemap('pages', pages), ...splitSitemap('articles', articleUrls)];
  })();
  return files;
}
