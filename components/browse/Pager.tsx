import { href } from '@/lib/site';

/** Page numbers to show: the first, the last, and two either side of the current one; null marks a gap. */
export function pagerItems(page: number, pages: number): (number | null)[] {
  const shown = new Set([1, pages]);
  for (let n = page - 2; n <= page + 2; n++) if (n >= 1 && n <= pages) shown.add(n);
  const sorted = [...shown].sort((a, b) => a - b);
  const out: (number | null)[] = [];
  sorted.forEach((n, i) => {
    const prev = sorted[i - 1];
    if (prev !== undefined && n - prev > 1) out.push(n - prev === 2 ? n - 1 : null);
    out.push(n);
  });
  return out;
}

/**
 * Links to the other pages of a listing (shown above and below it): previous,
 * page numbers around the current one, next. Nothing when there is one page.
 */
export function Pager({ page, pages, pathOf, position }: { page: number; pages: number; pathOf: (page: number) => string; position: 'top' | 'bottom' }) {
  if (pages <= 1) return null;
  return (
    <nav className="kb-pager" aria-label={position === 'top' ? 'Pages' : 'Pages (bottom)'}>
      {page > 1 ? (
        <a href={href(pathOf(page - 1))} rel="prev">
          ‹ Previous
        </a>
      ) : null}
      {pagerItems(page, pages).map((n, i) =>
        n === null ? (
          <span key={`gap${i}`} aria-hidden="true">
            …
          </span>
        ) : n === page ? (
          <span key={n} aria-current="page">
            {n}
          </span>
        ) : (
          <a key={n} href={href(pathOf(n))} aria-label={`Page ${n}`}>
            {n}
          </a>
        ),
      )}
      {page < pages ? (
        <a href={href(pathOf(page + 1))} rel="next">
          Next ›
        </a>
      ) : null}
    </nav>
  );
}
