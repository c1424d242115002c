/**
 * Hands a server-rendered subtree from the server-component render to the SSR
 * render of `StaticIsland` in the same process, without putting it into the
 * RSC payload.
 *
 * Why: a static export inlines each page's RSC payload into its HTML, so
 * everything a server component renders is shipped twice: as HTML, and again
 * as payload for hydration. Content that never changes in the browser (an
 * article body, a metadata table, long link lists) needs no payload. The
 * server-component render and the SSR render run in one Node.js process (an
 * export worker, or the dev server) but load separate module graphs, so the
 * hand-over goes through a global map, bounded so that it cannot grow.
 * (That the two renders share a process is a private property of Next:
 * lib/next-internals.ts, section 3.)
 */
import type { ReactNode } from 'react';

const STORE = Symbol.for('kbview.static-channel');
const LIMIT = 1024;

function store(): Map<string, ReactNode> {
  const holder = globalThis as { [STORE]?: Map<string, ReactNode> };
  holder[STORE] ??= new Map();
  return holder[STORE];
}

let counter = 0;

/** Server side: keeps `node` for the SSR render and returns its key. */
export function putStatic(node: ReactNode): string {
  const map = store();
  const key = `s${process.pid.toString(36)}-${(++counter).toString(36)}`;
  map.set(key, node);
  if (map.size > LIMIT) map.delete(map.keys().next().value!);
  return key;
}

/** SSR side: the subtree kept under `key`; undefined when this process has none. */
export function getStatic(key: string): ReactNode | undefined {
  return store().get(key);
}
