'use client';

/**
 * "Jump to article number": `Q244717`, `244717` or `kb244717` goes to the
 * article's page (or its "not in this archive" page). Numbers the archive does
 * not know, and a missing search index, end on the search page, which explains.
 * Without JavaScript the form opens the search page, which jumps the same way.
 */
import { useId, useRef, useState, type FormEvent } from 'react';
import { articleHref, searchPageHref, SEARCH_PATH } from '@/components/search/SearchBox';
import { articleNumberOf } from '@/lib/search/tokenize';
import { href } from '@/lib/site';

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
      setError('Enter an article number, such as Q244717 or 244717.');
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
      <label htmlFor={id}>Jump to article number</label>
      <div>
        <input
          ref={input}
          id={id}
          name="q"
          type="text"
          inputMode="text"
          autoComplete="off"
          spellCheck={false}
          maxLength={12}
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
