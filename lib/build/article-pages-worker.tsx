/**
 * Worker thread of the page writer (./article-pages.ts): renders and writes the
 * pages it is sent (./article-pages-render.tsx), answering each batch with one
 * result per job.
 */
import { serveJobs, workerInput } from '../worker-pool';
import { jobLabel, type WorkerSetup } from './article-pages';
import { pageRenderer } from './article-pages-render';
import { startHeapGuard } from '../content/heap-guard';

// Garbage bounded (lib/content/heap-guard.ts): the guard's timer runs between two chunks of pages.
startHeapGuard();
serveJobs(pageRenderer(workerInput<WorkerSetup>()), jobLabel);
