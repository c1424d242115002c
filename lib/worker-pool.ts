/**
 * Runs jobs in worker threads, a chunk at a time per worker, and collects the
 * results. A `.ts` worker module (run through tsx, as in development and the
 * scripts) is loaded with tsx's loader registered in the worker.
 *
 * Each worker tells the pool which job it is on (a shared counter, no
 * message), so that:
 * - a job that takes longer than the per-file limit (`timeoutMs`, default
 *   `KB_FILE_TIMEOUT` seconds or 30 s) gets its worker stopped; the job is
 *   reported through `onTimeout`, a new worker takes the rest of the chunk,
 *   and the run goes on;
 * - a worker that crashes (an uncaught error, `process.exit`, running out of
 *   memory) while it holds a job: with `onCrash`, that job is reported through
 *   it (the reason names the job) and a new worker takes the rest of the
 *   chunk, so the run goes on; without `onCrash`, the run ends within a second
 *   with a `WorkerCrash` naming the job, and the other workers are stopped.
 *   A worker that dies between jobs (e.g. its module fails to load) always ends
 *   the run. A run never hangs on a dead worker.
 *
 * A worker module calls `serveJobs(handler)` and reads its data with
 * `workerInput()`.
 */
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { config, configEnv, type Config } from './config';

export interface PoolOptions<J, R> {
  /** The worker module: it calls `serveJobs`, which answers each message (an array of jobs) with an array of results. */
  module: URL;
  workerData: unknown;
  workers: number;
  /** The jobs, or a feed that the caller fills while the workers run (JobFeed). */
  jobs: readonly J[] | JobFeed<J>;
  chunk: number;
  onResults: (results: R[]) => void;
  /** The file (or name) a job stands for, in reports. */
  label: (job: J) => string;
  /** The result for a job whose worker was stopped after `timeoutMs`. */
  onTimeout: (job: J, ms: number) => R;
  /**
   * The result for a job whose worker crashed (threw, exited, ran out of memory) while on it; `reason` names the
   * job and what happened. Without it a crash ends the run with a `WorkerCrash`.
   */
  onCrash?: (job: J, reason: string) => R;
  /** Per-job limit; default `KB_FILE_TIMEOUT` (seconds) or 30 s. */
  timeoutMs?: number;
  /** The configuration the workers see (their `process.env`, via `configEnv`): default `config()`. */
  config?: Config;
  /**
   * The buffers of a job that its message moves to the worker instead of copying them (they are empty here
   * afterwards): only for jobs that are never sent twice, i.e. in chunks of one job, with `onCrash` (a job given up
   * on is reported, and the rest of its chunk, none, goes to a new worker). Each buffer must be the job's own.
   */
  transfer?: (job: J) => ArrayBuffer[];
}

/** The per-file limit: `KB_FILE_TIMEOUT` seconds (lib/config), 30 s by default. */
export function fileTimeoutMs(c: Pick<Config, 'fileTimeoutMs'> = config()): number {
  return c.fileTimeoutMs;
}

/** An error of the run: a worker crashed while it held `file`. */
export class WorkerCrash extends Error {
  constructor(
    readonly file: string,
    reason: string,
  ) {
    super(`a worker crashed while processing ${file}: ${reason}`);
  }
}

interface Envelope {
  data: unknown;
  /** Int32 [index in the chunk of the job in hand (-1: idle), jobs started so far, spare for waiting]. */
  progress: SharedArrayBuffer;
}

/**
 * Jobs that the caller makes while the pool runs them: `push` each, then `end`. The pool starts a worker as
 * soon as a chunk of jobs is ready (up to its `workers`), so that making the jobs (the page writer's contexts
 * and digests, on the build's own thread) and running them overlap. The caller has to give the event loop a
 * turn now and then (`await` a timer) for the pool to send the chunks made meanwhile.
 */
export class JobFeed<J> {
  readonly jobs: J[] = [];
  ended = false;
  /** The pool's: called when jobs are added or the feed ends. */
  onChange: (() => void) | null = null;
  /**
   * `startWorkers`: the pool starts its workers at once, before a chunk is ready, so that they load their modules
   * while the caller makes the first jobs (a feed that ends with no job then stops them, having cost their start).
   */
  readonly startWorkers: boolean;

  constructor(options: { startWorkers?: boolean } = {}) {
    this.startWorkers = options.startWorkers ?? false;
  }

  push(job: J): void {
    this.jobs.push(job);
    this.onChange?.();
  }

  end(): void {
    this.ended = true;
    this.onChange?.();
  }
}

/**
 * Jobs shared out, in order, among pools started at different times: each pool (`runInWorkers` on a feed of its own)
 * is given its threads' first chunks, then a job more for each result it answers. `add(threads)` starts a pool more
 * (none when no job is left: false), e.g. once the caller's own thread is free for other work; `done()` settles when
 * every pool started by then has ended (rejected with the first pool's error, once all have).
 */
export function sharedJobs<J, R>(
  jobs: readonly J[],
  options: Omit<PoolOptions<J, R>, 'jobs' | 'workers'>,
): { add: (threads: number) => boolean; done: () => Promise<void> } {
  let next = 0;
  const pools: Array<Promise<void>> = [];
  const add = (threads: number): boolean => {
    if (next >= jobs.length || threads < 1) return false;
    const feed = new JobFeed<J>();
    const give = () => {
      if (next < jobs.length) feed.push(jobs[next++]!);
      else if (!feed.ended) feed.end();
    };
    for (let i = 0; i < threads * options.chunk; i++) give();
    pools.push(
      runInWorkers<J, R>({
        ...options,
        workers: threads,
        jobs: feed,
        onResults: (results) => {
          options.onResults(results);
          for (let i = 0; i < results.length; i++) give();
        },
      }),
    );
    return true;
  };
  const done = async () => {
    const errors: unknown[] = [];
    // The pools started while the earlier ones ran are waited for too.
    for (let seen = 0; seen < pools.length; seen++) await pools[seen]!.catch((error: unknown) => errors.push(error));
    if (errors.length > 0) throw errors[0];
  };
  return { add, done };
}

/** Resolves at once, or (every `everyMs`) after a turn of the event loop: see `pauser`. */
export type Pause = () => Promise<void>;

/**
 * For a long synchronous step of a thread that feeds a pool: awaited between the step's parts, it lets the event loop
 * run every `everyMs` (a worker's answer is taken, and its next job sent) and costs nothing in between. Without it
 * the pool's workers wait for the step's end once they are done with the jobs in hand (lib/search/build.ts: the
 * result chunks' worker after its first run, while the shards were written).
 */
export function pauser(everyMs = 20): Pause {
  let last = performance.now();
  return () => {
    if (performance.now() - last < everyMs) return Promise.resolve();
    return new Promise((resolve) =>
      setImmediate(() => {
        last = performance.now();
        resolve();
      }),
    );
  };
}

/**
 * How `.ts`/`.tsx` worker modules are run: through tsx (default), or from what the resolver gives (a plain JavaScript
 * bundle of the module: lib/build/worker-bundle.ts, which `kb build` and `kb prepare` set); null from it: tsx.
 */
let resolveWorkerModule: ((module: URL) => Promise<URL | null>) | null = null;

export function setWorkerModuleResolver(resolver: ((module: URL) => Promise<URL | null>) | null): void {
  resolveWorkerModule = resolver;
}

/** The module a worker (or a worker's hook module, lib/content/corpus.ts `BodyHook`) runs: `module` or its bundle. */
export async function runnableWorkerModule(module: URL): Promise<URL> {
  if (!resolveWorkerModule || !isTypeScript(module)) return module;
  return (await resolveWorkerModule(module).catch(() => null)) ?? module;
}

/** A `.ts`/`.tsx` module: run through tsx, or from a bundle (lib/build/worker-bundle.ts). */
export const isTypeScript = (module: URL): boolean => module.pathname.endsWith('.ts') || module.pathname.endsWith('.tsx');

/** Every worker thread of every pool running in this process (stopAllWorkers). */
const everyWorker = new Set<Worker>();

/** Stops every worker thread of this process: an interrupted build, before it removes the directory they write into. */
export async function stopAllWorkers(): Promise<void> {
  await Promise.all([...everyWorker].map((worker) => worker.terminate()));
}

export async function runInWorkers<J, R>(options: PoolOptions<J, R>): Promise<void> {
  const { workers, chunk, onResults, label, onTimeout, onCrash } = options;
  const workerModule = await runnableWorkerModule(options.module);
  const feed = options.jobs instanceof JobFeed ? options.jobs : null;
  const jobs: readonly J[] = feed ? feed.jobs : (options.jobs as readonly J[]);
  const timeoutMs = options.timeoutMs ?? fileTimeoutMs();
  if (options.transfer && (chunk !== 1 || !onCrash)) throw new Error('runInWorkers: `transfer` needs chunks of one job and `onCrash`');
  // Workers read the same, normalized configuration (lib/site.ts's base path among it).
  const env = configEnv(options.config ?? config());
  // React's production build: the workers render bodies and pages with react-dom/server, whose development build
  // (what an unset NODE_ENV loads) checks and records every element and is ~5x slower, for the same HTML
  // (BENCHMARKS.md, "Session 6, branch s6-parse"). A NODE_ENV the parent was given (development, test) is kept.
  if (env.NODE_ENV === undefined) Object.assign(env, { NODE_ENV: 'production' });
  // Chunks still to send: [first job, end]; a stopped worker's unfinished jobs come back to the front.
  const queue: Array<[number, number]> = [];
  // Jobs before this one are in chunks (queued, sent or done); a feed's later jobs wait for a whole chunk, or its end.
  let chunked = 0;
  const takeChunks = () => {
    const ended = !feed || feed.ended;
    while (chunked < jobs.length && (ended || jobs.length - chunked >= chunk)) {
      const end = Math.min(jobs.length, chunked + chunk);
      queue.push([chunked, end]);
      chunked = end;
    }
  };
  takeChunks();
  const live = new Set<Worker>();
  let failed: Error | null = null;

  await new Promise<void>((resolve, reject) => {
    let running = 0;
    // Workers waiting for a feed's next chunk (their `send`).
    const idle: Array<() => void> = [];
    const fail = (error: Error) => {
      if (failed) return;
      failed = error;
      for (const w of live) void w.terminate();
      reject(error);
    };
    const finishIfDone = () => {
      if (!failed && running === 0 && queue.length === 0 && (!feed || feed.ended)) resolve();
    };
    const start = () => {
      const progress = new SharedArrayBuffer(12);
      const state = new Int32Array(progress);
      Atomics.store(state, 0, -1);
      const envelope: Envelope = { data: options.workerData, progress };
      const worker = isTypeScript(workerModule)
        ? new Worker(`import('tsx/esm/api').then((m) => { m.register(); return import(${JSON.stringify(workerModule.href)}); });`, {
            eval: true,
            workerData: envelope,
            env,
          })
        : new Worker(workerModule, { workerData: envelope, env });
      live.add(worker);
      everyWorker.add(worker);
      running++;
      let current: [number, number] | null = null;
      let since = 0;
      let seenCount = -1;
      let stopped = false;
      // Which job the worker is on, and since when: checked every 250 ms.
      const timer = setInterval(() => {
        if (!current || stopped) return;
        const index = Atomics.load(state, 0);
        const count = Atomics.load(state, 1);
        if (count !== seenCount) {
          seenCount = count;
          since = performance.now();
          return;
        }
        if (index < 0 || performance.now() - since < timeoutMs) return;
        // Too long on one job: stop the worker, report the job; the rest of its chunk goes to a new worker.
        stopped = true;
        giveUpJob(index, (job) => onTimeout(job, timeoutMs));
      }, 250);
      timer.unref();
      /**
       * The job at `index` of the chunk in hand fails on its own (`result`); the worker is stopped and the jobs
       * before and after it in the chunk go back to the front of the queue (a chunk is answered at once, so none of
       * their results was sent). The exit handler starts a new worker for them.
       */
      const giveUpJob = (index: number, result: (job: J) => R) => {
        const chunkInHand = current!;
        const job = chunkInHand[0] + index;
        current = null;
        void worker.terminate();
        try {
          onResults([result(jobs[job]!)]);
        } catch (error) {
          fail(error as Error);
          return;
        }
        if (job + 1 < chunkInHand[1]) queue.unshift([job + 1, chunkInHand[1]]);
        if (chunkInHand[0] < job) queue.unshift([chunkInHand[0], job]);
      };
      const send = () => {
        const next = queue.shift();
        if (!next && feed && !feed.ended) {
          // More jobs to come: the worker waits for them.
          current = null;
          idle.push(send);
          return;
        }
        if (!next) {
          current = null;
          stopped = true;
          void worker.terminate();
          return;
        }
        current = next;
        Atomics.store(state, 0, -1);
        const sent = jobs.slice(next[0], next[1]);
        worker.postMessage(sent, options.transfer ? sent.flatMap(options.transfer) : undefined);
      };
      worker.on('message', (results: R[]) => {
        if (stopped || failed) return;
        try {
          onResults(results);
        } catch (error) {
          fail(error as Error);
          return;
        }
        send();
      });
      const crashed = (reason: string) => {
        if (stopped || failed) return;
        stopped = true;
        const index = Atomics.load(state, 0);
        if (!current || index < 0 || !onCrash) {
          const held = current ? label(jobs[current[0] + Math.max(0, index)]!) : 'no file (between jobs)';
          fail(new WorkerCrash(held, reason));
          return;
        }
        giveUpJob(index, (job) => onCrash(job, new WorkerCrash(label(job), reason).message));
      };
      worker.on('error', (error) => crashed(error instanceof Error ? error.message : String(error)));
      worker.on('exit', (code) => {
        clearInterval(timer);
        live.delete(worker);
        everyWorker.delete(worker);
        running--;
        crashed(`the worker exited (code ${code})`);
        if (failed) return;
        // A worker stopped for a timeout (or a crash reported through onCrash) is replaced while there is work left.
        if (queue.length > 0) start();
        finishIfDone();
      });
      send();
    };
    /** Sends the chunks ready to idle workers, and starts workers (up to `workers`) for the rest. */
    const dispatch = () => {
      if (failed) return;
      takeChunks();
      while (queue.length > 0 && idle.length > 0) idle.shift()!();
      while (queue.length > 0 && running < Math.max(1, workers)) start();
      // The feed ended: the waiting workers are stopped (send finds no chunk); with none running the run is done.
      if (feed?.ended) while (idle.length > 0) idle.shift()!();
      finishIfDone();
    };
    if (feed)
      feed.onChange = () => {
        // Checked per job: a chunk is ready, or the feed ended.
        if (feed.ended || jobs.length - chunked >= chunk) dispatch();
      };
    // No more workers than chunks (a worker takes one as it starts); no job at all: done at once. A feed that asks
    // for it has its workers started now, waiting for their first chunk.
    if (feed?.startWorkers && !feed.ended) while (running < Math.max(1, workers)) start();
    dispatch();
  }).finally(() => {
    if (feed) feed.onChange = null;
  });
}

/** In a worker: the data the pool was given (`PoolOptions.workerData`). */
export function workerInput<T>(): T {
  return (workerData as Envelope).data as T;
}

/**
 * In a worker: answers each chunk of jobs with their results, telling the
 * pool which job is in hand; `afterChunk` runs once a chunk's jobs are done,
 * before their results go back (e.g. to write what the jobs stored).
 * `KB_TEST_WORKER_FAULT=crash:<label>` or `hang:<label>` makes the worker
 * crash or hang on that job (tests only).
 */
export function serveJobs<J, R>(handle: (job: J) => R, label: (job: J) => string, afterChunk?: () => void): void {
  if (isMainThread || !parentPort) throw new Error('serveJobs runs in a worker thread');
  const state = new Int32Array((workerData as Envelope).progress);
  const fault = config().testWorkerFault;
  parentPort.on('message', (jobs: J[]) => {
    const results: R[] = [];
    for (let i = 0; i < jobs.length; i++) {
      Atomics.store(state, 0, i);
      Atomics.add(state, 1, 1);
      if (fault && label(jobs[i]!) === fault.job) {
        if (fault.kind === 'crash') process.exit(70);
        for (;;) Atomics.wait(state, 2, 0, 1000);
      }
      results.push(handle(jobs[i]!));
    }
    Atomics.store(state, 0, -1);
    afterChunk?.();
    parentPort!.postMessage(results);
  });
}
