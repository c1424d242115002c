import type { ArticleSummary } from '@/lib/content/graph';
import { displayTitle, formatDate, href } from '@/lib/site';

/** A row's texts; a summary whose values are not what a row shows (never, once lib/content/listing-entry.ts made it) is its number only. */
function rowOf(article: ArticleSummary, product: boolean): { title: string; meta: string } {
  try {
    const meta = [product ? article.product?.trim() : null, article.lastModified ? formatDate(article.lastModified).text : null].filter(Boolean).join(' · ');
    const title = displayTitle(article.id, article.title);
    if (typeof title !== 'string' || typeof meta !== 'string') throw new TypeError('not text');
    return { title, meta };
  } catch {
    return { title: String(article.id), meta: '' };
  }
}

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
        const { title, meta } = rowOf(article, product);
        return (
          <li key={article.id}>
            <span>{article.id}</span>
            <a href={href(article.permalink)}>{title}</a>
            {meta ? <small>{meta}</small> : null}
          </li>
        );
      })}
    </ul>
  );
}
