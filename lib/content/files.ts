/**
 * The file index: every row of the archive's file-attribute tables
 * (`10/29/99  01:15a  69,904 Rassrv.exe  x86`), grouped by file name, and the
 * articles whose text names the file ("mentioned in"). Pure: no fs (the
 * cached copy written by `kb build` is ./files-store.ts).
 *
 * - One entry per `fileSlug(name)` (lib/file-slug.ts): `Rassrv.exe` and
 *   `RASSRV.EXE` share `/files/rassrv.exe/`; names without a slug are counted
 *   in `skipped`, as are names beyond an article's cap (lib/file-pages.ts).
 * - Rows newest first: date (ISO dates as dates; dates the parser could not
 *   read after them), then time, then version compared part by part as
 *   numbers (`4.0.1381.133` after `4.0.1381.7`), then article number.
 * - "Mentioned in": an article whose plain text holds the name as a whole
 *   file name (`…\system32\ntoskrnl.exe,` yes; `myntoskrnl.exe`, `ntoskrnl.exe2`
 *   no), for names with a known extension (KNOWN_EXTENSIONS), the article's
 *   own table rows aside.
 */
import type { Article, FileAttribute } from '../markdown/index';
import { fileSlugCounter } from '../file-pages';
import { formatCount } from '../site';

export interface FileRow {
  /** Article number. */
  n: number;
  name: string;
  version: string | null;
  /** ISO date, or the text as written. */
  date: string;
  time: string | null;
  size: number | null;
  platform: string | null;
  /** Other columns (Language, Operating system…). */
  extra: Array<[string, string]>;
}

export interface FileEntry {
  slug: string;
  /** The spelling most rows use (ties: the first in code-unit order). */
  name: string;
  /** Every spelling, most used first. */
  names: string[];
  rows: FileRow[];
  /** Articles mentioning the name in their text (without a row for it), by number. */
  mentions: number[];
}

export interface FileArticle {
  n: number;
  id: string;
  title: string;
  permalink: string;
  product: string | null;
  appliesTo: string[];
}

export interface FileIndex {
  /** Sorted by slug. */
  files: FileEntry[];
  /** The articles the rows and mentions name, by number. */
  articles: Map<number, FileArticle>;
  /** Rows not indexed: names without a slug, or beyond an article's cap. */
  skipped: number;
  /** Sources of the articles whose file table could not be read (their rows are not indexed). */
  failed?: string[];
}

/** Extensions of names that count as a mention when the text names them. */
export const KNOWN_EXTENSIONS: ReadonlySet<string> = new Set([
  '386',
  'acm',
  'ax',
  'bat',
  'bin',
  'cab',
  'cat',
  'chm',
  'cmd',
  'cnt',
  'com',
  'cpl',
  'dll',
  'drv',
  'exe',
  'hlp',
  'ime',
  'inf',
  'ini',
  'mdb',
  'msc',
  'msi',
  'msp',
  'mst',
  'nls',
  'ocx',
  'olb',
  'pnf',
  'rll',
  'scr',
  'sys',
  'tlb',
  'tsp',
  'vxd',
  'wpc',
  'mof',
  'js',
  'vbs',
  'asp',
  'adm',
  'ppd',
  'fon',
  'ttf',
  'dat',
  'mui',
]);

/** Longest text searched for mentions per article (the archive's longest article is 178 KB). */
const MAX_MENTION_TEXT = 1 << 20;

/** Builds the index from the articles (sorted by number) and, optionally, their plain texts (by id; read one at a time). */
export function buildFileIndex(articles: readonly Article[], texts?: Pick<ReadonlyMap<string, string>, 'get'>): FileIndex {
  const bySlug = new Map<string, { rows: FileRow[]; spellings: Map<string, number>; mentions: number[] }>();
  const articleMap = new Map<number, FileArticle>();
  let skipped = 0;
  const failed: string[] = [];
  for (const article of articles) {
    // Each article's rows are read whole before any is indexed: one whose table cannot be read (a value that is
    // not what the schema says, from a damaged cache) is left out and named (`failed`), and the others are indexed.
    const accepted: Array<[string, FileRow, string]> = [];
    const skippedBefore = skipped;
    let own: FileArticle;
    try {
      const accept = fileSlugCounter();
      for (const row of article.fileAttributes) {
        const slug = accept(row.name);
        if (slug === null) skipped++;
        else accepted.push([slug, rowOf(article.number, row), row.name]);
      }
      own = fileArticleOf(article);
    } catch {
      failed.push(article.source);
      // Every row of it is not indexed.
      skipped = skippedBefore + (Array.isArray(article.fileAttributes) ? article.fileAttributes.length : 0);
      continue;
    }
    for (const [slug, row, name] of accepted) {
      let entry = bySlug.get(slug);
      if (!entry) bySlug.set(slug, (entry = { rows: [], spellings: new Map(), mentions: [] }));
      entry.rows.push(row);
      entry.spellings.set(name, (entry.spellings.get(name) ?? 0) + 1);
      if (!articleMap.has(article.number)) articleMap.set(article.number, own);
    }
  }

  if (texts && bySlug.size > 0) {
    const names = mentionNames([...bySlug].map(([slug, entry]) => [slug, entry.spellings.keys()]));
    for (const article of articles) {
      const text = texts.get(article.id);
      if (!text) continue;
      const found = namesInText(text.length > MAX_MENTION_TEXT ? text.slice(0, MAX_MENTION_TEXT) : text, names);
      for (const slug of found) {
        const entry = bySlug.get(slug)!;
        if (entry.rows.some((r) => r.n === article.number)) continue;
        entry.mentions.push(article.number);
        if (!articleMap.has(article.number)) articleMap.set(article.number, fileArticleOf(article));
      }
    }
  }

  const files: FileEntry[] = [];
  for (const [slug, entry] of bySlug) {
    const names = [...entry.spellings].sort((a, b) => b[1] - a[1] || compareCodeUnits(a[0], b[0])).map(([name]) => name);
    entry.rows.sort(compareRows);
    entry.mentions.sort((a, b) => a - b);
    files.push({ slug, name: names[0]!, names, rows: entry.rows, mentions: entry.mentions });
  }
  files.sort((a, b) => compareCodeUnits(a.slug, b.slug));
  return { files, articles: articleMap, skipped, failed };
}

/** Whole file names with a known extension, lower-cased, → slug: the names a text can mention. */
function mentionNames(entries: Iterable<[string, Iterable<string>]>): Map<string, string> {
  const names = new Map<string, string>();
  for (const [slug, spellings] of entries) {
    for (const spelling of spellings) {
      const lower = spelling.toLowerCase();
      const dot = lower.lastIndexOf('.');
      if (dot > 0 && KNOWN_EXTENSIONS.has(lower.slice(dot + 1)) && WHOLE_NAME.test(lower)) names.set(lower, slug);
    }
  }
  return names;
}

/**
 * `index` (built by buildFileIndex from articles with the same file tables, ids and titles) with the mentions of
 * the `changed` articles found again in their texts: the index buildFileIndex gives when only those articles'
 * texts changed, without reading every text. `index` is changed in place and returned.
 */
export function updateMentions(index: FileIndex, changed: readonly Article[], texts: Pick<ReadonlyMap<string, string>, 'get'>): FileIndex {
  const numbers = new Set(changed.map((a) => a.number));
  const withRows = new Set<number>();
  for (const file of index.files) {
    for (const row of file.rows) withRows.add(row.n);
    if (file.mentions.some((n) => numbers.has(n))) file.mentions = file.mentions.filter((n) => !numbers.has(n));
  }
  for (const n of numbers) if (!withRows.has(n)) index.articles.delete(n);
  const names = mentionNames(index.files.map((f) => [f.slug, f.names]));
  const bySlug = new Map(index.files.map((f) => [f.slug, f]));
  const touched = new Set<FileEntry>();
  for (const article of changed) {
    const text = texts.get(article.id);
    if (!text) continue;
    for (const slug of namesInText(text.length > MAX_MENTION_TEXT ? text.slice(0, MAX_MENTION_TEXT) : text, names)) {
      const entry = bySlug.get(slug)!;
      if (entry.rows.some((r) => r.n === article.number)) continue;
      entry.mentions.push(article.number);
      touched.add(entry);
      if (!index.articles.has(article.number)) index.articles.set(article.number, fileArticleOf(article));
    }
  }
  for (const entry of touched) entry.mentions.sort((a, b) => a - b);
  return index;
}

const WHOLE_NAME = /^[a-z0-9_$~-]+(?:\.[a-z0-9_$~-]+)+$/;

/** 1 for the characters of a file name (`[A-Za-z0-9_$~-]`); the dot is handled apart. */
const NAME_CHAR = (() => {
  const table = new Uint8Array(128);
  for (const c of 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_$~-') table[c.charCodeAt(0)] = 1;
  return table;
})();
const isNameChar = (c: number): boolean => c < 128 && NAME_CHAR[c] === 1;

/**
 * The slugs of the names (lower-cased whole names → slug) that `text` holds as
 * whole file names: runs of name characters and single dots (`ntoskrnl.exe`,
 * `mfc42.dll`), cut at anything else (`\`, `/`, spaces, quotes…), without a
 * leading or trailing dot. Linear: one `indexOf` pass over the dots, each run
 * read once (the scan resumes after it).
 */
export function namesInText(text: string, names: ReadonlyMap<string, string>): Set<string> {
  const found = new Set<string>();
  const n = text.length;
  let i = text.indexOf('.');
  while (i >= 0) {
    if (i > 0 && i + 1 < n && isNameChar(text.charCodeAt(i - 1)) && isNameChar(text.charCodeAt(i + 1))) {
      let start = i - 1;
      while (
        start > 0 &&
        (isNameChar(text.charCodeAt(start - 1)) || (text.charCodeAt(start - 1) === 46 && start > 1 && isNameChar(text.charCodeAt(start - 2))))
      )
        start--;
      let end = i + 1;
      while (end < n && (isNameChar(text.charCodeAt(end)) || (text.charCodeAt(end) === 46 && end + 1 < n && isNameChar(text.charCodeAt(end + 1))))) end++;
      const dot = text.lastIndexOf('.', end - 1);
      if (end - start <= 200 && KNOWN_EXTENSIONS.has(text.slice(dot + 1, end).toLowerCase())) {
        const slug = names.get(text.slice(start, end).toLowerCase());
        if (slug !== undefined) found.add(slug);
      }
      i = text.indexOf('.', end);
    } else {
      i = text.indexOf('.', i + 1);
    }
  }
  return found;
}

function rowOf(n: number, row: FileAttribute): FileRow {
  return {
    n,
    name: row.name,
    version: row.version ?? null,
    date: row.date,
    time: row.time,
    size: row.size,
    platform: row.platform ?? null,
    extra: row.extra ? Object.entries(row.extra) : [],
  };
}

function fileArticleOf(article: Article): FileArticle {
  return {
    n: article.number,
    id: article.id,
    title: article.title,
    permalink: article.permalink,
    product: article.product,
    appliesTo: article.appliesTo.slice(0, 20),
  };
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/** Newest first: date, time, version; then article number and name, for a stable order. */
export function compareRows(a: FileRow, b: FileRow): number {
  return (
    compareDates(b.date, a.date) ||
    compareCodeUnits(b.time ?? '', a.time ?? '') ||
    compareVersions(b.version ?? '', a.version ?? '') ||
    a.n - b.n ||
    compareCodeUnits(a.name, b.name) ||
    (a.size ?? -1) - (b.size ?? -1) ||
    compareCodeUnits(a.platform ?? '', b.platform ?? '')
  );
}

/** Ascending; ISO dates compare as dates, and come after any date that could not be read. */
export function compareDates(a: string, b: string): number {
  const ai = ISO_DATE.test(a);
  const bi = ISO_DATE.test(b);
  if (ai !== bi) return ai ? 1 : -1;
  return compareCodeUnits(a, b);
}

/**
 * Ascending, part by part: runs of digits compare as numbers (`4.0.1381.7` <
 * `4.0.1381.133`, `5.0.2195.10` > `5.0.2195.9`), other runs as text; a version
 * that is a prefix of another comes first (`4.0` < `4.0.1`); '' first.
 */
export function compareVersions(a: string, b: string): number {
  const pa = versionParts(a);
  const pb = versionParts(b);
  const length = Math.min(pa.length, pb.length);
  for (let i = 0; i < length; i++) {
    const x = pa[i]!;
    const y = pb[i]!;
    const xNum = typeof x === 'number';
    const yNum = typeof y === 'number';
    if (xNum && yNum) {
      if (x !== y) return x < y ? -1 : 1;
    } else if (xNum !== yNum) {
      return xNum ? 1 : -1;
    } else if (x !== y) {
      return compareCodeUnits(x as string, y as string);
    }
  }
  return pa.length - pb.length;
}

/** `4.0.1381.133a` → [4, 0, 1381, 133, 'a']: digit runs as numbers, letter runs lower-cased, separators dropped. */
function versionParts(version: string): Array<number | string> {
  const out: Array<number | string> = [];
  for (const match of version.slice(0, 200).matchAll(/(\d+)|([A-Za-z]+)/g)) {
    if (match[1] !== undefined) {
      // Leading zeros and huge runs: compare by value, long runs beyond precision stay ordered by length first.
      const digits = match[1].replace(/^0+(?=\d)/, '');
      out.push(digits.length > 15 ? Number.MAX_SAFE_INTEGER : Number(digits));
    } else {
      out.push(match[2]!.toLowerCase());
    }
  }
  return out;
}

export function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The A–Z group of a slug: `a`…`z`, or `#` for digits and anything else. */
export function letterOf(slug: string): string {
  const c = slug[0] ?? '#';
  return c >= 'a' && c <= 'z' ? c : '#';
}

/** Sizes are numbers: `69,904` for display. */
export function formatSize(size: number | null): string {
  return size === null ? '' : formatCount(size);
}
