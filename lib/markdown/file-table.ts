/**
 * Fixed-width file-attribute tables of hotfix articles:
 *
 *       Date      Time                 Size    File name     Platform
 *       -------------------------------------------------------------
 *       10/29/99  01:15a                69,904 Rassrv.exe    x86
 *
 * The corpus uses many column layouts (with Version, Language, Locale,
 * Operating system, no Size, `File Date`/`File Size`, seconds and AM/PM in
 * the time, `12-Nov-2001`, `Aug-12-2000`, `October 6, 2000`, `1999/10/02`
 * dates, sizes such as `105 KB`, `---` for an empty cell, tables drawn with
 * `|` and `+---+` borders, a label before the date such as `MDAC 2.0`). Rows
 * are read token by token in header order; a token that does not fit a typed
 * column (Date, Time, Size, Version) leaves that column empty.
 */
import type { FileAttribute } from './schema';
import { isRealDate } from './header';

export interface FileTable {
  /**
   * Column names as the header writes them (`Date`, `Time`, `Version`, `Size`, `File name`, `Platform`).
   * A first column named `` holds row labels when rows start with one (`MDAC 2.0  02/02/99 …`).
   */
  columns: string[];
  /** The rows' cells as written, one string per column (empty when absent). */
  cells: string[][];
  /** The typed rows. */
  rows: FileAttribute[];
}

type Kind = 'date' | 'time' | 'size' | 'version' | 'file' | 'platform' | 'other';

/** A table header, read once for all of its rows. */
export interface TableLayout {
  columns: string[];
  kinds: Kind[];
  /** Offset of the Date column in the header line, to tell a row label from the date. */
  dateOffset: number;
}

export interface TableRow {
  cells: string[];
  row: FileAttribute;
  /** Text before the date (`MDAC 2.0`), or ''. */
  label: string;
}

const COLUMN = /File\s*name\s+and\s+path|File\s*name|File\s+date|File\s+size|Operating\s+system|[^\s|]+/gi;
const NUMERIC_DATE = /^(\d{1,4})[/-](\d{1,2})[/-](\d{2,4})$/;
const DAY_MONTH_YEAR = /^(\d{1,2})[-\s]([A-Za-z]{3,9})\.?,?[-\s](\d{4}|\d{2})$/;
const MONTH_DAY_YEAR = /^([A-Za-z]{3,9})\.?[-\s](\d{1,2})(?:,\s?|[-\s])(\d{4}|\d{2})$/;
const TIME = /^(\d{1,2})[:.](\d{2})(?::(\d{2}))?\s*([aApP])?\.?[mM]?\.?$/;
const SIZE = /^(?:\d{1,3}(?:,\d{3})+|\d+)$/;
/** `1.135.104`: thousands grouped with dots, as localized hotfix tables write them (two groups or more). */
const DOTTED_SIZE = /^\d{1,3}(?:\.\d{3}){2,}$/;
/** `15,66` before a unit: a decimal comma (`15,66 KB`). */
const COMMA_DECIMAL = /^\d+,\d{1,2}$/;
const SIZE_WITH_UNIT = /^(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)(KB|K|MB|bytes?|b)$/i;
const UNIT = /^(KB|K|MB|bytes?)$/i;
const VERSION = /^\d+(\.\d+){1,4}[a-z]?$/i;
const FILE_LIKE = /\.[A-Za-z0-9]{1,5}$/;
/** A file name: an extension, and a letter somewhere (`810.176`, `118.0` and `5.0:2195.2194` are numbers). */
const isFileName = (token: string): boolean => FILE_LIKE.test(token) && /[A-Za-z]/.test(token);
const MONTHS = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'];

const DATE_WORD = /\bDate\b/gi;
const TIME_WORD = /\bTime\b/gi;
const FILE_NAME_WORD = /\bFile\s*name\b/gi;

/**
 * True for a header line of a file-attribute table: `Date`, then `Time`, then
 * `File name`. Searched word by word (the first of each after the previous one)
 * in linear time: the single regex `/\bDate\b.*\bTime\b.*\bFile\s*name\b/i`
 * backtracks through every Date × Time pair of a long line without a file name.
 */
export function isFileTableHeader(text: string): boolean {
  let from = 0;
  for (const word of [DATE_WORD, TIME_WORD, FILE_NAME_WORD]) {
    word.lastIndex = from;
    const match = word.exec(text);
    if (!match) return false;
    from = match.index + match[0].length;
  }
  return true;
}

/** The rule under a table header: dashes, or a `+-----+` border. */
export function isFileTableRule(text: string): boolean {
  const trimmed = text.trim();
  return /^-{10,}$/.test(trimmed) || isTableBorder(trimmed);
}

/** A `+------+` border line of a table drawn with `|` and `+`. */
export function isTableBorder(text: string): boolean {
  // `-{5}[-+]*`, not `-{5,}[-+]*`: the overlapping quantifiers backtrack quadratically.
  return /^\+-{5}[-+]*$/.test(text.trim());
}

/** `| Date | Time |` → `  Date   Time  `: the pipes of a bordered table become spaces, keeping offsets. */
const unpipe = (text: string): string => (text.trimStart().startsWith('|') ? text.replace(/\|/g, ' ') : text);

export function tableLayout(header: string): TableLayout {
  const text = unpipe(header);
  const matches = [...text.matchAll(COLUMN)];
  const columns = matches.map((m) => m[0].replace(/\s+/g, ' '));
  const kinds = columns.map(kindOf);
  const date = kinds.indexOf('date');
  return { columns, kinds, dateOffset: date >= 0 ? matches[date]!.index : 0 };
}

function kindOf(column: string): Kind {
  const c = column.toLowerCase();
  if (c === 'date' || c === 'file date') return 'date';
  if (c === 'time') return 'time';
  if (c === 'size' || c === 'file size') return 'size';
  if (c === 'version' || c === 'version#') return 'version';
  if (c.startsWith('file')) return 'file';
  if (c === 'platform') return 'platform';
  return 'other';
}

/** Reads a header line and the data lines after its dashed rule. Returns null for no rows. */
export function parseFileTable(header: string, rows: readonly string[]): FileTable | null {
  const layout = tableLayout(header);
  const parsed = rows.flatMap((row) => parseTableRow(layout, row) ?? []);
  return parsed.length > 0 ? makeTable(layout, parsed) : null;
}

/** Builds a table from parsed rows; adds a label column when a row has one. */
export function makeTable(layout: TableLayout, rows: readonly TableRow[]): FileTable {
  const labelled = rows.some((r) => r.label !== '');
  return {
    columns: labelled ? ['', ...layout.columns] : [...layout.columns],
    cells: rows.map((r) => (labelled ? [r.label, ...r.cells] : r.cells)),
    rows: rows.map((r) => r.row),
  };
}

/** The date at `tokens[t]`, written as one to three tokens (`10/29/99`, `29 May 2001`, `October 6, 2000`). */
function dateAt(tokens: readonly string[], t: number): { date: string; raw: string; count: number } | null {
  for (let count = 1; count <= 3 && t + count <= tokens.length; count++) {
    const raw = tokens.slice(t, t + count).join(' ');
    const date = normalizeDate(raw);
    if (date !== null) return { date, raw, count };
  }
  return null;
}

/** True when a line looks like a data row (starts with a date). */
export function isFileTableRow(text: string): boolean {
  return dateAt(unpipe(text).trim().split(/\s+/), 0) !== null;
}

/**
 * Reads one data row. A row starts with its date, or with a short label left of
 * the Date column; with `loose`, a row without a date is accepted when it names
 * a file and gives a version, size or time (`             3.0.2.3516    Fpexplor.exe  x86`).
 */
export function parseTableRow(layout: TableLayout, line: string, loose = false): TableRow | null {
  const text = unpipe(line);
  const found = [...text.matchAll(/\S+/g)];
  const tokens = found.map((m) => m[0]);
  const { columns, kinds } = layout;
  const cells = columns.map(() => '');
  const row: FileAttribute = { date: '', time: null, size: null, name: '' };
  let label = '';
  if (tokens.length === 0) return null;
  let t = 0;
  const dateColumn = kinds.indexOf('date');
  if (dateColumn === 0 && !dateAt(tokens, 0)) {
    // A label (`MDAC 2.0`) written left of the Date column, before the date.
    for (let skip = 1; skip <= 2 && skip < tokens.length; skip++) {
      if (dateAt(tokens, skip) && found[skip]!.index >= layout.dateOffset - 2) {
        label = tokens.slice(0, skip).join(' ');
        t = skip;
        break;
      }
    }
  }
  for (let c = 0; c < columns.length; c++) {
    // `----` (attributes of a directory listing) fills no column.
    while (/^-{2,}$/.test(tokens[t] ?? '')) t++;
    const token = tokens[t];
    if (token === undefined) break;
    const last = c === columns.length - 1;
    switch (kinds[c]) {
      case 'date': {
        const date = dateAt(tokens, t);
        if (!date) continue;
        row.date = date.date;
        cells[c] = date.raw;
        t += date.count;
        break;
      }
      case 'time': {
        let raw = token;
        if (/^[aApP]\.?[mM]\.?$/.test(tokens[t + 1] ?? '')) raw = `${token} ${tokens[t + 1]}`;
        const time = normalizeTime(raw);
        if (time === null) continue;
        row.time = time;
        cells[c] = raw;
        t += raw === token ? 1 : 2;
        break;
      }
      case 'size': {
        const size = sizeAt(tokens, t);
        if (!size) continue;
        row.size = size.bytes;
        cells[c] = size.raw;
        t += size.count;
        break;
      }
      case 'version': {
        // A bare build number (`786`) is a version when a size follows it.
        const build = /^\d+$/.test(token) && kinds[c + 1] === 'size' && sizeAt(tokens, t + 1) !== null;
        if (!build && (!VERSION.test(token) || (SIZE.test(token) && !token.includes('.')))) {
          // `1.2(build 786)`
          if (!/^(\d+(?:\.\d+)+)\(build$/i.test(token) || !/^\d+\)$/.test(tokens[t + 1] ?? '')) continue;
          row.version = cells[c] = `${token} ${tokens[t + 1]}`;
          t += 2;
          break;
        }
        row.version = token;
        cells[c] = token;
        t++;
        break;
      }
      case 'file': {
        // A value an earlier column could not read (`118.0`, `5.0:2195.2194`) stands where the file name
        // should be, and a file name follows: the name is the file-like token, and the tokens before it fill
        // the empty cells to the left, so that they are neither lost nor taken for a file name.
        // Only when an empty cell can show them: the cells are what the page shows.
        const skip = isFileName(token) || !cells.some((cell, k) => k < c && cell === '' && kinds[k] !== 'date') ? 0 : fileLikeAhead(tokens, t);
        if (skip > 0) {
          fillEmptyCells(cells, kinds, c, tokens.slice(t, t + skip), row);
          t += skip;
        }
        const name = tokens[t]!;
        const take = last ? tokens.slice(t).join(' ') : name;
        row.name = take;
        cells[c] = take;
        t = last ? tokens.length : t + 1;
        break;
      }
      default: {
        const value = last ? tokens.slice(t).join(' ') : token;
        cells[c] = value;
        if (kinds[c] === 'platform') row.platform = value;
        else extraOf(row)[columns[c]!] = value;
        t = last ? tokens.length : t + 1;
      }
    }
  }
  if (!row.name) return null;
  if (!row.date) {
    if (!loose || dateColumn === -1 || label !== '' || !FILE_LIKE.test(row.name)) return null;
    if (row.version == null && row.size === null && row.time === null) return null;
  }
  // Tokens left over (an unexpected extra column) are kept rather than dropped.
  if (t < tokens.length) extraOf(row)['rest'] = tokens.slice(t).join(' ');
  if (label) extraOf(row)['label'] = label;
  return { cells, row, label };
}

/** How many tokens from `t` come before a file-like token (at most 3 ahead); 0 when none does. */
function fileLikeAhead(tokens: readonly string[], t: number): number {
  for (let k = 1; k <= 3 && t + k < tokens.length; k++) {
    if (isFileName(tokens[t + k]!)) return k;
  }
  return 0;
}

/**
 * Puts tokens that stood before the file name into the empty cells left of column `c`, the last token
 * into the nearest empty cell; a size or version that reads as one also fills the row's field. Tokens
 * beyond the empty cells join the farthest one used (the caller makes sure there is one).
 */
function fillEmptyCells(cells: string[], kinds: readonly Kind[], c: number, skipped: readonly string[], row: FileAttribute): void {
  const empty: number[] = []; // nearest first
  for (let k = c - 1; k >= 0; k--) if (cells[k] === '' && kinds[k] !== 'date') empty.push(k);
  const n = Math.min(empty.length, skipped.length);
  for (let i = 0; i < n; i++) {
    // The nearest empty cell takes the last token; the farthest one used takes all that is left.
    const value = i === n - 1 ? skipped.slice(0, skipped.length - i).join(' ') : skipped[skipped.length - 1 - i]!;
    const k = empty[i]!;
    cells[k] = value;
    if (kinds[k] === 'size') {
      const size = sizeAt([value], 0);
      if (size?.count === 1) row.size = size.bytes;
    } else if (kinds[k] === 'version' && VERSION.test(value)) {
      row.version = value;
    }
  }
  if (n === 0) extraOf(row)['rest'] = skipped.join(' ');
}

/**
 * A row's other columns, keyed by the table's own column headers (any text, `__proto__` included): a
 * null-prototype object, so that every header is an own key (on a plain object `__proto__` would set the
 * prototype and its value would be lost).
 */
function extraOf(row: FileAttribute): Record<string, string> {
  return (row.extra ??= Object.create(null) as Record<string, string>);
}

/** `69,904` → 69904; `105 KB`, `369KB` → 107520, 377856 (KB = 1,024 bytes); `144,896 bytes`, `185,760b` → 144896, 185760. */
function sizeAt(tokens: readonly string[], t: number): { bytes: number; raw: string; count: number } | null {
  const token = tokens[t]!;
  let number: string;
  let unit = '';
  let count = 1;
  const joined = SIZE_WITH_UNIT.exec(token);
  if (joined) {
    number = joined[1]!;
    unit = joined[2]!;
  } else if (DOTTED_SIZE.test(token)) {
    number = token.replace(/\./g, '');
  } else if (COMMA_DECIMAL.test(token) && UNIT.test(tokens[t + 1] ?? '')) {
    number = token.replace(',', '.');
    unit = tokens[t + 1]!;
    count = 2;
  } else if (SIZE.test(token) || (/^\d+\.\d+$/.test(token) && UNIT.test(tokens[t + 1] ?? ''))) {
    number = token;
    if (UNIT.test(tokens[t + 1] ?? '')) {
      unit = tokens[t + 1]!;
      count = 2;
    }
  } else {
    return null;
  }
  const scale = /^k/i.test(unit) ? 1024 : /^m/i.test(unit) ? 1024 * 1024 : 1;
  const bytes = Math.round(Number(number.replace(/,/g, '')) * scale);
  // A size no file has (past 2^53) is not read as a size: the row would break the article's schema.
  if (!Number.isSafeInteger(bytes)) return null;
  return { bytes, raw: tokens.slice(t, t + count).join(' '), count };
}

/** `May`, `JUNE`, `Sept` → 5, 6, 9; 0 when the word is no month. */
function monthOf(word: string): number {
  const w = word.toLowerCase();
  if (w.length < 3) return 0;
  return MONTHS.findIndex((m) => m.startsWith(w)) + 1;
}

/**
 * `10/29/99` → `1999-10-29`, `12-Nov-2001` → `2001-11-12`, `09-25-1998` → `1998-09-25`,
 * `21/12/00` → `2000-12-21`, `1999/10/02` and `98/10/28` (year first), `Aug-12-2000`,
 * `October 6, 2000`, `29 May 2001`, `11-July-2001`; null when the text is not a real date.
 */
export function normalizeDate(text: string): string | null {
  let year: string;
  let month: number;
  let day: number;
  let m: RegExpExecArray | null;
  if ((m = NUMERIC_DATE.exec(text))) {
    const [a, b, c] = [m[1]!, m[2]!, m[3]!];
    if (a.length === 4 || (Number(a) > 31 && c.length === 2)) {
      // Year first: `1999/10/02`, `98/10/28`.
      if (c.length > 2) return null;
      [year, month, day] = [a, Number(b), Number(c)];
    } else {
      if (a.length > 2) return null;
      [month, day, year] = [Number(a), Number(b), c];
      // `200` is a year cut short (`11/03/200`): the corpus means 2000.
      if (year === '200') year = '2000';
      if (year.length === 3) return null;
      if (month > 12 && day <= 12) [month, day] = [day, month];
    }
  } else if ((m = DAY_MONTH_YEAR.exec(text))) {
    day = Number(m[1]);
    month = monthOf(m[2]!);
    year = m[3]!;
  } else if ((m = MONTH_DAY_YEAR.exec(text))) {
    month = monthOf(m[1]!);
    day = Number(m[2]);
    year = m[3]!;
  } else {
    return null;
  }
  if (month === 0) return null;
  if (year.length === 2) year = `${Number(year) < 50 ? '20' : '19'}${year}`;
  const iso = `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
  return isRealDate(iso) ? iso : null;
}

/** `01:15a` → `01:15`, `01:15p` → `13:15`, `12:41:42 PM` → `12:41:42`, `12:00AM` → `00:00`. */
export function normalizeTime(text: string): string | null {
  const m = TIME.exec(text.replace(/\s+/g, ''));
  if (!m) return null;
  let hour = Number(m[1]);
  const minute = Number(m[2]);
  const second = m[3];
  const half = m[4]?.toLowerCase();
  if (minute > 59 || hour > 24 || (second !== undefined && Number(second) > 59)) return null;
  if (half === 'p' && hour < 12) hour += 12;
  if (half === 'a' && hour === 12) hour = 0;
  const hhmm = `${String(hour).padStart(2, '0')}:${m[2]}`;
  return second === undefined ? hhmm : `${hhmm}:${second}`;
}
