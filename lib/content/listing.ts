/**
 * The listing index: what `next build`'s export workers read instead of the
 * whole parse cache. Under `kb build` Next renders only the listings, home,
 * sitemaps, cited-by pages and two article templates (lib/article-template.ts);
 * none of them reads an article's sections, versions, file table, "applies to"
 * lines or search words, which are most of an `Article` (~1.15 KB of JSON each).
 * Each of the two export workers held the whole archive's metadata: 4.3 GiB for
 * the process tree at 241k articles (BENCHMARKS.md "Scale").
 *
 * `loadCorpus` writes `listing.ndjson` beside `parsed.ndjson` (same entries,
 * same per-file mtime and size, so it is fresh exactly when the parse cache is)
 * with each article cut down to `LISTING_FIELDS`; `loadCorpus(dir, { listing: true })`
 * reads it. The other fields of those articles are empty: only code that reads
 * the listing fields may use them (lib/content/index.ts loads it in template mode only).
 */
import type { Article } from '../markdown/schema';

/** The article fields the listings, link graph, sitemaps and cited-by pages read. */
export const LISTING_FIELDS = [
  'id',
  'number',
  'title',
  'permalink',
  'product',
  'lastModified',
  'keywords',
  'issueType',
  'solutionType',
  'references',
  'referenceTitles',
  'source',
] as const satisfies ReadonlyArray<keyof Article>;

export type ListingField = (typeof LISTING_FIELDS)[number];

/**
 * The empty value of every field a listing article leaves out: one frozen array for all of them, not ten new ones
 * per article (~32 bytes each: ~75 MB in each export worker at 241k articles). Frozen: a write throws.
 */
const NONE = Object.freeze([]) as readonly never[] as never[];

/** The listing fields of an article, and empty values for the others. */
export function listingArticle(article: Article): Article {
  return {
    id: article.id,
    number: article.number,
    title: article.title,
    permalink: article.permalink,
    product: article.product,
    lastModified: article.lastModified,
    keywords: article.keywords,
    issueType: article.issueType,
    solutionType: article.solutionType,
    references: article.references,
    referenceTitles: article.referenceTitles,
    source: article.source,
    versions: NONE,
    versionsRaw: '',
    operatingSystems: NONE,
    technology: NONE,
    hardware: NONE,
    queryWords: NONE,
    appliesTo: NONE,
    sections: NONE,
    fileAttributes: NONE,
  };
}
