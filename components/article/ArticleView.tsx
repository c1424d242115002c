import type { ReactNode } from 'react';
import type { Root } from 'hast';
import { BACKLINKS_SHOWN, type ArticleContext } from '@/lib/content/article-page';
import type { Article } from '@/lib/markdown/schema';
import { displayTitle, formatCount, href } from '@/lib/site';
import { Static } from '@/components/ui/Static';
import { ArticleBody } from './ArticleBody';
import { ArticleLinkList } from './ArticleLinkList';
import { ArticlePager } from './ArticlePager';
import { CopyPermalink } from './CopyPermalink';
import { MetadataPanel } from './MetadataPanel';
import { TableOfContents } from './TableOfContents';

export { BACKLINKS_SHOWN, type ArticleContext } from '@/lib/content/article-page';

/** The path of the page listing every article that cites `article`. */
export function citedByPath(article: Pick<Article, 'permalink'>): string {
  return `${article.permalink}cited-by/`;
}

/**
 * A whole article page: number and title, actions, the metadata panel, the
 * table of contents, the body, then backlinks, related articles and the
 * previous/next links.
 */
export function ArticleView({ article, body, context }: { article: Article; body: Root; context: ArticleContext }) {
  return (
    <ArticleFrame
      heading={<ArticleHeading article={article} />}
      source={<SourceLink source={context.source} />}
      rest={<ArticleRest article={article} body={body} context={context} />}
    />
  );
}

/**
 * The page's frame: everything but the actions row's copy button (the one
 * client component) is in <Static> islands, shipped once, as HTML. The frame
 * itself does not depend on the article: `kb build` renders it once through
 * Next.js with placeholders in the islands and fills in each article
 * (lib/article-template.ts), so its parts must stay free of article data.
 */
export function ArticleFrame({ heading, source, rest }: { heading: ReactNode; source: ReactNode; rest: ReactNode }) {
  return (
    <article className="kb-article">
      <header className="mb-5">
        <Static>{heading}</Static>
        <div className="kb-actions">
          <CopyPermalink />
          <Static as="span">{source}</Static>
        </div>
      </header>
      {/* One island for everything below the header: fewer wrappers and payload references. */}
      <Static>{rest}</Static>
    </article>
  );
}

export function ArticleHeading({ article }: { article: Pick<Article, 'id' | 'title'> }) {
  return (
    <>
      <p className="kb-number">{article.id}</p>
      <h1 className="kb-title">{displayTitle(article.id, article.title)}</h1>
    </>
  );
}

/** "Original text": a link to the shipped source page (lib/content/sources.ts), when sources are shipped. */
export function SourceLink({ source }: { source: string | null }) {
  return source ? (
    <a className="kb-action" href={href(source)}>
      Original text
    </a>
  ) : null;
}

export function ArticleRest({ article, body, context }: { article: Article; body: Root; context: ArticleContext }) {
  const { citedBy, related, previous, next, links } = context;
  const shownBacklinks = citedBy.slice(0, BACKLINKS_SHOWN);
  const hasToc = article.sections.length >= 2;
  return (
    <>
      <MetadataPanel article={article} links={links} />
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
    </>
  );
}
