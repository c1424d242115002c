/**
 * The one tokenizer shared by the index build (Node) and the query engine
 * (browser worker), so that both sides cut text into the same terms.
 *
 * Pure: no fs, no DOM.
 */

/** Lucene's English stop set: dropped from the index and from queries. */
export const STOP_WORDS: ReadonlySet<string> = new Set([
  'a', 'an', 'and', 'are', 'as', 'at', 'be', 'but', 'by', 'for', 'if', 'in', 'into', 'is', 'it',
  'no', 'not', 'of', 'on', 'or', 'such', 'that', 'the', 'their', 'then', 'there', 'these', 'they',
  'this', 'to', 'was', 'will', 'with',
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

function keep(term: string): boolean {
  if (term.length > MAX_TERM_LENGTH) return false;
  if (STOP_WORDS.has(term)) return false;
  // Single letters and underscores carry nothing; single digits do (`Windows 3`, `Excel 5`).
  if (term.length === 1 && !/\p{N}/u.test(term)) return false;
  return !/^_+$/.test(term);
}

/** Every indexable term of a text, in order, with repeats. */
export function tokenize(text: string): string[] {
  const out: string[] = [];
  for (const match of fold(text).matchAll(TOKEN)) {
    let term = match[0];
    // `__declspec` → `declspec`; `ms_dos` stays.
    if (term.includes('_')) term = term.replace(/^_+|_+$/g, '');
    if (keep(term)) out.push(term);
  }
  return out;
}

/** Calls `fn` for each term; avoids building the array in the index build's hot loop. */
export function forEachTerm(text: string, fn: (term: string) => void): void {
  for (const match of fold(text).matchAll(TOKEN)) {
    let term = match[0];
    if (term.includes('_')) term = term.replace(/^_+|_+$/g, '');
    if (keep(term)) fn(term);
  }
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
 * A query that is an article number: `Q244717`, `q244717`, `244717`, ` Q 244717 `,
 * `KB244717`. Returns the number, or null.
 */
export function articleNumberOf(query: string): number | null {
  const match = /^\s*(?:q|kb)?\s*0*(\d{1,7})\s*$/i.exec(query);
  if (!match) return null;
  const n = Number(match[1]);
  return n > 0 ? n : null;
}
