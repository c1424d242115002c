/**
 * The index page of each listing kind: /products/, /keywords/, /years/,
 * /numbers/, and the rare-keyword index /keywords/rare/. Static HTML only.
 */
import type { ReactNode } from 'react';
import {
  indexPath,
  listingPath,
  pageCount,
  pageSlice,
  RANGE_SIZE,
  rareKeywordsPath,
  PAGE_SIZE,
  type BrowseIndex,
  type Listing,
  type ListingKind,
} from '@/lib/content/browse';
import { ARTICLE_TYPE_KEYWORDS, explainKeyword } from '@/lib/keywords';
import { displayTitle, formatCount, href } from '@/lib/site';
import { Static } from '@/components/ui/Static';
import { Breadcrumbs } from './Breadcrumbs';
import { KIND_LABELS } from './ListingView';
import { Pager } from './Pager';

function IndexHeader({ kind, title, children }: { kind: ListingKind | null; title: string; children?: ReactNode }) {
  return (
    <>
      <Breadcrumbs
        trail={
          kind
            ? [{ label: 'Home', path: '/' }, { label: KIND_LABELS[kind], path: indexPath(kind) }, { label: title }]
            : [{ label: 'Home', path: '/' }, { label: title }]
        }
      />
      <h1 className="mt-4 text-2xl font-bold tracking-tight sm:text-3xl">{title}</h1>
      {children ? <div className="mt-2 max-w-[72ch] space-y-2 text-muted">{children}</div> : null}
    </>
  );
}

/** Listings as `name … count` rows, in columns on wide screens. */
/** A titled section of an index page: its heading names it for assistive technology. */
function IndexSection({ id, title, children }: { id: string; title: string; children: ReactNode }) {
  return (
    <section className="mt-6" aria-labelledby={id}>
      <h2 id={id} className="text-lg font-semibold">
        {title}
      </h2>
      {children}
    </section>
  );
}

export function CountList({ listings, mono = false, label }: { listings: readonly Listing[]; mono?: boolean; label?: string }) {
  return (
    <ul className={mono ? 'kb-counts kb-counts-mono' : 'kb-counts'} aria-label={label}>
      {listings.map((listing) => (
        <li key={listing.slug}>
          <a href={href(listingPath(listing.kind, listing.slug))}>{listing.label}</a>
          <span>{formatCount(listing.articles.length)}</span>
        </li>
      ))}
    </ul>
  );
}

export function ProductsIndex({ index }: { index: BrowseIndex }) {
  return (
    <Static>
      <IndexHeader kind={null} title="Products">
        <p>
          The {formatCount(index.counts.products)} products the archive&apos;s articles are filed under, with the number of articles for each. Each product
          lists its articles, most recently modified first.
        </p>
      </IndexHeader>
      <CountList listings={index.products} label="Products" />
    </Static>
  );
}

export function YearsIndex({ index }: { index: BrowseIndex }) {
  const max = Math.max(1, ...index.years.map((y) => y.articles.length));
  return (
    <Static>
      <IndexHeader kind={null} title="Years">
        <p>Articles by the year they were last modified, newest first.</p>
      </IndexHeader>
      <ul className="kb-counts kb-bars" aria-label="Years">
        {index.years.map((year) => (
          <li key={year.slug}>
            <a href={href(listingPath('years', year.slug))}>{year.label}</a>
            <span>{formatCount(year.articles.length)}</span>
            <i style={{ width: `${Math.max(1, Math.round((100 * year.articles.length) / max))}%` }} />
          </li>
        ))}
      </ul>
    </Static>
  );
}

/** Number ranges grouped in blocks of ten ranges (Q10000–Q19999). */
export function NumbersIndex({ index }: { index: BrowseIndex }) {
  const blocks = new Map<number, Listing[]>();
  for (const range of index.ranges) {
    const block = Math.floor(Number(range.slug.split('-')[0]) / (10 * RANGE_SIZE));
    const list = blocks.get(block) ?? [];
    list.push(range);
    blocks.set(block, list);
  }
  return (
    <Static>
      <IndexHeader kind={null} title="Article numbers">
        <p>
          Articles by number, in ranges of {formatCount(RANGE_SIZE)}. The number is the article&apos;s permanent identifier: Q244717 lives at{' '}
          <code className="font-mono">/kb/244/Q244717/</code>.
        </p>
      </IndexHeader>
      {[...blocks].map(([block, ranges]) => {
        const start = block * 10 * RANGE_SIZE;
        const label = `Q${start}–Q${start + 10 * RANGE_SIZE - 1}`;
        return (
          <section key={block} className="mt-6" aria-labelledby={`q${start}`}>
            <h2 id={`q${start}`} className="mb-1 font-mono text-base font-semibold">
              {label}
            </h2>
            <CountList listings={ranges} mono />
          </section>
        );
      })}
    </Static>
  );
}

export function KeywordsIndex({ index }: { index: BrowseIndex }) {
  const types = ARTICLE_TYPE_KEYWORDS.flatMap((k) => {
    const listing = index.keywordSlugs.has(k) ? index.bySlug.keywords.get(index.keywordSlugs.get(k)!) : undefined;
    return listing ? [listing] : [];
  });
  const common = [...index.keywords]
    .filter((l) => !ARTICLE_TYPE_KEYWORDS.includes(l.label) && explainKeyword(l.label))
    .sort((a, b) => b.articles.length - a.articles.length)
    .slice(0, 40);
  const rare = index.rareKeywords.length;
  return (
    <Static>
      <IndexHeader kind={null} title="Keywords">
        <p>
          KnowledgeBase articles carry keywords: what kind of article it is (<code className="font-mono">kbbug</code>,{' '}
          <code className="font-mono">kbhowto</code>), its topic, and the products and versions it applies to. The archive uses{' '}
          {formatCount(index.counts.keywords)} different ones.
        </p>
      </IndexHeader>
      {types.length > 0 ? (
        <IndexSection id="kw-types" title="Article types">
          <KeywordTable listings={types} />
        </IndexSection>
      ) : null}
      {common.length > 0 ? (
        <IndexSection id="kw-common" title="Common keywords">
          <KeywordTable listings={common} />
        </IndexSection>
      ) : null}
      <IndexSection id="kw-all" title="All keywords">
        <p className="mt-1 text-sm text-muted">
          {`${formatCount(index.keywords.length)} ${index.keywords.length === 1 ? 'keyword' : 'keywords'} used by at least ${index.minKeywordArticles} articles, alphabetically. `}
          {rare > 0 ? (
            <a href={href(rareKeywordsPath())}>{`${formatCount(rare)} more ${rare === 1 ? 'is' : 'are'} ${rareUse(index.minKeywordArticles)}`}</a>
          ) : null}
          {rare > 0 ? '.' : null}
        </p>
        <CountList listings={index.keywords} mono label="All keywords" />
      </IndexSection>
    </Static>
  );
}

/** `used by only one article each`, `used by fewer than 10 articles each`. */
export function rareUse(min: number): string {
  return min <= 2 ? 'used by only one article each' : `used by fewer than ${min} articles each`;
}

/** Keywords with their counts and explanations, linking to their listings. */
export function KeywordTable({ listings }: { listings: readonly Listing[] }) {
  return (
    <dl className="kb-explained">
      {listings.map((listing) => (
        <div key={listing.slug}>
          <dt>
            <a href={href(listingPath('keywords', listing.slug))}>{listing.label}</a>
            <span>{formatCount(listing.articles.length)}</span>
          </dt>
          <dd>{explainKeyword(listing.label)}</dd>
        </div>
      ))}
    </dl>
  );
}

/** /keywords/rare/: keywords too rare for pages of their own, each with its articles. */
export function RareKeywordsView({ index, page }: { index: BrowseIndex; page: number }) {
  const pages = pageCount(index.rareKeywords.length);
  const entries = pageSlice(index.rareKeywords, page);
  const first = (page - 1) * PAGE_SIZE + 1;
  return (
    <Static>
      <IndexHeader kind="keywords" title="Rare keywords">
        <p>
          {`Keywords ${rareUse(index.minKeywordArticles)}, alphabetically, with their articles.`}
          {pages > 1
            ? ` Page ${page} of ${pages}: ${formatCount(first)}–${formatCount(first + entries.length - 1)} of ${formatCount(index.rareKeywords.length)}.`
            : null}
        </p>
      </IndexHeader>
      <Pager page={page} pages={pages} pathOf={rareKeywordsPath} position="top" />
      <ul className="kb-rare" aria-label="Rare keywords">
        {entries.map((rare) => (
          <li key={rare.anchor} id={rare.anchor}>
            <span>{rare.keyword}</span>
            {rare.articles.map((article) => (
              <a key={article.id} href={href(article.permalink)}>
                {`${article.id}: ${displayTitle(article.id, article.title)}`}
              </a>
            ))}
          </li>
        ))}
      </ul>
      <Pager page={page} pages={pages} pathOf={rareKeywordsPath} position="bottom" />
    </Static>
  );
}
