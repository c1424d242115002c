/**
 * Start scripts/serve.ts on a free loopback port for a directory.
 *
 *   const site = await serveDir('out');           // or serveDir(dir, { basePath: '/kb-archive' })
 *   try { await fetch(site.url + 'kb/244/Q244717/') } finally { await site.close() }
 *
 * `url` is the site root with the base path and a trailing slash.
 */
import { createServer as createNetServer } from 'node:net';
import { startServer, type RunningServer } from '../../scripts/serve';

export interface ServedSite {
  /** Site root: `http://127.0.0.1:PORT/` or `http://127.0.0.1:PORT/base/`. */
  url: string;
  /** `http://127.0.0.1:PORT` */
  origin: string;
  port: number;
  basePath: string;
  /** Absolute URL of a site path (`'kb/244/Q244717/'` or `'/kb/244/Q244717/'`), base path included. */
  href(sitePath: string): string;
  close(): Promise<void>;
  server: RunningServer;
}

export async function serveDir(dir: string, opts: { basePath?: string; gzip?: boolean; log?: (line: string) => void } = {}): Promise<ServedSite> {
  const server = await startServer({
    dir,
    port: 0,
    host: '127.0.0.1',
    basePath: opts.basePath ?? '',
    gzip: opts.gzip,
    log: opts.log,
  });
  return {
    url: server.url,
    origin: server.origin,
    port: server.port,
    basePath: server.basePath,
    href: (sitePath) => server.url + sitePath.replace(/^\/+/, ''),
    close: () => server.close(),
    server,
  };
}

/** A TCP port free on the loopback interface right now (for servers that want a port number up front, like `next dev`). */
export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createNetServer();
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => resolve(port));
    });
  });
}
