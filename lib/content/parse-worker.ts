/** Worker thread: parses the files it is sent and posts the results back. */
import { parentPort, workerData } from 'node:worker_threads';
import { parseFile } from './parse-file';
import { loadBodyHook, type BodyHook } from './corpus';

const { root, bodyHook } = workerData as { root: string; bodyHook?: BodyHook };
const onBody = bodyHook ? await loadBodyHook(bodyHook) : undefined;
parentPort!.on('message', (jobs: Array<[string, number, number]>) => {
  parentPort!.postMessage(jobs.map(([source, mtimeMs, size]) => parseFile(root, source, mtimeMs, size, onBody)));
});
