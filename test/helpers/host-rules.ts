/**
 * Small readers of the `_headers` and `_redirects` files, following the
 * hosts' documented rules, to check what a host would answer without it:
 *
 * - Cloudflare Pages (developers.cloudflare.com/pages/configuration/headers/,
 *   …/redirects/): a `_headers` block is a URL pattern on its own line, then
 *   indented `Name: value` lines; every block whose pattern matches applies,
 *   and a header set by several is sent with their values joined by `, `.
 *   A splat `*` matches any characters (greedily, at most one per pattern), a
 *   placeholder `:name` one path segment. `_redirects` lines are
 *   `source destination [code]` (302 by default); the first matching rule
 *   wins; Cloudflare matches the path as it is, Netlify also with or without
 *   its trailing slash. `#` starts a comment line. Cloudflare reads at most
 *   2,000 static and 100 dynamic redirects, 1,000 characters each.
 * - Netlify (docs.netlify.com/manage/routing/headers, …/redirects): the same
 *   syntax; its CLI's matcher (netlify/cli, src/utils/headers.js, "our
 *   production logic uses regex too") turns a `*` inside a segment (`/*.md`)
 *   into `(.*)`, across slashes, as here.
 */

export interface HeaderRule {
  pattern: string;
  headers: [string, string][];
  line: number;
}

export interface RedirectRule {
  from: string;
  to: string;
  status: number;
  line: number;
}

export function parseHeaders(text: string): HeaderRule[] {
  const rules: HeaderRule[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.replace(/\r$/, '');
    if (line.trim() === '' || line.trim().startsWith('#')) continue;
    if (!/^\s/.test(line)) {
      rules.push({ pattern: line.trim(), headers: [], line: i + 1 });
      continue;
    }
    const rule = rules.at(-1);
    const colon = line.indexOf(':');
    if (!rule || colon < 0) throw new Error(`_headers:${i + 1}: a header line outside a block, or without a colon: ${line}`);
    rule.headers.push([line.slice(0, colon).trim(), line.slice(colon + 1).trim()]);
  }
  return rules;
}

export function parseRedirects(text: string): RedirectRule[] {
  const rules: RedirectRule[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '' || line.startsWith('#')) continue;
    const fields = line.split(/\s+/);
    if (fields.length < 2 || fields.length > 3) throw new Error(`_redirects:${i + 1}: not "source destination [code]": ${line}`);
    const status = fields[2] === undefined ? 302 : Number(fields[2]);
    if (![301, 302, 303, 307, 308, 200].includes(status)) throw new Error(`_redirects:${i + 1}: status ${fields[2]}`);
    rules.push({ from: fields[0]!, to: fields[1]!, status, line: i + 1 });
  }
  return rules;
}

/** A pattern as a regular expression: `*` any characters, `:name` one segment, the rest literal. */
export function patternRegExp(pattern: string): RegExp {
  if ((pattern.match(/\*/g) ?? []).length > 1) throw new Error(`more than one splat in ${pattern}`);
  let source = '^';
  for (const token of pattern.split(/(\*|:[A-Za-z]\w*)/)) {
    if (token === '*') source += '(.*)';
    else if (/^:[A-Za-z]\w*$/.test(token)) source += '([^/]+)';
    else source += token.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`${source}$`);
}

/** The headers a host sends for `pathname` (names lower-cased), by the rules above. */
export function headersFor(rules: readonly HeaderRule[], pathname: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const rule of rules) {
    if (!patternRegExp(rule.pattern).test(pathname)) continue;
    for (const [name, value] of rule.headers) {
      const key = name.toLowerCase();
      out.set(key, out.has(key) ? `${out.get(key)}, ${value}` : value);
    }
  }
  return out;
}

/** The redirect a host answers for `pathname`, or null; `host: 'netlify'` also matches with or without the trailing slash. */
export function redirectFor(
  rules: readonly RedirectRule[],
  pathname: string,
  host: 'cloudflare' | 'netlify' = 'cloudflare',
): { to: string; status: number } | null {
  const candidates = host === 'netlify' ? [pathname, pathname.endsWith('/') ? pathname.slice(0, -1) : `${pathname}/`] : [pathname];
  for (const rule of rules) {
    const re = patternRegExp(rule.from);
    for (const candidate of candidates) {
      const match = re.exec(candidate);
      if (match) return { to: rule.to.replace(':splat', match[1] ?? ''), status: rule.status };
    }
  }
  return null;
}
