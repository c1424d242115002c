'use client';

/**
 * The search box in the site header, on every page: a WAI-ARIA 1.2 combobox
 * (input with a listbox popup) that shows results while the reader types.
 *
 * - A plain GET form to /search/, so it works before (or without) JavaScript.
 * - The query engine (one dynamic import; it runs in the page, see lib/search/client.ts)
 *   and the index manifest load when the browser is idle after the page load (not with
 *   Save-Data), or on focus if that comes first; shards and records only for a query.
 * - As the reader types: "Go to Q244717" first for an article number, then the
 *   best 8 articles for the text so far (the last word matched as a prefix),
 *   then "See all N results" (the search page).
 * - With an empty box, focus shows the reader's recent searches (kept in this
 *   browser's localStorage only; clearable).
 * - ArrowDown/ArrowUp move, Enter opens the option (or, with none selected, the
 *   article of a number or the results page), Escape closes, Tab leaves.
 * - Ctrl+K / ⌘K and `/` focus it (`/` only when not typing in a field); on the
 *   search page they focus that page's own box.
 *
 * Every text shown comes from the index or the query and is rendered as text nodes.
 */
import { memo, useCallback, useEffect, useId, useLayoutEffect, useRef, useState, type FormEvent, type KeyboardEvent as ReactKeyboardEvent } from 'react';
import type { FileMatch, NumberMatch, SearchHit, SearchResponse } from '@/lib/search/engine';
import { getSearchClient, type SearchClient } from '@/lib/search/client';
import { bucketOf, permalinkOfNumber, type IdsFile } from '@/lib/search/format';
import { highlightParts } from '@/lib/search/highlight';
import { articleNumberOf } from '@/lib/search/tokenize';
import { MAX_QUERY_LENGTH } from '@/lib/search/params';
import { BASE_PATH, displayTitle, formatCount, formatDate, href } from '@/lib/site';
import { Highlighted } from './Highlighted';

export const SEARCH_PATH = '/search/';

/** Results shown in the dropdown. */
export const SUGGESTIONS = 8;
const RECENT_KEY = 'kbview:recent-searches';
/** Performance marks: the box's text changed (`detail`: the text); the dropdown shows the answer for a text. */
export const MARK_KEY = 'kbview:key';
export const MARK_DROPDOWN = 'kbview:dropdown';
const RECENT_MAX = 8;
const RECENT_LENGTH = 200;

/** Is the keyboard focus somewhere that takes text (where `/` must type a slash)? */
function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  const tag = target.tagName;
  return tag === 'INPUT' || tag === 'TEXTAREA' || tag === 'SELECT';
}

/** An article number written as a link or path (`…/kb/244717`, `default.aspx?scid=kb;en-us;Q244717`), not a bare number. */
function isKbLink(q: string): boolean {
  return /[/:.?;=]/.test(q);
}

/** Where an article number leads: its page, its not-in-archive page, or null when unknown (or the lookup failed). */
export async function articleHref(n: number): Promise<string | null> {
  try {
    const response = await fetch(`${BASE_PATH}/search/ids/${bucketOf(n)}.json`, { cache: 'no-cache' });
    if (!response.ok) return null;
    const ids = (await response.json()) as IdsFile;
    if (ids.a.includes(n) || ids.m.includes(n)) return href(permalinkOfNumber(n));
  } catch {
    // Offline or no index: let the search page explain.
  }
  return null;
}

export function searchPageHref(q: string): string {
  return `${href(SEARCH_PATH)}${q ? `?q=${encodeURIComponent(q)}` : ''}`;
}

/** The reader's recent searches: strings only, bounded, whatever localStorage holds. */
export function readRecent(): string[] {
  try {
    const raw: unknown = JSON.parse(window.localStorage.getItem(RECENT_KEY) ?? '[]');
    if (!Array.isArray(raw)) return [];
    const out: string[] = [];
    for (const value of raw.slice(0, RECENT_MAX)) {
      if (typeof value === 'string' && value.trim() && value.length <= RECENT_LENGTH && !out.includes(value)) out.push(value);
    }
    return out;
  } catch {
    return [];
  }
}

function writeRecent(list: readonly string[]): void {
  try {
    if (list.length === 0) window.localStorage.removeItem(RECENT_KEY);
    else window.localStorage.setItem(RECENT_KEY, JSON.stringify(list.slice(0, RECENT_MAX)));
  } catch {
    // Storage full or disabled: recent searches are a convenience.
  }
}

function rememberSearch(q: string): void {
  const text = q.trim().replace(/\s+/g, ' ');
  if (!text || text.length > RECENT_LENGTH) return;
  writeRecent([text, ...readRecent().filter((r) => r !== text)]);
}

type Option =
  | { kind: 'file'; key: string; file: FileMatch }
  | { kind: 'number'; key: string; n: number; match: NumberMatch | null }
  | { kind: 'hit'; key: string; hit: SearchHit }
  | { kind: 'all'; key: string; total: number }
  | { kind: 'recent'; key: string; q: string }
  | { kind: 'clear'; key: string };

/** The search client: its engine loads on first use (focus), never with the page. */
function loadClient(): Promise<SearchClient> {
  try {
    return Promise.resolve(getSearchClient('page'));
  } catch (error) {
    return Promise.reject(error instanceof Error ? error : new Error(String(error)));
  }
}

/** Puts the focus in the search page's own box when there is one, else in the header box. */
function focusSearch(fallback: HTMLInputElement | null): void {
  const target = document.querySelector<HTMLInputElement>('input[data-search-primary]') ?? fallback;
  target?.focus();
  target?.select();
}

export function SearchBox() {
  const id = useId();
  const listId = `${id}-list`;
  const input = useRef<HTMLInputElement>(null);
  const list = useRef<HTMLUListElement>(null);
  const [text, setText] = useState('');
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(-1);
  const [shown, setShown] = useState<SearchResponse | null>(null);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [recent, setRecent] = useState<string[]>([]);
  const [busy, setBusy] = useState(false);
  /** The searches still running whose answer may be shown: the newest, and earlier ones of texts it extends. */
  const inFlight = useRef<Array<{ q: string; seq: number; cancel: () => void }>>([]);
  /** Searches are numbered as started; the dropdown shows the answer of `shownSeq`, never an older one after it. */
  const searchSeq = useRef(0);
  const shownSeq = useRef(0);
  const latest = useRef('');

  useEffect(() => {
    // Hydrated: typing now reaches React (tests and scripts wait for this rather than for a time).
    input.current?.setAttribute('data-ready', '');
    const onKey = (event: KeyboardEvent) => {
      if (event.defaultPrevented || event.altKey) return;
      const commandK = (event.ctrlKey || event.metaKey) && !event.shiftKey && event.key.toLowerCase() === 'k';
      const slash = event.key === '/' && !event.ctrlKey && !event.metaKey && !isTyping(event.target);
      if (!commandK && !slash) return;
      event.preventDefault();
      focusSearch(input.current);
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, []);

  // Idle preload: once the page has loaded and the browser is idle, the engine and the index manifest
  // (~12 KB gzip) load, so that the first keystroke waits only for its own files (one or two round trips
  // less on a slow phone). Not with Save-Data, and not on the search page (its view has its own engine).
  useEffect(() => {
    if ((navigator as Navigator & { connection?: { saveData?: boolean } }).connection?.saveData === true) return;
    if (window.location.pathname === href(SEARCH_PATH)) return;
    let cancelled = false;
    let stopIdle: (() => void) | null = null;
    const warm = () => {
      if (cancelled) return;
      void loadClient().then(
        (client) => client.warm(),
        () => {}, // focus tries again, and a search reports the failure
      );
    };
    const whenIdle = () => {
      if (typeof window.requestIdleCallback === 'function') {
        const handle = window.requestIdleCallback(warm, { timeout: 5000 });
        stopIdle = () => window.cancelIdleCallback(handle);
      } else {
        const handle = window.setTimeout(warm, 2000);
        stopIdle = () => window.clearTimeout(handle);
      }
    };
    if (document.readyState === 'complete') whenIdle();
    else window.addEventListener('load', whenIdle, { once: true });
    return () => {
      cancelled = true;
      window.removeEventListener('load', whenIdle);
      stopIdle?.();
    };
  }, []);

  const runSearch = useCallback((q: string) => {
    latest.current = q;
    const seq = ++searchSeq.current;
    // Earlier searches of a text this one extends ("rass" under "rassr") stay: on a slow network the first
    // of them to finish fills the dropdown while the newest is still loading. Any other is cancelled.
    inFlight.current = inFlight.current.filter((s) => {
      if (q.trim() && q.startsWith(s.q)) return true;
      s.cancel();
      return false;
    });
    if (!q.trim()) {
      setShown(null);
      setLoading(false);
      setError(null);
      return;
    }
    setLoading(true);
    loadClient().then(
      (client) => {
        if (latest.current !== q) return;
        const done = () => {
          // This answer is on screen: earlier searches can only show older texts now.
          shownSeq.current = seq;
          inFlight.current = inFlight.current.filter((s) => {
            if (s.seq > seq) return true;
            s.cancel();
            return false;
          });
        };
        const cancel = client.search(
          { q, limit: SUGGESTIONS, suggest: true, prefix: true },
          (response) => {
            if (latest.current === q) {
              done();
              setShown(response);
              setError(null);
              setLoading(false);
            } else if (seq > shownSeq.current && latest.current.startsWith(q)) {
              // An answer for the start of what is typed now: shown (still loading) until a newer one comes.
              done();
              setShown(response);
            }
          },
          (message) => {
            if (latest.current !== q) return;
            setError(message);
            setLoading(false);
          },
        );
        inFlight.current.push({ q, seq, cancel });
      },
      (err: unknown) => {
        if (latest.current !== q) return;
        setError(err instanceof Error ? err.message : String(err));
        setLoading(false);
      },
    );
  }, []);

  const onFocus = () => {
    void loadClient().then(
      (client) => client.warm(),
      () => {},
    );
    const r = readRecent();
    setRecent(r);
    // With text, open when there is an answer or one is on its way (text typed before hydration, then focus back).
    if (text.trim() ? shown !== null || error !== null || loading : r.length > 0) setOpen(true);
  };

  // Performance marks (read by bench/search.ts): a keystroke's text, and the dropdown committed for a text.
  useLayoutEffect(() => {
    if (shown) performance.mark(MARK_DROPDOWN, { detail: shown.q });
  }, [shown]);

  const onChange = (value: string) => {
    const q = value.slice(0, MAX_QUERY_LENGTH);
    performance.mark(MARK_KEY, { detail: q });
    setText(q);
    setActive(-1);
    setOpen(true);
    if (!q.trim()) setRecent(readRecent());
    runSearch(q);
  };

  // Text typed before React hydrated stays in the box but never reached React's state (React 19 does not
  // replay it: react/react#33129), so Enter and the dropdown would ignore it: take it up as if typed now,
  // with the dropdown open only when the box still has the focus.
  useEffect(() => {
    const box = input.current;
    const early = box?.value ?? '';
    if (!box || early === '') return;
    // Synchronizes with the DOM (what the reader typed before hydration) once, on mount.
    onChange(early);
    if (document.activeElement !== box) setOpen(false);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  // --- Options ----------------------------------------------------------------------------------
  const q = text.trim();
  const number = q ? articleNumberOf(q) : null;
  const options: Option[] = [];
  if (!q) {
    for (const r of recent) options.push({ kind: 'recent', key: `r:${r}`, q: r });
    if (recent.length > 0) options.push({ kind: 'clear', key: 'clear' });
  } else {
    const response = shown;
    const match = response?.number && response.number.number === number ? response.number : null;
    // A file name (`rassrv`, `ntoskrnl.exe`): its page first.
    if (response && !error && response.q.trim() === q) for (const file of response.files ?? []) options.push({ kind: 'file', key: `f:${file.slug}`, file });
    if (number !== null && match?.status !== 'unknown') options.push({ kind: 'number', key: `n:${number}`, n: number, match });
    // A pasted link to an article (`support.microsoft.com/kb/244717`) is a jump, not words: only "Go to" (with
    // the article's title once known). Under a number, never the hits of an earlier text (its words, half typed).
    const current = response !== null && response.q.trim() === q;
    if (response && !error && !(number !== null && (isKbLink(q) || !current))) {
      for (const hit of response.hits.slice(0, SUGGESTIONS)) options.push({ kind: 'hit', key: `h:${hit.id}`, hit });
      if (response.total > 0) options.push({ kind: 'all', key: 'all', total: response.total });
    }
  }
  const expanded = open && (options.length > 0 || (q !== '' && (error !== null || (shown !== null && !loading))));
  const activeIndex = active < options.length ? active : -1;
  const optionId = (i: number) => `${id}-option-${i}`;

  useEffect(() => {
    if (activeIndex < 0 || !list.current) return;
    document.getElementById(optionId(activeIndex))?.scrollIntoView({ block: 'nearest' });
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [activeIndex]);

  const go = (url: string) => {
    setOpen(false);
    window.location.assign(url);
  };

  const openSearchPage = (query: string) => {
    rememberSearch(query);
    const url = searchPageHref(query);
    if (window.location.pathname === href(SEARCH_PATH)) {
      // Already on the search page: update its URL in place (it reads the query from there).
      setOpen(false);
      window.history.pushState(null, '', url);
      input.current?.blur();
    } else {
      go(url);
    }
  };

  const choose = (option: Option) => {
    switch (option.kind) {
      case 'file':
        rememberSearch(text);
        go(href(`/files/${option.file.slug}/`));
        return;
      case 'number':
        rememberSearch(text);
        go(href(option.match?.permalink ?? permalinkOfNumber(option.n)));
        return;
      case 'hit':
        rememberSearch(text);
        go(href(option.hit.permalink));
        return;
      case 'all':
        openSearchPage(text.trim());
        return;
      case 'recent':
        setText(option.q);
        setActive(-1);
        runSearch(option.q);
        input.current?.focus();
        return;
      case 'clear':
        writeRecent([]);
        setRecent([]);
        setActive(-1);
        setOpen(false);
        input.current?.focus();
        return;
    }
  };

  const onKeyDown = (event: ReactKeyboardEvent<HTMLInputElement>) => {
    if (event.nativeEvent.isComposing) return;
    switch (event.key) {
      case 'ArrowDown':
      case 'ArrowUp': {
        event.preventDefault();
        if (!open) {
          setOpen(true);
          if (!text.trim()) setRecent(readRecent());
          return;
        }
        if (options.length === 0) return;
        const down = event.key === 'ArrowDown';
        // Past either end the selection goes back to the input (nothing selected), then wraps.
        let next = activeIndex + (down ? 1 : -1);
        if (next >= options.length) next = -1;
        else if (next < -1) next = options.length - 1;
        setActive(next);
        return;
      }
      case 'Escape':
        if (expanded) {
          event.preventDefault();
          setOpen(false);
          setActive(-1);
        } else if (text) {
          event.preventDefault();
          onChange('');
          setOpen(false);
        }
        return;
      case 'Enter':
        if (expanded && activeIndex >= 0) {
          event.preventDefault();
          choose(options[activeIndex]!);
        }
        return; // else the form submits
      case 'Tab':
        setOpen(false);
        setActive(-1);
        return;
      default:
    }
  };

  const onSubmit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const query = text.trim().slice(0, MAX_QUERY_LENGTH);
    const n = articleNumberOf(query);
    if (n !== null) {
      rememberSearch(query);
      setBusy(true);
      const target = await articleHref(n);
      setBusy(false);
      if (target) {
        go(target);
        return;
      }
    }
    openSearchPage(query);
  };

  const status = statusText(q, shown, loading, error);

  return (
    <form
      role="search"
      action={href(SEARCH_PATH)}
      method="get"
      onSubmit={onSubmit}
      className="kb-search-box"
      onBlur={(event) => {
        if (!event.currentTarget.contains(event.relatedTarget as Node | null)) {
          setOpen(false);
          setActive(-1);
        }
      }}
    >
      <label htmlFor={id} className="sr-only">
        Search the archive
      </label>
      <input
        ref={input}
        id={id}
        data-site-search=""
        type="text"
        role="combobox"
        name="q"
        value={text}
        onChange={(e) => onChange(e.target.value)}
        onFocus={onFocus}
        onKeyDown={onKeyDown}
        onClick={() => {
          if (!open) onFocus();
        }}
        maxLength={MAX_QUERY_LENGTH}
        autoComplete="off"
        autoCapitalize="off"
        spellCheck={false}
        enterKeyHint="search"
        placeholder="Search or Q-number  /"
        aria-autocomplete="list"
        aria-expanded={expanded}
        aria-controls={listId}
        aria-activedescendant={expanded && activeIndex >= 0 ? optionId(activeIndex) : undefined}
        aria-busy={busy || undefined}
        aria-keyshortcuts="Control+K Meta+K /"
        className="kb-search-input"
      />
      <div
        data-search-popup=""
        data-for={shown?.q ?? ''}
        hidden={!expanded}
        onMouseDown={(event) => event.preventDefault() /* keep the focus in the box */}
        className="kb-search-popup"
      >
        <ul
          ref={list}
          id={listId}
          role="listbox"
          hidden={options.length === 0}
          aria-label={q ? 'Search suggestions' : 'Recent searches'}
          className="kb-search-list"
        >
          {options.map((option, i) => (
            <li
              key={option.key}
              id={optionId(i)}
              role="option"
              aria-selected={i === activeIndex}
              data-option={option.kind}
              onClick={() => choose(option)}
              onMouseMove={() => {
                if (i !== activeIndex) setActive(i);
              }}
              className="min-h-11 cursor-pointer px-3 py-1.5 text-sm aria-selected:bg-panel aria-selected:outline-2 aria-selected:-outline-offset-2 aria-selected:outline-accent"
            >
              <OptionRow option={option} terms={shown?.terms ?? NO_TERMS} prefix={shown?.prefix ?? null} />
            </li>
          ))}
        </ul>
        {q && error ? (
          <div className="border-t border-line px-3 py-2 text-sm" data-search-error="">
            <p className="font-semibold">Search is unavailable: the search index could not be loaded.</p>
            <p className="mt-0.5 break-words text-muted">{error}</p>
            <button
              type="button"
              className="mt-1 min-h-6 rounded border border-line px-2 py-0.5 text-accent"
              onClick={() => {
                setError(null);
                runSearch(text);
                input.current?.focus();
              }}
            >
              Try again
            </button>
          </div>
        ) : null}
        {q && !error && shown && !loading && shown.total === 0 && options.length === 0 ? (
          <p className="px-3 py-2 text-sm text-muted" data-search-empty="">
            No articles match <q className="break-all">{q.length > 80 ? `${q.slice(0, 80)}…` : q}</q>.
          </p>
        ) : null}
      </div>
      <p role="status" className="sr-only" data-header-search-status="">
        {open ? status : ''}
      </p>
    </form>
  );
}

function statusText(q: string, response: SearchResponse | null, loading: boolean, error: string | null): string {
  if (!q) return '';
  if (error) return 'Search is unavailable.';
  if (!response) return loading ? 'Searching…' : '';
  const n = response.total;
  return n === 0 ? 'No results.' : `${formatCount(n)} ${n === 1 ? 'result' : 'results'}; ${Math.min(n, SUGGESTIONS)} shown.`;
}

const NO_TERMS: string[] = [];

/** Whether two options show the same thing (the same hit, file, match, count or text). */
function sameOption(a: Option, b: Option): boolean {
  if (a.key !== b.key) return false;
  switch (a.kind) {
    case 'hit':
      return b.kind === 'hit' && a.hit === b.hit;
    case 'file':
      return b.kind === 'file' && a.file === b.file;
    case 'number':
      return b.kind === 'number' && a.n === b.n && a.match === b.match;
    case 'all':
      return b.kind === 'all' && a.total === b.total;
    case 'recent':
      return b.kind === 'recent' && a.q === b.q;
    case 'clear':
      return b.kind === 'clear';
  }
}

/** An option's content, rendered again only when what it shows changes (a keystroke re-renders the box, not its rows). */
const OptionRow = memo(OptionBody, (a, b) => a.terms === b.terms && a.prefix === b.prefix && sameOption(a.option, b.option));

function OptionBody({ option, terms, prefix }: { option: Option; terms: string[]; prefix: string | null }) {
  switch (option.kind) {
    case 'file':
      return (
        <span className="block">
          <span className="font-semibold">
            File: <span className="font-mono">{option.file.name}</span>
          </span>
          <span className="block text-xs text-muted">
            Listed in {formatCount(option.file.count)} {option.file.count === 1 ? 'article' : 'articles'}
          </span>
        </span>
      );
    case 'number': {
      const match = option.match;
      return (
        <span className="block">
          <span className="font-semibold">Go to Q{option.n}</span>
          {match?.status === 'article' && match.title ? <span className="block text-muted">{displayTitle(match.id, match.title)}</span> : null}
          {match?.status === 'missing' ? <span className="block text-muted">Not in this archive: what it knows about Q{option.n}</span> : null}
        </span>
      );
    }
    case 'hit': {
      const { hit } = option;
      return (
        <span className="block">
          <span className="block leading-snug font-medium">
            <Highlighted parts={highlightParts(displayTitle(hit.id, hit.title), terms, prefix)} />
          </span>
          <span className="mt-0.5 flex flex-wrap gap-x-3 text-xs text-muted">
            <span className="font-mono">{hit.id}</span>
            {hit.product ? <span>{hit.product}</span> : null}
            {hit.lastModified ? <span>{formatDate(hit.lastModified).text}</span> : null}
          </span>
        </span>
      );
    }
    case 'all':
      return (
        <span className="block font-semibold text-accent">
          See all {formatCount(option.total)} {option.total === 1 ? 'result' : 'results'}
        </span>
      );
    case 'recent':
      return (
        <span className="flex items-center gap-2">
          <span aria-hidden="true" className="text-muted">
            ↺
          </span>
          <span className="min-w-0 break-words">{option.q}</span>
          <span className="sr-only">(recent search)</span>
        </span>
      );
    case 'clear':
      return <span className="block text-accent">Clear recent searches</span>;
  }
}
