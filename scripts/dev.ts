/**
 * `npm run dev`: Next.js's development server, warmed up.
 *
 * Next compiles a route when it is first requested (the article route: ~2.5 s
 * on 2 cores). It does not list the article route's pages in development (the
 * route answers 404 itself for an id the export does not have: next.config.js,
 * lib/content `articleRoutePermalinks`), so the archive's size does not slow it;
 * article permalinks are served by app/kb-dev/page.dev.tsx, the same page under a
 * path with no dynamic segment, so that Next does not start a worker to ask.
 * The archive's article files are listed by name here while Next starts, and
 * kept in the cache folder, where the dev server looks up each requested
 * article's file (lib/content/dev-paths.ts). This starts `next dev` (`npm run dev -- --port 4000`;
 * Next's other options after `--`: `npm run dev -- -- --experimental-https`), and as soon as it is ready requests one
 * article page itself, then says so: from that line on, any article is
 * served in a fraction of a second, without the archive having been parsed
 * (lib/content/index.ts, development fast path). Pages that need the whole
 * archive (home, listings, backlinks) wait for it to load in the background,
 * a slice at a time (lib/content/slices.ts: ~10 s from the parse cache at 60,000
 * articles, ~1 min at 241,340; a minute to parse 60,000 articles), until the dev
 * server says `kbview: archive loaded`. A number with no page is a 404 at once
 * when an earlier dev server on the same parse cache loaded the archive
 * (lib/content/dev-paths.ts, the numbers needing the archive).
 *
 * Then it builds the search index into public/search/ in a child process at a
 * lower priority, unless the index there was built from the same content directory
 * (`build-search --if-stale`; `KB_SKIP_SEARCH=1` skips it): search works
 * once it says so, and articles are served meanwhile.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { permalinkOf } from '../lib/markdown/references';
import { config, configEnv, resolveContentDir } from '../lib/config';
import { cacheFolder, devBusyFile } from '../lib/content/cache-paths';
import { devArticleLookup, devPathsFile } from '../lib/content/dev-paths';
import { devServerReadyUrl, NEXT_BIN } from '../lib/next-internals';
import { cliArgs, integerOption, UsageError } from '../lib/cli/args';
import { statusLine } from '../lib/cli/print';

const USAGE = `usage: npm run dev -- [--port 3000] [--hostname localhost] [--webpack] [-- <other next dev options>]
  Next.js's development server on $KB_CONTENT_DIR (or content/), warmed up; then the search index.
  --port, -p N         port (default: $PORT or 3000)
  --hostname, -H NAME  interface to listen on
  --webpack            Next's webpack bundler instead of Turbopack
  after --             passed to next dev as they are`;

const nextArgs = cliArgs(
  process.argv.slice(2),
  {
    usage: USAGE,
    options: { port: { type: 'string', short: 'p' }, hostname: { type: 'string', short: 'H' }, webpack: { type: 'boolean' } },
    positionals: { max: Infinity },
  },
  ({ values, positionals }) => {
    // Positionals are only what follows `--` (anything else before it is refused as an unexpected argument).
    const dashes = process.argv.indexOf('--', 2);
    const passed = dashes === -1 ? [] : process.argv.slice(dashes + 1);
    if (positionals.length !== passed.length) throw new UsageError(`unexpected argument ${JSON.stringify(positionals[0])}`, USAGE);
    const args: string[] = [];
    if (values.port !== undefined) args.push('--port', String(integerOption(values.port, '--port', USAGE, 0, 0, 65535)));
    if (values.hostname !== undefined) args.push('--hostname', values.hostname);
    if (values.webpack) args.push('--webpack');
    return [...args, ...passed];
  },
);

const require = createRequire(import.meta.url);
const started = performance.now();
const child = spawn(process.execPath, [require.resolve(NEXT_BIN), 'dev', ...nextArgs], {
  stdio: ['inherit', 'pipe', 'inherit'],
  env: configEnv({ ...config(), runner: 'kb' }),
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));

// The article list the route looks articles up in (lib/content/dev-paths.ts), walked now if it is not fresh,
// while Next starts and compiles: the dev server then reads one chunk of it per article instead of walking the archive.
const root = resolveContentDir();
const firstArticle = devArticleLookup(root, devPathsFile(root)).first;

let output = '';
let warming = false;
child.stdout!.on('data', (chunk: Buffer) => {
  process.stdout.write(chunk);
  if (warming) return;
  output += chunk.toString();
  const url = devServerReadyUrl(output);
  if (url) {
    warming = true;
    void warmUp(url.replace(/\/$/, ''));
  }
});

async function warmUp(origin: string): Promise<void> {
  const first = firstArticle;
  const base = config().basePath;
  if (first === undefined) {
    buildSearchIndex();
    return;
  }
  try {
    await (await fetch(`${origin}${base}${permalinkOf(`Q${first}`)}`)).arrayBuffer();
    console.log(statusLine(`ready in ${((performance.now() - started) / 1000).toFixed(1)} s (article route compiled): ${origin}${base}/`));
  } catch (error) {
    console.log(statusLine(`could not warm up the dev server (${error instanceof Error ? error.message : String(error)}); pages compile on first request`));
  }
  buildSearchIndex();
}

/**
 * The search index, in a child process (its parse uses the other cores while the server answers), at a lower
 * priority than the dev server, which answers pages and loads the archive meanwhile.
 */
function buildSearchIndex(): void {
  if (config().skipSearch) return;
  const busyFile = devBusyFile();
  const search = spawn(process.execPath, [require.resolve('tsx/cli'), 'scripts/build-search.ts', '--if-stale'], {
    stdio: ['ignore', 'inherit', 'inherit'],
    env: configEnv(config()),
  });
  try {
    // Never above the dev server's own (`nice -n 19 npm run dev`: 19 too).
    if (search.pid !== undefined) setPriority(search.pid, Math.max(getPriority(), 10));
  } catch {
    // Not allowed here: it runs at the dev server's priority.
  }
  // While it parses an archive that has no parse cache yet (and fills it), the dev server waits to load the archive
  // (lib/content/index.ts) rather than parse the same files at the same time. With a parse cache, the dev server loads
  // it right away: at 241,340 articles the index takes minutes (BENCHMARKS.md "Session 6, branch s6-dev": 462 s),
  // which backlinks, related articles, listings and cited missing articles would otherwise wait for.
  if (existsSync(path.join(cacheFolder(root, config().cacheDir), 'parsed.ndjson'))) return;
  mkdirSync(path.dirname(busyFile), { recursive: true });
  writeFileSync(busyFile, String(search.pid));
  const done = () => rmSync(busyFile, { force: true });
  search.on('exit', done);
  process.on('exit', () => {
    search.kill();
    done();
  });
}
