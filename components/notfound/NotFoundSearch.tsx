'use client';

/**
 * The 404 page's own part that runs in the browser (a bundled client
 * component: no inline script, so it runs under the site's CSP).
 *
 * - An old address on our own host (`/kb/244717/`, `/Q244717`, `/kb/Q244717/`,
 *   `/default.aspx?scid=kb;en-us;Q244717`, `/support/kb/articles/q244/7/17.asp`,
 *   a mirror's path… every form of lib/kb-links.ts), under any base path, is
 *   sent on to the article's canonical permalink (`location.replace`, so the
 *   old address leaves no entry in the history). The target is always built
 *   from the number, on this site: never a host or path taken from the input.
 * - The canonical permalink itself can land here (a number that is neither in
 *   the archive nor cited by it): no loop; the page says so.
 * - Any other address: the search box is filled with the words of the path.
 *
 * Without JavaScript the page is the plain 404 with an empty search box.
 */
import { useEffect, useState } from 'react';
import { kbNumberOf, wordsOfPath } from '@/lib/kb-links';
import { permalinkOfNumber } from '@/lib/kb-number';
import { BASE_PATH, href } from '@/lib/site';

type State = { kind: 'idle' } | { kind: 'forward'; id: string } | { kind: 'missing'; id: string };

export function NotFoundSearch() {
  const [value, setValue] = useState('');
  const [state, setState] = useState<State>({ kind: 'idle' });

  useEffect(() => {
    const { pathname, search } = window.location;
    const n = kbNumberOf(`${pathname}${search}`, { basePath: BASE_PATH });
    if (n !== null) {
      const target = href(permalinkOfNumber(n));
      if (target !== pathname) {
        // The address is known only in the browser, after hydration (the 404 page is one static file for every path).
        // eslint-disable-next-line react-hooks/set-state-in-effect
        setState({ kind: 'forward', id: `Q${n}` });
        window.location.replace(target);
        return;
      }
      setState({ kind: 'missing', id: `Q${n}` });
      setValue(`Q${n}`);
      return;
    }
    setValue(wordsOfPath(pathname, BASE_PATH));
  }, []);

  return (
    <>
      {state.kind === 'forward' ? (
        <p role="status" data-notfound-forward="">
          This is an old address of article <strong>{state.id}</strong>: opening its page…
        </p>
      ) : null}
      {state.kind === 'missing' ? (
        <p role="status" data-notfound-missing="">
          Article <strong>{state.id}</strong> is not in this archive. The search below finds the articles that cite it by number.
        </p>
      ) : null}
      <form role="search" aria-label="Search articles" action={href('/search/')} method="get" className="kb-jump">
        <label htmlFor="notfound-search">Search the archive, or type an article number</label>
        <div>
          <input
            id="notfound-search"
            type="search"
            name="q"
            maxLength={2000}
            autoComplete="off"
            placeholder="Q244717, or some words"
            value={value}
            onChange={(event) => setValue(event.target.value)}
            data-notfound-search=""
          />
          <button type="submit">Search</button>
        </div>
      </form>
    </>
  );
}
