/**
 * KB article numbers, normalized one way everywhere (parser, references,
 * search, old links, page routes). Pure: no imports.
 *
 * An article number is a whole number from 1 to 999,999 written with at most
 * six significant digits; leading zeros are allowed (`Q050552` is 50552) but
 * `Q0`, `Q00000` and numbers of seven or more significant digits are not
 * article numbers (references to them stay plain text).
 */

export const MAX_ARTICLE_NUMBER = 999_999;

/** The number that `digits` (ASCII digits only, leading zeros allowed) names, or null. */
export function articleNumberFromDigits(digits: string): number | null {
  if (digits.length === 0 || digits.length > 12 || !/^[0-9]+$/.test(digits)) return null;
  const n = Number.parseInt(digits, 10);
  return n >= 1 && n <= MAX_ARTICLE_NUMBER ? n : null;
}

/** `Q244717` for 244717. */
export function idOfNumber(n: number): string {
  return `Q${n}`;
}

/** `/kb/244/Q244717/`: bucket = the first three digits of the six-digit number. */
export function permalinkOfNumber(n: number): string {
  return `/kb/${String(n).padStart(6, '0').slice(0, 3)}/Q${n}/`;
}
