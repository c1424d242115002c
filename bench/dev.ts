/**
 * `npm run dev` on a content directory: time from start until it says it is
 * ready (scripts/dev.ts: Next's server is up and the article route compiled),
 * then the time to serve each of the given articles (or site paths, `/products/`), one every 0.4 s (while
 * the archive loads in the background), and when the archive had loaded (`kbview: archive loaded`). Prints JSON.
 *
 *   tsx bench/dev.ts [--log FILE] [--timeout SECONDS] [--until-loaded] <contentDir> [Q244717 Q50552 /products/ …]
 *
 * `--log` writes the server's output (Next's request log splits each request: compile,
 * generate-params, application code); `--timeout` (default 300) bounds the wait for ready and for each request;
 * `--until-loaded` requests the list again and again until the archive has loaded, then once more.
 */
import { spawn } from 'node:child_process';
import { permalinkOf } from '../lib/markdown/references';
import { freePort } from './lib/server';
import { cliArgs, integerOption } from '../lib/cli/args';
import { writeFileSync } from 'node:fs';

const USAGE = 'usage: tsx bench/dev.ts [--log FILE] [--timeout SECONDS] [--until-loaded] <contentDir> [Q244717 Q50552 /products/ …]';
const { values, positionals } = cliArgs(process.argv.slice(2), {
  usage: USAGE,
  options: { log: { type: 'string' }, timeout: { type: 'string' }, 'until-loaded': { type: 'boolean' } },
  positionals: { min: 1, max: Infinity },
});
const [dir, ...ids] = positionals;
const timeoutMs = integerOption(values.timeout, '--timeout', USAGE, 300, 1, 3600) * 1000;
const articles = ids.length > 0 ? ids : ['Q244717', 'Q50552', 'Q100001', 'Q319829'];

const port = await freePort();
const started = performance.now();
// What `npm run dev` runs: next dev, warmed up by scripts/dev.ts.
const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/dev.ts', '--port', String(port), '--hostname', 'localhost'], {
  env: { ...process.env, KB_CONTENT_DIR: dir, NEXT_TELEMETRY_DISABLED: '1' },
  stdio: ['ignore', 'pipe', 'pipe'],
  detached: true,
});
let log = '';
let nextReady = 0;
let loaded = 0;
let loadedLine = '';
child.stdout.on('data', (c: Buffer) => {
  log += c;
  if (!nextReady && /Ready in/.test(log)) nextReady = performance.now() - started;
  const line = loaded ? null : /kbview: archive loaded[^\n]*/.exec(log);
  if (line) {
    loaded = performance.now() - started;
    loadedLine = line[0];
  }
});
child.stderr.on('data', (c: Buffer) => (log += c));
await new Promise<void>((resolve, reject) => {
  const timer = setInterval(() => {
    if (/kbview: (ready|could not warm)/.test(log)) {
      clearInterval(timer);
      resolve();
    } else if (performance.now() - started > timeoutMs) reject(new Error(`npm run dev did not get ready:\n${log}`));
  }, 20);
});
const ready = performance.now() - started;
// One article every ~0.4 s from then on: the archive loads in the background meanwhile (from the
// parse cache, or parsing it when there is none), and every request must still be answered quickly.
const results: Array<{ id: string; status: number; ms: number; atMs: number; bytes: number; loaded: boolean }> = [];
const untilLoaded = values['until-loaded'] ?? false;
for (let round = 0; round === 0 || (untilLoaded && performance.now() - started < timeoutMs * 4); round++) {
  const loadedBefore = loaded > 0;
  await requestAll();
  if (loadedBefore) break;
}

async function requestAll(): Promise<void> {
  for (const id of articles) {
    const t = performance.now();
    const wasLoaded = loaded > 0;
    try {
      const url = id.startsWith('/') ? id : permalinkOf(id);
      const response = await fetch(`http://localhost:${port}${url}`, { signal: AbortSignal.timeout(timeoutMs) });
      const body = await response.text();
      results.push({
        id,
        status: response.status,
        ms: Math.round(performance.now() - t),
        atMs: Math.round(t - started),
        bytes: body.length,
        loaded: wasLoaded,
      });
    } catch {
      // No answer within the timeout (or the server is gone): recorded as status 0, and the server is still stopped.
      results.push({ id, status: 0, ms: Math.round(performance.now() - t), atMs: Math.round(t - started), bytes: 0, loaded: wasLoaded });
    }
    await new Promise((r) => setTimeout(r, 400));
  }
}
const exited = new Promise((resolve) => child.on('exit', resolve));
process.kill(-child.pid!, 'SIGTERM');
await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5000))]);
try {
  process.kill(-child.pid!, 'SIGKILL');
} catch {
  // Already gone.
}
if (values.log) writeFileSync(values.log, log);
const times = results.map((r) => r.ms).sort((a, b) => a - b);
console.log(
  JSON.stringify({
    nextReadyMs: Math.round(nextReady),
    readyMs: Math.round(ready),
    loadedMs: Math.round(loaded),
    loadedLine,
    requests: times.length,
    medianMs: times[Math.floor(times.length / 2)] ?? 0,
    p90Ms: times[Math.floor(times.length * 0.9)] ?? 0,
    maxMs: times.at(-1) ?? 0,
    results,
  }),
);
process.exit(0);
