/**
 * The search index's file layout and encodings, shared by the build (Node)
 * and the query engine (browser). Pure: no fs, no DOM.
 *
 *   manifest.json        format, version hash, doc count, shard boundaries, facet labels
 *   facets.json          per-document facet columns (product, year, issue type, platform)
 *   dates.json           per-document last-modified day (loaded for sort by date)
 *   keywords.json        per-document keyword lists (loaded after the first results)
 *   t/<n>.json           term shards: terms in sorted order, each with its postings
 *   m/<n>.json           result metadata, `chunk` documents per file
 *   r/<n>.json           suggestion records (number, title, product, date) of the documents t/<n>.json's terms
 *                        rank first (with `shardRecords`); a suggestion reads the others' from m/
 *   s/<n>.json           the same records, `suggestChunk` documents per file (only when built with suggestChunk > 0)
 *   ids/<bucket>.json    article numbers present / only cited, for number jumps
 *   f/<key>.json         file names from the articles' file tables, by the first two characters of their slug
 *
 * Documents are numbered 0..docs-1 in index order (by product, then number), so
 * that the results of a query tend to share metadata chunks.
 */

/**
 * 3: postings as all document deltas, then all scores, then all flags packed three a character (2: the
 * deltas, then `score * 4 + flags`; 1: alternating pairs); `r/` in columns.
 */
export const FORMAT = 3;

export interface Manifest {
  format: typeof FORMAT;
  /** Hash of the index contents; appended to file URLs (`?v=`) so caches never mix builds. */
  version: string;
  docs: number;
  /** Documents per `m/<n>.json` chunk. */
  chunk: number;
  /** First term of each `t/<n>.json` shard, sorted (the first is ''). */
  shards: string[];
  /** Facet value labels; facet columns hold indices into these. */
  products: string[];
  years: string[];
  types: string[];
  platforms: string[];
  /** Day 0 of dates.json (ISO date). */
  epoch: string;
  /** Article-number buckets that have an ids file. */
  buckets: string[];
  /** Documents per `s/<n>.json` chunk (absent when the index has no `s/`: suggestions read `m/`). */
  suggestChunk?: number;
  /**
   * Each term shard `t/<n>.json` has a `r/<n>.json` (RecordsFile) with the suggestion records of the documents its
   * terms rank first and of their title matches (absent in older indexes).
   */
  shardRecords?: boolean;
  /** Keys of the `f/<key>.json` file-name tables (absent in older indexes). */
  files?: string[];
}

/** A file name of the articles' file tables: [slug (lib/file-slug.ts), name as first written, articles listing it]. */
export type FileRecord = [string, string, number];

/** The `f/<key>.json` table a file slug is in. */
export function fileKeyOf(slug: string): string {
  return slug.slice(0, 2);
}

/**
 * A facet column: `combos[i]` lists the label indices of combination `i`;
 * `codes` holds one code of `width` characters per document.
 */
export interface FacetColumn {
  width: number;
  combos: number[][];
  codes: string;
}

export interface FacetsFile {
  product: FacetColumn;
  year: FacetColumn;
  type: FacetColumn;
  platform: FacetColumn;
}

export interface DatesFile {
  /** `width` characters per document: days since the manifest's epoch, or all-zero code for none. */
  width: number;
  codes: string;
}

export interface KeywordsFile {
  labels: string[];
  /** Per document, its keyword indices as 2-character codes, documents separated by a space. */
  codes: string;
}

export interface ShardFile {
  /** Terms, sorted. */
  t: string[];
  /**
   * Postings of each term (`encodePostingRuns`, `decodePostingRuns`): varints, its document deltas
   * (the first is the document itself), then their quantized scores in the same order; then their flags
   * (`(keyword ? 2 : 0) + (title ? 1 : 0)`), three postings a character. Runs of like values compress
   * better than the pairs, and a score under 45 takes one character.
   */
  p: string[];
}

/**
 * [number, title, product index or -1, lastModified or '', lead text, passages around rare words?,
 *  sections of the lead and of each passage?]: `[id, title]` of the section the text is in, or 0.
 */
export type MetaRecord = [number, string, number, string, string, string[]?, Array<SectionRef | 0>?];

/** A section of an article: its anchor id and heading. */
export type SectionRef = [string, string];

/** [number, title, product index or -1, lastModified or ''] */
export type SuggestRecord = [number, string, number, string];

/**
 * `r/<n>.json`: suggestion records of some documents, ascending, in columns (smaller than the records
 * themselves once gzipped: the titles are most of the bytes; ./records.ts writes and reads them).
 */
export interface RecordsFile {
  /** The documents: varints, gaps (the first is the document itself). */
  d: string;
  /** Their article numbers: varints, each the zigzag difference from the previous number (the first from 0). */
  n: string;
  /** Their products: varints, the product index + 1 (0: none). */
  p: string;
  /** Their last-modified days: varints, days since 1970-01-01 + 1 (0: none, or the date is in `x`). */
  a: string;
  /** Their titles. */
  t: string[];
  /** Last-modified values that are not a plain `YYYY-MM-DD` day: [record index, value] (absent when none). */
  x?: Array<[number, string]>;
}

export interface IdsFile {
  /** Article numbers in the archive, ascending. */
  a: number[];
  /** Their document indices, in the same order. */
  d: number[];
  /** Numbers cited by articles but not in the archive, ascending. */
  m: number[];
}

export const FLAG_TITLE = 1;
export const FLAG_KEYWORD = 2;

// ---------------------------------------------------------------------------
// Varint text encoding. JSON-safe printable ASCII without `"` and `\`:
// 45 continuation digits and 45 final digits, most significant first, so
// numbers under 45 take one character and under 2,025 two.

const ALPHABET = (() => {
  let s = '';
  for (let c = 0x21; c <= 0x7e; c++) if (c !== 0x22 && c !== 0x5c) s += String.fromCharCode(c);
  return s; // 92 characters; the first 90 are used by the varints
})();
const BASE = 45;
const CONT = ALPHABET.slice(0, BASE);
const FINAL = ALPHABET.slice(BASE, 2 * BASE);
const DIGIT = (() => {
  const table = new Int16Array(128).fill(-1);
  for (let i = 0; i < BASE; i++) {
    table[CONT.charCodeAt(i)] = i + 1000; // continuation
    table[FINAL.charCodeAt(i)] = i;
  }
  return table;
})();

export function encodeVarint(n: number): string {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`varint must be a non-negative integer, got ${n}`);
  let out = FINAL[n % BASE]!;
  n = Math.floor(n / BASE);
  while (n > 0) {
    out = CONT[n % BASE]! + out;
    n = Math.floor(n / BASE);
  }
  return out;
}

export function encodeVarints(values: ArrayLike<number>): string {
  const writer = new VarintWriter();
  for (let i = 0; i < values.length; i++) writer.push(values[i]!);
  return writer.take();
}

// Varint characters are printable ASCII, which every single-byte decoder maps to itself.
const ASCII = new TextDecoder('latin1');

/** The digits' character codes: what `VarintWriter` writes. */
const CONT_CODES = /* @__PURE__ */ Uint8Array.from(CONT, (c) => c.charCodeAt(0));
const FINAL_CODES = /* @__PURE__ */ Uint8Array.from(FINAL, (c) => c.charCodeAt(0));

/** Appends varints to a growing byte buffer (no string concatenation in hot loops). */
export class VarintWriter {
  private bytes = new Uint8Array(1024);
  private length = 0;

  push(n: number): void {
    if (!Number.isInteger(n) || n < 0) throw new RangeError(`varint must be a non-negative integer, got ${n}`);
    // The digits are written last first, into their place (the index's ~10 million varints: no array per call).
    let digits = 1;
    for (let rest = Math.floor(n / BASE); rest > 0; rest = Math.floor(rest / BASE)) digits++;
    this.reserve(digits);
    const bytes = this.bytes;
    let at = this.length + digits - 1;
    bytes[at--] = FINAL_CODES[n % BASE]!;
    for (let rest = Math.floor(n / BASE); rest > 0; rest = Math.floor(rest / BASE)) bytes[at--] = CONT_CODES[rest % BASE]!;
    this.length += digits;
  }

  /** Appends one character of the alphabet (`code` 0..91) as it is, not as a varint. */
  pushCode(code: number): void {
    this.reserve(1);
    this.bytes[this.length++] = ALPHABET.charCodeAt(code);
  }

  /** Room for `extra` more bytes (the buffer at least doubles when it grows). */
  private reserve(extra: number): void {
    if (this.length + extra <= this.bytes.length) return;
    const grown = new Uint8Array(Math.max(this.bytes.length * 2, this.length + extra));
    grown.set(this.bytes.subarray(0, this.length));
    this.bytes = grown;
  }

  /** The text so far; resets the writer. */
  take(): string {
    const out = ASCII.decode(this.bytes.subarray(0, this.length));
    this.length = 0;
    return out;
  }
}

/** Every varint of `text`, in order (throws on a character outside the alphabet). */
export function decodeVarints(text: string): number[] {
  const out: number[] = [];
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const d = DIGIT[text.charCodeAt(i)] ?? -1;
    if (d < 0) throw new Error(`bad varint character at ${i}`);
    if (d >= 1000) n = n * BASE + (d - 1000);
    else {
      out.push(n * BASE + d);
      n = 0;
    }
  }
  return out;
}

/** Characters of `encodeVarint(n)`. */
export function varintLength(n: number): number {
  let length = 1;
  while (n >= BASE) {
    n = Math.floor(n / BASE);
    length++;
  }
  return length;
}

/** Postings of one term as ShardFile writes them (varints after varints, then the flags run). */
export interface PostingRuns {
  /** Documents, ascending. */
  docs: Int32Array;
  /** `score * 4 + flags` (FLAG_TITLE, FLAG_KEYWORD). */
  values: Uint16Array;
}

/** Flags of three postings a character: 4 × 4 × 4 = 64 codes of the alphabet. */
const FLAGS_PER_CODE = 3;

/**
 * Appends `count` postings (document `docAt(i)`, ascending, and value `valueAt(i)` = `score * 4 + flags`) in
 * ShardFile's layout: the document deltas, the scores, the flags three a character.
 */
export function encodePostingRuns(writer: VarintWriter, count: number, docAt: (i: number) => number, valueAt: (i: number) => number): void {
  let previous = 0;
  for (let i = 0; i < count; i++) {
    const d = docAt(i);
    writer.push(d - previous);
    previous = d;
  }
  for (let i = 0; i < count; i++) writer.push(valueAt(i) >> 2);
  for (let i = 0; i < count; i += FLAGS_PER_CODE) {
    let code = 0;
    for (let k = 0; k < FLAGS_PER_CODE; k++) code = code * 4 + (i + k < count ? valueAt(i + k) & 3 : 0);
    writer.pushCode(code);
  }
}

/**
 * The postings of one ShardFile entry. The count is not written: it is the one `k` for which the text is
 * 2k varints and then ceil(k / 3) flag characters (each further varint makes the text at least one character
 * longer than the flags it adds, so only one `k` fits). Throws on a malformed text.
 */
export function decodePostingRuns(text: string): PostingRuns {
  const raw: number[] = [];
  let n = 0;
  let end = -1;
  for (let i = 0; i < text.length; i++) {
    const d = DIGIT[text.charCodeAt(i)] ?? -1;
    if (d < 0) throw new Error(`bad varint character at ${i}`);
    if (d >= 1000) n = n * BASE + (d - 1000);
    else {
      raw.push(n * BASE + d);
      n = 0;
      if (raw.length % 2 === 0 && i + 1 + Math.ceil(raw.length / 2 / FLAGS_PER_CODE) === text.length) {
        end = i + 1;
        break;
      }
    }
  }
  if (end < 0) throw new Error('bad postings: no flags run fits');
  const count = raw.length >> 1;
  const docs = new Int32Array(count);
  const values = new Uint16Array(count);
  let doc = 0;
  for (let i = 0; i < count; i++) {
    doc += raw[i]!;
    docs[i] = doc;
    const code = CODE_VALUE[text.charCodeAt(end + Math.floor(i / FLAGS_PER_CODE))] ?? -1;
    if (code < 0 || code >= 64) throw new Error('bad postings: flag character');
    const flags = (code >> (2 * (FLAGS_PER_CODE - 1 - (i % FLAGS_PER_CODE)))) & 3;
    values[i] = raw[count + i]! * 4 + flags;
  }
  return { docs, values };
}

/** Fixed-width codes for facet columns: 92 symbols per character. */
export const CODE_ALPHABET = ALPHABET;
const CODE_BASE = ALPHABET.length;

export function codeWidth(max: number): number {
  let width = 1;
  let capacity = CODE_BASE;
  while (max >= capacity) {
    width++;
    capacity *= CODE_BASE;
  }
  return width;
}

export function encodeCode(n: number, width: number): string {
  let out = '';
  for (let i = 0; i < width; i++) {
    out = ALPHABET[n % CODE_BASE]! + out;
    n = Math.floor(n / CODE_BASE);
  }
  return out;
}

const CODE_VALUE = (() => {
  const table = new Int16Array(128).fill(-1);
  for (let i = 0; i < CODE_BASE; i++) table[ALPHABET.charCodeAt(i)] = i;
  return table;
})();

export function decodeCode(text: string, at: number, width: number): number {
  let n = 0;
  for (let i = 0; i < width; i++) n = n * CODE_BASE + (CODE_VALUE[text.charCodeAt(at + i)] ?? 0);
  return n;
}

/** Decodes a fixed-width column into an array of numbers. */
export function decodeColumn(codes: string, width: number): Uint16Array | Uint32Array {
  const count = Math.floor(codes.length / width);
  const out = width <= 2 ? new Uint16Array(count) : new Uint32Array(count);
  for (let i = 0; i < count; i++) out[i] = decodeCode(codes, i * width, width);
  return out;
}

// ---------------------------------------------------------------------------

/** `/kb/244/Q244717/` for 244717: the one rule of lib/kb-number.ts (pure, so the browser bundle can use it). */
export { permalinkOfNumber } from '../kb-number';

/** The ids file of an article number: its first two digits of six (`24` for 244717), 10,000 numbers a file. */
export function bucketOf(n: number): string {
  return String(n).padStart(6, '0').slice(0, -4);
}

/** Binary search: index of the shard whose range holds `term`. */
export function shardOf(shards: readonly string[], term: string): number {
  let lo = 0;
  let hi = shards.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (shards[mid]! <= term) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}
