import type { Root } from 'hast';
import type { ArticleSummary } from '@/lib/content';
import type { Article } from '@/lib/markdown/schema';
import { displayTitle, formatCount, href } from '@/lib/site';
import { Static } from '@/components/ui/Static';
import { ArticleBody } from './ArticleBody';
import { ArticleLinkList } from './ArticleLinkList';
import { ArticlePager } from './ArticlePager';
import { CopyPermalink } from './CopyPermalink';
import { MetadataPanel } from './MetadataPanel';
import { TableOfContents } from './TableOfContents';

/** Backlinks shown on the article page; the rest are on its `cited-by/` page. */
export const BACKLINKS_SHOWN = 50;

/** What the page shows around the article, computed by the route from the memoized indexes. */
export interface ArticleContext {
  /** Every article citing this one, in number order (only the first `BACKLINKS_SHOWN` are listed). */
  citedBy: readonly ArticleSummary[];
  related: readonly ArticleSummary[];
  previous: ArticleSummary | null;
  next: ArticleSummary | null;
  /** Root-relative path of the shipped source Markdown, or null when sources are not shipped. */
  source: string | null;
}

/** The path of the page listing every article that cites `article`. */
export function citedByPath(article: Pick<Article, 'permalink'>): string {
  return `${article.permalink}cited-by/`;
}

/**
 * A whole article page: number and title, actions, the metadata panel, the
 * table of contents, the body, then backlinks, related articles and the
 * previous/next links. Everything but the actions row (which holds the one
 * client component, the copy button) is in <Static> islands: shipped once, as HTML.
 */
export function ArticleView({ article, body, context }: { article: Article; body: Root; context: ArticleContext }) {
  const { citedBy, related, previous, next, source } = context;
  const shownBacklinks = citedBy.slice(0, BACKLINKS_SHOWN);
  const hasToc = article.sections.length >= 2;
  return (
    <article className="kb-article">
      <header className="mb-5">
        <Static>
          <p className="kb-number">{article.id}</p>
          <h1 className="kb-title">{displayTitle(article.id, article.title)}</h1>
        </Static>
        <div className="kb-actions">
          <CopyPermalink />
          {source ? (
            <a className="kb-action" href={href(source)} type="text/markdown">
              Original text
            </a>
          ) : null}
        </div>
      </header>
      {/* One island for everything below the header: fewer wrappers and payload references. */}
      <Static>
        <MetadataPanel article={article} />
        {hasToc ? <TableOfContents sections={article.sections} /> : null}
        <ArticleBody body={body} />
        <footer className="kb-article-end">
          {citedBy.length > 0 ? (
            <section aria-labelledby="kb_cited-by">
              <h2 id="kb_cited-by">
                Referenced by <span className="kb-count">{formatCount(citedBy.length)}</span>
              </h2>
              <ArticleLinkList articles={shownBacklinks} />
              {citedBy.length > shownBacklinks.length ? (
                <p className="kb-more">
                  <a href={href(citedByPath(article))}>{`All ${formatCount(citedBy.length)} articles that refer to ${article.id}`}</a>
                </p>
              ) : null}
            </section>
          ) : null}
          {related.length > 0 ? (
            <section aria-labelledby="kb_related">
              <h2 id="kb_related">Related articles</h2>
              <ArticleLinkList articles={related} />
            </section>
          ) : null}
          <ArticlePager previous={previous} next={next} />
        </footer>
      </Static>
    </article>
  );
}
