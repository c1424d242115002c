/**
 * A bound on the garbage a process keeps: `next build`'s export workers, and `kb build`'s own processes
 * (`kb prepare`, the build process and their worker threads, lib/build/build.ts).
 *
 * An export worker's live heap stays flat while it renders its pages (at 60k articles ~150–230 MB after a
 * full collection, with the listing index loaded), but V8 lets the old generation grow to several times
 * its live size before it collects: each worker reached 0.6–0.8 GiB at 60k and 1.7 GiB at 241k, most of
 * it garbage (BENCHMARKS.md "s5-mem"). Next removes `--max-old-space-size` from its export workers'
 * options (next/dist/build: `isolatedMemory`), and a hard limit would turn a larger archive into a crash
 * anyway. Instead, the guard looks at the heap twice a second and runs a full collection when it holds more
 * than `slack` bytes above the live size found by the previous one: the heap stays within live + slack,
 * whatever the archive's size, at the cost of one full collection per `slack` bytes of promoted garbage.
 */
import v8 from 'node:v8';
import vm from 'node:vm';

const MIB = 1024 * 1024;

export interface HeapGuardStats {
  /** Full collections the guard ran. */
  collections: number;
  /** Time spent in them (ms). */
  ms: number;
  /** Live heap after the last one (bytes). */
  live: number;
}

/** V8's full collection, without a command-line flag (Next's workers inherit no `--expose-gc`). */
function fullCollection(): (() => void) | null {
  const exposed = (globalThis as { gc?: unknown }).gc;
  if (typeof exposed === 'function') return exposed as () => void;
  try {
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc') as unknown;
    return typeof gc === 'function' ? (gc as () => void) : null;
  } catch {
    return null;
  }
}

/** Runs a full collection now, when this V8 gives a way to (`kb build` after dropping data it no longer needs). */
export function collectNow(): void {
  fullCollection()?.();
}

/**
 * The heap size above which the guard collects: the live size plus a quarter of it, at least `minSlack`.
 * Exported for the tests.
 */
export function collectAbove(live: number, minSlack: number): number {
  return live + Math.max(minSlack, live / 4);
}

type Running = { stats: HeapGuardStats; timer: ReturnType<typeof setInterval>; check: () => void };
/** One guard per process, whichever bundled copy of this module starts it (Next bundles lib/content more than once). */
const RUNNING = Symbol.for('kbview.heap-guard');
const shared = globalThis as { [RUNNING]?: Running | null };

/**
 * Starts the guard (once per process; later calls return the same figures). `minSlack` in bytes: the
 * least garbage let through between two collections (192 MiB by default). Returns null when this V8
 * gives no way to collect.
 */
export function startHeapGuard(minSlack = 192 * MIB, intervalMs = 500): HeapGuardStats | null {
  const running = shared[RUNNING];
  if (running) return running.stats;
  const gc = fullCollection();
  if (!gc) return null;
  const stats: HeapGuardStats = { collections: 0, ms: 0, live: v8.getHeapStatistics().used_heap_size };
  let limit = collectAbove(stats.live, minSlack);
  const check = () => {
    if (v8.getHeapStatistics().used_heap_size <= limit) return;
    const started = performance.now();
    gc();
    stats.ms += performance.now() - started;
    stats.collections++;
    stats.live = v8.getHeapStatistics().used_heap_size;
    limit = collectAbove(stats.live, minSlack);
  };
  const timer = setInterval(check, intervalMs);
  timer.unref?.();
  shared[RUNNING] = { stats, timer, check };
  return stats;
}

/**
 * The guard's check, now (nothing when no guard runs): for long synchronous work, a loop that holds the event
 * loop for seconds or minutes (the search index, the parse cache's read), in which the guard's timer never fires.
 * Cheap (one look at the heap's size): callers may call it once per article.
 */
export function checkHeap(): void {
  shared[RUNNING]?.check();
}

/** Stops the guard (tests). */
export function stopHeapGuard(): void {
  const running = shared[RUNNING];
  if (running) clearInterval(running.timer);
  shared[RUNNING] = null;
}
