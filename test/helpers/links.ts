/**
 * A link check of an exported site, without a server: every root-relative
 * `href`/`src` of every HTML page must name a file of the export (a path
 * ending in `/` names its index.html) and, with a base path, start with it.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';

/** Every `href`/`src` starting with `/` in every HTML page must name a file of the export (HTML pages: dir/index.html). */
export function brokenLinks(root: string, basePath: string): string[] {
  const broken: string[] = [];
  const pages: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const full = path.join(d, e.name);
      if (e.isDirectory()) walk(full);
      else if (e.name.endsWith('.html')) pages.push(full);
    }
  };
  walk(root);
  const exists = new Map<string, boolean>();
  for (const file of pages) {
    const html = readFileSync(file, 'utf8');
    for (const m of html.matchAll(/\s(?:href|src)="(\/[^"]*)"/g)) {
      const raw = m[1]!.replace(/&amp;/g, '&');
      if (raw.startsWith('//')) continue;
      const url = new URL(raw, 'http://x');
      let p = decodeURIComponent(url.pathname);
      if (basePath) {
        if (!p.startsWith(`${basePath}/`)) {
          broken.push(`${path.relative(root, file)}: ${raw} (outside the base path)`);
          continue;
        }
        p = p.slice(basePath.length);
      }
      const target = path.join(root, p.endsWith('/') ? `${p}index.html` : p);
      let ok = exists.get(target);
      if (ok === undefined) {
        ok = existsSync(target);
        exists.set(target, ok);
      }
      if (!ok) broken.push(`${path.relative(root, file)}: ${raw}`);
    }
  }
  return broken;
}
