/**
 * `npm run dev` on a content directory: time from start to the first article
 * page served, and for a few more articles after it. Prints JSON.
 *
 *   tsx bench/dev.ts <contentDir> [Q244717 Q50552 …]
 */
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { permalinkOf } from '../lib/markdown/references';

const require = createRequire(import.meta.url);
const [dir, ...ids] = process.argv.slice(2);
const articles = ids.length > 0 ? ids : ['Q244717', 'Q50552', 'Q100001', 'Q319829'];

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => resolve(port));
    });
  });
}

const port = await freePort();
const started = performance.now();
const child = spawn(process.execPath, [require.resolve('next/dist/bin/next'), 'dev', '--port', String(port), '--hostname', 'localhost'], {
  env: { ...process.env, KB_CONTENT_DIR: dir, NEXT_TELEMETRY_DISABLED: '1' },
  stdio: ['ignore', 'pipe', 'pipe'],
  detached: true,
});
let log = '';
child.stdout.on('data', (c: Buffer) => (log += c));
child.stderr.on('data', (c: Buffer) => (log += c));
await new Promise<void>((resolve, reject) => {
  const timer = setInterval(() => {
    if (/Ready in/.test(log)) {
      clearInterval(timer);
      resolve();
    } else if (performance.now() - started > 60_000) reject(new Error(`next dev did not start:\n${log}`));
  }, 50);
});
const ready = performance.now() - started;
const results: Array<{ id: string; status: number; ms: number; bytes: number }> = [];
for (const id of articles) {
  const t = performance.now();
  const response = await fetch(`http://localhost:${port}${permalinkOf(id)}`);
  const body = await response.text();
  results.push({ id, status: response.status, ms: Math.round(performance.now() - t), bytes: body.length });
}
const exited = new Promise((resolve) => child.on('exit', resolve));
process.kill(-child.pid!, 'SIGTERM');
await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5000))]);
try {
  process.kill(-child.pid!, 'SIGKILL');
} catch {
  // Already gone.
}
console.log(JSON.stringify({ readyMs: Math.round(ready), firstArticleAfterStartMs: Math.round(ready + results[0]!.ms), results }));
process.exit(0);
