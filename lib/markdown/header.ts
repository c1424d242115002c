/**
 * The header lines at the top of the KB text:
 *
 *     Article: Q244717
 *     Product(s): Microsoft Windows NT
 *     Version(s): winnt:4.0 SP4,4.0 SP5
 *     Operating System(s):
 *     Keyword(s): kbenv kbnetwork kbuikbfixlist
 *     Last Modified: 08-MAY-2002
 */
import type { KbLine } from './lines';

export interface Header {
  article: string | null;
  product: string | null;
  versions: string | null;
  operatingSystems: string | null;
  keywords: string | null;
  lastModified: string | null;
  /** Line number of each field, for diagnostics. */
  lines: Partial<Record<HeaderField, number>>;
  /** Index in the KB lines of the first line after the header. */
  end: number;
}

export type HeaderField = 'article' | 'product' | 'versions' | 'operatingSystems' | 'keywords' | 'lastModified';

/** A Map, not an object: field names come from the input (`constructor :` is no field). */
const FIELDS = new Map<string, HeaderField>([
  ['article', 'article'],
  ['product(s)', 'product'],
  ['version(s)', 'versions'],
  ['operating system(s)', 'operatingSystems'],
  ['keyword(s)', 'keywords'],
  ['last modified', 'lastModified'],
]);

// The name is bounded: `[A-Za-z() ]+?` followed by `\s*` backtracks quadratically on a long run of spaces.
const FIELD_LINE = /^\s{0,40}([A-Za-z() ]{1,40}?)\s{0,40}:(.*)$/s;

/** Reads the header from the first lines; stops at the first line that is not a known field. */
export function parseHeader(lines: readonly KbLine[]): Header {
  const header: Header = {
    article: null,
    product: null,
    versions: null,
    operatingSystems: null,
    keywords: null,
    lastModified: null,
    lines: {},
    end: 0,
  };
  let index = 0;
  while (index < lines.length && lines[index]!.text.trim() === '') index++;
  for (; index < lines.length; index++) {
    const match = FIELD_LINE.exec(lines[index]!.text);
    const field = match ? FIELDS.get(match[1]!.toLowerCase()) : undefined;
    if (!match || !field || header.lines[field] !== undefined) break;
    header[field] = match[2]!.trim();
    header.lines[field] = lines[index]!.line;
  }
  header.end = index;
  return header;
}

const MONTHS = new Map(['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'].map((m, i) => [m, String(i + 1).padStart(2, '0')]));

/** `08-MAY-2002` → `2002-05-08`; null when the date is absent or not a real date. */
export function parseKbDate(value: string | null): string | null {
  if (!value) return null;
  const match = /^(\d{1,2})-([A-Za-z]{3})-(\d{4})$/.exec(value.trim());
  if (!match) return null;
  const month = MONTHS.get(match[2]!.toUpperCase());
  if (!month) return null;
  const iso = `${match[3]}-${month}-${match[1]!.padStart(2, '0')}`;
  return isRealDate(iso) ? iso : null;
}

/** True when an ISO `YYYY-MM-DD` names a day that exists. */
export function isRealDate(iso: string): boolean {
  const date = new Date(`${iso}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === iso;
}

/** `Microsoft Windows NT` → itself; empty and `See article` → null. */
export function parseProduct(value: string | null): string | null {
  if (!value) return null;
  const product = value.replace(/\s+/g, ' ').trim();
  if (product === '' || /^see article$/i.test(product)) return null;
  return product;
}

/** `MS-DOS | OS/2` → [`MS-DOS`, `OS/2`]. */
export function parseOperatingSystems(value: string | null): string[] {
  if (!value) return [];
  return [
    ...new Set(
      value
        .split(/[|,]/)
        .map((part) => part.trim())
        .filter(Boolean),
    ),
  ];
}
