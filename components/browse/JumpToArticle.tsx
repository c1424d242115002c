'use client';

/**
 * "Jump to article number": `Q244717`, `244717`, `kb244717` or an old link
 * (`support.microsoft.com/kb/244717`, `…/default.aspx?scid=kb;en-us;Q244717`,
 * `…/support/kb/articles/q244/7/17.asp`, a mirror's URL: lib/kb-links.ts) goes
 * to the article's page (or its "not in this archive" page): always OUR page,
 * never the pasted URL's host. Numbers the archive does
 * not know, and a missing search index, end on the search page, which explains.
 * Without JavaScript the form opens the search page, which jumps the same way.
 */
import { useId, useRef, useState, type FormEvent } from 'react';
import { articleHref, searchPageHref, SEARCH_PATH } from '@/components/search/SearchBox';
import { articleNumberOf } from '@/lib/search/tokenize';
import { href } from '@/lib/site';
import { MAX_LINK_LENGTH } from '@/lib/kb-links';

export function JumpToArticle() {
  const id = useId();
  const input = useRef<HTMLInputElement>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const onSubmit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const value = (input.current?.value ?? '').trim();
    const n = articleNumberOf(value);
    if (n === null) {
      setError('Enter an article number or an old link to one, such as Q244717 or support.microsoft.com/kb/244717.');
      input.current?.focus();
      return;
    }
    setError(null);
    setBusy(true);
    const target = (await articleHref(n)) ?? searchPageHref(`Q${n}`);
    window.location.assign(target);
  };

  return (
    <form action={href(SEARCH_PATH)} method="get" onSubmit={onSubmit} className="kb-jump" aria-label="Jump to an article">
      <label htmlFor={id}>Jump to article number or old link</label>
      <div>
        <input
          ref={input}
          id={id}
          name="q"
          type="text"
          inputMode="text"
          autoComplete="off"
          spellCheck={false}
          maxLength={MAX_LINK_LENGTH}
          placeholder="Q244717"
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? `${id}-error` : undefined}
          data-jump-input=""
        />
        <button type="submit" disabled={busy}>
          Go
        </button>
      </div>
      {error ? (
        <p id={`${id}-error`} role="alert">
          {error}
        </p>
      ) : null}
    </form>
  );
}
