/**
 * The early script's answer as the search page's React view reads it (./boot.ts paints it and sets
 * `window.__kbSearchBoot`). A module of its own so that the view's bundle does not carry the query
 * engine, which ./boot.ts imports: the page's main thread never runs a search.
 */
import type { SearchResponse } from './engine';

/** What the early script found, for the React view to start from. */
export interface SearchBootAnswer {
  /** `stateKey` of the URL state it answered. */
  key: string;
  response: SearchResponse;
}

/** The event dispatched on `window` when `window.__kbSearchBoot` is set. */
export const SEARCH_BOOT_EVENT = 'kbview:search-boot';

/** The early answer for this URL state, if the early script painted one (browser only). */
export function searchBootAnswer(key: string): SearchBootAnswer | null {
  if (typeof window === 'undefined') return null;
  const answer = (window as { __kbSearchBoot?: SearchBootAnswer }).__kbSearchBoot;
  return answer && answer.key === key ? answer : null;
}
