/**
 * Highlighting without HTML: a text is split into plain parts and matching
 * parts, which the UI renders as text nodes and `<mark>` elements. Pure.
 */
import { fold, STOP_WORDS } from './tokenize';

export interface TextPart {
  text: string;
  match: boolean;
}

/** Words as the tokenizer sees them, so highlights agree with what matched. */
const WORD = /\p{N}+(?:\.\p{N}+)+|[\p{L}\p{N}_]+/gu;

/**
 * Splits `text` into parts; a word matches when its folded form is one of
 * `terms`, or begins with `prefix` (the word still being typed).
 */
export function highlightParts(text: string, terms: readonly string[], prefix: string | null = null): TextPart[] {
  const wanted = new Set(terms.filter((t) => !STOP_WORDS.has(t)));
  if (wanted.size === 0 && !prefix) return text ? [{ text, match: false }] : [];
  const parts: TextPart[] = [];
  let last = 0;
  for (const m of text.matchAll(WORD)) {
    const word = fold(m[0]);
    const hit = wanted.has(word) || (prefix !== null && prefix.length > 0 && word.startsWith(prefix));
    if (!hit) continue;
    const at = m.index ?? 0;
    if (at > last) parts.push({ text: text.slice(last, at), match: false });
    parts.push({ text: m[0], match: true });
    last = at + m[0].length;
  }
  if (last < text.length) parts.push({ text: text.slice(last), match: false });
  return parts;
}

/**
 * An excerpt of at most `max` characters from `text`, around the first
 * highlighted word when it lies beyond the first `max` characters.
 */
export function excerptParts(text: string, terms: readonly string[], prefix: string | null, max = 240): TextPart[] {
  const parts = highlightParts(text, terms, prefix);
  if (text.length <= max) return parts;
  let offset = 0;
  let firstMatch = -1;
  for (const part of parts) {
    if (part.match) {
      firstMatch = offset;
      break;
    }
    offset += part.text.length;
  }
  let start = 0;
  if (firstMatch > max * 0.6) {
    start = text.lastIndexOf(' ', Math.max(0, firstMatch - Math.floor(max / 3)));
    start = start < 0 ? 0 : start + 1;
  }
  let end = Math.min(text.length, start + max);
  if (end < text.length) {
    const space = text.lastIndexOf(' ', end);
    if (space > start + max / 2) end = space;
  }
  return sliceParts(parts, start, end, start > 0, end < text.length);
}

function sliceParts(parts: TextPart[], start: number, end: number, before: boolean, after: boolean): TextPart[] {
  const out: TextPart[] = [];
  let offset = 0;
  for (const part of parts) {
    const from = Math.max(start, offset);
    const to = Math.min(end, offset + part.text.length);
    if (from < to) out.push({ text: part.text.slice(from - offset, to - offset), match: part.match });
    offset += part.text.length;
  }
  if (before) out.unshift({ text: '…', match: false });
  if (after && !(out.at(-1)?.text.endsWith('…') ?? false)) out.push({ text: '…', match: false });
  return out;
}

/**
 * The excerpt of a result: of the lead and the stored passages, the one that
 * shows the most distinct searched words (the lead on a tie, or when none
 * does). `index` is 0 for the lead, i + 1 for passage i.
 */
export function bestExcerpt(
  lead: string,
  snippets: readonly string[],
  terms: readonly string[],
  prefix: string | null,
  max = 240,
): { index: number; parts: TextPart[] } {
  let best = { index: 0, parts: excerptParts(lead, terms, prefix, max) };
  let bestScore = distinctMatches(best.parts);
  snippets.forEach((snippet, i) => {
    const parts = excerptParts(snippet, terms, prefix, max);
    const score = distinctMatches(parts);
    if (score > bestScore) {
      best = { index: i + 1, parts };
      bestScore = score;
    }
  });
  return best;
}

export function resultExcerpt(lead: string, snippets: readonly string[], terms: readonly string[], prefix: string | null, max = 240): TextPart[] {
  return bestExcerpt(lead, snippets, terms, prefix, max).parts;
}

function distinctMatches(parts: readonly TextPart[]): number {
  const seen = new Set<string>();
  for (const part of parts) if (part.match) seen.add(fold(part.text));
  return seen.size;
}

/**
 * A link to the place of a passage in its article: the section's anchor, plus a
 * text fragment (`#:~:text=`) for the first highlighted word, which browsers that
 * support it scroll to and highlight without any script on the page.
 */
export function passageHref(permalink: string, section: { id: string } | null, parts: readonly TextPart[]): string {
  const word = parts.find((p) => p.match)?.text ?? '';
  const anchor = section && /^[\w-]{1,100}$/.test(section.id) ? section.id : '';
  if (!anchor && !word) return permalink;
  // `-`, `,` and `&` have meanings in a text directive: always percent-encoded.
  const text = word ? `:~:text=${encodeURIComponent(word).replace(/-/g, '%2D')}` : '';
  return `${permalink}#${anchor}${text}`;
}
