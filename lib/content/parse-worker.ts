/** Worker thread: parses the files it is sent and posts the results back. */
import { parentPort, workerData } from 'node:worker_threads';
import { parseFile } from './parse-file';

const root = (workerData as { root: string }).root;
parentPort!.on('message', (jobs: Array<[string, number, number]>) => {
  parentPort!.postMessage(jobs.map(([source, mtimeMs, size]) => parseFile(root, source, mtimeMs, size)));
});
