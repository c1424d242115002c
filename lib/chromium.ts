/**
 * Where Chromium lives and how to get it.
 *
 * The project uses Debian's `chromium` package (playwright's own browser
 * downloads cannot be fetched here). `npm test`'s `pretest` step
 * (scripts/install-test-tools.sh) installs it when missing;
 * `bench/lib/browser.ts` uses `chromiumPath()` and `CHROMIUM_ARGS` to
 * launch it with playwright-core.
 */
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
