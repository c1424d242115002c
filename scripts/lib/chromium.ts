/**
 * Where Chromium lives and how to get it.
 *
 * The project uses Debian's `chromium` package (playwright's own browser
 * downloads cannot be fetched here). `scripts/test.ts` calls
 * `ensureChromium()` before browser tests; `test/helpers/browser.ts` uses
 * `chromiumPath()` and `CHROMIUM_ARGS` to launch it with playwright-core.
 */
import { spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';

export const DEFAULT_CHROMIUM_PATH = '/usr/bin/chromium';

/** Flags for a quiet, offline, headless Chromium running as root in a container. */
export const CHROMIUM_ARGS: readonly string[] = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** `$CHROMIUM_PATH`, or Debian's `/usr/bin/chromium`. */
export function chromiumPath(): string {
  return process.env.CHROMIUM_PATH || DEFAULT_CHROMIUM_PATH;
}

export function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** A sentence telling a person how to get Chromium; used in error messages. */
export function chromiumMissingMessage(path = chromiumPath()): string {
  return (
    `Chromium was not found at ${path}. Browser tests need it: ` +
    `run \`apt-get update && apt-get install -y chromium\` as root ` +
    `(\`npm test\` does this itself when run as root), ` +
    `or set CHROMIUM_PATH to a Chromium executable.`
  );
}

export interface EnsureChromiumResult {
  ok: boolean;
  path: string;
  /** `chromium --version` output when ok. */
  version?: string;
  /** Why Chromium is not available when !ok. */
  reason?: string;
  installed: boolean;
}

function chromiumVersion(path: string): string | undefined {
  // Debian's wrapper script prints a harmless shell warning on stderr on
  // machines with much memory; only stdout is wanted.
  const r = spawnSync(path, ['--version'], { encoding: 'utf8', timeout: 30_000 });
  if (r.status !== 0) return undefined;
  return r.stdout.trim() || undefined;
}

function hasCommand(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

/**
 * Make sure Chromium is there. If it is missing, the path is the default one,
 * we are root and apt-get exists, install Debian's package (printing what is
 * run and apt's output to `log`). Never throws.
 */
export function ensureChromium(
  opts: { install?: boolean; log?: (line: string) => void } = {},
): EnsureChromiumResult {
  const log = opts.log ?? ((line: string) => process.stderr.write(line + '\n'));
  const path = chromiumPath();
  if (isExecutable(path)) {
    return { ok: true, path, version: chromiumVersion(path), installed: false };
  }
  const why = (reason: string): EnsureChromiumResult => ({
    ok: false,
    path,
    reason: `${chromiumMissingMessage(path)} (${reason})`,
    installed: false,
  });
  if (opts.install === false) return why('automatic install disabled');
  if (path !== DEFAULT_CHROMIUM_PATH) return why('CHROMIUM_PATH is set, so nothing is installed');
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) {
    return why('not running as root, so apt-get cannot install it');
  }
  if (!hasCommand('apt-get')) return why('apt-get is not available on this machine');

  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  for (const args of [['update'], ['install', '-y', 'chromium']]) {
    log(`kbview: Chromium missing at ${path}; running: apt-get ${args.join(' ')}`);
    // apt's output goes to stderr so it never mixes into the test report on stdout.
    const r = spawnSync('apt-get', args, { env, stdio: ['ignore', 2, 2], timeout: 20 * 60_000 });
    if (r.status !== 0) {
      return why(`apt-get ${args.join(' ')} failed with ${r.error?.message ?? `exit code ${r.status}`}`);
    }
  }
  if (!isExecutable(path)) return why('apt-get install chromium finished but the executable is still missing');
  const version = chromiumVersion(path);
  log(`kbview: installed ${version ?? 'chromium'} at ${path}`);
  return { ok: true, path, version, installed: true };
}
