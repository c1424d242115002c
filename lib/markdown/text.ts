/**
 * Text clean-up shared by the transforms: HTML entities (titles), `<92>`-style
 * hex escapes of Windows-1252 bytes (body and titles), and anchor slugs.
 */
import { decodeNamedCharacterReference } from 'decode-named-character-reference';

/** Windows-1252 code points for bytes 0x80–0x9F (undefined bytes map to U+FFFD). */
const CP1252_C1 = [
  0x20ac, 0xfffd, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021, 0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, 0xfffd, 0x017d, 0xfffd, 0xfffd, 0x2018, 0x2019,
  0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0xfffd, 0x017e, 0x0178,
];

/** Decodes one byte of Windows-1252 to a string. */
export function cp1252(byte: number): string {
  if (byte >= 0x80 && byte <= 0x9f) return String.fromCodePoint(CP1252_C1[byte - 0x80] ?? 0xfffd);
  return String.fromCodePoint(byte);
}

const HEX_ESCAPE = /<([89A-F][0-9A-F])>/g;

/** Turns the archive's `<92>` escapes of non-ASCII bytes back into characters (`’`). */
export function decodeHexEscapes(text: string): string {
  if (!text.includes('<')) return text;
  return text.replace(HEX_ESCAPE, (_, hex: string) => cp1252(Number.parseInt(hex, 16)));
}

const ENTITY = /&(#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});/g;

/** Decodes HTML character references (`&quot;`, `&#91;`, `&#x24;`); unknown ones stay as written. */
export function decodeEntities(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(ENTITY, (whole, ref: string) => {
    if (ref.startsWith('#')) {
      const code = ref[1] === 'x' || ref[1] === 'X' ? Number.parseInt(ref.slice(2), 16) : Number.parseInt(ref.slice(1), 10);
      if (!Number.isFinite(code) || code <= 0 || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return whole;
      if (code >= 0x80 && code <= 0x9f) return cp1252(code);
      return String.fromCodePoint(code);
    }
    const decoded = decodeNamedCharacterReference(ref);
    return decoded === false ? whole : decoded;
  });
}

/** Removes control characters (except tab and newline) that must never reach a page. */
export function stripControl(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, '');
}

/**
 * Characters that no one-line value of an article's metadata (title, product,
 * keywords, file names, cited titles…) may hold, wherever they came from (the
 * file itself, `&#x202E;`, a `<9B>` escape): C0 and C1 control characters
 * but tab, newline and CR (white space, which the values collapse), DEL, the bidirectional
 * embedding, override and isolate controls (U+202A–U+202E, U+2066–U+2069: an
 * unclosed one reorders the text after it on the page, `\u202Egnp.exe` shows as
 * `exe.png`), the noncharacters U+FFFE and U+FFFF and unpaired surrogates
 * (neither may appear in XML or be encoded as UTF-8).
 */
export const UNSHOWABLE =
  // eslint-disable-next-line no-control-regex
  /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** `text` without `UNSHOWABLE` characters, and how many were removed. */
export function stripUnshowable(text: string): { text: string; removed: number } {
  let removed = 0;
  const out = text.replace(UNSHOWABLE, () => {
    removed++;
    return '';
  });
  return { text: removed > 0 ? out : text, removed };
}

/** Splits a space- or `|`-separated list, dropping empties. */
export function splitList(value: string): string[] {
  return value
    .split(/[\s|]+/)
    .map((part) => part.trim())
    .filter((part) => part.length > 0);
}

/**
 * Appends `items` to `target` in place. A loop, not `target.push(...items)`: a
 * spread of some 100,000 items overflows the call stack.
 */
export function pushAll<T>(target: T[], items: readonly T[]): T[] {
  for (const item of items) target.push(item);
  return target;
}

/** Returns the items of `list` without duplicates, keeping first occurrences. */
export function unique<T>(list: readonly T[]): T[] {
  return [...new Set(list)];
}

/** Without leading and trailing `-` (a loop: `/-+$/` re-scans a long run of dashes from each of its starts). */
export function trimDashes(text: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && text[start] === '-') start++;
  while (end > start && text[end - 1] === '-') end--;
  return text.slice(start, end);
}
