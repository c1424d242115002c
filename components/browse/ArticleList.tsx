import type { ArticleSummary } from '@/lib/content';
import { displayTitle, href } from '@/lib/site';
import { DateText } from '@/components/ui/DateText';

/**
 * A list of articles: id, linked title, product and date. Used for the home
 * page and for "cited by" lists; the per-row markup is kept small (styles in
 * `.kb-list`, app/globals.css) because a list may hold thousands of rows.
 */
export function ArticleList({ articles, label }: { articles: readonly ArticleSummary[]; label?: string }) {
  if (articles.length === 0) return null;
  return (
    <ul className="kb-list" aria-label={label}>
      {articles.map((article) => (
        <li key={article.id}>
          <span className="kb-list-id">{article.id}</span>
          <a className="kb-list-title" href={href(article.permalink)}>
            {displayTitle(article.id, article.title)}
          </a>
          {article.product || article.lastModified ? (
            <span className="kb-list-meta">
              {article.product ? <span>{article.product}</span> : null}
              {article.lastModified ? <DateText value={article.lastModified} /> : null}
            </span>
          ) : null}
        </li>
      ))}
    </ul>
  );
}
