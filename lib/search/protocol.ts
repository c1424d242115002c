/** Messages between the page and the search worker. Pure types. */
import type { NumberMatch, SearchRequest, SearchResponse } from './engine';

export type ToWorker =
  | { type: 'init'; base: string }
  /** Start loading what the first query needs (the box got focus). */
  | { type: 'warm' }
  /** The index manifest, fetched by the page while the worker starts (one round trip saved). */
  | { type: 'manifest'; manifest: unknown }
  | { type: 'search'; id: number; request: SearchRequest }
  | { type: 'number'; id: number; n: number };

export type FromWorker =
  | { type: 'result'; id: number; response: SearchResponse }
  | { type: 'number'; id: number; match: NumberMatch }
  | { type: 'error'; id: number; message: string };
