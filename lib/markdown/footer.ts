/**
 * The footer after a rule of `=`:
 *
 *     Additional query words:
 *
 *     ======================================================================
 *     Keywords          : kbenv kbnetwork kbui kbfixlist
 *     Technology        : kbWinNTsearch kbWinNT400search …
 *     Version           : winnt:4.0 SP4,4.0 SP5
 *     Hardware          : ALPHA x86
 *     Issue type        : kbbug
 *     Solution Type     : kbfix
 *
 *     =============================================================================
 */
import { isBlank, isRule, type KbLine } from './lines';

export interface Footer {
  keywords: string | null;
  technology: string | null;
  version: string | null;
  hardware: string | null;
  issueType: string | null;
  solutionType: string | null;
  /** The `Additional query words:` text, when the article has one. */
  queryWords: string | null;
  /** Index of the first KB line that belongs to the footer (the body ends before it). */
  start: number;
  /**
   * Index of the first KB line after the footer's closing rule (the lines' length when it has none):
   * the archive's articles end there; text after it is not part of the article's page (parse.ts warns).
   */
  end: number;
}

type FooterField = Exclude<keyof Footer, 'start' | 'end' | 'queryWords'>;

const FIELDS = new Map<string, FooterField>([
  ['keywords', 'keywords'],
  ['technology', 'technology'],
  ['version', 'version'],
  ['hardware', 'hardware'],
  ['issue type', 'issueType'],
  ['solution type', 'solutionType'],
]);

const FIELD_LINE = /^\s*(Keywords|Technology|Version|Hardware|Issue type|Solution Type)\s*:(.*)$/is;
/** Any other `Name     : value` line (`Component : IMS`, `Platform : WINDOWS`): a field we do not keep. Name and blanks: 41 characters at most (a lazy name before `\s*` re-scans a long run of blanks 30 times). */
const OTHER_FIELD = /^\s*[A-Za-z][A-Za-z ]{0,40}:(\s|$)/;

/** Finds the footer from the end of the KB lines; returns null when there is none. */
export function parseFooter(lines: readonly KbLine[], bodyStart: number): Footer | null {
  let rule = -1;
  for (let i = lines.length - 2; i >= bodyStart; i--) {
    if (isRule(lines[i]!.text, '=', 40) && FIELD_LINE.test(lines[i + 1]!.text)) {
      rule = i;
      break;
    }
  }
  const footer: Footer = {
    keywords: null,
    technology: null,
    version: null,
    hardware: null,
    issueType: null,
    solutionType: null,
    queryWords: null,
    start: rule,
    end: lines.length,
  };
  const query = findQueryWords(lines, bodyStart, rule === -1 ? lines.length : rule);
  if (query) {
    footer.queryWords = query.text;
    footer.start = query.start;
  }
  if (rule === -1) return query ? footer : null;
  let last: FooterField | null = null;
  for (let i = rule + 1; i < lines.length; i++) {
    const text = lines[i]!.text;
    if (isRule(text, '=', 20)) {
      footer.end = i + 1;
      break;
    }
    if (text.trim() === '') continue;
    const match = FIELD_LINE.exec(text);
    const field = match ? FIELDS.get(match[1]!.toLowerCase()) : undefined;
    if (match && field) {
      footer[field] = match[2]!.trim();
      last = field;
    } else if (OTHER_FIELD.test(text)) {
      // An unknown field ends the previous one; its value is not appended to it.
      last = null;
    } else if (last) {
      footer[last] = `${footer[last] ?? ''} ${text.trim()}`.trim();
    }
  }
  return footer;
}

/** `Additional query words:` and the lines after it up to the footer rule. */
function findQueryWords(lines: readonly KbLine[], from: number, to: number): { text: string; start: number } | null {
  for (let i = to - 1; i >= from; i--) {
    const match = /^\s*Additional query words\s*:(.*)$/is.exec(lines[i]!.text);
    if (!match) continue;
    const parts = [match[1]!.trim()];
    for (let j = i + 1; j < to; j++) if (!isBlank(lines[j])) parts.push(lines[j]!.text.trim());
    // Only a short tail is query words; a long one is body text of an article without a footer.
    if (parts.length > 4) return null;
    return { text: parts.join(' ').trim(), start: i };
  }
  return null;
}
