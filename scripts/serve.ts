/**
 * A zero-dependency static file server for the exported site (out/), behaving
 * like a static host:
 *
 * - `/dir/` serves `dir/index.html`; `/dir` redirects (301) to `/dir/`, a path
 *   on this host built from the path's segments (`//host/dir` never redirects to `//host/dir/`);
 *   `/page` falls back to `page.html` when that file exists.
 * - A missing path gets `404.html` (if the site has one) with status 404.
 * - Content-Type by extension, ETag/Last-Modified with 304 answers,
 *   gzip (node:zlib) for compressible types when the client accepts it.
 * - Path traversal (`..` segments, also percent-encoded), NUL bytes and
 *   symlinks leading out of the directory are refused.
 * - basePath: with `--base-path /kb-archive` (or KB_BASE_PATH) the site is
 *   served under that prefix, as it would be on a host serving it there.
 *
 * CLI:  tsx scripts/serve.ts [dir=out] [--port 3000] [--host 127.0.0.1]
 *                            [--base-path /prefix] [--no-gzip] [--log]
 * API:  startServer({ dir, port, host, basePath }) -> { url, origin, port, close }
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createReadStream } from 'node:fs';
import { readFile, realpath, stat } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { gzip as gzipCb, constants as zlibConstants } from 'node:zlib';
import { config, normalizeBasePath } from '../lib/config';

const gzipAsync = promisify(gzipCb);

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
  '.woff': 'font/woff',
  '.ttf': 'font/ttf',
  '.otf': 'font/otf',
  '.wasm': 'application/wasm',
  '.pdf': 'application/pdf',
};

export function contentTypeFor(file: string): string {
  return CONTENT_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
}

function isCompressible(type: string): boolean {
  return (
    type.startsWith('text/') ||
    type.startsWith('application/json') ||
    type.startsWith('application/manifest+json') ||
    type.startsWith('application/xml') ||
    type.startsWith('application/rss+xml') ||
    type.startsWith('image/svg+xml') ||
    type === 'image/x-icon' ||
    type === 'application/wasm'
  );
}

/** Bodies smaller than this are sent as they are (as most hosts do). */
export const GZIP_MIN_BYTES = 256;

/** `''` or `/a/b` (leading slash, no trailing slash): the one rule, lib/config's. */
export { normalizeBasePath };

/** Does the Accept-Encoding header allow gzip (q > 0)? */
export function acceptsGzip(header: string | string[] | undefined): boolean {
  const value = Array.isArray(header) ? header.join(',') : (header ?? '');
  let star = false;
  for (const part of value.split(',')) {
    const [name, ...params] = part.trim().toLowerCase().split(';');
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    const ok = q === undefined || Number(q.slice(2)) > 0;
    if (name === 'gzip' || name === 'x-gzip') return ok;
    if (name === '*') star = ok;
  }
  return star;
}

export interface ServerOptions {
  /** Directory to serve (the export output). Default: `out`. */
  dir?: string;
  /** Port; 0 (the default) picks a free one. */
  port?: number;
  /** Interface to listen on. Default: 127.0.0.1. */
  host?: string;
  /** Serve the site under this prefix (e.g. `/kb-archive`). Default: `''`, or KB_BASE_PATH when undefined. */
  basePath?: string;
  /** Compress responses with gzip when the client accepts it. Default: true. */
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

interface CachedGzip {
  mtimeMs: number;
  size: number;
  body: Buffer;
}

function etagFor(st: Stats): string {
  return `W/"${st.size.toString(16)}-${Math.floor(st.mtimeMs).toString(16)}"`;
}

function encodePathForLocation(pathname: string): string {
  return pathname.split('/').map(encodeURIComponent).join('/');
}

export async function startServer(opts: ServerOptions = {}): Promise<RunningServer> {
  const dir = path.resolve(opts.dir ?? 'out');
  const host = opts.host ?? '127.0.0.1';
  const basePath = opts.basePath !== undefined ? normalizeBasePath(opts.basePath) : config().basePath;
  const useGzip = opts.gzip ?? true;
  const log = opts.log;

  const rootStat = await stat(dir).catch(() => null);
  if (!rootStat?.isDirectory()) {
    throw new Error(`kbview: ${dir} is not a directory (build the site first: npm run build)`);
  }
  const realRoot = await realpath(dir);
  const gzipCache = new Map<string, CachedGzip>();

  /** Resolve a file inside the root, following symlinks only if they stay inside. */
  async function statInside(file: string): Promise<Stats | null> {
    try {
      const real = await realpath(file);
      if (real !== realRoot && !real.startsWith(realRoot + path.sep)) return null;
      return await stat(real);
    } catch {
      return null;
    }
  }

  async function sendFile(req: IncomingMessage, res: ServerResponse, file: string, st: Stats, status = 200): Promise<number> {
    const type = contentTypeFor(file);
    const etag = etagFor(st);
    res.setHeader('Content-Type', type);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Last-Modified', st.mtime.toUTCString());
    res.setHeader('ETag', etag);
    const rel = path.relative(dir, file).split(path.sep).join('/');
    res.setHeader('Cache-Control', rel.startsWith('_next/static/') ? 'public, max-age=31536000, immutable' : 'public, max-age=0, must-revalidate');
    const compressible = useGzip && isCompressible(type);
    if (compressible) res.setHeader('Vary', 'Accept-Encoding');

    if (status === 200) {
      const inm = req.headers['if-none-match'];
      if (inm && inm.split(',').some((t) => t.trim() === etag || t.trim() === '*')) {
        res.writeHead(304);
        res.end();
        return 0;
      }
    }

    if (compressible && st.size >= GZIP_MIN_BYTES && acceptsGzip(req.headers['accept-encoding'])) {
      let cached = gzipCache.get(file);
      if (!cached || cached.mtimeMs !== st.mtimeMs || cached.size !== st.size) {
        const raw = await readFile(file);
        const body = await gzipAsync(raw, { level: zlibConstants.Z_DEFAULT_COMPRESSION });
        cached = { mtimeMs: st.mtimeMs, size: st.size, body };
        gzipCache.set(file, cached);
      }
      res.setHeader('Content-Encoding', 'gzip');
      res.setHeader('Content-Length', cached.body.length);
      res.writeHead(status);
      res.end(req.method === 'HEAD' ? undefined : cached.body);
      return req.method === 'HEAD' ? 0 : cached.body.length;
    }

    res.setHeader('Content-Length', st.size);
    res.writeHead(status);
    if (req.method === 'HEAD') {
      res.end();
      return 0;
    }
    await new Promise<void>((resolve, reject) => {
      const stream = createReadStream(file);
      stream.on('error', reject);
      res.on('close', resolve);
      stream.pipe(res);
    });
    return st.size;
  }

  async function sendNotFound(req: IncomingMessage, res: ServerResponse): Promise<number> {
    const page = path.join(dir, '404.html');
    const st = await statInside(page);
    if (st?.isFile()) return sendFile(req, res, page, st, 404);
    return sendText(res, 404, 'Not Found', req.method === 'HEAD');
  }

  function sendText(res: ServerResponse, status: number, text: string, head = false): number {
    const body = Buffer.from(text + '\n');
    res.writeHead(status, {
      'Content-Type': 'text/plain; charset=utf-8',
      'Content-Length': body.length,
      'X-Content-Type-Options': 'nosniff',
    });
    res.end(head ? undefined : body);
    return head ? 0 : body.length;
  }

  function redirect(res: ServerResponse, location: string): number {
    // Only ever a path on this host: one leading slash, never `//host` or `/\\host`.
    if (!location.startsWith('/') || location.startsWith('//') || location.startsWith('/\\')) throw new HttpError(400, 'redirect would leave the site');
    res.writeHead(301, { Location: location, 'Content-Type': 'text/plain; charset=utf-8' });
    res.end(`Moved Permanently: ${location}\n`);
    return 0;
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<number> {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      return sendText(res, 405, 'Method Not Allowed');
    }
    const { pathname, segments, search } = parseRequestPath(req.url ?? '/');

    // Strip the base path: only requests under it belong to the site.
    let sitePath = pathname;
    if (basePath) {
      if (pathname === basePath) return redirect(res, encodePathForLocation(basePath + '/') + search);
      if (!pathname.startsWith(basePath + '/')) return sendNotFound(req, res);
      sitePath = pathname.slice(basePath.length);
    }
    const siteSegments = basePath ? sitePath.split('/').slice(1) : segments;
    const trailingSlash = sitePath.endsWith('/');
    const parts = siteSegments.filter((s) => s !== '');
    const target = path.join(dir, ...parts);
    if (target !== dir && !target.startsWith(dir + path.sep)) throw new HttpError(400, 'path escapes root');

    const st = await statInside(target);
    if (st?.isDirectory()) {
      const index = path.join(target, 'index.html');
      const ist = await statInside(index);
      if (!trailingSlash) {
        // A folder without index.html beside page.html (export without trailingSlash): serve the page.
        if (!ist?.isFile() && parts.length > 0) {
          const hst = await statInside(target + '.html');
          if (hst?.isFile()) return sendFile(req, res, target + '.html', hst);
        }
        // Built from the path's non-empty segments: `//evil.example` must never become `Location: //evil.example/` (another host).
        return redirect(res, encodePathForLocation(`${basePath}/${parts.join('/')}/`) + search);
      }
      if (ist?.isFile()) return sendFile(req, res, index, ist);
      return sendNotFound(req, res);
    }
    if (st?.isFile()) {
      if (trailingSlash) return sendNotFound(req, res);
      return sendFile(req, res, target, st);
    }
    // Clean URLs: /about -> about.html (Next's export without trailingSlash).
    if (!trailingSlash && parts.length > 0) {
      const html = target + '.html';
      const hst = await statInside(html);
      if (hst?.isFile()) return sendFile(req, res, html, hst);
    }
    return sendNotFound(req, res);
  }

  const server = createServer((req, res) => {
    const started = process.hrtime.bigint();
    handle(req, res)
      .catch((err: unknown) => {
        if (res.headersSent) {
          res.destroy();
          return 0;
        }
        if (err instanceof HttpError) return sendText(res, err.status, `${err.status} ${err.message}`);
        console.error('kbview serve: internal error', err);
        return sendText(res, 500, 'Internal Server Error');
      })
      .then((bytes) => {
        if (log) {
          const ms = Number(process.hrtime.bigint() - started) / 1e6;
          log(`${req.method} ${req.url} ${res.statusCode} ${bytes}B ${ms.toFixed(1)}ms`);
        }
      });
  });
  server.keepAliveTimeout = 5_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
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

function usage(): string {
  return [
    'usage: tsx scripts/serve.ts [dir=out] [--port 3000] [--host 127.0.0.1]',
    '                            [--base-path /prefix] [--no-gzip] [--log]',
    '  --base-path  serve the site under this prefix (default: $KB_BASE_PATH or none)',
    '  --port 0     picks a free port',
  ].join('\n');
}

export function parseCliArgs(argv: string[]): CliOptions {
  const out: CliOptions = { dir: 'out', port: config().port, host: '127.0.0.1', gzip: true, log: false };
  let dirSet = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const [flag, inline] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const value = (): string => {
      const v = inline ?? argv[++i];
      if (v === undefined) throw new Error(`${flag} needs a value\n${usage()}`);
      return v;
    };
    switch (flag) {
      case '--port':
      case '-p': {
        const v = value();
        const port = Number(v);
        if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`bad port: ${v}`);
        out.port = port;
        break;
      }
      case '--host':
        out.host = value();
        break;
      case '--base-path':
        out.basePath = value();
        break;
      case '--no-gzip':
        out.gzip = false;
        break;
      case '--log':
        out.log = true;
        break;
      case '--help':
      case '-h':
        console.log(usage());
        process.exit(0);
      default:
        if (flag.startsWith('-')) throw new Error(`unknown option ${flag}\n${usage()}`);
        if (dirSet) throw new Error(`only one directory can be served\n${usage()}`);
        out.dir = flag;
        dirSet = true;
    }
  }
  return out;
}

async function main(): Promise<void> {
  let cli: CliOptions;
  try {
    cli = parseCliArgs(process.argv.slice(2));
  } catch (err) {
    console.error((err as Error).message);
    process.exit(2);
  }
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
