/**
 * The message handler behind the search worker (and behind the in-page
 * fallback when workers are unavailable): answers searches with the engine,
 * then, once the keyword lists have loaded, answers the latest search again
 * with keyword facet counts.
 */
import { SearchEngine, type FetchJson, type SearchRequest, type SearchResponse } from './engine';
import type { FromWorker, ToWorker } from './protocol';

/** How long a search must stand (no newer keystroke) before the keyword lists are fetched. */
const KEYWORDS_DELAY_MS = 400;

export function fetchFrom(base: string): FetchJson {
  return async (file) => {
    // The manifest is revalidated on every page load: it names the build (`?v=`) the other files are fetched for.
    const response = await fetch(new URL(file, base).href, file === 'manifest.json' ? { cache: 'no-cache' } : undefined);
    if (!response.ok) throw new Error(`search index file ${file}: HTTP ${response.status}`);
    return response.json();
  };
}

export function createHandler(post: (message: FromWorker) => void): (message: ToWorker) => void {
  let engine: SearchEngine | null = null;
  let latest = 0;
  const fail = (id: number, error: unknown) => post({ type: 'error', id, message: error instanceof Error ? error.message : String(error) });
  return (message) => {
    if (message.type === 'init') {
      engine ??= new SearchEngine(fetchFrom(message.base));
      return;
    }
    if (!engine) {
      if (message.type === 'search' || message.type === 'number') fail(message.id, new Error('search worker not initialised'));
      return;
    }
    const e = engine;
    if (message.type === 'manifest') {
      e.provideManifest(message.manifest);
      return;
    }
    if (message.type === 'warm') {
      e.warm().catch(() => {}); // a failure shows on the first search, with its message
      return;
    }
    if (message.type === 'number') {
      e.lookupNumber(message.n).then(
        (match) => post({ type: 'number', id: message.id, match }),
        (error) => fail(message.id, error),
      );
      return;
    }
    const { id, request } = message;
    latest = Math.max(latest, id);
    const stale = () => id !== latest;
    const answer = (response: SearchResponse) => {
      if (id !== latest) {
        // A suggestion that finished after a newer keystroke still goes out: the header box shows it while the
        // newer text (which starts with this one) is still loading, instead of nothing (lib/search/client.ts).
        if (request.suggest) post({ type: 'result', id, response });
        return;
      }
      post({ type: 'result', id, response });
      if (response.pending.length > 0) {
        // Once typing pauses, load the keyword lists and answer again with keyword counts.
        setTimeout(() => {
          if (id !== latest) return;
          e.loadKeywords().then(
            () => {
              if (id !== latest) return;
              return e.search(request).then((again) => {
                if (id === latest) post({ type: 'result', id, response: again });
              });
            },
            () => {}, // the results stand; the keyword facet stays without counts
          );
        }, KEYWORDS_DELAY_MS);
      }
    };
    const failed = (error: unknown) => {
      if (id === latest) fail(id, error);
    };
    // The first search of a page shows its results before the facet columns have loaded, then again with them.
    const plain = !request.suggest && !e.columnsReady && (request.offset ?? 0) === 0 && request.sort !== 'date' && !hasAnyFilter(request);
    if (plain) {
      const full = e.search(request, stale);
      full.catch(() => {}); // reported below
      e.search({ ...request, facetsLater: true }, stale).then((first) => {
        if (id === latest) post({ type: 'result', id, response: first });
        full.then(answer, failed);
      }, failed);
      return;
    }
    e.search(request, stale).then(answer, failed);
  };
}

function hasAnyFilter(request: SearchRequest): boolean {
  return Object.values(request.filters ?? {}).some((values) => Array.isArray(values) && values.length > 0);
}
