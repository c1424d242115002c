'use client';

/**
 * The search page's interactive part. Its state lives in the URL
 * (`?q=…&product=…&sort=date`), read with useSearchParams and written with the
 * native history API (which Next's router follows): typing replaces the
 * current entry, facet and sort changes push a new one, so links can be
 * shared and the back button steps through filters. The query runs in the
 * search worker (lib/search/client.ts).
 */
import { useEffect, useId, useMemo, useRef, useState, type FormEvent } from 'react';
import { useSearchParams } from 'next/navigation';
import { getSearchClient } from '@/lib/search/client';
import type { Filters, SearchHit, SearchResponse, SortOrder } from '@/lib/search/engine';
import { FACET_NAMES, type FacetName } from '@/lib/search/facets';
import { MAX_QUERY_LENGTH, PAGE_SIZE, hasFilters, parseSearchState, searchQueryString, stateKey, toggleFilter, type SearchState } from '@/lib/search/params';
import { articleNumberOf } from '@/lib/search/tokenize';
import { href } from '@/lib/site';
import { searchBootAnswer } from '@/lib/search/boot-answer';
import { searchStatusText } from '@/lib/search/view-text';
import { SearchFacets } from './SearchFacets';
import { SearchResults } from './SearchResults';

const SEARCH_PATH = '/search/';
/** Typing that pauses this long runs the full search (facets, excerpts); each keystroke before gets the fast one. */
const TYPING_PAUSE_MS = 300;

// The search page starts its worker and the manifest as soon as its script runs, before React hydrates.
if (typeof window !== 'undefined') getSearchClient().warm();

function urlOf(state: SearchState): string {
  return `${href(SEARCH_PATH)}${searchQueryString(state)}`;
}

interface Shown {
  key: string;
  response: SearchResponse;
  hits: SearchHit[];
}

export function SearchView() {
  const params = useSearchParams();
  const state = useMemo(() => parseSearchState(params), [params]);
  const key = stateKey(state);
  const inputId = useId();

  // Text typed into the page's box before React ran: the fallback's plain box, replaced by this view's.
  const [early] = useState(earlyTyping);
  const inputRef = useRef<HTMLInputElement>(null);
  // The input's text is local (typing stays instant) and mirrored into the URL;
  // a URL change from elsewhere (back button, header box) flows back into it.
  const [text, setText] = useState(state.q);
  // The queries this view wrote into the URL, oldest first: the router hands each back later (under load,
  // after more keys were typed), and an echo of our own write must not reset the box to an older text.
  const written = useRef<string[]>([state.q]);
  useEffect(() => {
    const at = written.current.indexOf(state.q);
    if (at >= 0) {
      written.current = written.current.slice(at);
      return;
    }
    written.current = [state.q];
    setText(state.q);
  }, [state.q]);
  /** The query last typed into the box (not set by a link, the back button or the header box). */
  const typedQ = useRef<string | null>(null);

  // The first results the early script (lib/search/boot.ts) painted before React ran: adopted as they are.
  const [shown, setShown] = useState<Shown | null>(() => {
    const boot = searchBootAnswer(key);
    return boot ? { key, response: boot.response, hits: boot.response.hits } : null;
  });
  const [error, setError] = useState<string | null>(null);
  /** Bumped by "Try again" after a failed load: runs the same search again. */
  const [attempt, setAttempt] = useState(0);
  const [loading, setLoading] = useState(false);
  const [loadingMore, setLoadingMore] = useState(false);
  // A page opened on an article number (a shared link, or the form without JS) goes to the article.
  const openedKey = useRef(key);
  const typed = useRef(false);

  useEffect(() => {
    if (!state.q.trim() && !hasFilters(state)) {
      // Synchronizes with the search client (an external system): an emptied query drops the last answer.
      // eslint-disable-next-line react-hooks/set-state-in-effect
      setShown(null);
      setLoading(false);
      setError(null);
      return;
    }
    // Results of this very state already on screen (the early script's): no dimming while facets load.
    setLoading(shown?.key !== key);
    setLoadingMore(false);
    const client = getSearchClient();
    let cancelFull: (() => void) | null = null;
    let cancelQuick: (() => void) | null = null;
    const full = () =>
      (cancelFull = client.search({ q: state.q, filters: state.filters, sort: state.sort, offset: 0, limit: PAGE_SIZE, prefix: true }, onFull, (message) => {
        setError(message);
        setLoading(false);
      }));
    // Typed key by key: the header box's fast path (titles only: no facet files, keyword lists or excerpt
    // chunks), and the full search once typing pauses.
    const quick = typedQ.current === state.q && !hasFilters(state) && state.sort === 'relevance' && articleNumberOf(state.q) === null;
    let timer: ReturnType<typeof setTimeout> | null = null;
    if (quick) {
      cancelQuick = client.search(
        { q: state.q, limit: PAGE_SIZE, prefix: true, suggest: true },
        (response) => {
          setShown((prev) => (prev && prev.key === key ? prev : { key, response: { ...response, pending: [...FACET_NAMES] }, hits: response.hits }));
          setError(null);
          setLoading(false);
        },
        () => {}, // the full search reports it
      );
      timer = setTimeout(full, TYPING_PAUSE_MS);
    } else {
      full();
    }
    return () => {
      if (timer !== null) clearTimeout(timer);
      cancelQuick?.();
      cancelFull?.();
    };
    function onFull(response: SearchResponse) {
      const match = response.number;
      if (match && match.status !== 'unknown' && !typed.current && key === openedKey.current && articleNumberOf(state.q) !== null) {
        window.location.replace(href(match.permalink));
        return;
      }
      setShown({ key, response, hits: response.hits });
      setError(null);
      setLoading(false);
    }
    // `key` captures `state` entirely.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key, attempt]);

  const onType = (value: string) => {
    typed.current = true;
    const q = value.slice(0, MAX_QUERY_LENGTH);
    setText(q);
    typedQ.current = q;
    written.current.push(q);
    window.history.replaceState(null, '', urlOf({ ...state, q }));
  };

  // What was typed before React ran (into the fallback's box, or into this box before it hydrated) is
  // taken up as if typed now: the URL, the results and Enter act on it, and the focus stays in the box.
  useEffect(() => {
    const box = inputRef.current;
    if (!box) return;
    const typedEarly = early?.value ?? box.value;
    if (typedEarly !== '' && typedEarly !== state.q) {
      box.value = typedEarly;
      onType(typedEarly);
    }
    if (early?.focused) {
      if (document.activeElement !== box) box.focus();
      box.setSelectionRange(early.selectionStart, early.selectionEnd);
    }
    // Once, on mount.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  const push = (next: SearchState) => {
    written.current.push(next.q);
    window.history.pushState(null, '', urlOf(next));
  };

  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const match = shown?.response.number;
    if (match && match.status !== 'unknown' && articleNumberOf(text) === match.number) {
      window.location.assign(href(match.permalink));
    }
  };

  // Checkboxes and the sort menu show a change at once, before the URL round trip re-renders.
  const [optimistic, setOptimistic] = useState<{ from: string; filters: Filters; sort: SortOrder } | null>(null);
  const shownFilters = optimistic && optimistic.from === key ? optimistic.filters : state.filters;
  const shownSort = optimistic && optimistic.from === key ? optimistic.sort : state.sort;
  const change = (next: SearchState) => {
    setOptimistic({ from: key, filters: next.filters, sort: next.sort });
    push(next);
  };
  const onToggle = (facet: FacetName, value: string) => change(toggleFilter({ ...state, q: text }, facet, value));
  const onClearFilters = () => change({ ...state, q: text, filters: {} });

  const onLoadMore = () => {
    if (!shown) return;
    const current = shown;
    setLoadingMore(true);
    getSearchClient().search(
      { q: state.q, filters: state.filters, sort: state.sort, offset: current.hits.length, limit: PAGE_SIZE, prefix: true },
      (response) => {
        setShown((prev) =>
          prev && prev.key === current.key && response.offset === prev.hits.length
            ? { ...prev, hits: [...prev.hits, ...response.hits], response: { ...prev.response, facets: response.facets, pending: response.pending } }
            : prev,
        );
        setLoadingMore(false);
      },
      (message) => {
        setError(message);
        setLoadingMore(false);
      },
    );
  };

  const current = shown;
  const response = current?.response ?? null;
  const filtered = hasFilters(state);
  const active = Boolean(state.q.trim()) || filtered;

  return (
    <div>
      <form role="search" onSubmit={onSubmit} className="mt-4 flex flex-wrap items-end gap-3">
        <div className="w-full min-w-0 sm:w-auto sm:flex-1">
          <label htmlFor={inputId} className="mb-1 block text-sm font-medium">
            Search articles by words, KB keyword or article number
          </label>
          <input
            ref={inputRef}
            id={inputId}
            data-search-primary=""
            type="search"
            name="q"
            value={text}
            onChange={(e) => onType(e.target.value)}
            maxLength={MAX_QUERY_LENGTH}
            autoComplete="off"
            spellCheck={false}
            enterKeyHint="search"
            autoFocus={!state.q}
            className="w-full rounded border border-line bg-page px-3 py-2 text-base"
          />
        </div>
        <div>
          <label htmlFor={`${inputId}-sort`} className="mb-1 block text-sm font-medium">
            Sort by
          </label>
          <select
            id={`${inputId}-sort`}
            value={shownSort}
            onChange={(e) => change({ ...state, q: text, sort: e.target.value === 'date' ? 'date' : 'relevance' })}
            className="rounded border border-line bg-page px-2 py-2 text-base"
          >
            <option value="relevance">Relevance</option>
            <option value="date">Date (newest first)</option>
          </select>
        </div>
      </form>

      <p role="status" className="mt-3 min-h-[1.5em] text-sm text-muted" data-search-status="">
        {searchStatusText({ active, loading, error, response, q: state.q })}
      </p>

      {error ? (
        <div className="mt-2 rounded border border-line bg-panel px-4 py-3" role="alert">
          <p className="font-semibold">Search is unavailable: the search index could not be loaded.</p>
          <p className="mt-1 text-sm text-muted">{error}</p>
          <button
            type="button"
            data-search-retry=""
            onClick={() => {
              setError(null);
              setAttempt((n) => n + 1);
            }}
            className="mt-2 min-h-6 rounded border border-line bg-page px-3 py-1 text-sm font-medium hover:border-accent"
          >
            Try again
          </button>
          {process.env.NODE_ENV === 'development' ? (
            <p className="mt-1 text-sm text-muted">
              Build it with <code>npx tsx scripts/build-search.ts</code> (it is written to public/search/).
            </p>
          ) : null}
        </div>
      ) : null}

      {!active ? <SearchHelp /> : null}

      {active && response ? (
        <div className={`mt-4 grid gap-8 md:grid-cols-[13rem_minmax(0,1fr)] ${loading ? 'opacity-70' : ''}`} aria-busy={loading || undefined}>
          <aside aria-label="Filters" className="order-2 md:order-1">
            <h2 className="sr-only">Filters</h2>
            <SearchFacets facets={response.facets} pending={response.pending} selected={shownFilters} onToggle={onToggle} />
          </aside>
          <section aria-label="Results" className="order-1 min-w-0 md:order-2">
            <h2 className="sr-only">Results</h2>
            <SearchResults
              response={response}
              hits={current!.hits}
              loadingMore={loadingMore}
              onLoadMore={onLoadMore}
              onClearFilters={onClearFilters}
              filtered={filtered}
            />
          </section>
        </div>
      ) : null}
    </div>
  );
}

/** The fallback's box (app/search/page.tsx), as the reader left it before React replaced it. */
interface EarlyTyping {
  value: string;
  focused: boolean;
  selectionStart: number;
  selectionEnd: number;
}

/**
 * Read while this view first renders, before its commit removes the fallback: the text is the reader's when it
 * is not empty (the early script fills the box only with the URL's query, which is then no change).
 */
function earlyTyping(): EarlyTyping | null {
  if (typeof document === 'undefined') return null;
  const box = document.querySelector<HTMLInputElement>('input[data-search-boot-input]');
  if (!box) return null;
  const value = box.value.slice(0, MAX_QUERY_LENGTH);
  return {
    value,
    focused: document.activeElement === box,
    selectionStart: Math.min(box.selectionStart ?? value.length, value.length),
    selectionEnd: Math.min(box.selectionEnd ?? value.length, value.length),
  };
}

function SearchHelp() {
  const example = (q: string) => <a href={`${href(SEARCH_PATH)}?q=${encodeURIComponent(q)}`}>{q}</a>;
  return (
    <div className="mt-4 max-w-[72ch] space-y-2 text-sm">
      <p>Search the titles and text of the archive&apos;s articles. Results contain every word you type; title matches come first.</p>
      <ul className="list-disc space-y-1 pl-5">
        <li>
          Words: {example('rassrv')}, {example('printer windows nt')}
        </li>
        <li>An article number goes straight to the article: {example('Q244717')}</li>
        <li>
          A KB keyword finds the articles tagged with it: {example('kbfixlist')}, {example('kbbug')}
        </li>
      </ul>
      <p>
        Press <kbd className="rounded border border-line px-1 font-mono">/</kbd> on any page to search.
      </p>
    </div>
  );
}
