/**
 * The search page holds the framework's scripts back until its early script
 * (./boot.ts, `search/boot.js`) has painted the first results.
 *
 * On a slow phone (150 ms latency, 1.6 Mbit/s, HTTP/1.1's six connections) the
 * ~155 KB (gzip) of Next's chunks shared the link with boot.js and the index
 * files it needs, and their evaluation at CPU ×4 shared the main thread with it:
 * the first result came ~1.9 s after navigation start instead of ~1.1 s.
 *
 * So, for that one page, the post-export step (lib/build/csp.ts) replaces the
 * chunks' `<script async>` tags and script preloads (their format:
 * lib/next-internals.ts) with one JSON block `<script type="application/json"
 * data-kb="h">["/_next/static/chunks/….js", …]</script>`, which the site's data
 * loader hands to `HELD_SCRIPTS_HANDLER_JS`. That handler inserts the scripts
 * (async, in document order, as Next wrote them) as soon as the early script
 * says it is done (`releaseFrameworkScripts`, painted or not), or, when the
 * early script never ran (failed to load, blocked, threw at once), at the
 * window's load event, and in any case at most `HOLD_MAX_MS` after the page
 * was parsed (an index file or boot.js itself slow to come). The RSC payload
 * rows are data blocks read before: React hydrates as it did.
 *
 * Pure (no fs): the string transform runs in Node, the release in the browser.
 */
import { FRAMEWORK_CHUNK_PATH, FRAMEWORK_SCRIPT_PRELOAD, FRAMEWORK_SCRIPT_TAG, htmlSafeJson } from '../next-internals';

/** The data loader's kind for the held list (lib/build/csp.ts runs each `data-kb` block with its handler). */
export const HELD_SCRIPTS_KIND = 'h';

/** The longest the framework waits for the early script, from the end of the page's parsing (the data loader). */
export const HOLD_MAX_MS = 3000;

/** `window.__kbBoot`: 1 while the early script runs, 2 once it is done (painted, or gave up). */
interface BootWindow {
  __kbBoot?: number;
  __kbRelease?: () => void;
}

/**
 * The data loader's handler for the held list (browser code, ES5): inserts each
 * script once, when the early script is done or never started.
 */
export const HELD_SCRIPTS_HANDLER_JS =
  `h.${HELD_SCRIPTS_KIND}=function(v){var w=self,d=0,go=function(){if(d)return;d=1;` +
  'for(var i=0;i<v.length;i++){if(typeof v[i]!=="string")continue;var s=document.createElement("script");s.src=v[i];s.async=true;document.head.appendChild(s)}};' +
  'w.__kbRelease=go;if(w.__kbBoot===2)return go();setTimeout(go,' +
  String(HOLD_MAX_MS) +
  ');w.addEventListener("load",function(){if(w.__kbBoot!==1)go()})};';

/**
 * The search page's HTML with the framework's chunks held back: their tags
 * removed, their URLs in one `data-kb="h"` block where the first one was.
 * Scripts that are not framework chunks stay. Running it again changes nothing.
 */
export function holdFrameworkScripts(html: string, basePath = ''): string {
  const isChunk = (url: string) => url.startsWith(`${basePath}/`) && FRAMEWORK_CHUNK_PATH.test(url.slice(basePath.length));
  const held: string[] = [];
  for (const match of html.matchAll(FRAMEWORK_SCRIPT_TAG)) if (isChunk(match[1]!) && !held.includes(match[1]!)) held.push(match[1]!);
  if (held.length === 0) return html;
  const block = `<script type="application/json" data-kb="${HELD_SCRIPTS_KIND}">${htmlSafeJson(held)}</script>`;
  let placed = false;
  return html
    .replace(FRAMEWORK_SCRIPT_PRELOAD, (tag: string, url: string) => (isChunk(url) ? '' : tag))
    .replace(FRAMEWORK_SCRIPT_TAG, (tag: string, url: string) => {
      if (!isChunk(url)) return tag;
      if (placed) return '';
      placed = true;
      return block;
    });
}

/** Called by the early script when it is done (painted or not): the framework's scripts may load now. */
export function releaseFrameworkScripts(): void {
  const w = window as BootWindow;
  w.__kbBoot = 2;
  w.__kbRelease?.();
}

/** Called by the early script when it starts: the framework waits for it (at most HOLD_MAX_MS). */
export function markBootRunning(): void {
  (window as BootWindow).__kbBoot = 1;
}

/**
 * V8's explicit compile hint (Chromium 136 and later): a script whose first line is this comment has all its
 * functions compiled while it is streamed in, off the main thread, instead of each one on the main thread when
 * first called. The framework's chunks are mostly module factories that all run at load: compiled lazily, they
 * made the entry chunk's evaluation one long task (~45 ms of a ~50 ms task on this machine, ×4 on Lighthouse's
 * phone), after the search page's first paint. Other browsers read a comment.
 */
export const COMPILE_HINT = '//# allFunctionsCalledOnLoad\n';

/** A chunk's text with the compile hint as its first line (unchanged when it has it). */
export function withCompileHint(text: string): string {
  return text.startsWith(COMPILE_HINT) ? text : COMPILE_HINT + text;
}

/** The framework chunks the search page holds back (`holdFrameworkScripts`' list: site paths with the base path). */
export function heldChunks(html: string): string[] {
  const block = new RegExp(`<script type="application/json" data-kb="${HELD_SCRIPTS_KIND}">([^<]*)</script>`).exec(html);
  if (!block) return [];
  try {
    const list: unknown = JSON.parse(block[1]!);
    return Array.isArray(list) ? list.filter((u): u is string => typeof u === 'string') : [];
  } catch {
    return [];
  }
}

/** The attribute of the page's copy of the index manifest (a JSON block before the inline script). */
export const SEARCH_MANIFEST_ATTRIBUTE = 'data-search-manifest';

/** A script element without text (group 1: its attributes), and its `src`. */
const EMPTY_SCRIPT = /<script\b([^<>]*)><\/script>/g;
const SRC = /\ssrc="([^"<>]*)"/;
/** The manifest's preload beside it. */
const MANIFEST_PRELOAD = /<link rel="preload" href="([^"<>]*)" as="fetch"[^<>]*>/g;
/** The page's stylesheets (Next's format). */
const STYLESHEET = /<link rel="stylesheet" href="([^"<>]*)"[^<>]*>/g;
const HEAD_START = /<head\b[^<>]*>/i;
const CHARSET_META = /^<meta charSet="utf-8"\/>/i;

/**
 * The search page's HTML with its early script inline, at the start of the `<head>`: it runs as soon as the
 * page's first bytes are parsed, so the query's term shard is requested as soon as the manifest is in, not
 * after a `search/boot.js` of its own had come and the page's first style, layout and paint had run (on a
 * slow phone ~0.3 s of each). The page is known by the manifest's preload (app/search/page.tsx) or by a
 * `<script async src="…/search/boot.js">` in the head (the page renders one under `next dev` only), removed.
 * Before the script, in this order: a preload of each stylesheet (whose requests would otherwise wait for
 * the script to run) and the manifest's preload (moved up, so that the script's fetch is the preloaded
 * one). The element's `data-base` gives the script the base path, so that its text, which the site's one
 * policy allows by hash (lib/build/csp.ts), is the same for every configuration. `script` is the bundle's
 * inline text (lib/search/boot-bundle.ts `inlineSearchBootScript`).
 *
 * `manifest` (the index's `manifest.json`, parsed) goes before the script as a JSON block: the script then
 * requests the query's term shard while it runs, one round trip earlier; it still fetches the served
 * manifest (the preload) and searches again with that one when the versions differ (a page kept by an
 * incremental build while the index changed). Running it again changes nothing.
 */
export function inlineSearchBoot(html: string, script: string, basePath = '', manifest?: unknown): string {
  const headEnd = html.indexOf('</head>');
  const head = HEAD_START.exec(html);
  if (headEnd < 0 || !head) return html;
  if (INLINE_BOOT.test(html.slice(0, headEnd))) return html;
  let found = false;
  let top = html.slice(0, headEnd).replace(EMPTY_SCRIPT, (tag: string, attrs: string) => {
    if (SRC.exec(attrs)?.[1] !== `${basePath}/search/boot.js`) return tag;
    found = true;
    return '';
  });
  const preloads: string[] = [];
  for (const match of top.matchAll(STYLESHEET)) preloads.push(`<link rel="preload" href="${match[1]!}" as="style"/>`);
  let preloaded = false;
  top = top.replace(MANIFEST_PRELOAD, (tag: string, url: string) => {
    if (url !== `${basePath}/search/manifest.json`) return tag;
    if (!preloaded) preloads.push(tag);
    preloaded = found = true;
    return '';
  });
  if (!found) return html;
  let at = head.index + head[0].length;
  const charset = CHARSET_META.exec(top.slice(at));
  if (charset) at += charset[0].length;
  const copy = manifest === undefined ? '' : manifestCopy(manifest);
  return `${top.slice(0, at)}${preloads.join('')}${copy}<script data-base="${basePath}">${script}</script>${top.slice(at)}${html.slice(headEnd)}`;
}

/** The inline script's element (`inlineSearchBoot`: a page that has it is done). */
const INLINE_BOOT = /<script data-base="[^"<>]*">/;

/** The page's copy of the manifest: a JSON block made HTML-safe (`htmlSafeJson`: no `<` in it). */
const manifestCopy = (manifest: unknown): string => `<script type="application/json" ${SEARCH_MANIFEST_ATTRIBUTE}="">${htmlSafeJson(manifest)}</script>`;

/** That block in a page (its JSON holds no `<`). */
const MANIFEST_COPY = new RegExp(`<script type="application/json" ${SEARCH_MANIFEST_ATTRIBUTE}="">[^<]*</script>`);

/**
 * The search page with its copy of the manifest replaced by `manifest` (unchanged when it has none): for a
 * build that updates the index in place and keeps the page (lib/build/csp.ts `refreshSearchManifestCopy`).
 */
export function replaceManifestCopy(html: string, manifest: unknown): string {
  return html.replace(MANIFEST_COPY, () => manifestCopy(manifest));
}
