import type { Metadata } from 'next';
import { ArticleRows } from '@/components/browse/ArticleRows';
import { CountList, KeywordTable } from '@/components/browse/IndexViews';
import { JumpToArticle } from '@/components/browse/JumpToArticle';
import { Static } from '@/components/ui/Static';
import { getBrowse, indexPath, listingPath, RANGE_SIZE, type BrowseIndex } from '@/lib/content/browse';
import { listMissing } from '@/lib/content';
import { ARTICLE_TYPE_KEYWORDS } from '@/lib/keywords';
import { formatCount, href, SITE_NAME } from '@/lib/site';
import { OPEN_GRAPH } from '@/lib/site-url';

const plural = (n: number, one: string, many: string) => `${formatCount(n)} ${n === 1 ? one : many}`;

export async function generateMetadata(): Promise<Metadata> {
  const { counts } = await getBrowse();
  return {
    // The root layout's title template does not apply to the page beside it.
    title: { absolute: `KnowledgeBase archive · ${SITE_NAME}` },
    description: `${plural(counts.articles, 'old Microsoft KnowledgeBase article', 'old Microsoft KnowledgeBase articles')} from the 1990s and early 2000s: browse them by product, keyword, year or number, or search them.`,
    openGraph: OPEN_GRAPH,
  };
}

export default async function HomePage() {
  const [index, missing] = await Promise.all([getBrowse(), listMissing()]);
  return (
    <>
      <Static>
        <h1 className="text-2xl font-bold tracking-tight sm:text-3xl">KnowledgeBase archive</h1>
        <div className="mt-3 max-w-[72ch] space-y-2">
          <p>
            Old Microsoft KnowledgeBase articles — bug reports, fixes and how-tos for Windows NT, Windows 9x, Exchange, Office, the developer tools and other
            products of the 1990s and early 2000s — kept as static pages at their original article numbers.
          </p>
          {missing.length > 0 ? (
            <p className="text-muted">
              The articles cite {plural(missing.length, 'more article', 'more articles')} that the archive does not hold; their pages say which articles cite
              them.
            </p>
          ) : null}
        </div>
      </Static>
      <div className="kb-home-forms">
        <form role="search" aria-label="Search articles" action={href('/search/')} method="get" className="kb-jump">
          <label htmlFor="home-search">Search the archive</label>
          <div>
            <input id="home-search" type="search" name="q" maxLength={2000} autoComplete="off" placeholder="words, a KB keyword, an error message…" />
            <button type="submit">Search</button>
          </div>
        </form>
        <JumpToArticle />
      </div>
      <Static>
        <HomeBrowse index={index} />
      </Static>
    </>
  );
}

function HomeBrowse({ index }: { index: BrowseIndex }) {
  const { counts } = index;
  const topProducts = [...index.products]
    .filter((p) => p.slug !== 'none')
    .sort((a, b) => b.articles.length - a.articles.length)
    .slice(0, 10);
  const types = ARTICLE_TYPE_KEYWORDS.slice(0, 5).flatMap((k) => {
    const slug = index.keywordSlugs.get(k);
    const listing = slug ? index.bySlug.keywords.get(slug) : undefined;
    return listing ? [listing] : [];
  });
  const blocks = new Map<number, number>();
  for (const range of index.ranges) {
    const block = Math.floor(Number(range.slug.split('-')[0]) / (10 * RANGE_SIZE)) * 10 * RANGE_SIZE;
    blocks.set(block, (blocks.get(block) ?? 0) + range.articles.length);
  }
  return (
    <>
      <ul className="kb-stats" aria-label="The archive in numbers">
        <li>
          <a href={href(indexPath('numbers'))}>
            <b>{formatCount(counts.articles)}</b> {counts.articles === 1 ? 'article' : 'articles'}
          </a>
        </li>
        <li>
          <a href={href(indexPath('products'))}>
            <b>{formatCount(counts.products)}</b> {counts.products === 1 ? 'product' : 'products'}
          </a>
        </li>
        <li>
          <a href={href(indexPath('keywords'))}>
            <b>{formatCount(counts.keywords)}</b> {counts.keywords === 1 ? 'keyword' : 'keywords'}
          </a>
        </li>
        <li>
          <a href={href(indexPath('years'))}>
            <b>{formatCount(counts.years)}</b> {counts.years === 1 ? 'year' : 'years'}
          </a>
        </li>
      </ul>

      <div className="kb-home-grid">
        <section aria-labelledby="home-products">
          <h2 id="home-products">By product</h2>
          <CountList listings={topProducts} label="Products with the most articles" />
          <p>
            <a href={href(indexPath('products'))}>All {plural(counts.products, 'product', 'products')} ›</a>
          </p>
        </section>

        <section aria-labelledby="home-keywords">
          <h2 id="home-keywords">By keyword</h2>
          <KeywordTable listings={types} />
          <p>
            <a href={href(indexPath('keywords'))}>All {plural(counts.keywords, 'keyword', 'keywords')}, explained ›</a>
          </p>
        </section>

        <section aria-labelledby="home-years">
          <h2 id="home-years">By year of last change</h2>
          <ul className="kb-chips">
            {index.years.map((year) => (
              <li key={year.slug}>
                <a href={href(listingPath('years', year.slug))}>{year.label}</a> <span>{formatCount(year.articles.length)}</span>
              </li>
            ))}
          </ul>
        </section>

        <section aria-labelledby="home-numbers">
          <h2 id="home-numbers">By article number</h2>
          <ul className="kb-chips">
            {[...blocks].map(([start, count]) => (
              <li key={start}>
                <a href={`${href(indexPath('numbers'))}#q${start}`}>{`Q${start}–Q${start + 10 * RANGE_SIZE - 1}`}</a> <span>{formatCount(count)}</span>
              </li>
            ))}
          </ul>
        </section>

        <section aria-labelledby="home-files">
          <h2 id="home-files">Files and data</h2>
          <p>
            <a href={href('/files/')}>Files named in hotfix tables ›</a> (versions, dates, sizes) and <a href={href('/data/')}>the archive as data files ›</a>
          </p>
        </section>
      </div>

      <section className="mt-10" aria-labelledby="home-recent">
        <h2 id="home-recent" className="mb-2 text-lg font-semibold">
          Recently modified
        </h2>
        <ArticleRows articles={index.recent} label="Recently modified articles" />
      </section>
    </>
  );
}
