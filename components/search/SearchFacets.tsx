'use client';

import { useState } from 'react';
import type { FacetCount, Filters } from '@/lib/search/engine';
import { FACET_LABELS, FACET_NAMES, type FacetName } from '@/lib/search/facets';
import { formatCount } from '@/lib/site';

const SHOWN = 8;
/** Even "show all" stops here: the keyword facet alone has thousands of values. */
const MOST = 100;

/** Issue-type keys come from articles: a Map, so `constructor` or `__proto__` is just an unknown key. */
const TYPE_NAMES: ReadonlyMap<string, string> = new Map([
  ['kbbug', 'Bug'],
  ['kbprb', 'Problem'],
  ['kbinfo', 'Information'],
  ['kbhowto', 'How-to'],
]);

export function facetValueLabel(facet: FacetName, value: string): string {
  const name = facet === 'type' ? TYPE_NAMES.get(value) : undefined;
  return name ? `${name} (${value})` : value;
}

/** Facet filters with counts: a checkbox per value; several values of one facet mean either. */
export function SearchFacets({
  facets,
  pending,
  selected,
  onToggle,
}: {
  facets: Record<FacetName, FacetCount[]>;
  pending: readonly FacetName[];
  /** The filters in force (from the URL, or just clicked): what the checkboxes show. */
  selected: Filters;
  onToggle: (facet: FacetName, value: string) => void;
}) {
  return (
    <div className="space-y-5 text-sm">
      {FACET_NAMES.map((facet) => {
        const chosen = new Set(selected[facet] ?? []);
        const counts = (facets[facet] ?? []).map((c) => ({ ...c, selected: chosen.has(c.value) }));
        for (const value of chosen) if (!counts.some((c) => c.value === value)) counts.push({ value, count: 0, selected: true });
        return <FacetGroup key={facet} facet={facet} counts={counts} pending={pending.includes(facet)} onToggle={onToggle} />;
      })}
    </div>
  );
}

function FacetGroup({
  facet,
  counts,
  pending,
  onToggle,
}: {
  facet: FacetName;
  counts: FacetCount[];
  pending: boolean;
  onToggle: (facet: FacetName, value: string) => void;
}) {
  const [open, setOpen] = useState(false);
  if (counts.length === 0 && !pending) return null;
  const shown = counts.filter((c, i) => i < (open ? MOST : SHOWN) || c.selected);
  return (
    <fieldset data-facet={facet} className="min-w-0">
      <legend className="mb-1 font-semibold">{FACET_LABELS[facet]}</legend>
      {pending && counts.length === 0 ? <p className="text-muted">Loading…</p> : null}
      <ul className="space-y-1">
        {shown.map((c) => (
          <li key={c.value}>
            {/* Rows of at least 28 px: each checkbox has 24 px of its own (WCAG 2.5.8 target size). */}
            <label className="flex min-h-7 cursor-pointer items-center gap-2">
              <input type="checkbox" checked={c.selected} onChange={() => onToggle(facet, c.value)} className="size-4 shrink-0" />
              <span className="min-w-0 flex-1 break-words">{facetValueLabel(facet, c.value)}</span>
              <span className="shrink-0 text-muted tabular-nums">{formatCount(c.count)}</span>
            </label>
          </li>
        ))}
      </ul>
      {counts.length > SHOWN ? (
        <button type="button" onClick={() => setOpen(!open)} className="mt-1 min-h-6 text-accent underline" aria-expanded={open}>
          {open ? 'Show fewer' : counts.length > MOST ? `Show top ${MOST} of ${formatCount(counts.length)}` : `Show all ${formatCount(counts.length)}`}
        </button>
      ) : null}
    </fieldset>
  );
}
