/**
 * Texts of the search page that both its React view (components/search/SearchView.tsx)
 * and its framework-free first paint (./boot.ts) show, so the two agree to the letter. Pure.
 */
import { formatCount } from '../site';
import type { SearchResponse } from './engine';

/** The status line above the results: `12 articles for “rassrv”`. */
export function searchStatusText({
  active,
  loading,
  error,
  response,
  q,
}: {
  active: boolean;
  loading: boolean;
  error: string | null;
  response: SearchResponse | null;
  q: string;
}): string {
  if (!active || error) return '';
  if (loading && !response) return 'Searching…';
  if (!response) return '';
  const n = response.total;
  const match = response.number;
  if (match) {
    const found =
      match.status === 'article' ? `Article ${match.id}` : match.status === 'missing' ? `${match.id} is not in this archive` : `No article ${match.id}`;
    return n > 0 ? `${found}; ${formatCount(n)} ${n === 1 ? 'article cites' : 'articles cite'} it` : found;
  }
  const words = q.trim() ? ` for “${q.trim().length > 80 ? `${q.trim().slice(0, 80)}…` : q.trim()}”` : '';
  const order = response.sort === 'date' ? ', newest first' : '';
  return `${n === 0 ? 'No' : formatCount(n)} ${n === 1 ? 'article' : 'articles'}${words}${order}`;
}

/** "Show more results (1,234 more)". */
export function moreResultsText(more: number): string {
  return `Show more results (${formatCount(more)} more)`;
}

export const PARTIAL_NOTICE = 'No article contains all of your words; these contain some of them.';
