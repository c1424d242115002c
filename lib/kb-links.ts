/**
 * Old links to KB articles, recognized one way everywhere: the search boxes,
 * the home page's jump box, the 404 page (old paths on our own host) and links
 * inside article bodies. Pure: no DOM, no fs; imports only lib/kb-number.ts.
 *
 * `recognizeKbLink(text)` returns the article number a pasted text names, or
 * null. Recognized (any letter case, `http`/`https`/no scheme, `;` or `%3B`,
 * with or without `Q`, optional `#fragment`, trailing `/`, `index.html`):
 *
 * | form | example |
 * |---|---|
 * | identifier | `Q244717`, `244717`, `KB244717`, `KB 244717`, `MSKB 244717`, `KB Q244717`, `q 244717` |
 * | support.microsoft.com / support2.microsoft.com | `/kb/244717`, `/kb/244717/en-us`, `/en-us/kb/244717`, `/help/244717`, `/en-us/help/244717`, `/kb/Q244717`, `/Q244717`, `/KB244717`, `/default.aspx?scid=kb;en-us;Q244717`, `/default.aspx?scid=kb%3Ben-us%3B244717`, `/default.aspx?kbid=244717`, `/?kbid=244717`, `/?id=244717`, `/support/kb/articles/Q244/7/17.asp` |
 * | mirrors (jeffpar.github.io, pcjs.org) | `/kbarchive/kb/244/Q244717/`, `/pubs/pc/reference/microsoft/kb/Q244717/` |
 * | our own pages (a path, or a URL of `ownHost`) | every path above, and `/kb/244/Q244717/` |
 *
 * Not recognized (look-alikes; see test/kb-links.test.ts): other hosts
 * (`evil.example/kb/244717`, `support.microsoft.com.evil.example/…`,
 * `support.microsoft.com@evil.example/…`), other schemes (`javascript:`,
 * `data:`, `ftp:`, `file:`), other support pages (`default.aspx?scid=fh;EN-US;CNTACTMS`,
 * `/kb/c.asp`, `/support/kb/articles/qxxx/x/xx.asp`), numbers outside
 * 1..999,999 (`Q0`, `Q00000`, `Q1234567`: `articleNumberFromDigits`), and any
 * text with more around it (`Q244717 ras`, `see kb/244717`).
 *
 * The recognizer never navigates: its callers go to OUR page for the number,
 * so a pasted URL can never lead to another host. Time is linear in the
 * input: texts longer than `MAX_LINK_LENGTH` are refused at once, the rest is
 * split with `indexOf` and matched with anchored regular expressions without
 * nested or adjacent unbounded quantifiers.
 */
import { articleNumberFromDigits } from './kb-number';

/** Longer texts are not links (an old KB URL is under 120 characters). */
export const MAX_LINK_LENGTH = 2048;

export type KbLinkKind = 'id' | 'microsoft' | 'mirror' | 'site';

export interface KbLink {
  number: number;
  /** Which family of forms matched: a bare identifier, a Microsoft URL, a mirror's, or one of our own paths. */
  kind: KbLinkKind;
}

export interface RecognizeOptions {
  /** The host serving this site (`location.host`): its URLs are read like paths. */
  ownHost?: string;
  /** The site's base path (`/kb-archive`), stripped from our own paths before they are read. */
  basePath?: string;
}

/** Hosts whose old KB URLs are recognized. */
const MICROSOFT_HOSTS = new Set(['support.microsoft.com', 'support2.microsoft.com', 'www.support.microsoft.com']);
/** The two public mirrors of the archive. */
const MIRROR_HOSTS = new Set(['jeffpar.github.io', 'pcjs.org', 'www.pcjs.org']);

const IDENTIFIER = /^(?:(?:ms)?kb[\s:#-]?\s?)?(?:q\s?)?(\d{1,12})$/;
const HOST = /^[a-z0-9-]{1,63}(?:\.[a-z0-9-]{1,63}){1,8}\.?(?::\d{1,5})?$/;
const DIGITS = /^\d{1,12}$/;
const Q_DIGITS = /^q(\d{1,12})$/;
const KB_DIGITS = /^(?:ms)?kbq?(\d{1,12})$/;
const LOCALE = /^[a-z]{2}(?:-[a-z]{2,4})?$/;
const BUCKET = /^\d{3}$/;
const SLUG = /^[a-z0-9-]{1,200}$/;

/** The article number that `text` names, or null. */
export function recognizeKbLink(text: string, options: RecognizeOptions = {}): KbLink | null {
  if (text.length > MAX_LINK_LENGTH) return null;
  const value = trimLink(text);
  if (value.length === 0) return null;
  const lower = value.toLowerCase();

  const id = IDENTIFIER.exec(lower);
  if (id) return numbered(id[1]!, 'id');

  // Scheme: http(s), protocol-relative `//`, a path `/…`, or none (`support.microsoft.com/kb/…`).
  let rest: string;
  let host: string | null;
  let own = false;
  const colon = lower.indexOf(':');
  const slash = lower.indexOf('/');
  if (lower.startsWith('//')) {
    rest = lower.slice(2);
    host = '';
  } else if (colon >= 0 && (slash < 0 || colon < slash) && !/^[a-z0-9.-]+:\d/.test(lower)) {
    // javascript:, data:, vbscript:, ftp:, file:, `https:/host`…: only http(s)://
    if (lower.startsWith('http://')) rest = lower.slice(7);
    else if (lower.startsWith('https://')) rest = lower.slice(8);
    else return null;
    host = '';
  } else if (lower.startsWith('/')) {
    rest = lower;
    host = null;
  } else {
    rest = lower;
    host = '';
  }
  if (host !== null) {
    const end = firstOf(rest, '/?#');
    const authority = rest.slice(0, end);
    if (!HOST.test(authority)) return null; // also refuses `user@host`, `host\@evil` and empty hosts
    own = options.ownHost !== undefined && authority === options.ownHost.toLowerCase();
    host = authority.replace(/:\d+$/, '').replace(/\.$/, '');
    rest = rest.slice(end);
  }

  const hash = rest.indexOf('#');
  if (hash >= 0) rest = rest.slice(0, hash);
  const q = rest.indexOf('?');
  let path = q >= 0 ? rest.slice(0, q) : rest;
  const query = q >= 0 ? decodeQuery(rest.slice(q + 1)) : '';

  let kind: KbLinkKind;
  if (host === null || own) {
    own = true;
    kind = 'site';
    const base = (options.basePath ?? '').toLowerCase().replace(/\/+$/, '');
    if (base && (path === base || path.startsWith(`${base}/`))) path = path.slice(base.length) || '/';
  } else if (MICROSOFT_HOSTS.has(host)) {
    kind = 'microsoft';
  } else if (MIRROR_HOSTS.has(host)) {
    kind = 'mirror';
  } else {
    return null;
  }

  const segments = path.split('/').filter((s) => s.length > 0);
  const last = segments[segments.length - 1];
  if (last === 'index.html' || last === 'readme.md' || last === 'default.htm') segments.pop();

  if (kind === 'microsoft' || own) {
    // On our own host `/kb/244/` is a folder of article pages (a bucket), not Q244.
    const bucket = own && segments.length === 2 && segments[0] === 'kb' && BUCKET.test(segments[1]!);
    const n = bucket ? null : microsoftPath(segments, query);
    if (n !== null) return numbered(n, own ? 'site' : 'microsoft');
  }
  if (kind === 'mirror' || own) {
    const n = mirrorPath(segments);
    if (n !== null) return numbered(n, own ? 'site' : 'mirror');
  }
  if (own && segments.length === 3 && segments[0] === 'kb' && BUCKET.test(segments[1]!)) {
    const m = Q_DIGITS.exec(segments[2]!);
    if (m) return numbered(m[1]!, 'site');
  }
  return null;
}

/** Just the number (`recognizeKbLink(text)?.number ?? null`). */
export function kbNumberOf(text: string, options: RecognizeOptions = {}): number | null {
  return recognizeKbLink(text, options)?.number ?? null;
}

/** Digits of the number in a support.microsoft.com path (segments lower-cased), or null. */
function microsoftPath(segments: readonly string[], query: string): string | null {
  const [a, b, c, d, e] = segments;
  const count = segments.length;
  // `/default.aspx?scid=kb;en-us;q244717`, `?kbid=244717`, `/?id=244717`
  if (count === 0 || (count === 1 && (a === 'default.aspx' || a === 'default.asp'))) {
    return queryNumber(query);
  }
  // `/kb/244717`, `/kb/q244717`, `/kb/244717/en-us`, `/help/244717`, `/en-us/kb/244717`, `/en-us/help/244717/some-title`
  const local = a !== 'kb' && a !== 'help' && LOCALE.test(a!) ? segments.slice(1) : segments;
  const [kb, n, tail] = local;
  if ((kb === 'kb' || kb === 'help') && (local.length === 2 || (local.length === 3 && (LOCALE.test(tail!) || (kb === 'help' && SLUG.test(tail!)))))) {
    return numberSegment(n!);
  }
  // `/q244717`, `/kb244717`
  if (count === 1) return Q_DIGITS.exec(a!)?.[1] ?? KB_DIGITS.exec(a!)?.[1] ?? null;
  // `/support/kb/articles/q244/7/17.asp`
  if (count === 6 && a === 'support' && b === 'kb' && c === 'articles') {
    const head = /^q(\d{1,3})$/.exec(d!);
    const tail = /^(\d{2})\.aspx?$/.exec(segments[5]!);
    if (head && tail && /^\d$/.test(e!)) return `${head[1]}${e}${tail[1]}`;
  }
  return null;
}

/** `/kbarchive/kb/244/q244717`, `/pubs/pc/reference/microsoft/kb/q244717`. */
function mirrorPath(segments: readonly string[]): string | null {
  const count = segments.length;
  if (count === 4 && segments[0] === 'kbarchive' && segments[1] === 'kb' && BUCKET.test(segments[2]!)) {
    return Q_DIGITS.exec(segments[3]!)?.[1] ?? null;
  }
  if (count === 6 && segments.slice(0, 5).join('/') === 'pubs/pc/reference/microsoft/kb') {
    return Q_DIGITS.exec(segments[5]!)?.[1] ?? null;
  }
  return null;
}

/** `244717` or `q244717` as a whole segment. */
function numberSegment(segment: string): string | null {
  return DIGITS.test(segment) ? segment : (Q_DIGITS.exec(segment)?.[1] ?? null);
}

/** The number of `scid=kb;<locale>;[q]N`, `kbid=N` or `id=[q]N` in a query string (first that gives one). */
function queryNumber(query: string): string | null {
  for (const pair of query.split('&')) {
    const eq = pair.indexOf('=');
    if (eq < 0) continue;
    const key = pair.slice(0, eq).trim();
    const value = pair.slice(eq + 1).trim();
    if (key === 'scid') {
      const parts = value.split(';');
      // `kb;en-us;q244717` or `kb;q244717`
      if (parts[0] !== 'kb' || parts.length < 2 || parts.length > 3) continue;
      if (parts.length === 3 && !LOCALE.test(parts[1]!)) continue;
      const n = numberSegment(parts[parts.length - 1]!);
      if (n !== null) return n;
    } else if (key === 'kbid' || key === 'id') {
      const n = numberSegment(value);
      if (n !== null) return n;
    }
  }
  return null;
}

/** `%3B` → `;`, `%3D` → `=` (the query is lower-cased already); nothing else is decoded. */
function decodeQuery(query: string): string {
  return query.replace(/%3b/g, ';').replace(/%3d/g, '=');
}

function numbered(digits: string, kind: KbLinkKind): KbLink | null {
  const number = articleNumberFromDigits(digits);
  return number === null ? null : { number, kind };
}

/** Index of the first of `chars` in `text`, or its length. */
function firstOf(text: string, chars: string): number {
  for (let i = 0; i < text.length; i++) if (chars.includes(text[i]!)) return i;
  return text.length;
}

/** Surrounding white space, and the `<…>`, quotes or trailing sentence punctuation a link is often pasted with. */
function trimLink(text: string): string {
  let start = 0;
  let end = text.length;
  const skip = (c: string) => c <= ' ' || c === '<' || c === '>' || c === '"' || c === "'" || c === '\u00a0';
  while (start < end && skip(text[start]!)) start++;
  while (end > start && (skip(text[end - 1]!) || '.,;)'.includes(text[end - 1]!))) end--;
  return text.slice(start, end);
}

/** Parts of paths that say nothing about what was looked for. */
const PATH_NOISE = new Set(['html', 'htm', 'asp', 'aspx', 'php', 'index', 'default', 'www', 'http', 'https', 'md', 'kb', 'en', 'us']);
/** A segment that names a file (`rassrv.exe`, `Q244717.txt` is not one: see PATH_NOISE), kept whole so that search finds the file. */
const FILE_SEGMENT = /^[\p{L}\p{N}_$~-]{1,64}\.([A-Za-z0-9]{1,4})$/u;

/**
 * The words of an unknown path, for the 404 page's search box, at most 12: `/windows-nt/rassrv.exe.html` →
 * `windows nt rassrv.exe`, `/kb/en-us/ntoskrnl.exe` → `ntoskrnl.exe`. A file name stays whole; page
 * extensions, `kb` and language parts are dropped.
 */
export function wordsOfPath(pathname: string, basePath: string): string {
  let path = pathname;
  if (basePath && (path === basePath || path.startsWith(`${basePath}/`))) path = path.slice(basePath.length);
  let text: string;
  try {
    text = decodeURIComponent(path.slice(0, 2000));
  } catch {
    text = path.slice(0, 2000);
  }
  const words: string[] = [];
  for (const segment of text.split('/')) {
    // `rassrv.exe.html`: the page extension goes first.
    const page = /\.(?:html?|aspx?|php|md)$/i.exec(segment);
    const name = page ? segment.slice(0, page.index) : segment;
    const file = FILE_SEGMENT.exec(name);
    if (file && !PATH_NOISE.has(file[1]!.toLowerCase()) && /\p{L}/u.test(file[1]!)) {
      words.push(name);
      continue;
    }
    for (const word of name.split(/[^\p{L}\p{N}]+/u)) if (word.length > 0 && !PATH_NOISE.has(word.toLowerCase())) words.push(word);
  }
  return words.slice(0, 12).join(' ');
}
