/**
 * One Content-Security-Policy for the whole exported site, the same as a
 * `<meta http-equiv>` in every page (a static host such as GitHub Pages sends
 * no headers) and as a header in the host files (./host-files.ts).
 *
 * One policy can be strict only if every page runs the same inline scripts.
 * Next's export inlines per-page data as scripts (RSC payload rows, the
 * Turbopack bootstrap's chunk list: lib/next-internals.ts); the article
 * pages written by `kb build` hand their values to a shared payload script
 * (lib/article-template.ts). So after the export every such script becomes what
 * it is, data: a `<script type="application/json" data-kb="…">` block that the
 * browser never runs, read by one shared data loader (an external script under
 * `_next/static/kbview/`, named by the hash of its text) placed after the last
 * block, which does in document order what the inline scripts did.
 *
 * What stays inline is what kbview itself writes, known when this module is
 * loaded: the theme's pre-paint script (lib/theme.ts) and the search page's
 * early script (lib/search/boot.ts, bundled once when this module loads). The policy lists the
 * hashes of exactly those (`KNOWN_INLINE_SCRIPTS`), never what is found in a
 * page: a script that reaches a page any other way (an injected `<script>`, an
 * `onerror=` handler, a `javascript:` URL) is blocked, and the build reports
 * it (`unknownScripts`). External scripts must come from the site itself
 * (`'self'`); the article sources shipped next to the pages must be served as
 * text with `X-Content-Type-Options: nosniff` (./host-files.ts, README).
 *
 * One pass with a regular expression per page, no DOM parser: it runs over
 * every page of a 60,000-article export.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { LISTING_TEMPLATE, PAYLOAD_SCRIPT_DIR, TEMPLATE_BUCKET, transformedTemplate, type CompiledTemplate } from '../article-template';
import { FRAMEWORK_CHUNK_PATH, htmlSafeJson, LOADER_HANDLERS_JS, NEXT_DATA_SCRIPTS } from '../next-internals';
import { HELD_SCRIPTS_HANDLER_JS, heldChunks, holdFrameworkScripts, inlineSearchBoot, replaceManifestCopy, withCompileHint } from '../search/boot-hold';
import { inlineSearchBootScript } from '../search/boot-bundle';
import { config } from '../config';
import { THEME_SCRIPT } from '../theme';
import { tidyPage } from './static-keys';

/**
 * The inline scripts kbview writes into pages: the only ones the policy allows. The theme's pre-paint
 * script, and the search page's early script (lib/search/boot-hold.ts `inlineSearchBoot`; the same
 * text for every configuration).
 */
export const KNOWN_INLINE_SCRIPTS: readonly string[] = [THEME_SCRIPT, inlineSearchBootScript()];

/** The policy, with `{scripts}` replaced by the allowed script hashes. */
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

/** `'sha256-…'` of a script's text as the browser hashes it: the UTF-8 bytes, after the HTML parser's newline normalization. */
export function scriptHash(text: string): string {
  const normalized = text.includes('\r') ? text.replace(/\r\n?/g, '\n') : text;
  return `'sha256-${createHash('sha256').update(normalized, 'utf8').digest('base64')}'`;
}

/** The policy allowing these inline scripts (by hash) and the site's own script files. */
export function cspFor(inlineScripts: Iterable<string>): string {
  const hashes = [...new Set([...inlineScripts].map(scriptHash))];
  return CSP_TEMPLATE.replace('{scripts}', hashes.map((h) => ` ${h}`).join(''));
}

/** The site's policy, as every page's `<meta>` carries it. */
export const SITE_CSP = cspFor(KNOWN_INLINE_SCRIPTS);

/** The same as a header: a header can also forbid framing, which a `<meta>` policy cannot. */
export const SITE_CSP_HEADER = `${SITE_CSP}; frame-ancestors 'none'`;

/**
 * The data loader: runs each `<script type="application/json" data-kb="kind">`
 * block of the page once, in document order, with the handler of its kind:
 * `f` Next's RSC payload chunks (`self.__next_f`), `t` the Turbopack
 * bootstrap (`TURBOPACK`), `h` the search page's held framework scripts
 * (lib/search/boot-hold.ts), `p` an article page's values (its payload script
 * registers that kind). A block of an unknown kind is left alone.
 */
const LOADER_SOURCE =
  '(function(){var h=self.__kb_data=self.__kb_data||{},o=Object.prototype.hasOwnProperty;' +
  LOADER_HANDLERS_JS +
  HELD_SCRIPTS_HANDLER_JS +
  'var b=document.querySelectorAll(\'script[type="application/json"][data-kb]\');' +
  'for(var i=0;i<b.length;i++){var e=b[i],k=e.getAttribute("data-kb");if(e.__kbDone||!o.call(h,k))continue;e.__kbDone=1;h[k](JSON.parse(e.textContent))}})();\n';

export const DATA_LOADER = {
  name: `data-${createHash('sha256').update(LOADER_SOURCE).digest('hex').slice(0, 16)}.js`,
  source: LOADER_SOURCE,
};

/** Writes the data loader into the export (`_next/static/kbview/`); the same file every time. */
export function writeDataLoader(outDir: string): void {
  const dir = path.join(outDir, ...PAYLOAD_SCRIPT_DIR.split('/'));
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, DATA_LOADER.name), DATA_LOADER.source);
}

/** An inline or external script element; group 1 its attributes, group 2 its text. */
const SCRIPT = /<script\b([^>]*)>([\s\S]*?)<\/script\s*>/gi;
const HAS_SRC = /(?:^|\s)src\s*=/i;
const HAS_TYPE = /(?:^|\s)type\s*=\s*"([^"]*)"/i;
/** The CSP meta this module writes (removed before the page is processed again). */
const CSP_META = /<meta http-equiv="Content-Security-Policy" content="[^"]*"\s*\/?>/gi;
/** The data loader's element (removed before the page is processed again: it goes after the last block). */
const LOADER_TAG = /<script src="[^"]*\/_next\/static\/kbview\/data-[0-9a-f]+\.js"><\/script>/g;
const HEAD = /<head\b[^>]*>/i;
/** A charset declaration must stay within the first 1,024 bytes: the policy goes after it. */
const CHARSET = /^\s*<meta\s+charset=["']?[\w-]+["']?\s*\/?>/i;

/** Next's inline data scripts (kind, prefix, suffix): lib/next-internals.ts. */
const DATA_SCRIPTS = NEXT_DATA_SCRIPTS;

/** The JSON argument of one of Next's data scripts, re-serialized HTML-safe; undefined for any other script. */
function dataOf(text: string): { kind: string; json: string } | undefined {
  for (const { kind, prefix, suffix } of DATA_SCRIPTS) {
    if (!text.startsWith(prefix) || !text.endsWith(suffix) || text.length < prefix.length + suffix.length) continue;
    try {
      return { kind, json: htmlSafeJson(JSON.parse(text.slice(prefix.length, text.length - suffix.length))) };
    } catch {
      return undefined;
    }
  }
  return undefined;
}

export interface PagePolicyResult {
  html: string;
  /** Inline scripts that are neither data nor known (blocked by the policy): their first 80 characters. */
  unknownScripts: string[];
}

/**
 * A page a page writer made (article, file and listing pages), with the site's policy applied: throws when the
 * page holds an inline script the policy would block, so that the writer reports that page instead of writing it.
 */
export function policedPage(html: string, basePath: string): string {
  const page = applyPagePolicy(html, basePath);
  if (page.unknownScripts.length > 0) throw new Error(`inline script the Content-Security-Policy blocks: ${page.unknownScripts[0]}`);
  return page.html;
}

/** `CompiledTemplate.transformed` of a template the policy was applied to (`policedTemplate`). */
export const POLICED = 'csp';

/**
 * The template with the site's policy applied once (lib/article-template.ts `transformedTemplate`): its pages are
 * the policed pages of the template as it was (test/hostile-csp.test.ts), with no pass over each page's HTML (130 µs
 * a page). Its fields and slots cannot hold what the policy acts on: a field is escaped text, a slot React's HTML
 * of sanitized elements (no `<script>` or `<meta>` element; `<` escaped in text and attribute values). Null when a
 * template script is one the policy blocks: each page then fails as `policedPage` makes it.
 */
export function policedTemplate(template: CompiledTemplate, basePath: string): CompiledTemplate | null {
  return transformedTemplate(
    template,
    POLICED,
    (html) => {
      const page = applyPagePolicy(html, basePath);
      return page.unknownScripts.length > 0 ? null : page.html;
    },
    basePath,
  );
}

/**
 * The page as it is served: Next's inline data scripts turned into JSON
 * blocks, the data loader after the last block, and the site's policy as the
 * first child of `<head>` (after the charset declaration when that comes
 * first). Running it again changes nothing. HTML without a `<head>` only has
 * its scripts turned into data.
 */
export function applyPagePolicy(html: string, basePath = ''): PagePolicyResult {
  const page = html.replace(CSP_META, '').replace(LOADER_TAG, '');
  const known = new Set(KNOWN_INLINE_SCRIPTS);
  const unknownScripts: string[] = [];
  let out = '';
  let last = 0;
  let lastBlockEnd = -1;
  for (const match of page.matchAll(SCRIPT)) {
    const attrs = match[1]!;
    const text = match[2]!;
    const type = HAS_TYPE.exec(attrs)?.[1]?.toLowerCase();
    if (HAS_SRC.test(attrs)) continue;
    if (type === 'application/json') {
      if (/\sdata-kb="/.test(attrs)) lastBlockEnd = out.length + (match.index + match[0].length - last);
      continue;
    }
    const data = type === undefined || type === 'text/javascript' ? dataOf(text) : undefined;
    if (data) {
      out += page.slice(last, match.index) + `<script type="application/json" data-kb="${data.kind}"${attrs.replace(HAS_TYPE, '')}>${data.json}</script>`;
      last = match.index + match[0].length;
      lastBlockEnd = out.length;
    } else if (!known.has(text)) {
      unknownScripts.push(text.slice(0, 80));
    }
  }
  out += page.slice(last);
  if (lastBlockEnd >= 0)
    out = out.slice(0, lastBlockEnd) + `<script src="${basePath}/${PAYLOAD_SCRIPT_DIR}/${DATA_LOADER.name}"></script>` + out.slice(lastBlockEnd);
  const head = HEAD.exec(out);
  if (!head) return { html: out, unknownScripts };
  let at = head.index + head[0].length;
  const charset = CHARSET.exec(out.slice(at, at + 200));
  if (charset) at += charset[0].length;
  const meta = `<meta http-equiv="Content-Security-Policy" content="${SITE_CSP}"/>`;
  return { html: out.slice(0, at) + meta + out.slice(at), unknownScripts };
}

/**
 * The search page: its framework scripts held back, its early script inline with a copy of the index
 * manifest beside it (lib/search/boot-hold.ts); without the copy when the export has no readable manifest.
 */
function searchPageOf(html: string, basePath: string, outDir: string): string {
  const held = holdFrameworkScripts(html, basePath);
  hintChunks(outDir, heldChunks(held), basePath);
  return inlineSearchBoot(held, inlineSearchBootScript(), basePath, readManifest(outDir));
}

/**
 * The compile hint (lib/search/boot-hold.ts `COMPILE_HINT`) on the first line of the chunks the search page
 * holds (the framework's, which every page shares). Each file changed is written as a new file (renamed over
 * the old one): another copy of the site may share its inode (an incremental build's hard links).
 */
function hintChunks(outDir: string, urls: readonly string[], basePath: string): void {
  for (const url of urls) {
    if (!url.startsWith(`${basePath}/`) || !FRAMEWORK_CHUNK_PATH.test(url.slice(basePath.length))) continue;
    const file = path.join(outDir, url.slice(basePath.length));
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue; // not in this export: nothing to hint
    }
    const hinted = withCompileHint(text);
    if (hinted === text) continue;
    const temporary = `${file}.hint-${process.pid}`;
    writeFileSync(temporary, hinted);
    renameSync(temporary, file);
  }
}

/** The site's search index manifest (`search/manifest.json`), parsed; undefined when it cannot be read. */
function readManifest(outDir: string): unknown {
  try {
    return JSON.parse(readFileSync(path.join(outDir, 'search', 'manifest.json'), 'utf8'));
  } catch {
    return undefined;
  }
}

/**
 * Brings the search page's copy of the index manifest up to date with `search/manifest.json` of the site,
 * for a build that kept the page but updated the index in place (no `next build`, so no pass over its
 * pages): the page then is what a clean build writes. The page is replaced as a new file (`replace`: it may
 * be a hard link to the previous site's). Returns the change in bytes, or null when the page was left as it was.
 */
export function refreshSearchManifestCopy(outDir: string, replace: (file: string, data: string) => void): number | null {
  const page = path.join(outDir, 'search', 'index.html');
  const manifest = readManifest(outDir);
  let html: string;
  try {
    html = readFileSync(page, 'utf8');
  } catch {
    return null;
  }
  if (manifest === undefined) return null;
  const next = replaceManifestCopy(html, manifest);
  if (next === html) return null;
  replace(page, next);
  return Buffer.byteLength(next) - Buffer.byteLength(html);
}

export interface CspStats {
  pages: number;
  changed: number;
  /** Pages holding inline scripts the policy blocks: `file: script…`. */
  unknownScripts: string[];
  ms: number;
}

/**
 * Applies the policy to every `.html` file under `outDir`, in place, one file
 * at a time, and writes the data loader. The article templates
 * (`kb/${TEMPLATE_BUCKET}/`) and listing templates (`<kind>/${LISTING_TEMPLATE.slug}/`) are left for the page writers, which apply the
 * policy to each page it writes. The search page also gets its early script
 * inline and its framework scripts held back until that has painted (lib/search/boot-hold.ts).
 */
export function applyCspToDir(outDir: string, basePath = config().basePath): CspStats {
  const started = performance.now();
  const stats: CspStats = { pages: 0, changed: 0, unknownScripts: [], ms: 0 };
  writeDataLoader(outDir);
  const searchPage = path.join(outDir, 'search', 'index.html');
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== '_next' && entry.name !== TEMPLATE_BUCKET && entry.name !== LISTING_TEMPLATE.slug) walk(full);
      } else if (entry.isFile() && entry.name.endsWith('.html')) {
        const html = readFileSync(full, 'utf8');
        const page = full === searchPage ? searchPageOf(tidyPage(html), basePath, outDir) : tidyPage(html);
        const next = applyPagePolicy(page, basePath);
        stats.pages++;
        for (const script of next.unknownScripts) stats.unknownScripts.push(`${path.relative(outDir, full)}: ${script}`);
        if (next.html !== html) {
          writeFileSync(full, next.html);
          stats.changed++;
        }
      }
    }
  };
  walk(outDir);
  stats.ms = performance.now() - started;
  return stats;
}
