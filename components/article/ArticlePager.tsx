import type { ArticleSummary } from '@/lib/content';
import { displayTitle, href } from '@/lib/site';

/** Links to the previous and next article by number (`.kb-prevnext`). */
export function ArticlePager({
  previous,
  next,
  label = 'Previous and next article',
}: {
  previous: ArticleSummary | null;
  next: ArticleSummary | null;
  label?: string;
}) {
  if (!previous && !next) return null;
  return (
    <nav aria-label={label} className="kb-prevnext">
      {previous ? (
        <a href={href(previous.permalink)} rel="prev">
          <span>{`← ${previous.id}`}</span>
          {displayTitle(previous.id, previous.title)}
        </a>
      ) : null}
      {next ? (
        <a href={href(next.permalink)} rel="next" className="kb-prevnext-next">
          <span>{`${next.id} →`}</span>
          {displayTitle(next.id, next.title)}
        </a>
      ) : null}
    </nav>
  );
}
