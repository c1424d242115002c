/**
 * One article's contribution to every listing, index and sitemap (home,
 * /products/, /keywords/, /years/, /numbers/, cited-by lists, sitemaps, the
 * link graph's summaries): computed once per article, inside a catch, so that
 * an article whose metadata trips any of it is reported at that article and
 * listed as plain text (its number, no title, no product, keyword or year),
 * and the build goes on.
 *
 * The values it gives are checked to be what the rows render (plain strings):
 * a listing renders only strings made here, so a row cannot throw later in a
 * React render, where no catch at the article is possible.
 */
import type { Article, Diagnostic } from '../markdown/index';
import { config } from '../config';
import { displayTitle, formatDate } from '../site';
import type { ArticleSummary } from './graph';
import { keywordsOf, productKey, yearOf } from './browse-index';

export interface ListingEntry {
  summary: ArticleSummary;
  /** Grouping keys (./browse-index.ts): product, lower-cased keywords, year. */
  product: string | null;
  keywords: string[];
  year: string | null;
}

/** Thrown by `listingEntry` for the article `KB_TEST_ARTICLE_FAULT=listing:<source>` names (tests only). */
export class TestFault extends Error {}

const isText = (value: unknown): value is string => typeof value === 'string';

function text(value: unknown, what: string): string {
  if (!isText(value)) throw new TypeError(`${what} is not text`);
  return value;
}

function optionalText(value: unknown, what: string): string | null {
  return value === null || value === undefined ? null : text(value, what);
}

/** The article's listing entry, or throws on metadata a listing could not show. */
export function listingEntry(article: Article): ListingEntry {
  const fault = config().testArticleFault;
  if (fault?.step === 'listing' && fault.source === article.source) throw new TestFault('test fault (KB_TEST_ARTICLE_FAULT)');
  const id = text(article.id, 'the id');
  const title = text(article.title, 'the title');
  const lastModified = optionalText(article.lastModified, 'the date');
  const summary: ArticleSummary = {
    id,
    number: article.number,
    title,
    permalink: text(article.permalink, 'the permalink'),
    product: optionalText(article.product, 'the product'),
    lastModified,
  };
  if (!Number.isSafeInteger(summary.number)) throw new TypeError('the number is not an integer');
  // What a row shows, computed here, inside the catch (components/browse/ArticleRows.tsx).
  text(displayTitle(id, title), 'the shown title');
  if (lastModified !== null) text(formatDate(lastModified).text, 'the shown date');
  const keywords = keywordsOf(article);
  for (const keyword of keywords) text(keyword, 'a keyword');
  return { summary, product: productKey(summary.product), keywords, year: yearOf(lastModified) };
}

/** The entry of an article whose metadata no listing could show: its number only, shown as plain text. */
export function plainEntry(article: Pick<Article, 'id' | 'number' | 'permalink'>): ListingEntry {
  return {
    summary: { id: article.id, number: article.number, title: article.id, permalink: article.permalink, product: null, lastModified: null },
    product: null,
    keywords: [],
    year: null,
  };
}

/**
 * `listingEntry`, caught: on failure the plain entry, and (when `diagnostics`
 * is given) an error naming the file. Deterministic, so every process that
 * lists the archive (`kb check`, `kb prepare`, `next build`, the page writer)
 * makes the same entry, and the diagnostic is reported once, by the first two.
 */
export function safeListingEntry(article: Article, diagnostics?: Diagnostic[]): ListingEntry {
  try {
    return listingEntry(article);
  } catch (error) {
    diagnostics?.push({
      severity: 'error',
      kind: 'listing-failed',
      message: `the article's metadata (front matter and header) could not be listed (${String((error as Error)?.message ?? error).slice(0, 120)}); it is listed by its number only, as plain text`,
      file: article.source,
      line: 1,
    });
    return plainEntry(article);
  }
}
