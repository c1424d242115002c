/**
 * The search page's state as it lives in the URL:
 *
 *   /search/?q=rassrv&product=Microsoft+Windows+NT&type=kbbug&year=2002&sort=date
 *
 * Facets may repeat (`year=2001&year=2002`: either year). Pure.
 */
import { FACET_NAMES, type FacetName } from './facets';
import type { Filters, SortOrder } from './engine';

export interface SearchState {
  q: string;
  filters: Filters;
  sort: SortOrder;
}

export const MAX_QUERY_LENGTH = 2000;

/** Results per page ("Show more results" adds as many again). */
export const PAGE_SIZE = 10;

/** Reads the state from URL search params (anything odd is dropped, never thrown on). */
export function parseSearchState(params: { get(name: string): string | null; getAll(name: string): string[] }): SearchState {
  const q = (params.get('q') ?? '').slice(0, MAX_QUERY_LENGTH);
  const filters: Filters = {};
  for (const facet of FACET_NAMES) {
    const values = [
      ...new Set(
        params
          .getAll(facet)
          .map((v) => v.trim())
          .filter((v) => v.length > 0 && v.length < 200),
      ),
    ].slice(0, 20);
    if (values.length > 0) filters[facet] = values;
  }
  return { q, filters, sort: params.get('sort') === 'date' ? 'date' : 'relevance' };
}

/** `?q=…&product=…` (empty parts left out; '' when there is nothing). */
export function searchQueryString(state: SearchState): string {
  const params = new URLSearchParams();
  if (state.q) params.set('q', state.q);
  for (const facet of FACET_NAMES) for (const value of state.filters[facet] ?? []) params.append(facet, value);
  if (state.sort === 'date') params.set('sort', 'date');
  const text = params.toString();
  return text ? `?${text}` : '';
}

/** A stable key of a state, for effects and caches. */
export function stateKey(state: SearchState): string {
  return searchQueryString(state);
}

export function toggleFilter(state: SearchState, facet: FacetName, value: string): SearchState {
  const current = state.filters[facet] ?? [];
  const next = current.includes(value) ? current.filter((v) => v !== value) : [...current, value];
  const filters: Filters = { ...state.filters };
  if (next.length > 0) filters[facet] = next;
  else delete filters[facet];
  return { ...state, filters };
}

export function hasFilters(state: SearchState): boolean {
  return FACET_NAMES.some((f) => (state.filters[f]?.length ?? 0) > 0);
}
