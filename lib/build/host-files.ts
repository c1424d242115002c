/**
 * Host configuration written into the export by `kb build`, so that the site
 * works on the first try on the static hosts people use (README, "Deploy"):
 *
 * - `.nojekyll`: GitHub Pages serves the files as they are (a branch deploy
 *   otherwise runs Jekyll, which drops `_next/`);
 * - `_headers` (Netlify, Cloudflare Pages): the site's Content-Security-Policy
 *   as a real header (with `frame-ancestors 'none'`), `nosniff`, a referrer
 *   policy, a year's immutable cache for the content-hashed `_next/static/`,
 *   and any `.md` file as plain text (none is shipped: sources are
 *   `.source.html` pages, lib/content/sources.ts);
 * - `_redirects` (the same hosts): old KB paths (`/kb/244717`, `/kb/244717/`,
 *   `/Q244717`, `/kb/Q244717/`) to the canonical page, one rule per form and
 *   article number, as long as the file stays within what every host reads
 *   (`KB_REDIRECTS`, below); the 404 page forwards old paths on every host anyway;
 * - `nginx.conf`: a `server`-level snippet with the same headers and redirects
 *   (the bucket computed by regular expressions, so every number, and the
 *   query-string form `/default.aspx?scid=kb;en-us;Q244717`), gzip, and the 404 page.
 *
 * Everything honours the base path. Nothing in them is written by hand per
 * article: the numbers come from the pages in `out/kb/`.
 */
import { readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { config, type Config } from '../config';
import { articleNumberFromDigits, permalinkOfNumber } from '../kb-number';
import { SITE_CSP_HEADER } from './csp';

export const REFERRER_POLICY = 'strict-origin-when-cross-origin';
export const IMMUTABLE = 'public, max-age=31536000, immutable';
/** HTML and everything not content-hashed: revalidated on each visit (what Netlify and Cloudflare Pages send by default). */
export const REVALIDATE = 'public, max-age=0, must-revalidate';
export const SOURCE_TYPE = 'text/plain; charset=utf-8';

/** The old same-host forms of an article's path, on top of the base path (`N` the number without leading zeros). */
export const OLD_PATH_FORMS = ['/kb/N', '/kb/N/', '/QN', '/kb/QN/'] as const;

/**
 * Cloudflare Pages reads at most 2,000 static redirects (and 100 dynamic ones);
 * Netlify advises against 10,000 and more. Unless `KB_REDIRECTS=all`, the
 * per-article rules are written only when they fit within this many.
 */
export const REDIRECT_RULES_LIMIT = 2000;

/** `KB_REDIRECTS` (lib/config). */
export type RedirectsMode = Config['redirects'];

export interface HostFilesOptions {
  basePath?: string;
  redirects?: RedirectsMode;
}

export interface HostFilesResult {
  files: string[];
  /** Article numbers with a page under kb/. */
  numbers: number;
  /** Rules written into `_redirects`. */
  redirectRules: number;
  ms: number;
}

/** The numbers of the article and not-in-archive pages under `out/kb/`, ascending (only folders at their canonical place). */
export function pageNumbers(outDir: string): number[] {
  const numbers: number[] = [];
  let buckets: string[];
  try {
    buckets = readdirSync(path.join(outDir, 'kb'));
  } catch {
    return numbers;
  }
  for (const bucket of buckets) {
    if (!/^[0-9]{3}$/.test(bucket)) continue;
    for (const entry of readdirSync(path.join(outDir, 'kb', bucket))) {
      const n = /^Q[0-9]{1,6}$/.test(entry) ? articleNumberFromDigits(entry.slice(1)) : null;
      if (n !== null && permalinkOfNumber(n) === `/kb/${bucket}/${entry}/`) numbers.push(n);
    }
  }
  return numbers.sort((a, b) => a - b);
}

export function headersFile(basePath: string): string {
  return [
    '# kbview: response headers for Netlify and Cloudflare Pages (written by kb build; README, "Deploy").',
    '# Every matching block applies, and a header set by two blocks gets both values: each header is set once.',
    `${basePath}/*`,
    `  Content-Security-Policy: ${SITE_CSP_HEADER}`,
    '  X-Content-Type-Options: nosniff',
    `  Referrer-Policy: ${REFERRER_POLICY}`,
    "# Content-hashed file names: cached for a year. HTML and the rest keep the hosts' default (revalidate).",
    `${basePath}/_next/static/*`,
    `  Cache-Control: ${IMMUTABLE}`,
    '# Any .md file (kb build ships none: sources are .source.html pages): text, never a script or a page.',
    `${basePath}/*.md`,
    `  Content-Type: ${SOURCE_TYPE}`,
    '',
  ].join('\n');
}

/** The `_redirects` rules for these numbers (all forms of each), or none when `mode` says so. */
export function redirectRules(numbers: readonly number[], basePath: string, mode: RedirectsMode): string[] {
  if (mode === 'none' || (mode === 'auto' && numbers.length * OLD_PATH_FORMS.length > REDIRECT_RULES_LIMIT)) return [];
  const rules: string[] = [];
  for (const n of numbers) {
    const to = basePath + permalinkOfNumber(n);
    for (const form of OLD_PATH_FORMS) rules.push(`${basePath}${form.replace('N', String(n))} ${to} 301`);
  }
  return rules;
}

export function redirectsFile(rules: readonly string[], numbers: number, mode: RedirectsMode): string {
  const head = [
    '# kbview: old KB paths to article pages, for Netlify and Cloudflare Pages (written by kb build; README, "Deploy").',
    '# The 404 page forwards every old path (and /default.aspx?scid=kb;en-us;Q244717) on any host as well.',
  ];
  if (rules.length === 0 && numbers > 0) {
    head.push(
      mode === 'none'
        ? '# KB_REDIRECTS=none: no per-article rules.'
        : `# ${numbers} article numbers × ${OLD_PATH_FORMS.length} forms is over ${REDIRECT_RULES_LIMIT} rules (Cloudflare Pages reads no more): none written; KB_REDIRECTS=all writes them all.`,
    );
  }
  return [...head, ...rules, ''].join('\n');
}

/** The regular expressions that turn a number (leading zeros dropped) into its permalink: `$1`, `$2` → `kb/<bucket>/Q<number>/`. */
export const NGINX_NUMBER_FORMS: readonly { digits: string; to: string }[] = [
  { digits: '([1-9][0-9]{2})([0-9]{3})', to: 'kb/$1/Q$1$2/' },
  { digits: '([1-9][0-9])([0-9]{3})', to: 'kb/0$1/Q$1$2/' },
  { digits: '([1-9])([0-9]{3})', to: 'kb/00$1/Q$1$2/' },
  { digits: '([1-9][0-9]{0,2})', to: 'kb/000/Q$1/' },
];

export function nginxSnippet(basePath: string): string {
  const b = basePath;
  const headers = (cache: string) => [
    `    add_header Content-Security-Policy "${SITE_CSP_HEADER}" always;`,
    '    add_header X-Content-Type-Options nosniff always;',
    `    add_header Referrer-Policy ${REFERRER_POLICY} always;`,
    `    add_header Cache-Control "${cache}" always;`,
  ];
  const oldPaths = NGINX_NUMBER_FORMS.map(({ digits, to }) => `    rewrite "^${b}/(?:kb/[Qq]?|[Qq])0{0,6}${digits}/?$" ${b}/${to}? permanent;`);
  const queryForms = NGINX_NUMBER_FORMS.flatMap(({ digits, to }) => [
    `    if ($arg_scid ~* "^kb(?:;|%3B)(?:[a-z-]{0,16}(?:;|%3B))?Q?0{0,6}${digits}$") { return 301 ${b}/${to}; }`,
    `    if ($arg_kbid ~ "^0{0,6}${digits}$") { return 301 ${b}/${to}; }`,
  ]);
  return [
    `# kbview: nginx snippet for the site built with KB_BASE_PATH="${b}" (written by kb build; README, "Deploy").`,
    '# Include it inside a server { } block. The export (out/) must be at <root>' + (b || '/') + ' : change root to where it is.',
    'root /usr/share/nginx/html;',
    'index index.html;',
    '# Redirects say /path/, not http://host:port/path/ (and merge_slashes turns //host into /host first).',
    'absolute_redirect off;',
    'merge_slashes on;',
    'server_tokens off;',
    'charset utf-8;',
    'charset_types text/css text/plain text/xml text/markdown application/javascript text/javascript application/json application/xml image/svg+xml;',
    'gzip on;',
    'gzip_vary on;',
    'gzip_min_length 256;',
    'gzip_types text/css text/plain text/xml text/markdown application/javascript text/javascript application/json application/xml application/manifest+json image/svg+xml image/x-icon;',
    `error_page 404 ${b}/404.html;`,
    '',
    ...(b ? [`location = ${b} { return 301 ${b}/; }`, '# Outside the site: its 404 page.', 'location / { return 404; }', ''] : []),
    `location ${b}/ {`,
    ...headers(REVALIDATE),
    '    # /dir/ is dir/index.html; anything else missing goes to @kbview_missing.',
    '    try_files $uri ${uri}index.html @kbview_missing;',
    '}',
    '',
    '# Content-hashed names: cached for a year.',
    `location ^~ ${b}/_next/static/ {`,
    ...headers(IMMUTABLE),
    '    try_files $uri =404;',
    '}',
    '',
    '# Any .md file (kb build ships none: sources are .source.html pages): text, never a script or a page.',
    `location ~ "^${b}/.+\\.md$" {`,
    ...headers(REVALIDATE),
    '    types { }',
    '    default_type text/plain;',
    '    try_files $uri =404;',
    '}',
    '',
    '# Old KB links on this host: /default.aspx?scid=kb;en-us;Q244717 and ?kbid=244717.',
    `location = ${b}/default.aspx {`,
    ...headers(REVALIDATE),
    ...queryForms,
    '    return 404;',
    '}',
    '',
    '# A folder without its slash gets it; old paths (/kb/244717, /Q244717, /kb/Q244717/) go to their page; the rest is 404.',
    'location @kbview_missing {',
    ...headers(REVALIDATE),
    '    if (-f $request_filename/index.html) { rewrite ^(.*)$ $1/ permanent; }',
    ...oldPaths,
    '    return 404;',
    '}',
    '',
  ].join('\n');
}

/** Writes the host files into `outDir` (the export), for its base path (default: KB_BASE_PATH). */
export function writeHostFiles(outDir: string, options: HostFilesOptions = {}): HostFilesResult {
  const started = performance.now();
  const basePath = options.basePath ?? config().basePath;
  const mode = options.redirects ?? config().redirects;
  const numbers = pageNumbers(outDir);
  const rules = redirectRules(numbers, basePath, mode);
  const files: [string, string][] = [
    ['.nojekyll', ''],
    ['_headers', headersFile(basePath)],
    ['_redirects', redirectsFile(rules, numbers.length, mode)],
    ['nginx.conf', nginxSnippet(basePath)],
  ];
  for (const [name, text] of files) writeFileSync(path.join(outDir, name), text);
  return { files: files.map(([name]) => name), numbers: numbers.length, redirectRules: rules.length, ms: performance.now() - started };
}
