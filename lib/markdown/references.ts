/**
 * References to other articles by number (`Q238171`), and the titles the text
 * cites next to them:
 *
 *       Q238171 RAS Port Becomes Unavailable in Windows NT 4.0
 *
 *     ARTICLE-ID: Q155197
 *     TITLE : Unattended Setup Parameters for Unattend.txt File
 */
import type { ReferenceTitle } from './schema';
import type { KbLine } from './lines';
import { decodeHexEscapes } from './text';
import { articleNumberFromDigits, idOfNumber, permalinkOfNumber } from '../kb-number';

/** Matches a written article number; group 1 holds the digits (`normalizeId` decides whether they name an article). */
export const ARTICLE_NUMBER = /\bQ(\d{5,6})\b/g;

/**
 * `Q050552` and `Q50552` are the same article: ids carry no leading zeros. Null
 * when the digits name no article (`Q00000`, `Q0`, seven significant digits):
 * the rule of lib/kb-number.ts, the one used everywhere.
 */
export function normalizeId(digits: string): string | null {
  const n = articleNumberFromDigits(digits);
  return n === null ? null : idOfNumber(n);
}

/** The canonical permalink of an id (`Q244717` → `/kb/244/Q244717/`). */
export function permalinkOf(id: string): string {
  return permalinkOfNumber(Number.parseInt(id.slice(1), 10));
}

/**
 * Every article number in the lines, in order of first mention, without `ownId`: the `Q…` numbers, and the
 * numbers that `urlNumbers` finds in a line (old KB URLs, which the body links to our pages: ./links.ts).
 */
export function findReferences(lines: readonly KbLine[], ownId: string | null, urlNumbers?: (text: string) => number[]): string[] {
  const seen = new Set<string>();
  for (const line of lines) {
    if (line.text.includes('Q')) {
      for (const match of line.text.matchAll(ARTICLE_NUMBER)) {
        const id = normalizeId(match[1]!);
        if (id !== null && id !== ownId) seen.add(id);
      }
    }
    if (urlNumbers) {
      for (const n of urlNumbers(line.text)) {
        const id = idOfNumber(n);
        if (id !== ownId) seen.add(id);
      }
    }
  }
  return [...seen];
}

// `s`: `.` takes U+2028 and U+2029 too, so that `$` matches at the end of the line whatever it holds.
const TITLED = /^\s*Q(\d{5,6})\s*(?:[-:]\s+)?([A-Za-z"'(].{4,})$/s;
const ARTICLE_ID = /^\s*ARTICLE-ID\s*:\s*Q(\d{5,6})\s*$/i;
// No `\s*(.+)` after the colon (a run of blanks split n ways): the title is trimmed below.
const TITLE_LINE = /^\s*TITLE\s*:(.*)$/is;

/** Titles cited next to article numbers; the first title cited for each number wins. */
export function findReferenceTitles(lines: readonly KbLine[], ownId: string | null): ReferenceTitle[] {
  const titles = new Map<string, string>();
  for (let i = 0; i < lines.length; i++) {
    // `Q249142<A0>Gtwy: …`: the escaped no-break space separates number and title too.
    const text = decodeHexEscapes(lines[i]!.text);
    let id: string | null = null;
    let title: string | null = null;
    const titled = TITLED.exec(text);
    if (titled) {
      id = normalizeId(titled[1]!);
      title = titled[2]!;
    } else {
      const article = ARTICLE_ID.exec(text);
      const next = article ? TITLE_LINE.exec(lines[i + 1]?.text ?? '') : null;
      if (article && next) {
        id = normalizeId(article[1]!);
        title = next[1]!;
      }
    }
    if (id && title && id !== ownId && !titles.has(id)) {
      const clean = title.replace(/\s+/g, ' ').trim();
      if (clean.length >= 5) titles.set(id, clean);
    }
  }
  return [...titles].map(([id, title]) => ({ id, title }));
}
