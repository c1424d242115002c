import type { ReactNode } from 'react';
import type { ArticleSummary, MissingArticle } from '@/lib/content/graph';
import { Static } from '@/components/ui/Static';
import { formatCount, href } from '@/lib/site';
import { ArticleLinkList } from './ArticleLinkList';
import { ArticlePager } from './ArticlePager';
import { lookupLinks } from '@/lib/lookup-links';

/**
 * The page at the permalink of an article that other articles cite but the
 * archive does not hold: the titles it is cited under, where to look for it,
 * every article citing it (compact rows: a few are cited by hundreds), and the
 * archive's nearest articles by number. All static.
 */
export function MissingArticleView({ missing, previous, next }: { missing: MissingArticle; previous: ArticleSummary | null; next: ArticleSummary | null }) {
  return <MissingArticleFrame content={<MissingArticleContent missing={missing} previous={previous} next={next} />} />;
}

/**
 * A not-in-archive page lists at most this many citing articles and cited titles (the archive's most: a few
 * hundred articles, a handful of titles), so that thousands of files citing one number cannot make one huge page;
 * the rest is counted, and the search finds every article naming the number.
 */
export const MISSING_CITERS_SHOWN = 1000;
export const MISSING_TITLES_SHOWN = 50;

/** The page's frame, free of article data (see ArticleFrame): one static island. */
export function MissingArticleFrame({ content }: { content: ReactNode }) {
  return (
    <article className="kb-article">
      <Static>{content}</Static>
    </article>
  );
}

export function MissingArticleContent({ missing, previous, next }: { missing: MissingArticle; previous: ArticleSummary | null; next: ArticleSummary | null }) {
  const allTitles = [...new Set(missing.citedTitles.map((title) => title.trim()).filter(Boolean))];
  const titles = allTitles.slice(0, MISSING_TITLES_SHOWN);
  const count = missing.citedBy.length;
  const more = (n: number, what: string) => `…and ${formatCount(n)} more ${what}; `;
  return (
    <>
      <header className="mb-5">
        <p className="kb-number">{missing.id}</p>
        <h1 className="kb-title">{`${missing.id} is not in this archive`}</h1>
      </header>
      <div className="kb-prose">
        <p>{`Other articles refer to ${missing.id}, but its text was not part of the collection this archive was built from.`}</p>
        {titles.length > 0 ? (
          <>
            <h2>{titles.length === 1 ? 'Cited as' : 'Cited under these titles'}</h2>
            <ul>
              {titles.map((title) => (
                <li key={title}>{title}</li>
              ))}
            </ul>
            {allTitles.length > titles.length ? <p>{`…and ${formatCount(allTitles.length - titles.length)} more titles.`}</p> : null}
          </>
        ) : null}
        <h2>Look it up elsewhere</h2>
        <ul className="kb-lookup">
          {lookupLinks(missing.number).map((link) => (
            <li key={link.href}>
              <a href={link.href} rel="external nofollow noreferrer">
                {link.label}
              </a>{' '}
              <span>{`— ${link.note}`}</span>
            </li>
          ))}
        </ul>
      </div>
      <div className="kb-article-end">
        {count > 0 ? (
          <section aria-labelledby="kb_cited-by">
            <h2 id="kb_cited-by">{count === 1 ? '1 article refers to it' : `${formatCount(count)} articles refer to it`}</h2>
            <ArticleLinkList articles={count > MISSING_CITERS_SHOWN ? missing.citedBy.slice(0, MISSING_CITERS_SHOWN) : missing.citedBy} />
            {count > MISSING_CITERS_SHOWN ? (
              <p>
                {more(count - MISSING_CITERS_SHOWN, 'articles')}
                <a href={href(`/search/?q=${missing.id}`)}>{`search for ${missing.id}`}</a>
              </p>
            ) : null}
          </section>
        ) : null}
        <ArticlePager previous={previous} next={next} label="Nearest articles in the archive" />
      </div>
    </>
  );
}
