/** Worker thread: parses the files it is sent and posts the results back (lib/worker-pool.ts). */
import { serveJobs, workerInput } from '../worker-pool';
import { parseFile } from './parse-file';
import { loadBodyHook, type BodyHook } from './corpus';
import { startHeapGuard } from './heap-guard';

// Garbage bounded (./heap-guard.ts): the guard's timer runs between two chunks of files.
startHeapGuard();

const { root, bodyHook } = workerInput<{ root: string; bodyHook?: BodyHook }>();
const hook = bodyHook ? await loadBodyHook(bodyHook) : undefined;
serveJobs(
  ([source, mtimeMs, size]: [string, number, number]) => parseFile(root, source, mtimeMs, size, hook?.onBody),
  ([source]) => source,
  // What the hook holds (the bodies rendered) is written before the chunk's results go back.
  hook?.flush,
);
