import type { ArticleSummary } from '@/lib/content/graph';
import { displayTitle, formatDate, href } from '@/lib/site';

/**
 * The rows of a listing page: id, linked title, then product and date. A
 * listing page holds up to 200 of them and there are thousands of such pages,
 * so each row is as little markup as it can be (one text node per cell, no
 * classes; styled by `.kb-rows` in app/globals.css).
 */
export function ArticleRows({ articles, product = true, label }: { articles: readonly ArticleSummary[]; product?: boolean; label?: string }) {
  return (
    <ul className="kb-rows" aria-label={label}>
      {articles.map((article) => {
        const meta = [product ? article.product?.trim() : null, article.lastModified ? formatDate(article.lastModified).text : null]
          .filter(Boolean)
          .join(' · ');
        return (
          <li key={article.id}>
            <span>{article.id}</span>
            <a href={href(article.permalink)}>{displayTitle(article.id, article.title)}</a>
            {meta ? <small>{meta}</small> : null}
          </li>
        );
      })}
    </ul>
  );
}
