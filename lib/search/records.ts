/**
 * The title records file `r/<n>.json` (format.ts, RecordsFile): written by ./build.ts, read by the
 * engine. A module of its own, not in ./format.ts: the header box's bundle imports ./format.ts
 * (number buckets) on every page, and needs none of this.
 */
import { decodeVarints, VarintWriter, type RecordsFile, type SuggestRecord } from './format';

const PLAIN_DAY = /^(\d{4})-(\d{2})-(\d{2})$/;
const DAY_MS = 86_400_000;
/** 9999-12-31: later day numbers are not dates (a malformed file). */
const MAX_DAY = 2_932_896;

/**
 * The day number (days since 1970-01-01) of a plain `YYYY-MM-DD` date from 1970 on that reads back the same, else
 * null. By arithmetic (the civil calendar's days, as in `Date`): an index update encodes every title record
 * again, and two `Date`s per record cost ~10 µs (0.6 s at 60k articles).
 */
function plainDay(value: string): number | null {
  const match = PLAIN_DAY.exec(value);
  if (!match) return null;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return null;
  // Days from the civil date: years from March, so that the leap day ends a year.
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  const days = era * 146_097 + dayOfEra - 719_468;
  return days >= 0 ? days : null;
}

function daysInMonth(year: number, month: number): number {
  if (month !== 2) return [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]!;
  return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
}

const zigzag = (n: number): number => (n >= 0 ? n * 2 : -n * 2 - 1);
const unzigzag = (n: number): number => (n % 2 === 0 ? n / 2 : -(n + 1) / 2);

/** The records file of `docs` (ascending) and their records, in the same order. */
export function encodeRecords(docs: ArrayLike<number>, records: readonly SuggestRecord[]): RecordsFile {
  if (docs.length !== records.length) throw new RangeError(`records file: ${docs.length} documents, ${records.length} records`);
  const gaps = new VarintWriter();
  const numbers = new VarintWriter();
  const products = new VarintWriter();
  const days = new VarintWriter();
  const titles: string[] = [];
  const other: Array<[number, string]> = [];
  let previousDoc = 0;
  let previousNumber = 0;
  for (let i = 0; i < records.length; i++) {
    const [number, title, product, lastModified] = records[i]!;
    gaps.push(docs[i]! - previousDoc);
    previousDoc = docs[i]!;
    numbers.push(zigzag(number - previousNumber));
    previousNumber = number;
    products.push(product + 1);
    const day = lastModified ? plainDay(lastModified) : null;
    days.push(day === null ? 0 : day + 1);
    if (day === null && lastModified) other.push([i, lastModified]);
    titles.push(title);
  }
  const file: RecordsFile = { d: gaps.take(), n: numbers.take(), p: products.take(), a: days.take(), t: titles };
  if (other.length > 0) file.x = other;
  return file;
}

/** The records of a records file by document, or null when the file is malformed. */
export function decodeRecords(file: unknown): Map<number, SuggestRecord> | null {
  if (!file || typeof file !== 'object') return null;
  const { d, n, p, a, t, x } = file as Partial<Record<keyof RecordsFile, unknown>>;
  if (typeof d !== 'string' || typeof n !== 'string' || typeof p !== 'string' || typeof a !== 'string' || !Array.isArray(t)) return null;
  let gaps: number[], numbers: number[], products: number[], days: number[];
  try {
    [gaps, numbers, products, days] = [decodeVarints(d), decodeVarints(n), decodeVarints(p), decodeVarints(a)];
  } catch {
    return null;
  }
  const count = t.length;
  if (gaps.length !== count || numbers.length !== count || products.length !== count || days.length !== count) return null;
  const other = new Map<number, string>();
  if (Array.isArray(x)) for (const e of x) if (Array.isArray(e) && typeof e[0] === 'number' && typeof e[1] === 'string') other.set(e[0], e[1]);
  const map = new Map<number, SuggestRecord>();
  let doc = 0;
  let number = 0;
  for (let i = 0; i < count; i++) {
    doc += gaps[i]!;
    number += unzigzag(numbers[i]!);
    const title = t[i];
    if (typeof title !== 'string') continue;
    const day = days[i]!;
    const lastModified = day > 0 && day - 1 <= MAX_DAY ? new Date((day - 1) * DAY_MS).toISOString().slice(0, 10) : (other.get(i) ?? '');
    map.set(doc, [number, title, products[i]! - 1, lastModified]);
  }
  return map;
}
