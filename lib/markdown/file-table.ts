/**
 * Fixed-width file-attribute tables of hotfix articles:
 *
 *       Date      Time                 Size    File name     Platform
 *       -------------------------------------------------------------
 *       10/29/99  01:15a                69,904 Rassrv.exe    x86
 *
 * The corpus uses many column layouts (with Version, Language, Locale,
 * Operating system, no Size, seconds and AM/PM in the time, `12-Nov-2001`
 * dates…). Rows are read token by token in header order; a token that does not
 * fit a typed column (Size, Version) leaves that column empty.
 */
import type { FileAttribute } from './schema.js';
import { isRealDate } from './header.js';

export interface FileTable {
  /** Column names as the header writes them (`Date`, `Time`, `Version`, `Size`, `File name`, `Platform`). */
  columns: string[];
  /** The rows' cells as written, one string per column (empty when absent). */
  cells: string[][];
  /** The typed rows. */
  rows: FileAttribute[];
}

const HEADER = /\bDate\b.*\bTime\b.*\bFile\s*name\b/i;
const COLUMN = /File\s*name\s+and\s+path|File\s*name|Operating\s+system|\S+/gi;
const DATE = /^(\d{1,2})[/-](\d{1,2})[/-](\d{2}|\d{4})$|^(\d{1,2})-([A-Za-z]{3})-(\d{2}|\d{4})$|^(\d{4})-(\d{2})-(\d{2})$/;
const TIME = /^(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([aApP])?\.?[mM]?\.?$/;
const SIZE = /^\d{1,3}(,\d{3})+$|^\d+$/;
const VERSION = /^\d+(\.\d+){1,4}[a-z]?$/i;
const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

/** True for a header line of a file-attribute table. */
export function isFileTableHeader(text: string): boolean {
  return HEADER.test(text);
}

/** Reads a header line and the data lines after its dashed rule. Returns null for no rows. */
export function parseFileTable(header: string, rows: readonly string[]): FileTable | null {
  const columns = [...header.trim().matchAll(COLUMN)].map((m) => m[0].replace(/\s+/g, ' '));
  const table: FileTable = { columns, cells: [], rows: [] };
  for (const row of rows) {
    const parsed = parseRow(columns, row);
    if (!parsed) continue;
    table.cells.push(parsed.cells);
    table.rows.push(parsed.row);
  }
  return table.rows.length > 0 ? table : null;
}

/** True when a line looks like a data row (starts with a date). */
export function isFileTableRow(text: string): boolean {
  const first = text.trim().split(/\s+/, 1)[0] ?? '';
  return DATE.test(first);
}

function parseRow(columns: readonly string[], text: string): { cells: string[]; row: FileAttribute } | null {
  const tokens = text.trim().split(/\s+/);
  const cells = columns.map(() => '');
  const row: FileAttribute = { date: '', time: null, size: null, name: '' };
  let t = 0;
  for (let c = 0; c < columns.length; c++) {
    const column = columns[c]!.toLowerCase();
    const token = tokens[t];
    if (token === undefined) break;
    const last = c === columns.length - 1;
    if (column === 'date') {
      const date = normalizeDate(token);
      if (date === null) return null;
      row.date = date;
      cells[c] = token;
      t++;
    } else if (column === 'time') {
      let raw = token;
      if (/^[aApP]\.?[mM]\.?$/.test(tokens[t + 1] ?? '')) raw = `${token} ${tokens[++t]}`;
      const time = normalizeTime(raw);
      if (time === null) continue;
      row.time = time;
      cells[c] = raw;
      t++;
    } else if (column === 'size') {
      if (!SIZE.test(token)) continue;
      row.size = Number.parseInt(token.replace(/,/g, ''), 10);
      cells[c] = token;
      t++;
    } else if (column === 'version') {
      if (!VERSION.test(token) || (SIZE.test(token) && !token.includes('.'))) continue;
      row.version = token;
      cells[c] = token;
      t++;
    } else if (column.startsWith('file')) {
      // A file name runs up to the next column's token; when it is the last column it takes the rest.
      const take = last ? tokens.slice(t).join(' ') : token;
      row.name = take;
      cells[c] = take;
      t = last ? tokens.length : t + 1;
    } else {
      const value = last ? tokens.slice(t).join(' ') : token;
      cells[c] = value;
      if (column === 'platform') row.platform = value;
      else (row.extra ??= {})[columns[c]!] = value;
      t = last ? tokens.length : t + 1;
    }
  }
  if (!row.date || !row.name) return null;
  // Tokens left over (an unexpected extra column) are kept rather than dropped.
  if (t < tokens.length) (row.extra ??= {})['rest'] = tokens.slice(t).join(' ');
  return { cells, row };
}

/** `10/29/99` → `1999-10-29`, `12-Nov-2001` → `2001-11-12`, `09-25-1998` → `1998-09-25`. */
export function normalizeDate(text: string): string | null {
  const m = DATE.exec(text);
  if (!m) return null;
  let year: string;
  let month: number;
  let day: number;
  if (m[1] !== undefined) {
    month = Number(m[1]);
    day = Number(m[2]);
    year = m[3]!;
    if (month > 12 && day <= 12) [month, day] = [day, month];
  } else if (m[4] !== undefined) {
    day = Number(m[4]);
    month = MONTHS.indexOf(m[5]!.toLowerCase()) + 1;
    year = m[6]!;
    if (month === 0) return null;
  } else {
    year = m[7]!;
    month = Number(m[8]);
    day = Number(m[9]);
  }
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
  if (minute > 59 || hour > 24) return null;
  if (half === 'p' && hour < 12) hour += 12;
  if (half === 'a' && hour === 12) hour = 0;
  const hhmm = `${String(hour).padStart(2, '0')}:${m[2]}`;
  return second === undefined ? hhmm : `${hhmm}:${second}`;
}
