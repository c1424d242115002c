/**
 * A Content-Security-Policy for the exported pages, as a `<meta http-equiv>`
 * (a static host may send no headers at all).
 *
 * Next's export inlines scripts into every page (`self.__next_f.push(…)`, the
 * Turbopack bootstrap), so `script-src 'self'` alone would break the site and
 * `'unsafe-inline'` would let any injected script run. Instead each page's own
 * inline scripts, as written in the file, are hashed after the build and the
 * policy allows exactly those hashes: a script that reaches a page any other
 * way (an injected `<script>`, an `onerror=` handler, a `javascript:` URL)
 * does not match and is blocked. External scripts must come from the site
 * itself (`'self'`).
 *
 * One pass with a regular expression per page, no DOM parser: it runs over
 * every page of a 60,000-article export.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { stablePage } from './static-keys';

/** The policy, with `{scripts}` replaced by the page's script hashes. */
export const CSP_TEMPLATE = [
  "default-src 'self'",
  "script-src 'self'{scripts}",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-src 'none'",
].join('; ');

/** An inline or external script element; group 1 its attributes, group 2 its text. */
const SCRIPT = /<script\b([^>]*)>([\s\S]*?)<\/script\s*>/gi;
const HAS_SRC = /(?:^|\s)src\s*=/i;
/** The CSP meta this module writes (removed before the page is hashed again). */
const CSP_META = /<meta http-equiv="Content-Security-Policy" content="[^"]*"\s*\/?>/gi;
const HEAD = /<head\b[^>]*>/i;
/** A charset declaration must stay within the first 1,024 bytes: the policy goes after it. */
const CHARSET = /^\s*<meta\s+charset=["']?[\w-]+["']?\s*\/?>/i;

/** `'sha256-…'` of a script's text as the browser hashes it: the UTF-8 bytes, after the HTML parser's newline normalization. */
export function scriptHash(text: string): string {
  const normalized = text.includes('\r') ? text.replace(/\r\n?/g, '\n') : text;
  return `'sha256-${createHash('sha256').update(normalized, 'utf8').digest('base64')}'`;
}

/** The policy for a page with these inline scripts. */
export function cspFor(inlineScripts: Iterable<string>): string {
  const hashes = [...new Set([...inlineScripts].map(scriptHash))];
  return CSP_TEMPLATE.replace('{scripts}', hashes.map((h) => ` ${h}`).join(''));
}

/**
 * The page with a CSP `<meta>` as the first child of `<head>` (after the
 * charset declaration when that comes first), allowing the page's inline
 * scripts and nothing else inline. An earlier policy written by this function
 * is replaced, so it can run again. HTML without a `<head>` is returned as it is.
 */
export function addCspMeta(html: string): string {
  const page = html.replace(CSP_META, '');
  const head = HEAD.exec(page);
  if (!head) return html;
  const inline: string[] = [];
  for (const match of page.matchAll(SCRIPT)) if (!HAS_SRC.test(match[1]!)) inline.push(match[2]!);
  let at = head.index + head[0].length;
  const charset = CHARSET.exec(page.slice(at, at + 200));
  if (charset) at += charset[0].length;
  const meta = `<meta http-equiv="Content-Security-Policy" content="${cspFor(inline)}"/>`;
  return page.slice(0, at) + meta + page.slice(at);
}

export interface CspStats {
  pages: number;
  changed: number;
  ms: number;
}

/** Adds the policy to every `.html` file under `outDir`, in place, one file at a time. */
export function applyCspToDir(outDir: string): CspStats {
  const started = performance.now();
  const stats: CspStats = { pages: 0, changed: 0, ms: 0 };
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== '_next') walk(full);
      } else if (entry.isFile() && entry.name.endsWith('.html')) {
        const html = readFileSync(full, 'utf8');
        const next = addCspMeta(stablePage(html));
        stats.pages++;
        if (next !== html) {
          writeFileSync(full, next);
          stats.changed++;
        }
      }
    }
  };
  walk(outDir);
  stats.ms = performance.now() - started;
  return stats;
}
