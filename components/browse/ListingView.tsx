/** One page of a listing (/products/<slug>/, /keywords/<slug>/page/2/, …): heading, pager, rows. */
import type { Metadata } from 'next';
import {
  indexPath,
  listingPath,
  listingsOf,
  pageCount,
  pageSlice,
  PAGE_SIZE,
  type BrowseIndex,
  type Listing,
  type ListingKind,
} from '@/lib/content/browse-index';
import { explainKeyword } from '@/lib/keywords';
import { formatCount, href, pageTitle } from '@/lib/site';
import { Static } from '@/components/ui/Static';
import { ArticleRows } from './ArticleRows';
import { Breadcrumbs } from './Breadcrumbs';
import { Pager } from './Pager';

export const KIND_LABELS: Record<ListingKind, string> = {
  products: 'Products',
  keywords: 'Keywords',
  years: 'Years',
  numbers: 'Article numbers',
};

const plural = (n: number, one: string, many: string) => `${formatCount(n)} ${n === 1 ? one : many}`;

/** The page's heading and what it lists, in words. */
function describe(listing: Listing): { eyebrow: string; heading: string; title: string; summary: string } {
  const n = listing.articles.length;
  switch (listing.kind) {
    case 'products':
      return {
        eyebrow: 'Product',
        heading: listing.label,
        title: listing.slug === 'none' ? 'Articles without a product' : `${listing.label} articles`,
        summary:
          listing.slug === 'none'
            ? `${plural(n, 'article names', 'articles name')} no product, most recently modified first.`
            : `${plural(n, 'article', 'articles')} about ${listing.label}, most recently modified first.`,
      };
    case 'keywords':
      return {
        eyebrow: 'KB keyword',
        heading: listing.label,
        title: `Keyword ${listing.label}`,
        summary: `${plural(n, 'article carries', 'articles carry')} the keyword ${listing.label}, most recently modified first.`,
      };
    case 'years':
      return listing.slug === 'undated'
        ? {
            eyebrow: 'Last modified',
            heading: 'No date',
            title: 'Articles without a date',
            summary: `${plural(n, 'article has', 'articles have')} no readable date of last modification.`,
          }
        : {
            eyebrow: 'Last modified',
            heading: listing.label,
            title: `Articles last modified in ${listing.label}`,
            summary: `${plural(n, 'article was', 'articles were')} last modified in ${listing.label}, most recent first.`,
          };
    case 'numbers':
      return {
        eyebrow: 'Article numbers',
        heading: listing.label,
        title: `Articles ${listing.label}`,
        summary: `${plural(n, 'article', 'articles')} numbered ${listing.label.replace('–', ' to ')}, in order.`,
      };
  }
}

/** A listing page's title (without the site's name) and description, as plain text. */
export function listingTexts(listing: Listing, page: number): { title: string; description: string } {
  const kind = listing.kind;
  const pages = pageCount(listing.articles.length);
  const { title, summary } = describe(listing);
  const explanation = kind === 'keywords' ? explainKeyword(listing.label) : null;
  const where = pages > 1 ? ` Page ${page} of ${pages}.` : '';
  return {
    title: pages > 1 ? `${title} (page ${page} of ${pages})` : title,
    description: `${explanation ? `${explanation} ` : ''}${summary}${where}`,
  };
}

/**
 * A listing page's metadata. `kb build` writes listing pages from one render of each kind's template
 * (lib/build/listing-pages.tsx) with `listingTexts` in place of the template's title and description: the
 * template's metadata (app/_browse/routes.tsx) must have this shape.
 */
export function listingMetadata(listing: Listing, page: number): Metadata {
  const { title, description } = listingTexts(listing, page);
  return { title: pageTitle(title), description };
}

/** Links to the listings before and after this one (years and number ranges). */
function Neighbours({ listing, all }: { listing: Listing; all: readonly Listing[] }) {
  const i = all.indexOf(listing);
  const prev = all[i - 1];
  const next = all[i + 1];
  if (!prev && !next) return null;
  return (
    <p className="kb-neighbours">
      {prev ? <a href={href(listingPath(prev.kind, prev.slug))}>{`‹ ${prev.label}`}</a> : <span />}
      {next ? <a href={href(listingPath(next.kind, next.slug))}>{`${next.label} ›`}</a> : null}
    </p>
  );
}

/** One page of a listing, a `<Static>` island: its content is `ListingContent`. */
export function ListingView({ index, listing, page }: { index: BrowseIndex; listing: Listing; page: number }) {
  return (
    <Static>
      <ListingContent index={index} listing={listing} page={page} />
    </Static>
  );
}

/** The island's content (also rendered alone by `kb build`'s listing page writer, lib/build/listing-pages.tsx). */
export function ListingContent({ index, listing, page }: { index: BrowseIndex; listing: Listing; page: number }) {
  const kind = listing.kind;
  const pages = pageCount(listing.articles.length);
  const rows = pageSlice(listing.articles, page);
  const { eyebrow, heading, summary } = describe(listing);
  const explanation = kind === 'keywords' ? explainKeyword(listing.label) : null;
  const first = (page - 1) * PAGE_SIZE + 1;
  const pathOf = (n: number) => listingPath(kind, listing.slug, n);
  const neighbours = kind === 'years' || kind === 'numbers';
  return (
    <>
      <Breadcrumbs trail={[{ label: 'Home', path: '/' }, { label: KIND_LABELS[kind], path: indexPath(kind) }, { label: heading }]} />
      <p className="mt-4 text-sm text-muted">{eyebrow}</p>
      <h1 className={`text-2xl font-bold tracking-tight sm:text-3xl ${kind === 'keywords' ? 'font-mono' : ''}`}>{heading}</h1>
      {explanation ? <p className="mt-2 max-w-[72ch]">{explanation}</p> : null}
      <p className="mt-2 text-muted">
        {summary}
        {pages > 1 ? ` Page ${page} of ${pages}: ${formatCount(first)}–${formatCount(first + rows.length - 1)}.` : null}
      </p>
      <Pager page={page} pages={pages} pathOf={pathOf} position="top" />
      <ArticleRows articles={rows} product={kind !== 'products'} label={pages > 1 ? `${heading}, page ${page}` : heading} />
      <Pager page={page} pages={pages} pathOf={pathOf} position="bottom" />
      {neighbours ? <Neighbours listing={listing} all={listingsOf(index, kind)} /> : null}
    </>
  );
}
