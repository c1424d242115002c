import type { Metadata } from 'next';
import { Suspense } from 'react';
import { preload } from 'react-dom';
import { SearchView } from '@/components/search/SearchView';
import { href } from '@/lib/site';

export const metadata: Metadata = {
  title: 'Search',
  description: 'Search the KnowledgeBase archive by words, KB keyword or article number.',
};

/**
 * /search/: a static page; everything below the heading runs in the browser
 * (the query is in the URL, read with useSearchParams inside <Suspense>).
 *
 * Its first results do not wait for React: lib/search/boot.ts, our own framework-free script (inline at the
 * start of the exported page's head, lib/search/boot-hold.ts; `search/boot.js`, loaded `async`, under
 * `next dev`), with the index manifest preloaded beside it, paints them into the fallback's reserved slot,
 * and SearchView adopts them.
 */
export default function SearchPage() {
  preload(href('/search/manifest.json'), { as: 'fetch', crossOrigin: 'anonymous', fetchPriority: 'high' });
  return (
    // At least a screen high, with or without results: results arriving never push the footer into view (no layout shift).
    <div className="min-h-screen">
      {/* Under `next dev` only: the export carries the script inline (lib/search/boot-hold.ts). An element here would
          be a resource React 19 inserts into the head after hydration when the page lacks it: the script again. */}
      {process.env.NODE_ENV === 'development' ? <script async src={href('/search/boot.js')} fetchPriority="high" /> : null}
      <h1 className="text-2xl font-bold tracking-tight sm:text-3xl">Search</h1>
      <Suspense fallback={<SearchFallback />}>
        <SearchView />
      </Suspense>
    </div>
  );
}

/**
 * Shown until React renders SearchView: a plain form that still submits, laid out as
 * SearchView's form (same boxes, so nothing moves when it is replaced), the status line
 * and the slot the early script paints results into.
 */
function SearchFallback() {
  return (
    <div>
      <form role="search" action={href('/search/')} method="get" className="mt-4 flex flex-wrap items-end gap-3">
        <div className="w-full min-w-0 sm:w-auto sm:flex-1">
          <label htmlFor="search-fallback" className="mb-1 block text-sm font-medium">
            Search articles by words, KB keyword or article number
          </label>
          <input
            id="search-fallback"
            data-search-boot-input=""
            type="search"
            name="q"
            maxLength={2000}
            autoComplete="off"
            spellCheck={false}
            enterKeyHint="search"
            className="w-full rounded border border-line bg-page px-3 py-2 text-base"
          />
        </div>
        <div>
          <label htmlFor="search-fallback-sort" className="mb-1 block text-sm font-medium">
            Sort by
          </label>
          <select id="search-fallback-sort" name="sort" defaultValue="relevance" className="rounded border border-line bg-page px-2 py-2 text-base">
            <option value="relevance">Relevance</option>
            <option value="date">Date (newest first)</option>
          </select>
        </div>
      </form>
      <p role="status" className="mt-3 min-h-[1.5em] text-sm text-muted" data-search-boot-status="" />
      <noscript>
        <p className="mt-2 text-sm text-muted">Search needs JavaScript.</p>
      </noscript>
      <div data-search-boot="" />
    </div>
  );
}
