/**
 * Inline links in KB text: URLs (`http://…`, `ftp://…`, `www.…`) and article
 * numbers (`Q238171`), which link to the article's permalink, as do old KB
 * URLs (`http://support.microsoft.com/kb/238171`), shown as written.
 */
import type { PhrasingContent } from 'mdast';
import { normalizeId, permalinkOf } from './references';
import { decodeHexEscapes } from './text';
import { recognizeKbLink } from '../kb-links';
import { permalinkOfNumber } from '../kb-number';

export interface LinkOptions {
  /** Prefix for article links, e.g. a base path `/archive` (no trailing slash). */
  linkPrefix?: string;
}

/**
 * Links made in one article body at most (the archive's articles have a few
 * hundred at most): past it, URLs and numbers stay text (`link-limit`), so that
 * a small file of numbers cannot make a page of hundreds of thousands of links.
 */
export const MAX_LINKS = 5000;

/** What is left of an article's links (shared by every block of its body). */
export interface LinkBudget {
  left: number;
  /** Links not made once `left` reached 0. */
  cut: number;
}

const INLINE = /\b((?:https?|ftp):\/\/[^\s<>"'`]+|www\.[a-z0-9-]+\.[a-z0-9.-]+(?:\/[^\s<>"'`]*)?)|\bQ(\d{5,6})\b/gi;
const TRAILING = new Set('.,;:!?)]}>');

/** Where the run of trailing punctuation starts (a backward scan: `/[.,;:!?)\]}>]+$/` is quadratic on a long inner run). */
function trailingStart(text: string): number {
  let i = text.length;
  while (i > 0 && TRAILING.has(text[i - 1]!)) i--;
  return i;
}

/** A URL as `linkify` links it: trailing punctuation belongs to the sentence, except a `)` closing a `(` inside the URL. */
function trimUrl(whole: string): string {
  const trail = whole.slice(trailingStart(whole));
  let keep = whole.length - trail.length;
  if (trail.startsWith(')') && whole.slice(0, keep).includes('(')) keep++;
  return whole.slice(0, keep);
}

/**
 * The article numbers that old KB URLs in `value` name (`http://support.microsoft.com/kb/238171`), in order: the
 * links `linkify` makes to our pages. The parser counts them as citations, as it does `Q238171`
 * (lib/markdown/references.ts), so that every number a body links to has a page (the article's or a
 * not-in-archive page) and a backlink.
 */
export function kbUrlNumbers(value: string): number[] {
  if (!value.includes('://') && !/www\./i.test(value)) return [];
  const numbers: number[] = [];
  for (const match of decodeHexEscapes(value).matchAll(INLINE)) {
    if (!match[1]) continue;
    const old = recognizeKbLink(trimUrl(match[0]));
    if (old && old.kind !== 'id') numbers.push(old.number);
  }
  return numbers;
}

/** Splits text into text and link nodes. */
export function linkify(value: string, options: LinkOptions = {}, budget: LinkBudget = { left: MAX_LINKS, cut: 0 }): PhrasingContent[] {
  const text = decodeHexEscapes(value);
  const nodes: PhrasingContent[] = [];
  let last = 0;
  for (const match of text.matchAll(INLINE)) {
    if (budget.left <= 0) {
      budget.cut++;
      continue;
    }
    let whole = match[0];
    let url: string;
    if (match[1]) {
      whole = trimUrl(whole);
      url = /^www\./i.test(whole) ? `http://${whole}` : whole;
      // An old KB URL (`http://support.microsoft.com/support/kb/articles/q238/1/71.asp`) links to our page
      // for the article; the text stays the original URL (lib/kb-links.ts).
      const old = recognizeKbLink(whole);
      if (old && old.kind !== 'id') url = `${options.linkPrefix ?? ''}${permalinkOfNumber(old.number)}`;
    } else {
      if (match[0][0] !== 'Q') continue; // `q123456` in prose is not a reference
      const id = normalizeId(match[2]!);
      if (id === null) continue; // `Q00000` names no article: plain text
      url = `${options.linkPrefix ?? ''}${permalinkOf(id)}`;
    }
    const start = match.index;
    if (start > last) nodes.push({ type: 'text', value: text.slice(last, start) });
    nodes.push({ type: 'link', url, children: [{ type: 'text', value: whole }] });
    budget.left--;
    last = start + whole.length;
  }
  if (last < text.length) nodes.push({ type: 'text', value: text.slice(last) });
  return nodes;
}
