/** Messages between the page and the search worker. Pure types. */
import type { NumberMatch, SearchRequest, SearchResponse } from './engine';

export type ToWorker =
  | { type: 'init'; base: string }
  /** Start loading what the first query needs (the box got focus). */
  | { type: 'warm' }
  | { type: 'search'; id: number; request: SearchRequest }
  | { type: 'number'; id: number; n: number };

export type FromWorker =
  | { type: 'result'; id: number; response: SearchResponse }
  | { type: 'number'; id: number; match: NumberMatch }
  | { type: 'error'; id: number; message: string };
