/**
 * The browse routes, one optional catch-all per kind (app/<kind>/[[...path]]/page.tsx):
 *
 *   /products/                       index        (also /keywords/, /years/, /numbers/)
 *   /products/<slug>/                a listing, page 1
 *   /products/<slug>/page/<n>/       page n ≥ 2
 *   /keywords/rare/[page/<n>/]       keywords too rare for their own listing
 *
 * One route per kind keeps generateStaticParams non-empty (the index is always
 * there), which a static export requires, even for an archive of one article.
 * Everything comes from the memoized browse index: a page only slices arrays.
 */
import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { getBrowse, laterPages, listingsOf, pageCount, parsePageParam, type BrowseIndex, type Listing, type ListingKind } from '@/lib/content/browse';
import { routesListNoPages } from '@/lib/content';
import { LISTING_TEMPLATE, TEMPLATE_FIELDS, TEMPLATE_SLOTS, templateMode } from '@/lib/article-template';
import { Static } from '@/components/ui/Static';
import { formatCount, pageTitle } from '@/lib/site';
import { OPEN_GRAPH } from '@/lib/site-url';
import { KeywordsIndex, NumbersIndex, ProductsIndex, RareKeywordsView, YearsIndex, rareUse } from '@/components/browse/IndexViews';
import { ListingView, listingMetadata } from '@/components/browse/ListingView';

type Props = { params: Promise<{ path?: string[] }> };

type Resolved = { view: 'index' } | { view: 'listing'; listing: Listing; page: number } | { view: 'rare'; page: number } | { view: 'template' };

/**
 * Under `kb build` (lib/article-template.ts), the listing pages are written from two template pages per kind,
 * the first page of a listing and a later one (lib/build/listing-pages.tsx); Next renders those, the index
 * and the rare keywords.
 */
const TEMPLATE_PATHS = [[LISTING_TEMPLATE.slug], [LISTING_TEMPLATE.slug, 'page', LISTING_TEMPLATE.page]];

/** What a catch-all path shows, or null (a 404). */
function resolve(index: BrowseIndex, kind: ListingKind, path: readonly string[]): Resolved | null {
  if (path.length === 0) return { view: 'index' };
  const [slug, word, pageParam] = path;
  if (slug === LISTING_TEMPLATE.slug && templateMode()) return { view: 'template' };
  if (path.length !== 1 && !(path.length === 3 && word === 'page')) return null;
  const pageOf = (entries: number) => (pageParam === undefined ? 1 : parsePageParam(pageParam, pageCount(entries)));
  if (kind === 'keywords' && slug === 'rare') {
    if (index.rareKeywords.length === 0) return null;
    const page = pageOf(index.rareKeywords.length);
    return page === null ? null : { view: 'rare', page };
  }
  const listing = index.bySlug[kind].get(slug!);
  if (!listing) return null;
  const page = pageOf(listing.articles.length);
  return page === null ? null : { view: 'listing', listing, page };
}

const INDEX_METADATA: Record<ListingKind, (index: BrowseIndex) => Metadata> = {
  products: (index) => ({
    title: 'Products',
    description: `The ${formatCount(index.counts.products)} products of the KnowledgeBase archive, with their articles.`,
  }),
  keywords: (index) => ({
    title: 'Keywords',
    description: `The ${formatCount(index.counts.keywords)} KB keywords of the archive (kbbug, kbfix, kbhowto, …), what they mean, and their articles.`,
  }),
  years: () => ({ title: 'Years', description: 'KnowledgeBase articles by the year they were last modified.' }),
  numbers: () => ({ title: 'Article numbers', description: 'KnowledgeBase articles by number, in ranges of 1,000.' }),
};

export function browseRoute(kind: ListingKind) {
  async function generateStaticParams(): Promise<{ path: string[] }[]> {
    // In development, none: `resolve` answers 404 for any other path (lib/content `routesListNoPages`).
    if (routesListNoPages()) return [];
    const index = await getBrowse();
    const params: { path: string[] }[] = [{ path: [] }];
    if (templateMode()) for (const path of TEMPLATE_PATHS) params.push({ path });
    else
      for (const { slug, articles } of listingsOf(index, kind)) {
        params.push({ path: [slug] });
        for (const page of laterPages(articles.length)) params.push({ path: [slug, 'page', page] });
      }
    if (kind === 'keywords' && index.rareKeywords.length > 0) {
      params.push({ path: ['rare'] });
      for (const page of laterPages(index.rareKeywords.length)) params.push({ path: ['rare', 'page', page] });
    }
    return params;
  }

  async function generateMetadata({ params }: Props): Promise<Metadata> {
    const index = await getBrowse();
    const found = resolve(index, kind, (await params).path ?? []);
    if (!found) return {};
    if (found.view === 'index') return { ...INDEX_METADATA[kind](index), openGraph: OPEN_GRAPH };
    // The shape of listingMetadata's, with the fields' placeholders.
    if (found.view === 'template') return { title: pageTitle(TEMPLATE_FIELDS.title), description: TEMPLATE_FIELDS.description, openGraph: OPEN_GRAPH };
    if (found.view === 'rare') {
      const pages = pageCount(index.rareKeywords.length);
      return {
        title: pages > 1 ? `Rare keywords (page ${found.page} of ${pages})` : 'Rare keywords',
        description: `KB keywords ${rareUse(index.minKeywordArticles)} in the archive, with their articles.`,
        openGraph: OPEN_GRAPH,
      };
    }
    return { ...listingMetadata(found.listing, found.page), openGraph: OPEN_GRAPH };
  }

  async function BrowsePage({ params }: Props) {
    const index = await getBrowse();
    const found = resolve(index, kind, (await params).path ?? []);
    if (!found) notFound();
    if (found.view === 'listing') return <ListingView index={index} listing={found.listing} page={found.page} />;
    if (found.view === 'template') return <Static>{TEMPLATE_SLOTS.content}</Static>;
    if (found.view === 'rare') return <RareKeywordsView index={index} page={found.page} />;
    switch (kind) {
      case 'products':
        return <ProductsIndex index={index} />;
      case 'keywords':
        return <KeywordsIndex index={index} />;
      case 'years':
        return <YearsIndex index={index} />;
      case 'numbers':
        return <NumbersIndex index={index} />;
    }
  }

  return { generateStaticParams, generateMetadata, BrowsePage };
}
