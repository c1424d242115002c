/**
 * The static server for the exported site (out/), behaving like a static host.
 * The files are sent by `sirv` (Content-Type, Content-Length, Last-Modified,
 * ETag and 304 answers, ranges, HEAD) and compressed by `compression` (gzip,
 * or brotli when the client prefers it, for compressible types); this module
 * adds only what a host does on top of sending a file:
 *
 * - requests: GET and HEAD only (405 otherwise); the raw path is checked before
 *   anything is looked up: `..`/`.` segments (also percent-encoded), NUL
 *   bytes, backslashes and malformed percent-encoding are a 400 (never
 *   remapped); symlinks leading out of the directory are not followed;
 * - the base path: with `--base-path /kb-archive` (or KB_BASE_PATH) the site
 *   is served under that prefix only;
 * - `/dir/` serves `dir/index.html`; `/dir` redirects (301) to `/dir/`, a path
 *   on this host built from the path's non-empty segments (`//host/dir` and
 *   `/\host` never become a redirect to another host); `/page` falls back to
 *   `page.html`;
 * - a missing path gets `404.html` (if the site has one) with status 404;
 * - `--log`: one line per request as it came (method, path, status, bytes
 *   sent with the headers, time), control characters escaped;
 * - `nosniff`, and the cache policy of the host files (lib/build/host-files):
 *   a year's immutable cache for `_next/static/`, revalidation for the rest.
 *
 * CLI:  tsx scripts/serve.ts [dir=out] [--port 3000] [--host 127.0.0.1]
 *                            [--base-path /prefix] [--no-gzip] [--log]
 * API:  startServer({ dir, port, host, basePath }) -> { url, origin, port, close }
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { readFile, realpath, stat } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import compression from 'compression';
import sirv from 'sirv';
import { config, normalizeBasePath } from '../lib/config';
import { IMMUTABLE, REVALIDATE } from '../lib/build/host-files';
import { cliArgs, integerOption, parseCommandLine, type CliResult } from '../lib/cli/args';
import { printable } from '../lib/cli/print';

export const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.htm': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.md': 'text/markdown; charset=utf-8',
  '.xml': 'application/xml; charset=utf-8',
  '.rss': 'application/rss+xml; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.avif': 'image/avif',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.gz': 'application/gzip',
  '.woff': 'font/woff',
  '.ttf': 'font/ttf',
  '.otf': 'font/otf',
  '.wasm': 'application/wasm',
  '.pdf': 'application/pdf',
};

/** The Content-Type of a file name (with a charset for text), as the static hosts send it. */
export function contentTypeFor(file: string): string {
  const ext = path.extname(file).toLowerCase();
  return Object.hasOwn(CONTENT_TYPES, ext) ? CONTENT_TYPES[ext]! : 'application/octet-stream';
}

/** Bodies smaller than this are sent as they are (as most hosts do). */
export const GZIP_MIN_BYTES = 256;

/** `''` or `/a/b` (leading slash, no trailing slash): the one rule, lib/config's. */
export { normalizeBasePath };

export interface ServerOptions {
  /** Directory to serve (the export output). Default: `out`. */
  dir?: string;
  /** Port; 0 (the default) picks a free one. */
  port?: number;
  /** Interface to listen on. Default: 127.0.0.1. */
  host?: string;
  /** Serve the site under this prefix (e.g. `/kb-archive`). Default: `''`, or KB_BASE_PATH when undefined. */
  basePath?: string;
  /** Compress responses (gzip, or brotli) when the client accepts it. Default: true. */
  gzip?: boolean;
  /** Called with one line per request (method, path, status, bytes sent). */
  log?: (line: string) => void;
}

export interface RunningServer {
  /** Site root URL, with the base path and a trailing slash: `http://127.0.0.1:PORT/kb-archive/`. */
  url: string;
  /** `http://127.0.0.1:PORT` */
  origin: string;
  port: number;
  host: string;
  basePath: string;
  dir: string;
  server: Server;
  close(): Promise<void>;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Turn the raw request target into path segments, refusing anything that could
 * climb out of the root. Works on the raw string (not WHATWG URL parsing, which
 * would silently collapse `/../` and `/%2e%2e/`) so that such requests are
 * rejected rather than remapped.
 */
export function parseRequestPath(rawUrl: string): { pathname: string; segments: string[]; search: string } {
  if (!rawUrl.startsWith('/')) throw new HttpError(400, 'request target must start with /');
  const cut = rawUrl.search(/[?#]/);
  const rawPath = cut === -1 ? rawUrl : rawUrl.slice(0, cut);
  const search = cut === -1 ? '' : rawUrl.slice(cut).replace(/#.*$/, '');
  let pathname: string;
  try {
    pathname = decodeURIComponent(rawPath);
  } catch {
    throw new HttpError(400, 'malformed percent-encoding');
  }
  if (pathname.includes('\0')) throw new HttpError(400, 'NUL byte in path');
  if (pathname.includes('\\')) throw new HttpError(400, 'backslash in path');
  const segments = pathname.split('/').slice(1);
  if (segments.some((s) => s === '..' || s === '.')) throw new HttpError(400, 'dot segment in path');
  return { pathname, segments, search };
}

/** What a request path comes to on the site: a file to send, a redirect, or the 404 page. */
export type Resolution = { kind: 'file'; file: string } | { kind: 'redirect'; location: string } | { kind: 'not-found' };

/** The served directory: its path, its real path (for the symlink check) and the base path. */
interface Site {
  dir: string;
  realRoot: string;
  basePath: string;
}

/** A path segment list as a `Location` on this host: one leading slash, each segment percent-encoded. */
function locationOf(pathname: string, search: string): string {
  const location = pathname.split('/').map(encodeURIComponent).join('/') + search;
  // Only ever a path on this host: one leading slash, never `//host` or `/\host`.
  if (!location.startsWith('/') || location.startsWith('//') || location.startsWith('/\\')) throw new HttpError(400, 'redirect would leave the site');
  return location;
}

/** A file's stats when it is inside the root, following symlinks only if they stay inside; else null. */
async function statInside(site: Site, file: string): Promise<Stats | null> {
  try {
    const real = await realpath(file);
    if (real !== site.realRoot && !real.startsWith(site.realRoot + path.sep)) return null;
    return await stat(real);
  } catch {
    return null;
  }
}

/** The host's rules for a request target (checked by parseRequestPath): base path, folders, clean URLs. */
export async function resolveRequest(site: Site, rawUrl: string): Promise<Resolution> {
  const { pathname, search } = parseRequestPath(rawUrl);
  const { dir, basePath } = site;
  // Only requests under the base path belong to the site.
  let sitePath = pathname;
  if (basePath) {
    if (pathname === basePath) return { kind: 'redirect', location: locationOf(basePath + '/', search) };
    if (!pathname.startsWith(basePath + '/')) return { kind: 'not-found' };
    sitePath = pathname.slice(basePath.length);
  }
  const trailingSlash = sitePath.endsWith('/');
  const parts = sitePath.split('/').filter((s) => s !== '');
  const target = path.join(dir, ...parts);
  if (target !== dir && !target.startsWith(dir + path.sep)) throw new HttpError(400, 'path escapes root');

  const isFile = async (file: string) => (await statInside(site, file))?.isFile() === true;
  const st = await statInside(site, target);
  if (st?.isDirectory()) {
    const index = path.join(target, 'index.html');
    if (trailingSlash) return (await isFile(index)) ? { kind: 'file', file: index } : { kind: 'not-found' };
    // A folder without index.html beside page.html (export without trailingSlash): serve the page.
    if (parts.length > 0 && !(await isFile(index)) && (await isFile(target + '.html'))) return { kind: 'file', file: target + '.html' };
    // Built from the path's non-empty segments: `//evil.example` must never become `Location: //evil.example/`.
    return { kind: 'redirect', location: locationOf(`${basePath}/${parts.join('/')}/`, search) };
  }
  if (st?.isFile()) return trailingSlash ? { kind: 'not-found' } : { kind: 'file', file: target };
  // Clean URLs: /about -> about.html (Next's export without trailingSlash).
  if (!trailingSlash && parts.length > 0 && (await isFile(target + '.html'))) return { kind: 'file', file: target + '.html' };
  return { kind: 'not-found' };
}

type Handler = (req: IncomingMessage, res: ServerResponse, next: () => void) => void;

/** The file sender: sirv over the root, looking files up per request (the site may be rebuilt while served). */
function fileSender(dir: string): Handler {
  return sirv(dir, {
    dev: true,
    etag: true,
    dotfiles: true,
    extensions: [],
    setHeaders(res, pathname) {
      res.setHeader('Content-Type', contentTypeFor(pathname));
      res.setHeader('X-Content-Type-Options', 'nosniff');
      res.setHeader('Cache-Control', pathname.startsWith('/_next/static/') ? IMMUTABLE : REVALIDATE);
      if (/\.(?:gz|br)$/.test(pathname)) keepEncoded(res);
    },
  });
}

/**
 * A `.gz` or `.br` file asked for by its own name (`/data/articles.jsonl.gz`) is sent as it is, a download:
 * sirv would label it `Content-Encoding: gzip`, and clients would unpack it while keeping the `.gz` name.
 */
function keepEncoded(res: ServerResponse): void {
  const writeHead = res.writeHead.bind(res) as (code: number, headers?: Record<string, unknown>) => ServerResponse;
  (res as unknown as { writeHead: typeof writeHead }).writeHead = (code, headers) => {
    if (headers) delete headers['Content-Encoding'];
    return writeHead(code, headers);
  };
}

/** The compressor: gzip (or brotli, when the client prefers it) for compressible types of GZIP_MIN_BYTES and more. */
function compressor(enabled: boolean): Handler {
  if (!enabled) return (_req, _res, next) => next();
  return compression({ threshold: GZIP_MIN_BYTES }) as Handler;
}

function sendText(res: ServerResponse, status: number, text: string, head: boolean, headers: Record<string, string> = {}): void {
  const body = Buffer.from(text + '\n');
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': body.length, 'X-Content-Type-Options': 'nosniff', ...headers });
  res.end(head ? undefined : body);
}

/** The site's 404.html with status 404, or a plain-text one. */
async function sendNotFound(site: Site, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const page = path.join(site.dir, '404.html');
  const st = await statInside(site, page);
  if (!st?.isFile()) return sendText(res, 404, 'Not Found', req.method === 'HEAD');
  const body = await readFile(page);
  res.statusCode = 404;
  res.setHeader('Content-Type', contentTypeFor(page));
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Cache-Control', REVALIDATE);
  res.setHeader('Content-Length', body.length);
  res.end(req.method === 'HEAD' ? undefined : body);
}

/** One request: method, path rules, then sirv (through the compressor) for a file. */
function requestHandler(site: Site, useCompression: boolean): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  const send = fileSender(site.dir);
  const compress = compressor(useCompression);
  return async (req, res) => {
    const head = req.method === 'HEAD';
    if (req.method !== 'GET' && !head) return sendText(res, 405, 'Method Not Allowed', false, { Allow: 'GET, HEAD' });
    const resolved = await resolveRequest(site, req.url ?? '/');
    if (resolved.kind === 'redirect') return sendText(res, 301, `Moved Permanently: ${resolved.location}`, head, { Location: resolved.location });
    await new Promise<void>((resolve, reject) => {
      res.once('close', resolve);
      res.once('error', reject);
      compress(req, res, () => {
        // sirv looks the file up by URL (decodeURI'd): hand it the file's own path. Names the export never has (`?`,
        // `#`) could not round-trip through a URL: those are not found, as they would not be on a host.
        const rel = resolved.kind === 'file' ? path.relative(site.dir, resolved.file).split(path.sep).join('/') : null;
        if (rel === null || /[?#]/.test(rel)) return void sendNotFound(site, req, res).catch(reject);
        req.url = '/' + encodeURI(rel);
        send(req, res, () => void sendNotFound(site, req, res).catch(reject));
      });
    });
  };
}

/** Listen on `host:port`; resolves once listening. */
async function listen(server: Server, port: number, host: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

export async function startServer(opts: ServerOptions = {}): Promise<RunningServer> {
  const dir = path.resolve(opts.dir ?? 'out');
  const host = opts.host ?? '127.0.0.1';
  const basePath = opts.basePath !== undefined ? normalizeBasePath(opts.basePath) : config().basePath;
  const log = opts.log;

  const rootStat = await stat(dir).catch(() => null);
  if (!rootStat?.isDirectory()) throw new Error(`kbview: ${dir} is not a directory (build the site first: npm run build)`);
  const handle = requestHandler({ dir, realRoot: await realpath(dir), basePath }, opts.gzip ?? true);

  const server = createServer((req, res) => {
    const started = process.hrtime.bigint();
    // The request as it came (the handler hands sirv the file's own path in req.url), and the bytes sent for it.
    const { method, url } = req;
    const written = req.socket.bytesWritten;
    handle(req, res)
      .catch((err: unknown) => {
        if (res.headersSent) return void res.destroy();
        if (err instanceof HttpError) return sendText(res, err.status, `${err.status} ${err.message}`, false);
        console.error('kbview serve: internal error', err);
        sendText(res, 500, 'Internal Server Error', false);
      })
      .then(() => {
        if (!log) return;
        const ms = Number(process.hrtime.bigint() - started) / 1e6;
        log(printable(`${method} ${url} ${res.statusCode} ${req.socket.bytesWritten - written}B ${ms.toFixed(1)}ms`));
      });
  });
  server.keepAliveTimeout = 5_000;
  await listen(server, opts.port ?? 0, host);

  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('server has no TCP address');
  const urlHost = address.family === 'IPv6' || host.includes(':') ? `[${address.address}]` : host;
  const origin = `http://${urlHost}:${address.port}`;
  let closing: Promise<void> | undefined;
  return {
    url: `${origin}${basePath}/`,
    origin,
    port: address.port,
    host,
    basePath,
    dir,
    server,
    close() {
      closing ??= new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

interface CliOptions {
  dir: string;
  port: number;
  host: string;
  basePath?: string;
  gzip: boolean;
  log: boolean;
}

const USAGE = [
  'usage: tsx scripts/serve.ts [dir=out] [--port 3000] [--host 127.0.0.1]',
  '                            [--base-path /prefix] [--no-gzip] [--log]',
  '  --base-path  serve the site under this prefix (default: $KB_BASE_PATH or none)',
  '  --port 0     picks a free port',
].join('\n');

const CLI_SPEC = {
  usage: USAGE,
  options: {
    port: { type: 'string', short: 'p' },
    host: { type: 'string' },
    'base-path': { type: 'string' },
    'no-gzip': { type: 'boolean' },
    log: { type: 'boolean' },
  },
  positionals: { max: 1 },
} as const;

function cliOptions({ values, positionals }: CliResult<(typeof CLI_SPEC)['options']>): CliOptions {
  return {
    dir: positionals[0] ?? 'out',
    port: integerOption(values.port, '--port', USAGE, config().port, 0, 65535),
    host: values.host ?? '127.0.0.1',
    ...(values['base-path'] !== undefined ? { basePath: values['base-path'] } : {}),
    gzip: values['no-gzip'] !== true,
    log: values.log === true,
  };
}

/** The command line as options; throws UsageError (lib/cli/args) naming what is wrong. */
export function parseCliArgs(argv: string[]): CliOptions {
  return cliOptions(parseCommandLine(argv, CLI_SPEC));
}

async function main(): Promise<void> {
  const cli = cliArgs(process.argv.slice(2), CLI_SPEC, cliOptions);
  let running: RunningServer;
  try {
    running = await startServer({
      dir: cli.dir,
      port: cli.port,
      host: cli.host,
      basePath: cli.basePath,
      gzip: cli.gzip,
      log: cli.log ? (line) => console.log(line) : undefined,
    });
  } catch (err) {
    console.error((err as Error).message);
    process.exit(1);
  }
  const shown = cli.dir.endsWith('/') ? cli.dir : cli.dir + '/';
  console.log(`kbview: serving ${shown} at ${running.url}`);
  const stop = () => {
    void running.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

const invokedDirectly = process.argv[1] !== undefined && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href;
if (invokedDirectly) void main();
