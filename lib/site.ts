/**
 * Site-wide constants and URL helpers for the app layer (pure: no fs, no Next APIs).
 *
 * Pages link with plain `<a href>` rather than next/link (no prefetching, no RSC
 * payload fetches at 60k pages), so nothing prefixes `basePath` for us: every
 * internal href goes through `href()`.
 */

export const SITE_NAME = 'kbview';

export const SITE_DESCRIPTION = 'An archive of old Microsoft KnowledgeBase articles, converted from Markdown to static pages.';

/**
 * A page title from the archive's text, as metadata: `Text · kbview`, given
 * whole (`absolute`). The layout's title template would do the same, but Next
 * fills it with String#replace, which reads `$$`, `$&`… in the text as
 * replacement patterns (a title `$$ double` became `$ double`).
 */
export function pageTitle(text: string): { absolute: string } {
  return { absolute: `${text} · ${SITE_NAME}` };
}

/** `basePath` from next.config (set from `KB_BASE_PATH`), '' when served from the root. */
export { BASE_PATH } from './config/public';
import { BASE_PATH } from './config/public';

/**
 * Prefixes a root-relative path (`/kb/244/Q244717/`) with the base path; absolute
 * URLs, `#fragments` and relative paths pass through. Paths given here must not
 * already carry the base path. (Links inside article bodies get it from the
 * loader instead: see components/article/ArticleBody.tsx.)
 */
export function href(path: string): string {
  if (!path.startsWith('/') || path.startsWith('//')) return path;
  return `${BASE_PATH}${path}`;
}

/** `{ bucket: '244', id: 'Q244717' }` from the permalink `/kb/244/Q244717/`, or null. */
export function paramsFromPermalink(permalink: string): { bucket: string; id: string } | null {
  const match = /^\/kb\/(\d{3})\/(Q\d+)\/$/.exec(permalink);
  if (!match || match[1] === undefined || match[2] === undefined) return null;
  return { bucket: match[1], id: match[2] };
}

/** The article title without the `Q244717: ` prefix the archive repeats in front of it. */
export function displayTitle(id: string, title: string): string {
  const prefix = `${id}:`;
  return title.startsWith(prefix) ? title.slice(prefix.length).trim() || title : title;
}

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'] as const;

/**
 * `{ iso: '2002-05-08', text: '8 May 2002' }` for an ISO date; dates the loader
 * could not read stay as written (`iso` null). Deterministic (no locale, no time zone).
 */
export function formatDate(value: string): { iso: string | null; text: string } {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!match) return { iso: null, text: value };
  const month = MONTHS[Number(match[2]) - 1];
  if (month === undefined) return { iso: null, text: value };
  return { iso: value, text: `${Number(match[3])} ${month} ${match[1]}` };
}

/** `60,335` — thousands separators without depending on the runtime's locale data. */
export function formatCount(n: number): string {
  // The leading run of digits grouped from the right in one pass (a lookahead per digit would rescan the
  // rest of a long number: quadratic); a sign, fraction or exponent (`7e+28`) is kept as written.
  const text = String(n);
  const start = text.startsWith('-') ? 1 : 0;
  let end = start;
  while (end < text.length && text[end]! >= '0' && text[end]! <= '9') end++;
  let out = text.slice(0, start);
  for (let i = start; i < end; i++) {
    if (i > start && (end - i) % 3 === 0) out += ',';
    out += text[i];
  }
  return out + text.slice(end);
}
