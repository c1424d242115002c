/**
 * The browsing listings for the routes (server-only): built once per process
 * from getSite() and memoized (./index.ts), so that a listing page only slices arrays.
 */
import 'server-only';
import type { BrowseIndex } from './browse-index';
import { browseIndexOf, getSite } from './index';

export * from './browse-index';

/** Every listing of the archive (computed once per process). */
export async function getBrowse(): Promise<BrowseIndex> {
  return browseIndexOf(await getSite());
}
