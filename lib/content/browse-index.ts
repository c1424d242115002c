/**
 * The browsing listings (by product, KB keyword, year and number range), built
 * once from the parsed articles. Pure: no fs, no Next; lib/content/browse.ts
 * memoizes it per process for the routes.
 *
 * Product and keyword values are untrusted text from the archive: their URL
 * segments are slugs (`[a-z0-9-]`, at most 60 characters), de-duplicated
 * deterministically (the most used value keeps the plain slug, the others get
 * `-2`, `-3`, …), never the raw value.
 */
import type { Article } from '../markdown/schema';
import { trimDashes } from '../markdown/text';
import type { ArticleSummary } from './graph';
import { safeListingEntry } from './listing-entry';
import { runSteps, runStepsInSlices } from './slices';

/** Entries on one listing page (the issue's limit). */
export const PAGE_SIZE = 200;

/**
 * A keyword gets its own listing when at least this many articles carry it;
 * rarer ones are listed, with their articles, on the rare-keyword index. It
 * grows with the archive, from 2 (a keyword used once never gets a page) to 10
 * at 60,000 articles, which keeps the full archive's listings to ~2,400 pages
 * (keywords used 2–9 times would add ~540 pages of a few rows each).
 */
export function minKeywordArticles(articles: number): number {
  return Math.min(10, Math.max(2, Math.round(articles / 6000)));
}

/** Articles on the home page's "recently modified" list. */
export const RECENT_COUNT = 20;

/** Width of a number range (`Q10000`–`Q10999`). */
export const RANGE_SIZE = 1000;

export type ListingKind = 'products' | 'keywords' | 'years' | 'numbers';

export const LISTING_KINDS: readonly ListingKind[] = ['products', 'keywords', 'years', 'numbers'];

export interface Listing {
  kind: ListingKind;
  /** URL segment: `/products/<slug>/`. */
  slug: string;
  /** What the listing is of, as shown: a product name, a keyword, `2001`, `Q10000–Q10999`. */
  label: string;
  /** In listing order: newest first (by number for number ranges). */
  articles: ArticleSummary[];
}

export interface RareKeyword {
  keyword: string;
  /** Fragment id of its entry on the rare-keyword index (unique there). */
  anchor: string;
  articles: ArticleSummary[];
}

export interface BrowseIndex {
  /** Every product, by name; the articles without one last (slug `none`). */
  products: Listing[];
  /** Keywords with their own pages, alphabetically. */
  keywords: Listing[];
  /** Keywords used fewer than `minKeywordArticles` times, alphabetically: no pages of their own. */
  rareKeywords: RareKeyword[];
  /** How many articles a keyword needs for its own listing (see minKeywordArticles). */
  minKeywordArticles: number;
  /** Newest year first; articles without a readable date last (slug `undated`). */
  years: Listing[];
  /** Number ranges, ascending. */
  ranges: Listing[];
  bySlug: Record<ListingKind, Map<string, Listing>>;
  /** Product key (see productKey) → slug. */
  productSlugs: Map<string, string>;
  /** Lower-cased keyword → slug, for keywords with pages. */
  keywordSlugs: Map<string, string>;
  /** Lower-cased keyword → number of articles. */
  keywordCounts: Map<string, number>;
  /** Lower-cased rare keyword → its page of the rare-keyword index and its entry's fragment id. */
  rareKeywordAt: Map<string, { page: number; anchor: string }>;
  /** Most recently modified articles, newest first. */
  recent: ArticleSummary[];
  counts: { articles: number; products: number; keywords: number; years: number };
}

/* ------------------------------------------------------------------ slugs */

/**
 * Folder names some file systems or hosts refuse or treat specially, and
 * segments the routes use themselves (`/keywords/rare/`, `…/page/2/`).
 */
const RESERVED = new Set([
  'con',
  'prn',
  'aux',
  'nul',
  ...Array.from({ length: 9 }, (_, i) => `com${i + 1}`),
  ...Array.from({ length: 9 }, (_, i) => `lpt${i + 1}`),
  'page',
  'rare',
  'none',
  'undated',
  'index',
]);

const MAX_SLUG = 60;

/** `Microsoft Visual C++ 6.0` → `microsoft-visual-c-plus-plus-6-0`; never empty (`x` when nothing is left). */
export function slugify(text: string): string {
  let slug = text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/&/g, ' and ')
    .replace(/\+/g, ' plus ')
    .replace(/[^a-z0-9]+/g, '-');
  slug = trimDashes(slug);
  if (slug.length > MAX_SLUG) {
    slug = slug.slice(0, MAX_SLUG);
    const cut = slug.lastIndexOf('-');
    slug = trimDashes(cut >= MAX_SLUG / 2 ? slug.slice(0, cut) : slug);
  }
  return slug || 'x';
}

/** Hands out unique slugs: the first value to ask for a slug gets it, later ones get `-2`, `-3`, …. */
export class Slugger {
  private readonly used = new Set<string>();
  /** The next number to try for each base: thousands of values with one slug cost linear time, not quadratic. */
  private readonly next = new Map<string, number>();

  constructor(reserved: Iterable<string> = RESERVED) {
    for (const slug of reserved) this.used.add(slug);
  }

  slug(text: string): string {
    const base = slugify(text);
    let slug = base;
    let n = this.next.get(base) ?? 2;
    for (; this.used.has(slug); n++) slug = `${base}-${n}`;
    if (slug !== base) this.next.set(base, n);
    this.used.add(slug);
    return slug;
  }
}

/* ------------------------------------------------------------ grouping keys */

/** Products are grouped on their trimmed text with inner whitespace collapsed; empty is none. */
export function productKey(product: string | null | undefined): string | null {
  const key = (product ?? '').replace(/\s+/g, ' ').trim();
  return key === '' ? null : key;
}

/** Keywords are grouped case-insensitively (`ENDUSER` and `enduser` are one keyword). */
export function keywordKey(keyword: string): string | null {
  const key = keyword.replace(/\s+/g, ' ').trim().toLowerCase();
  return key === '' ? null : key;
}

/**
 * The KB keywords of an article, as listed: its `Keywords` line plus its issue
 * and solution types (`kbbug`, `kbfix`, …), lower-cased, once each.
 */
export function keywordsOf(article: Pick<Article, 'keywords' | 'issueType' | 'solutionType'>): string[] {
  const out = new Set<string>();
  for (const raw of [...article.keywords, ...article.issueType, ...article.solutionType]) {
    const key = keywordKey(raw);
    if (key) out.add(key);
  }
  return [...out];
}

/** `2001` from `2001-03-14`, or null when the date cannot be read. */
export function yearOf(lastModified: string | null | undefined): string | null {
  const match = /^(\d{4})-\d\d-\d\d$/.exec(lastModified ?? '');
  return match ? match[1]! : null;
}

export function rangeOf(number: number): { start: number; end: number; slug: string; label: string } {
  const start = Math.floor(number / RANGE_SIZE) * RANGE_SIZE;
  const end = start + RANGE_SIZE - 1;
  return { start, end, slug: `${start}-${end}`, label: `Q${start}–Q${end}` };
}

/* ------------------------------------------------------------------ paths */

export function pageCount(entries: number): number {
  return Math.max(1, Math.ceil(entries / PAGE_SIZE));
}

/** The entries of page `page` (1-based). */
export function pageSlice<T>(items: readonly T[], page: number): T[] {
  return items.slice((page - 1) * PAGE_SIZE, page * PAGE_SIZE);
}

/** Root-relative path (without base path) of an index page: `/products/`, `/keywords/`. */
export function indexPath(kind: ListingKind): string {
  return `/${kind}/`;
}

/** `/products/microsoft-windows-nt/`, `/products/microsoft-windows-nt/page/3/`. */
export function listingPath(kind: ListingKind, slug: string, page = 1): string {
  return page > 1 ? `/${kind}/${slug}/page/${page}/` : `/${kind}/${slug}/`;
}

/** `/keywords/rare/`, `/keywords/rare/page/2/`. */
export function rareKeywordsPath(page = 1): string {
  return page > 1 ? `/keywords/rare/page/${page}/` : '/keywords/rare/';
}

/** Page numbers from 2 up, as route params (page 1 is the listing's own path). */
export function laterPages(entries: number): string[] {
  return Array.from({ length: pageCount(entries) - 1 }, (_, i) => String(i + 2));
}

/** Parses a `[page]` route param: an integer from 2 to `pages` written without leading zeros, else null. */
export function parsePageParam(value: string, pages: number): number | null {
  if (!/^[1-9]\d{0,5}$/.test(value)) return null;
  const page = Number(value);
  return page >= 2 && page <= pages ? page : null;
}

/* ------------------------------------------------------------------ build */

/** Newest first: ISO dates descending, unreadable or missing dates last, then higher numbers first. */
export function compareNewest(a: ArticleSummary, b: ArticleSummary): number {
  const da = yearOf(a.lastModified) ? a.lastModified! : '';
  const db = yearOf(b.lastModified) ? b.lastModified! : '';
  if (da !== db) return da < db ? 1 : -1;
  return b.number - a.number;
}

const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/**
 * Builds every listing. `articles` and `summaries` are parallel (the link
 * graph's summaries of the same articles, so listings share those objects).
 */
export function buildBrowseIndex(articles: readonly Article[], summaries: readonly ArticleSummary[]): BrowseIndex {
  return runSteps(browseIndexSteps(articles, summaries));
}

/** `buildBrowseIndex` a slice at a time (./slices.ts), for `next dev`'s background load. */
export function buildBrowseIndexInSlices(articles: readonly Article[], summaries: readonly ArticleSummary[], sliceMs?: number): Promise<BrowseIndex> {
  return runStepsInSlices(browseIndexSteps(articles, summaries), sliceMs);
}

/** The listings' construction, pausing (`yield`) after each article, listing or sort of one listing. */
function* browseIndexSteps(articles: readonly Article[], summaries: readonly ArticleSummary[]): Generator<void, BrowseIndex, void> {
  if (articles.length !== summaries.length) throw new Error('buildBrowseIndex: articles and summaries differ in length');
  // `compareNewest`, with each summary's date read once (the same order: the same comparisons, a stable sort).
  const dates: string[] = [];
  for (const s of summaries) {
    dates.push(yearOf(s.lastModified) ? s.lastModified! : '');
    yield;
  }
  const order = Array.from(summaries.keys()).sort((a, b) => {
    const da = dates[a]!;
    const db = dates[b]!;
    if (da !== db) return da < db ? 1 : -1;
    return summaries[b]!.number - summaries[a]!.number;
  });
  yield;
  const newest = order.map((i) => summaries[i]!);
  const rank = new Map<ArticleSummary, number>();
  for (let i = 0; i < newest.length; i++) {
    rank.set(newest[i]!, i);
    yield;
  }
  const byNewest = (a: ArticleSummary, b: ArticleSummary) => rank.get(a)! - rank.get(b)!;

  const productGroups = new Map<string | null, ArticleSummary[]>();
  const keywordGroups = new Map<string, ArticleSummary[]>();
  const yearGroups = new Map<string | null, ArticleSummary[]>();
  const rangeGroups = new Map<number, ArticleSummary[]>();
  for (let i = 0; i < articles.length; i++) {
    const summary = summaries[i]!;
    // The keys come from the article's listing entry, made inside a catch (./listing-entry.ts; the link graph reported a failure).
    const entry = safeListingEntry(articles[i]!);
    push(productGroups, entry.product, summary);
    for (const keyword of entry.keywords) push(keywordGroups, keyword, summary);
    push(yearGroups, entry.year, summary);
    push(rangeGroups, rangeOf(summary.number).start, summary);
    yield;
  }
  // Each listing is sorted by newest first here, one at a time (the listings below keep these arrays).
  for (const groups of [productGroups, keywordGroups, yearGroups] as Array<Map<unknown, ArticleSummary[]>>) {
    for (const list of groups.values()) {
      list.sort(byNewest);
      yield;
    }
  }
  for (const list of rangeGroups.values()) {
    list.sort((a, b) => a.number - b.number);
    yield;
  }

  // Slugs go to the most used values first, so that they keep the plain form.
  const bigFirst = <K extends string | null>(groups: Map<K, ArticleSummary[]>) =>
    [...groups].filter((e): e is [K & string, ArticleSummary[]] => e[0] !== null).sort((a, b) => b[1].length - a[1].length || byText(a[0], b[0]));

  const productSlugs = new Map<string, string>();
  const productSlugger = new Slugger();
  const products: Listing[] = bigFirst(productGroups).map(([name, list]) => {
    const slug = productSlugger.slug(name);
    productSlugs.set(name, slug);
    return { kind: 'products' as const, slug, label: name, articles: list.sort(byNewest) };
  });
  products.sort((a, b) => byText(a.label.toLowerCase(), b.label.toLowerCase()) || byText(a.label, b.label));
  const noProduct = productGroups.get(null);
  if (noProduct) products.push({ kind: 'products', slug: 'none', label: 'No product given', articles: noProduct.sort(byNewest) });

  const keywordSlugs = new Map<string, string>();
  const keywordCounts = new Map<string, number>();
  const keywordSlugger = new Slugger();
  const minKeyword = minKeywordArticles(articles.length);
  const keywords: Listing[] = [];
  const rareKeywords: RareKeyword[] = [];
  for (const [keyword, list] of bigFirst(keywordGroups)) {
    keywordCounts.set(keyword, list.length);
    list.sort(byNewest);
    if (list.length >= minKeyword) {
      const slug = keywordSlugger.slug(keyword);
      keywordSlugs.set(keyword, slug);
      keywords.push({ kind: 'keywords', slug, label: keyword, articles: list });
    } else {
      rareKeywords.push({ keyword, anchor: '', articles: list });
    }
  }
  keywords.sort((a, b) => byText(a.label, b.label));
  rareKeywords.sort((a, b) => byText(a.keyword, b.keyword));
  const anchorSlugger = new Slugger([]);
  const rareKeywordAt = new Map<string, { page: number; anchor: string }>();
  rareKeywords.forEach((rare, i) => {
    rare.anchor = `k-${anchorSlugger.slug(rare.keyword)}`;
    rareKeywordAt.set(rare.keyword, { page: Math.floor(i / PAGE_SIZE) + 1, anchor: rare.anchor });
  });

  const years: Listing[] = [...yearGroups]
    .sort((a, b) => (a[0] === null ? 1 : b[0] === null ? -1 : byText(b[0], a[0])))
    .map(([year, list]) => ({
      kind: 'years' as const,
      slug: year ?? 'undated',
      label: year ?? 'No date',
      articles: list.sort(byNewest),
    }));

  const ranges: Listing[] = [...rangeGroups]
    .sort((a, b) => a[0] - b[0])
    .map(([start, list]) => {
      const range = rangeOf(start);
      return { kind: 'numbers' as const, slug: range.slug, label: range.label, articles: list.sort((a, b) => a.number - b.number) };
    });

  const mapOf = (listings: Listing[]) => new Map(listings.map((l) => [l.slug, l]));
  return {
    products,
    keywords,
    rareKeywords,
    minKeywordArticles: minKeyword,
    years,
    ranges,
    bySlug: { products: mapOf(products), keywords: mapOf(keywords), years: mapOf(years), numbers: mapOf(ranges) },
    productSlugs,
    keywordSlugs,
    keywordCounts,
    rareKeywordAt,
    recent: newest.slice(0, RECENT_COUNT),
    counts: {
      articles: articles.length,
      products: productSlugs.size,
      keywords: keywordCounts.size,
      years: years.filter((y) => y.slug !== 'undated').length,
    },
  };
}

/** The listing of a kind (all of them, in index order). */
export function listingsOf(index: BrowseIndex, kind: ListingKind): Listing[] {
  switch (kind) {
    case 'products':
      return index.products;
    case 'keywords':
      return index.keywords;
    case 'years':
      return index.years;
    case 'numbers':
      return index.ranges;
  }
}

/** Links from an article's metadata to the listings it appears in (root-relative paths, no base path). */
export interface ArticleBrowseLinks {
  product: string | null;
  year: string | null;
  /** Path of a keyword's listing (any case); for a rare keyword, its entry on the rare-keyword index; null if unknown. */
  keyword(keyword: string): string | null;
}

export function browseLinksOf(index: BrowseIndex, article: Pick<Article, 'product' | 'lastModified'>): ArticleBrowseLinks {
  const key = productKey(article.product);
  const productSlug = key === null ? null : index.productSlugs.get(key);
  const year = yearOf(article.lastModified);
  return {
    product: productSlug ? listingPath('products', productSlug) : null,
    year: year && index.bySlug.years.has(year) ? listingPath('years', year) : null,
    keyword(keyword) {
      const k = keywordKey(keyword);
      if (k === null) return null;
      const slug = index.keywordSlugs.get(k);
      if (slug) return listingPath('keywords', slug);
      const rare = index.rareKeywordAt.get(k);
      return rare ? `${rareKeywordsPath(rare.page)}#${rare.anchor}` : null;
    },
  };
}

/**
 * An article's listing links as plain data (no closures), for its metadata
 * panel: it can cross a worker-thread boundary, so that the page writer
 * (lib/build/article-pages.ts) renders panels without the browse index.
 */
export interface ResolvedBrowseLinks {
  product: string | null;
  year: string | null;
  /** Listing path per keyword, issue type and solution type of the article, as written; null for none. */
  keywords: Map<string, string | null>;
}

export function resolveBrowseLinks(
  index: BrowseIndex,
  article: Pick<Article, 'product' | 'lastModified' | 'keywords' | 'issueType' | 'solutionType'>,
): ResolvedBrowseLinks {
  const links = browseLinksOf(index, article);
  // A Map, not an object: a keyword may be any text (`__proto__` included).
  const keywords = new Map<string, string | null>();
  for (const keyword of [...article.keywords, ...article.issueType, ...article.solutionType]) {
    if (!keywords.has(keyword)) keywords.set(keyword, links.keyword(keyword));
  }
  return { product: links.product, year: links.year, keywords };
}
