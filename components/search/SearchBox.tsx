'use client';

/**
 * The search box in the site header, on every page.
 *
 * - A plain GET form to /search/, so it works before (or without) JavaScript.
 * - `/` focuses it (or the search page's own box), unless typing in a field.
 * - Enter on an article number (`Q244717`, `244717`) goes straight to the
 *   article, or to its "not in this archive" page; other queries open the
 *   search page (in place when already on it, so the back button works).
 */
import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { bucketOf, permalinkOfNumber, type IdsFile } from '@/lib/search/format';
import { articleNumberOf } from '@/lib/search/tokenize';
import { MAX_QUERY_LENGTH } from '@/lib/search/params';
import { BASE_PATH, href } from '@/lib/site';

export const SEARCH_PATH = '/search/';

/** Is the keyboard focus somewhere that takes text (where `/` must type a slash)? */
function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  const tag = target.tagName;
  return tag === 'INPUT' || tag === 'TEXTAREA' || tag === 'SELECT';
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

export function SearchBox() {
  const id = useId();
  const input = useRef<HTMLInputElement>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.key !== '/' || event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented) return;
      if (isTyping(event.target)) return;
      event.preventDefault();
      const target = document.querySelector<HTMLInputElement>('input[data-search-primary]') ?? input.current;
      target?.focus();
      target?.select();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, []);

  const onSubmit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const q = (input.current?.value ?? '').trim().slice(0, MAX_QUERY_LENGTH);
    const n = articleNumberOf(q);
    if (n !== null) {
      setBusy(true);
      const target = await articleHref(n);
      setBusy(false);
      if (target) {
        window.location.assign(target);
        return;
      }
    }
    const url = searchPageHref(q);
    if (window.location.pathname === href(SEARCH_PATH)) {
      // Already on the search page: update its URL in place (it reads the query from there).
      window.history.pushState(null, '', url);
      input.current?.blur();
    } else {
      window.location.assign(url);
    }
  };

  return (
    <form role="search" action={href(SEARCH_PATH)} method="get" onSubmit={onSubmit} className="flex min-w-0 items-center">
      <label htmlFor={id} className="sr-only">
        Search the archive
      </label>
      <input
        ref={input}
        id={id}
        data-site-search=""
        type="search"
        name="q"
        maxLength={MAX_QUERY_LENGTH}
        autoComplete="off"
        spellCheck={false}
        enterKeyHint="search"
        placeholder="Search or Q-number  /"
        aria-busy={busy || undefined}
        aria-keyshortcuts="/"
        className="w-44 min-w-0 rounded border border-white/30 bg-white/10 px-2 py-1 text-sm text-white placeholder:text-white/60 focus:bg-white focus:text-ink focus:placeholder:text-muted sm:w-64"
      />
    </form>
  );
}
