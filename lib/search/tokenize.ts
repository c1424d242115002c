/**
 * The one tokenizer shared by the index build (Node) and the query engine
 * (browser worker), so that both sides cut text into the same terms.
 *
 * Pure: no fs, no DOM.
 */
import { kbNumberOf } from '../kb-links';
import { BASE_PATH } from '../site';

/** Lucene's English stop set: dropped from the index and from queries. */
export const STOP_WORDS: ReadonlySet<string> = new Set([
  'a',
  'an',
  'and',
  'are',
  'as',
  'at',
  'be',
  'but',
  'by',
  'for',
  'if',
  'in',
  'into',
  'is',
  'it',
  'no',
  'not',
  'of',
  'on',
  'or',
  'such',
  'that',
  'the',
  'their',
  'then',
  'there',
  'these',
  'they',
  'this',
  'to',
  'was',
  'will',
  'with',
]);

/** Longer tokens are noise (base64, hex dumps) and are skipped. */
export const MAX_TERM_LENGTH = 64;

/**
 * A term: a dotted number (`4.0`, `3.51`) or a run of letters, digits and
 * underscores (`rassrv`, `win95`, `ms_dos`). `Rassrv.exe` gives `rassrv`, `exe`.
 */
const TOKEN = /\p{N}+(?:\.\p{N}+)+|[\p{L}\p{N}_]+/gu;
const MARKS = /\p{M}+/gu;

/** Case- and accent-folded form of a text (`Ünïcode` → `unicode`). */
export function fold(text: string): string {
  // Only decompose when there is something to decompose: most of the corpus is ASCII.
  // eslint-disable-next-line no-control-regex
  const ascii = /^[\x00-\x7f]*$/.test(text);
  return (ascii ? text : text.normalize('NFKD').replace(MARKS, '')).toLowerCase();
}

/** Terms come here with underscores already trimmed from both ends. */
function keep(term: string): boolean {
  const length = term.length;
  if (length === 0 || length > MAX_TERM_LENGTH) return false;
  // Single letters carry nothing; single digits do (`Windows 3`, `Excel 5`).
  if (length === 1) {
    const c = term.charCodeAt(0);
    return (c >= 48 && c <= 57) || (c > 127 && /\p{N}/u.test(term));
  }
  return !STOP_WORDS.has(term);
}

/** Every indexable term of a text, in order, with repeats. */
export function tokenize(text: string): string[] {
  const out: string[] = [];
  forEachTerm(text, (term) => out.push(term));
  return out;
}

/**
 * Calls `fn` for each term, like `tokenize` without building the array. Pure
 * ASCII text (nearly all of the archive) takes a hand-written scanner, which
 * makes the index build several times faster than the regular expression.
 */
export function forEachTerm(text: string, fn: (term: string) => void): void {
  // eslint-disable-next-line no-control-regex
  if (/[^\x00-\x7f]/.test(text)) {
    forEachTermSlow(text, fn);
    return;
  }
  const lower = text.toLowerCase();
  const n = lower.length;
  let i = 0;
  while (i < n) {
    let c = lower.charCodeAt(i);
    if (WORD_CHAR[c] === 0) {
      i++;
      continue;
    }
    const start = i;
    let digitsOnly = true;
    while (i < n && WORD_CHAR[(c = lower.charCodeAt(i))] !== 0) {
      if (c < 48 || c > 57) digitsOnly = false;
      i++;
    }
    // A dotted number: `4.0`, `3.51`, `1.2.3`.
    if (digitsOnly) {
      while (i + 1 < n && lower.charCodeAt(i) === 46 && isDigit(lower.charCodeAt(i + 1))) {
        i += 2;
        while (i < n && isDigit(lower.charCodeAt(i))) i++;
      }
      // `4.0abc`: the regex would take `4.0` then `abc`; so do we, by stopping here.
    }
    let term = lower.slice(start, i);
    if (term.charCodeAt(0) === 95 || term.charCodeAt(term.length - 1) === 95) term = term.replace(/^_+|_+$/g, '');
    if (term.length > 0 && keep(term)) fn(term);
  }
}

/** The reference tokenizer (any text): what the ASCII scanner in `forEachTerm` must agree with. */
export function forEachTermSlow(text: string, fn: (term: string) => void): void {
  for (const match of fold(text).matchAll(TOKEN)) {
    let term = match[0];
    // `__declspec` → `declspec`; `ms_dos` stays.
    if (term.includes('_')) term = term.replace(/^_+|_+$/g, '');
    if (keep(term)) fn(term);
  }
}

/** 1 for ASCII letters, digits and `_`. */
const WORD_CHAR = (() => {
  const table = new Uint8Array(65536);
  for (let c = 48; c <= 57; c++) table[c] = 1;
  for (let c = 97; c <= 122; c++) table[c] = 1;
  for (let c = 65; c <= 90; c++) table[c] = 1;
  table[95] = 1;
  return table;
})();

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/**
 * Query terms: like `tokenize` but without repeats, capped (a 2,000-character
 * query must not make the engine fetch hundreds of shards), and reporting
 * whether the last term was still being typed (no trailing space or quote).
 */
export function queryTerms(query: string, max = 12): { terms: string[]; open: boolean } {
  const terms = [...new Set(tokenize(query))].slice(0, max);
  const open = terms.length > 0 && /[\p{L}\p{N}_]$/u.test(fold(query));
  return { terms, open: open && terms[terms.length - 1] === tokenize(query).at(-1) };
}

/**
 * A query that is an article number or an old link to one: `Q244717`, `244717`,
 * `KB244717`, `MSKB 244717`, `support.microsoft.com/kb/244717`,
 * `…/default.aspx?scid=kb;en-us;Q244717`, `…/support/kb/articles/q244/7/17.asp`,
 * a mirror's or our own URL… (every form: lib/kb-links.ts). Returns the number, or null.
 */
export function articleNumberOf(query: string): number | null {
  const host = typeof location === 'undefined' ? undefined : location.host;
  return kbNumberOf(query, host ? { ownHost: host, basePath: BASE_PATH } : {});
}
