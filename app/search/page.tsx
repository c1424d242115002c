import type { Metadata } from 'next';
import { Suspense } from 'react';
import { SearchView } from '@/components/search/SearchView';
import { href } from '@/lib/site';

export const metadata: Metadata = {
  title: 'Search',
  description: 'Search the KnowledgeBase archive by words, KB keyword or article number.',
};

/**
 * /search/: a static page; everything below the heading runs in the browser
 * (the query is in the URL, read with useSearchParams inside <Suspense>).
 */
export default function SearchPage() {
  return (
    // At least a screen high, with or without results: results arriving never push the footer into view (no layout shift).
    <div className="min-h-screen">
      <h1 className="text-2xl font-bold tracking-tight sm:text-3xl">Search</h1>
      <Suspense fallback={<SearchFallback />}>
        <SearchView />
      </Suspense>
    </div>
  );
}

/** Shown until the script runs: a plain form that still submits. */
function SearchFallback() {
  return (
    <form role="search" action={href('/search/')} method="get" className="mt-4">
      <label htmlFor="search-fallback" className="mb-1 block text-sm font-medium">
        Search articles by words, KB keyword or article number
      </label>
      <input id="search-fallback" type="search" name="q" maxLength={2000} className="w-full rounded border border-line bg-page px-3 py-2 text-base" />
      <noscript>
        <p className="mt-2 text-sm text-muted">Search needs JavaScript.</p>
      </noscript>
    </form>
  );
}
