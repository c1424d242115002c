/**
 * The search worker: runs the query engine off the main thread, so index
 * fetching and JSON parsing never block typing. One engine per page.
 */
import { createHandler } from './handler';
import type { ToWorker } from './protocol';

const post = (message: unknown) => (self as unknown as { postMessage(m: unknown): void }).postMessage(message);
const handle = createHandler(post);
self.addEventListener('message', (event) => handle((event as MessageEvent<ToWorker>).data));
