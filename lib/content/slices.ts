/**
 * Long synchronous work done a slice at a time, for `next dev`, which loads the archive in the background
 * while it serves pages. Each step is a generator that `yield`s wherever it may pause; `runSteps` runs it
 * in one piece (builds), `runStepsInSlices` gives the event loop a turn once a slice has taken `sliceMs`.
 *
 * Few promises on purpose: one per slice, not one per file or line. React's development server build tracks
 * every promise of the process with `async_hooks` (a node per promise, a stack trace for many), and a load
 * that made several promises per article never finished at 241,340 articles inside `next dev` (heap
 * 0.4 → 4.5 GiB in 10 min), while the same load took 46.7 s outside it (BENCHMARKS.md "Session 6, branch s6-dev").
 */
import { checkHeap } from './heap-guard';

/** Runs every step at once (with the heap guard's check now and then: ./heap-guard.ts, a build's load of the parse cache). */
export function runSteps<T>(steps: Generator<void, T, void>): T {
  for (let n = 1; ; n++) {
    const step = steps.next();
    if (step.done) return step.value;
    if ((n & 1023) === 0) checkHeap();
  }
}

/** A slice's default length: short enough for a page request to wait at most this long behind the load. */
export const SLICE_MS = 10;

/** Runs the steps, with a turn of the event loop (`setImmediate`) each time a slice has run `sliceMs`. */
export async function runStepsInSlices<T>(steps: Generator<void, T, void>, sliceMs = SLICE_MS): Promise<T> {
  let start = performance.now();
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
    if (performance.now() - start >= sliceMs) {
      await turn();
      start = performance.now();
    }
  }
}

/** One turn of the event loop: what is waiting (a request, I/O) runs first. */
export function turn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
