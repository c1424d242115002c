/**
 * The page side of search: starts the search worker on first use (or, where
 * workers cannot start, runs the same handler in the page), and routes answers
 * back to their callers. Browser only.
 */
import { BASE_PATH } from '../site';
import type { NumberMatch, SearchRequest, SearchResponse } from './engine';
import type { FromWorker, ToWorker } from './protocol';

export interface SearchClient {
  /**
   * Runs a search; `onResult` may be called twice (again when keyword facet counts arrive). Returns a cancel function.
   * A newer search drops the listener of an older one, except for suggestions (`suggest: true`), which are
   * answered even when superseded and must be cancelled by their caller.
   */
  search(request: SearchRequest, onResult: (response: SearchResponse) => void, onError: (message: string) => void): () => void;
  lookupNumber(n: number): Promise<NumberMatch>;
  /** Starts the worker and the loading of what a first query needs (on focus of a search box). */
  warm(): void;
}

/** Root URL of the index: `<origin><basePath>/search/`. */
export function indexBase(): string {
  return new URL(`${BASE_PATH}/search/`, window.location.href).href;
}

let client: SearchClient | null = null;
let pageClient: SearchClient | null = null;

/**
 * The search client. `worker` (the search page) answers in a Web Worker; `page`
 * (the header box) runs the engine in the page, loaded with one dynamic import:
 * a worker's scripts load one after another (several round trips on a slow
 * network), and a suggestion query is small (a few shards, title records).
 */
export function getSearchClient(where: 'worker' | 'page' = 'worker'): SearchClient {
  if (where === 'page') {
    pageClient ??= createClient(inPage);
    return pageClient;
  }
  client ??= createClient(startWorker);
  return client;
}

type Listener = (message: FromWorker) => void;

type Transport = (receive: (message: FromWorker) => void) => (message: ToWorker) => Promise<void>;

function createClient(transport: Transport): SearchClient {
  const listeners = new Map<number, Listener>();
  /** Suggestion searches whose listener stays when a newer search starts (until cancelled). */
  const kept = new Set<number>();
  let nextId = 1;
  let ready: Promise<void> | null = null;
  /**
   * The page fetches the manifest while the worker's scripts load (several round trips),
   * and hands it over before any query, which then needs no manifest round trip of its own.
   */
  const warm = () => {
    ready ??= fetch(new URL('manifest.json', indexBase()).href, { cache: 'no-cache' })
      .then((response) => (response.ok ? response.json() : Promise.reject(new Error(`HTTP ${response.status}`))))
      .then(
        (manifest: unknown) => void send({ type: 'manifest', manifest }),
        () => {
          ready = null; // the worker loads it itself, and reports a failure with the search
        },
      );
    return ready ?? Promise.resolve();
  };
  const receive = (message: FromWorker) => listeners.get(message.id)?.(message);
  const send = transport(receive);

  return {
    search(request, onResult, onError) {
      const id = nextId++;
      listeners.set(id, (message) => {
        if (message.type === 'result') onResult(message.response);
        else if (message.type === 'error') onError(message.message);
      });
      // Only the newest search is answered; older listeners are dropped, except suggestions': the handler
      // answers a suggestion even once a newer one was asked, and its caller decides (and cancels it).
      if (request.suggest) kept.add(id);
      for (const key of listeners.keys()) if (key < id && !kept.has(key)) listeners.delete(key);
      void warm().then(() => send({ type: 'search', id, request }));
      return () => {
        listeners.delete(id);
        kept.delete(id);
      };
    },
    warm,
    lookupNumber(n) {
      const id = nextId++;
      return new Promise((resolve, reject) => {
        listeners.set(id, (message) => {
          listeners.delete(id);
          if (message.type === 'number') resolve(message.match);
          else if (message.type === 'error') reject(new Error(message.message));
        });
        void warm().then(() => send({ type: 'number', id, n }));
      });
    },
  };
}

/** A worker when possible; else the handler in the page (loaded on demand). */
function startWorker(receive: (message: FromWorker) => void): (message: ToWorker) => Promise<void> {
  const init: ToWorker = { type: 'init', base: indexBase() };
  try {
    const worker = new Worker(new URL('./search.worker.ts', import.meta.url), { type: 'module', name: 'kbview-search' });
    let failed = false;
    let fallback: ((message: ToWorker) => Promise<void>) | null = null;
    const queue: ToWorker[] = [];
    worker.addEventListener('message', (event: MessageEvent<FromWorker>) => receive(event.data));
    worker.addEventListener('error', () => {
      // The worker script could not load (blocked, old browser): answer in the page instead.
      if (failed) return;
      failed = true;
      worker.terminate();
      fallback = inPage(receive);
      for (const message of queue) void fallback(message);
    });
    worker.postMessage(init);
    return async (message) => {
      if (fallback) return fallback(message);
      queue.push(message);
      if (queue.length > 20) queue.shift();
      worker.postMessage(message);
    };
  } catch {
    return inPage(receive);
  }
}

function inPage(receive: (message: FromWorker) => void): (message: ToWorker) => Promise<void> {
  let handler: Promise<(message: ToWorker) => void> | null = null;
  const load = () =>
    (handler ??= import('./handler').then(({ createHandler }) => {
      const handle = createHandler(receive);
      handle({ type: 'init', base: indexBase() });
      return handle;
    }));
  void load().catch(() => (handler = null));
  return async (message) => {
    try {
      (await load())(message);
    } catch (error) {
      handler = null; // the next message tries to load the engine again
      if (message.type === 'search' || message.type === 'number') {
        receive({ type: 'error', id: message.id, message: `the search code could not be loaded (${error instanceof Error ? error.message : String(error)})` });
      }
    }
  };
}
