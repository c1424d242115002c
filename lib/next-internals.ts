/**
 * THE FENCE: every private format of Next.js and React that kbview relies on.
 *
 * kbview writes pages itself from one Next render (lib/article-template.ts,
 * lib/file-page-template.ts), turns Next's inline data scripts into JSON
 * blocks for its one CSP (lib/build/csp.ts), keeps `<Static>` islands out
 * of the RSC payload (components/ui/Static*.tsx, lib/static-channel.ts) and
 * waits for the dev server's start-up banner (scripts/dev.ts). None of these
 * formats is a public API: each can change in any release of `next`, `react`
 * or `react-dom`, which is why package.json pins the three exactly and why no
 * other file names them: they import from here.
 *
 * Each entry says what it is, where Next/React make it, and the test that
 * fails when it no longer holds. All were checked against `CHECKED_AGAINST`;
 * test/next-internals.test.ts fails when the installed versions differ
 * (upgrade procedure: README, "Upgrading Next.js or React").
 */

/** The versions every format below was checked against (the exact pins of package.json). */
export const CHECKED_AGAINST = { next: '16.4.6', react: '19.3.1', 'react-dom': '19.3.1' } as const;

/** Where the upgrade procedure is written down (error messages point there). */
export const UPGRADE_PROCEDURE = 'README.md, section "Upgrading Next.js or React" (the private formats are listed in lib/next-internals.ts)';

// ---------------------------------------------------------------------------
// 1. The inline RSC payload (next/dist/server/app-render/use-flight-response.js,
//    writeFlightDataInstruction / writeInitialInstructions).
//    Proved by: test/article-pages.test.ts (template vs Next, byte for byte),
//    test/file-pages.test.ts, test/hostile-csp.test.ts, test/next-internals.test.ts.
// ---------------------------------------------------------------------------

/**
 * The kinds of payload rows Next inlines (`INLINE_FLIGHT_PAYLOAD_*`):
 * `[0]` bootstrap, `[1, text]` a chunk of the Flight stream as text,
 * `[2, formState]` server action form state, `[3, base64]` a chunk of the
 * Flight stream that is not valid UTF-8 on its own, as base64.
 */
export const PAYLOAD_ROW = { bootstrap: 0, data: 1, formState: 2, binary: 3 } as const;

/**
 * One text chunk of the RSC payload as Next inlines it into a page:
 * `<script>self.__next_f.push([1,"…"])</script>`; group 1 is the JSON array.
 * Used by the page writer's template compiler (lib/article-template.ts).
 */
export const INLINE_PAYLOAD_TEXT_SCRIPT = /<script>self\.__next_f\.push\((\[1,"(?:[^"\\]|\\.)*"\])\)<\/script>/g;

/**
 * A binary chunk of the RSC payload (`[3,"<base64>"]`), which Next inlines
 * when a chunk of the Flight stream does not decode as UTF-8 (a chunk boundary
 * inside a multi-byte character, or binary data). kbview's page writer cannot
 * put values into base64 text, so a template holding one is refused
 * (`refuseBinaryPayloadRows`); the CSP pass turns it into a data block like
 * any other row (the loader pushes it to `self.__next_f` unchanged, as the
 * inline script did).
 */
export const INLINE_PAYLOAD_BINARY_SCRIPT = /<script\b[^>]*>\s*(?:\(self\.__next_f=self\.__next_f\|\|\[\]\)|self\.__next_f)\.push\(\[3,/;

/**
 * Throws a clear error when `page` holds a binary payload row: the page
 * writers (article and file pages) can only fill text rows.
 */
export function refuseBinaryPayloadRows(what: string, page: string): void {
  if (INLINE_PAYLOAD_BINARY_SCRIPT.test(page)) {
    throw new Error(
      `${what}: the page holds a binary RSC payload row (self.__next_f.push([3,"<base64>"])), which kbview's page writer cannot fill; ` +
        `build with KB_ARTICLE_PAGES=next, or see ${UPGRADE_PROCEDURE}`,
    );
  }
}

/**
 * Next's inline data scripts as the export writes them: kind (the data
 * loader's handler, lib/build/csp.ts), prefix, suffix; the argument between
 * is JSON. `f`: payload rows (`self.__next_f`, the first one with the `[0]`
 * bootstrap), `t`: the Turbopack chunk-list bootstrap
 * (next/dist/server/app-render: the `TURBOPACK` push of the page's chunks).
 */
export const NEXT_DATA_SCRIPTS: readonly { kind: string; prefix: string; suffix: string }[] = [
  { kind: 'f', prefix: '(self.__next_f=self.__next_f||[]).push(', suffix: ')' },
  { kind: 'f', prefix: 'self.__next_f.push(', suffix: ')' },
  { kind: 't', prefix: '(globalThis["TURBOPACK"] || (globalThis["TURBOPACK"] = [])).push(', suffix: ');' },
  { kind: 't', prefix: '(globalThis["TURBOPACK"] || (globalThis["TURBOPACK"] = [])).push(', suffix: ')' },
];

/**
 * Browser-side code doing what those inline scripts did, for the data loader
 * (lib/build/csp.ts): `h.f` pushes a payload row, `h.t` the Turbopack chunk list.
 */
export const LOADER_HANDLERS_JS =
  'h.f=function(v){(self.__next_f=self.__next_f||[]).push(v)};' + 'h.t=function(v){(globalThis.TURBOPACK||(globalThis.TURBOPACK=[])).push(v)};';

/**
 * The framework's script files as the export links them from a page
 * (next/dist/server/app-render: the bootstrap scripts and `preloadModule` of
 * the page's chunks): `<script src="…/_next/static/chunks/….js" async=""></script>`
 * and `<link rel="preload" as="script" fetchPriority="low" href="…/_next/static/chunks/….js"/>`;
 * group 1 the URL (a framework chunk when, without the base path, it matches
 * FRAMEWORK_CHUNK_PATH). The search page holds them back until its early script has
 * painted (lib/search/boot-hold.ts). Proved by: test/search-boot-browser.test.ts
 * (the exported search page has no such tag left, lists the chunks the home page
 * links, and hydrates after the early paint).
 */
export const FRAMEWORK_SCRIPT_TAG = /<script src="([^"<>]*)" async=""><\/script>/g;
export const FRAMEWORK_SCRIPT_PRELOAD = /<link rel="preload" as="script"(?: fetchPriority="[a-z]+")? href="([^"<>]*)"\/>/g;
/** The path of a framework chunk (after the base path): what the two tags above must link to be held. */
export const FRAMEWORK_CHUNK_PATH = /^\/_next\/static\/chunks\/[\w.~-]+\.js$/;

/** Browser-side code pushing the text row `s` as Next's inline script would (the payload script, lib/article-template.ts). */
export const PUSH_TEXT_ROW_JS = '(self.__next_f=self.__next_f||[]).push([1,s])';

// ---------------------------------------------------------------------------
// 2. Escaping. Proved by: test/article-pages.test.ts ("the payload script
//    escapes as Flight does" and the byte-for-byte comparison).
// ---------------------------------------------------------------------------

/**
 * React Flight writes a string value starting with `$` as `$$…`
 * (react-server-dom-*: `escapeStringValue`). `true` when the placeholder at
 * `index` of the payload text starts a JSON string (so its value gets that escape).
 */
export function flightStringStartsAt(text: string, index: number): boolean {
  return text[index - 1] === '"' && text[index - 2] !== '\\';
}

/** Browser-side code applying Flight's `$` escape to the value `x` when the flag `p[1]` is set. */
export const FLIGHT_DOLLAR_ESCAPE_JS = 'if(p[1]&&x.charAt(0)==="$")x="$"+x;';

/** React's escaping of text and attribute values (react-dom/server: `escapeTextForBrowser`). */
export function escapeHtml(text: string): string {
  return text.replace(/["&'<>]/g, (c) => HTML_ESCAPES[c]!);
}

const HTML_ESCAPES: Record<string, string> = { '"': '&quot;', '&': '&amp;', "'": '&#x27;', '<': '&lt;', '>': '&gt;' };

/** JSON that is safe inside a <script> element, as Next's `htmlEscapeJsonString` (next/dist/server/htmlescape.js) makes it. */
export function htmlSafeJson(value: unknown): string {
  return JSON.stringify(value).replace(/[&<>\u2028\u2029]/g, (c) => SCRIPT_ESCAPES[c]!);
}

const SCRIPT_ESCAPES: Record<string, string> = { '&': '\\u0026', '<': '\\u003c', '>': '\\u003e', '\u2028': '\\u2028', '\u2029': '\\u2029' };

// ---------------------------------------------------------------------------
// 2b. React's server HTML of plain elements (react-dom/server `renderToString`,
//     react-dom-server-legacy: `pushTextInstance`, `pushStartInstance`, `pushSelfClosing`,
//     `sanitizeURL`), which lib/build/body-html.ts writes without React for article bodies.
//     Proved by: test/body-html.test.ts (against renderToString, byte for byte).
// ---------------------------------------------------------------------------

/** Written between two text nodes that follow each other (an empty one is left out), so that hydration finds both. */
export const TEXT_SEPARATOR = '<!-- -->';

/** A `pre` whose children is one string starting with a line feed gets one more (the parser drops the first). */
export function preLeadingNewline(onlyText: string | null): string {
  return onlyText !== null && onlyText.startsWith('\n') ? '\n' : '';
}

/** `isJavaScriptProtocol`: an `href` React replaces with a URL that throws (such a link is left to React). */
// eslint-disable-next-line no-control-regex -- React's own pattern, control characters included
export const REACT_JAVASCRIPT_URL = /^[\u0000-\u001F ]*j[\r\n\t]*a[\r\n\t]*v[\r\n\t]*a[\r\n\t]*s[\r\n\t]*c[\r\n\t]*r[\r\n\t]*i[\r\n\t]*p[\r\n\t]*t[\r\n\t]*:/i;

// ---------------------------------------------------------------------------
// 3. `<Static>` islands (components/ui/Static.tsx, lib/static-channel.ts).
//    Relies on: a page's server-component render and its SSR render running in
//    the same Node.js process (an export worker, or the dev server), with
//    separate module graphs (hence a global keyed by `Symbol.for`), and on
//    `process.env.NODE_ENV` being 'production' in `next build`.
//    Proved by: test/article-pages.test.ts (island contents absent from the
//    payload, present in the page) and test/dev.test.ts.
// ---------------------------------------------------------------------------
// (No code here: the island components stay free of this module, which the
// browser bundle would otherwise carry.)

// ---------------------------------------------------------------------------
// 4. The CLI (next/dist/bin/next) and the dev server's start-up banner
//    (next/dist/server/lib/start-server.js: "- Local: http://…" then "✓ Ready in …").
//    Proved by: test/dev.test.ts.
// ---------------------------------------------------------------------------

/** Next's CLI, for `require.resolve` (scripts/dev.ts, lib/build/build.ts). */
export const NEXT_BIN = 'next/dist/bin/next';

/** The URL the dev server listens on, once its banner says it is ready; undefined before. */
export function devServerReadyUrl(output: string): string | undefined {
  const url = /Local:\s+(https?:\/\/\S+)/.exec(output)?.[1];
  return url && /Ready in/.test(output) ? url : undefined;
}

// ---------------------------------------------------------------------------
// 5. Twitter tags copied from Open Graph (next/dist/lib/metadata/
//    metadata-resolution-primitives.js, `postProcessMetadata`: with
//    `openGraph` set and no `twitter.title`/`twitter.description`, Next fills
//    them in with og:title and og:description; there is no option to turn it
//    off) as React writes them: `<meta name="twitter:title" content="…"/>`.
//    Proved by: test/article-pages.test.ts (the written pages carry og:title,
//    og:description and twitter:card, and no twitter:title or twitter:description).
// ---------------------------------------------------------------------------

const OPEN_GRAPH_TEXT = /<meta property="og:(title|description)" content="([^"<>]*)"\/>/g;

/**
 * `html` without the `twitter:title` and `twitter:description` tags of its
 * `<head>` that repeat its og:title and og:description word for word: X's
 * card reader falls back to the Open Graph tag when the twitter: one is
 * absent, so they only add bytes (~190 a page: ~48 MB over the 254,000 pages of
 * a 241,000-article export). A twitter: tag that says something else stays.
 */
export function dropTwitterCopies(html: string): string {
  const end = html.indexOf('</head>');
  if (end < 0) return html;
  let head = html.slice(0, end);
  for (const [, name, content] of head.matchAll(OPEN_GRAPH_TEXT)) {
    const copy = `<meta name="twitter:${name}" content="${content}"/>`;
    const at = head.indexOf(copy);
    if (at >= 0) head = head.slice(0, at) + head.slice(at + copy.length);
  }
  return head + html.slice(end);
}

// ---------------------------------------------------------------------------
// 6. The build diagnostics Next keeps between builds (next/dist/diagnostics/
//    build-diagnostics.js: `.next/diagnostics/*.json`, which `next build` does
//    not clean, read back with `JSON.parse(await readFile(…).catch(() => '{}'))`
//    and written again with a plain `writeFile`). A build killed while it wrote
//    one (Ctrl-C to the process group) left it cut short, and every later
//    `next build` failed with "Unexpected end of JSON input".
//    Proved by: test/hostile-atomic.test.ts (a build after a file cut short).
// ---------------------------------------------------------------------------

/** The folder of Next's build diagnostics in its build folder (`.next`). */
export const NEXT_DIAGNOSTICS_DIR = 'diagnostics';
