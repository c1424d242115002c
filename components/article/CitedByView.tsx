import type { ArticleSummary } from '@/lib/content';
import type { Article } from '@/lib/markdown/schema';
import { Static } from '@/components/ui/Static';
import { displayTitle, formatCount, href } from '@/lib/site';
import { ArticleLinkList } from './ArticleLinkList';

/** Every article citing a heavily cited one (the article page lists the first few). */
export function CitedByView({ article, citedBy }: { article: Article; citedBy: readonly ArticleSummary[] }) {
  return (
    <article className="kb-article">
      <Static>
        <header className="mb-5">
          <p className="kb-number">
            <a href={href(article.permalink)}>{article.id}</a>
          </p>
          <h1 className="kb-title">{`${citedBy.length === 1 ? '1 article refers' : `${formatCount(citedBy.length)} articles refer`} to ${article.id}`}</h1>
          <p className="mt-2 text-muted">
            {`${article.id}: `}
            <a href={href(article.permalink)}>{displayTitle(article.id, article.title)}</a>
          </p>
        </header>
        <ArticleLinkList articles={citedBy} />
      </Static>
    </article>
  );
}
