/**
 * `npx tsx bench/serve.ts [--dir out] [--path /kb/244/Q244717/] [--requests 2000] [--concurrency 8]`:
 * requests per second of `npm start`'s server (scripts/serve.ts: sirv + compression) for one page, uncompressed,
 * gzip and brotli (what browsers accept), after 50 warm-up requests each; and the server's start-up time.
 * The machine may be shared: note the load average printed with the figures.
 */
import { request } from 'node:http';
import os from 'node:os';
import { startServer } from '../scripts/serve';
import { cliArgs, integerOption } from '../lib/cli/args';

const USAGE = 'usage: npx tsx bench/serve.ts [--dir out] [--path /kb/244/Q244717/] [--requests 2000] [--concurrency 8]';
const options = cliArgs(
  process.argv.slice(2),
  { usage: USAGE, options: { dir: { type: 'string' }, path: { type: 'string' }, requests: { type: 'string' }, concurrency: { type: 'string' } } },
  ({ values }) => ({
    dir: values.dir ?? 'out',
    path: values.path ?? '/kb/244/Q244717/',
    requests: integerOption(values.requests, '--requests', USAGE, 2000, 1),
    concurrency: integerOption(values.concurrency, '--concurrency', USAGE, 8, 1, 1000),
  }),
);

const started = performance.now();
const server = await startServer({ dir: options.dir, port: 0, basePath: '' });
const startMs = performance.now() - started;

/** One GET; resolves with the bytes of the body and the encoding it came in. */
function get(acceptEncoding: string): Promise<{ bytes: number; encoding: string }> {
  return new Promise((resolve, reject) => {
    const headers = acceptEncoding ? { 'accept-encoding': acceptEncoding } : {};
    const req = request({ host: '127.0.0.1', port: server.port, path: options.path, headers }, (res) => {
      let bytes = 0;
      res.on('data', (chunk: Buffer) => (bytes += chunk.length));
      res.on('end', () =>
        res.statusCode === 200
          ? resolve({ bytes, encoding: String(res.headers['content-encoding'] ?? 'identity') })
          : reject(new Error(`${options.path}: ${res.statusCode}`)),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

console.log(
  `bench/serve: ${options.path} from ${options.dir}/, ${options.requests} requests, ${options.concurrency} at a time; load ${os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}`,
);
console.log(`  start-up: ${startMs.toFixed(0)} ms`);
try {
  for (const acceptEncoding of ['', 'gzip', 'gzip, deflate, br']) {
    for (let i = 0; i < 50; i++) await get(acceptEncoding);
    let sent = 0;
    let bytes = 0;
    let encoding = '';
    const t = performance.now();
    await Promise.all(
      Array.from({ length: options.concurrency }, async () => {
        while (sent < options.requests) {
          sent++;
          const res = await get(acceptEncoding);
          bytes += res.bytes;
          encoding = res.encoding;
        }
      }),
    );
    const seconds = (performance.now() - t) / 1000;
    console.log(
      `  Accept-Encoding ${JSON.stringify(acceptEncoding)}: ${Math.round(options.requests / seconds)} req/s, ${encoding}, ${Math.round(bytes / options.requests)} bytes each`,
    );
  }
} finally {
  await server.close();
}
