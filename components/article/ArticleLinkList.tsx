import type { ArticleSummary } from '@/lib/content';
import { displayTitle, href } from '@/lib/site';

/**
 * A compact list of links to articles (backlinks, related, all citing
 * articles of a missing page): number and title only, so that a list of a
 * thousand rows stays near 110 bytes a row. Styled by `.kb-links`.
 */
export function ArticleLinkList({ articles }: { articles: readonly Pick<ArticleSummary, 'id' | 'title' | 'permalink'>[] }) {
  if (articles.length === 0) return null;
  return (
    <ul className="kb-links">
      {articles.map((article) => (
        <li key={article.id}>
          <a href={href(article.permalink)}>
            <span>{article.id}</span>
            {` ${displayTitle(article.id, article.title)}`}
          </a>
        </li>
      ))}
    </ul>
  );
}
