/**
 * Runs jobs in worker threads, a chunk at a time per worker, and collects the
 * results. A `.ts` worker module (run through tsx, as in development and the
 * scripts) is loaded with tsx's loader registered in the worker.
 */
import { Worker } from 'node:worker_threads';

export interface PoolOptions<J, R> {
  /** The worker module: it answers each message (an array of jobs) with an array of results. */
  module: URL;
  workerData: unknown;
  workers: number;
  jobs: readonly J[];
  chunk: number;
  onResults: (results: R[]) => void;
}

export async function runInWorkers<J, R>({ module, workerData, workers, jobs, chunk, onResults }: PoolOptions<J, R>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.max(1, workers) }, () => new Promise<void>((resolve, reject) => {
      const worker = module.pathname.endsWith('.ts') || module.pathname.endsWith('.tsx')
        ? new Worker(`import('tsx/esm/api').then((m) => { m.register(); return import(${JSON.stringify(module.href)}); });`, { eval: true, workerData })
        : new Worker(module, { workerData });
      const send = () => {
        if (next >= jobs.length) {
          void worker.terminate();
          resolve();
          return;
        }
        worker.postMessage(jobs.slice(next, next + chunk));
        next += chunk;
      };
      worker.on('message', (results: R[]) => {
        try {
          onResults(results);
        } catch (error) {
          void worker.terminate();
          reject(error);
          return;
        }
        send();
      });
      worker.on('error', reject);
      send();
    })),
  );
}
