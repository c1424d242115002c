'use client';

/**
 * "Copy link": copies the article's permalink to the clipboard, and says so in
 * a live region. The permalink is this page's own address (every article is
 * served at its permalink) without any #fragment or query: nothing needs to be
 * passed in, which keeps the page's inlined payload small.
 */
import { useEffect, useRef, useState } from 'react';

function copyWithSelection(text: string): boolean {
  // navigator.clipboard needs a secure context (https or localhost).
  const area = document.createElement('textarea');
  area.value = text;
  area.setAttribute('readonly', '');
  area.style.position = 'fixed';
  area.style.opacity = '0';
  document.body.append(area);
  area.select();
  let ok = false;
  try {
    ok = document.execCommand('copy');
  } catch {
    ok = false;
  }
  area.remove();
  return ok;
}

export function CopyPermalink() {
  const [state, setState] = useState<'idle' | 'copied' | 'failed'>('idle');
  const timer = useRef<ReturnType<typeof setTimeout>>(undefined);
  useEffect(() => () => clearTimeout(timer.current), []);

  const copy = async () => {
    const url = window.location.origin + window.location.pathname;
    let ok = false;
    try {
      await navigator.clipboard.writeText(url);
      ok = true;
    } catch {
      ok = copyWithSelection(url);
    }
    setState(ok ? 'copied' : 'failed');
    clearTimeout(timer.current);
    timer.current = setTimeout(() => setState('idle'), 2500);
  };

  return (
    <>
      <button type="button" className="kb-action kb-copy" onClick={copy}>
        {state === 'copied' ? 'Link copied' : 'Copy link'}
      </button>
      <span role="status" className="sr-only">
        {state === 'copied' ? 'The link to this article is copied.' : state === 'failed' ? 'Could not copy the link; copy it from the address bar.' : ''}
      </span>
    </>
  );
}
