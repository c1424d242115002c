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
