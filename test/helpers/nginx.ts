/**
 * Debian's nginx serving a built export with the snippet `kb build` wrote
 * (out/nginx.conf), as a host would: in the foreground, on a free loopback
 * port, with a temporary prefix (config, pid, logs, temp folders), stopped by
 * its process id.
 *
 *   const site = await startNginx(out, { basePath: '/kb-archive' });
 *   try { … site.origin … } finally { await site.stop() }
 *
 * `.ci/run` installs nginx (`apt-get install -y nginx`) when it is missing.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../../bench/lib/server';

export const NGINX = process.env['NGINX_PATH'] ?? '/usr/sbin/nginx';

export interface RunningNginx {
  origin: string;
  port: number;
  pid: number;
  /** The prefix folder (nginx.conf, site.conf, error.log). */
  prefix: string;
  errorLog(): string;
  stop(): Promise<void>;
}

export function nginxMissingMessage(): string | null {
  try {
    accessSync(NGINX, constants.X_OK);
    return null;
  } catch {
    return `nginx is not installed at ${NGINX}: run "apt-get install -y nginx" (.ci/run does), or set NGINX_PATH`;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/**
 * Starts nginx over `outDir` with its snippet (or `snippet`, e.g. one written
 * for another base path). The export is placed at
 * `<root><basePath>/` (a link), as the snippet expects; `root` is the only
 * line of the snippet changed.
 */
export async function startNginx(outDir: string, options: { basePath?: string; snippet?: string } = {}): Promise<RunningNginx> {
  const missing = nginxMissingMessage();
  if (missing) throw new Error(missing);
  const prefix = mkdtempSync(path.join(os.tmpdir(), 'kbview-nginx-'));
  const root = path.join(prefix, 'html');
  const basePath = options.basePath ?? '';
  mkdirSync(path.dirname(path.join(root, basePath || '.')), { recursive: true });
  if (basePath) symlinkSync(path.resolve(outDir), path.join(root, basePath), 'dir');
  else symlinkSync(path.resolve(outDir), root, 'dir');
  mkdirSync(path.join(prefix, 'tmp'));
  const snippet = options.snippet ?? readFileSync(path.join(outDir, 'nginx.conf'), 'utf8');
  if (!/^root \/usr\/share\/nginx\/html;$/m.test(snippet)) throw new Error('out/nginx.conf has no "root /usr/share/nginx/html;" line');
  writeFileSync(path.join(prefix, 'site.conf'), snippet.replace(/^root \/usr\/share\/nginx\/html;$/m, `root ${root};`));
  const port = await freePort();
  const tmp = path.join(prefix, 'tmp');
  writeFileSync(
    path.join(prefix, 'nginx.conf'),
    [
      'daemon off;',
      'master_process off;',
      `pid ${path.join(prefix, 'nginx.pid')};`,
      `error_log ${path.join(prefix, 'error.log')} warn;`,
      'events { worker_connections 256; }',
      'http {',
      '  include /etc/nginx/mime.types;',
      '  default_type application/octet-stream;',
      '  access_log off;',
      '  disable_symlinks off;',
      ...['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((name) => `  ${name}_temp_path ${tmp};`),
      '  server {',
      `    listen 127.0.0.1:${port};`,
      `    include ${path.join(prefix, 'site.conf')};`,
      '  }',
      '}',
      '',
    ].join('\n'),
  );
  const child: ChildProcess = spawn(NGINX, ['-p', prefix, '-c', path.join(prefix, 'nginx.conf')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let exitedEarly = false;
  void exited.then(() => (exitedEarly = true));
  const errorLog = () => {
    try {
      return readFileSync(path.join(prefix, 'error.log'), 'utf8');
    } catch {
      return '';
    }
  };
  for (let i = 0; !(await portOpen(port)); i++) {
    if (exitedEarly || i > 200) {
      child.kill('SIGKILL');
      rmSync(prefix, { recursive: true, force: true });
      throw new Error(`nginx did not start: ${stderr}${errorLog()}`);
    }
    await sleep(50);
  }
  return {
    origin: `http://127.0.0.1:${port}`,
    port,
    pid: child.pid!,
    prefix,
    errorLog,
    async stop() {
      if (!exitedEarly) {
        process.kill(child.pid!, 'SIGQUIT');
        await exited;
      }
      rmSync(prefix, { recursive: true, force: true });
    },
  };
}
