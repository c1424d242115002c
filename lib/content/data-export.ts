/**
 * The archive as data, for research: `out/data/` (written to `public/data/`
 * in `kb build`'s first step, which Next copies into the export; the `/data/`
 * page documents it from `manifest.json`).
 *
 * - `articles.jsonl.gz`: one JSON object per line and article, sorted by
 *   number: the `kb parse` schema (lib/markdown/schema.ts), without bodies.
 * - `citations.csv.gz`: `citing_id,cited_id,cited_in_archive`, one row per
 *   reference, sorted by citing then cited number.
 * - `files.csv.gz`: the file index (./files.ts): one row per table row
 *   (`kind` = `row`) and per mention (`kind` = `mention`), sorted by slug.
 *
 * Reproducible: the same archive gives byte-identical files (sorted rows,
 * fixed key order, gzip level 4 with mtime 0 and OS byte 255 in the header).
 * CSV: RFC 4180 (fields with `,` `"` CR LF quoted, `"` doubled); a text field
 * starting with `=`, `+`, `-`, `@`, tab or CR gets a leading `'`, so that a
 * spreadsheet never reads a value from an article as a formula.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { once } from 'node:events';
import { createGzip, gzipSync } from 'node:zlib';
import { config } from '../config';
import { articleSchema, type Article } from '../markdown/index';
import type { Corpus } from './corpus';
import type { FileIndex } from './files';
import { prepareFileIndex, readFileIndex, storedIndexContent, storePath } from './files-store';

export const DATA_DIR = path.join('public', 'data');
const FORMAT = 1;
/** Level 4: 8.9 MB for the full archive's articles in 2 s; level 6 saves 0.9 MB for twice the time. */
const GZIP_LEVEL = 4;

export interface DataFileInfo {
  name: string;
  /** Lines of data (header excluded). */
  rows: number;
  /** Compressed bytes. */
  bytes: number;
  /** Uncompressed bytes. */
  rawBytes: number;
  sha256: string;
}

export interface DataManifest {
  format: number;
  articles: number;
  files: DataFileInfo[];
}

/** Column documentation, shown on /data/ (and kept next to the writer that makes them). */
export const ARTICLE_FIELDS: Array<[keyof Article, string]> = [
  ['id', 'The article id, `Q` and the number without leading zeros (`Q244717`).'],
  ['number', 'The article number (1 to 999,999).'],
  ['title', 'The title as the archive gives it (`Q244717: RAS Port Becomes…`).'],
  ['permalink', 'Its page on this site, without the base path (`/kb/244/Q244717/`).'],
  ['product', 'The `Product(s):` line, or null.'],
  ['versions', 'The `Version(s):` line, split: `{ platform, version }` objects.'],
  ['versionsRaw', 'The `Version(s):` line as written.'],
  ['operatingSystems', 'The `Operating System(s):` line, split.'],
  ['keywords', 'KB keywords (`kbbug`, `kbfix`…).'],
  ['technology', 'The `Technology:` footer line, split.'],
  ['hardware', 'The `Hardware:` footer line, split.'],
  ['issueType', 'The `Issue type:` footer line, split.'],
  ['solutionType', 'The `Solution Type:` footer line, split.'],
  ['queryWords', 'The `Additional query words:` line, split on spaces.'],
  ['lastModified', 'ISO date of the `Last Modified:` line, or null.'],
  ['appliesTo', 'The lines of "The information in this article applies to".'],
  ['sections', 'The section headings: `{ id, title, level }`.'],
  ['fileAttributes', 'The rows of its file-attribute tables: `{ date, time, size, name, version, platform, extra }` (as in files.csv).'],
  ['references', 'The article numbers its text cites (`Q238171`), in order of first mention.'],
  ['referenceTitles', 'Titles it cites next to those numbers: `{ id, title }`.'],
  ['source', 'Its file, relative to the archive folder (`kb/244/Q244717/README.md`).'],
];

export const CITATION_COLUMNS: Array<[string, string]> = [
  ['citing_id', 'The article that cites (`Q244717`).'],
  ['cited_id', 'The article it cites by number (`Q238171`).'],
  ['cited_in_archive', '`1` when the cited article is in this archive, `0` when it only has a not-in-archive page.'],
];

export const FILE_COLUMNS: Array<[string, string]> = [
  ['slug', 'The file page: `/files/<slug>/` (lower-case, `[a-z0-9.-]`).'],
  ['name', 'The file name as the row writes it (`Rassrv.exe`).'],
  ['kind', '`row` for a row of a file-attribute table, `mention` for an article whose text names the file.'],
  ['article_id', 'The article (`Q244717`).'],
  ['version', 'File version as written (`4.0.1381.133`), empty when the table has none.'],
  ['date', 'ISO date `YYYY-MM-DD`, or the text as written when it is not a date.'],
  ['time', '24-hour `HH:MM` or `HH:MM:SS`, empty when none.'],
  ['size', 'Size in bytes (a number), empty when none.'],
  ['platform', '`x86`, `Alpha`, `IA-64`…, empty when none.'],
  ['extra', 'Other columns (Language, Operating system…) as `name=value` pairs joined with `; `.'],
];

/** Key order of an article line: the schema's. */
const ARTICLE_KEYS = Object.keys(articleSchema.shape) as Array<keyof Article>;

export function articleLine(article: Article): string {
  const ordered: Record<string, unknown> = {};
  for (const key of ARTICLE_KEYS) ordered[key] = article[key];
  return `${JSON.stringify(ordered)}\n`;
}

/** One CSV field. */
export function csvField(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return String(value);
  let text = value;
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

const csvLine = (fields: ReadonlyArray<string | number | null | undefined>): string => `${fields.map(csvField).join(',')}\r\n`;

export function citationsCsv(articles: readonly Article[]): { text: string; rows: number } {
  const present = new Set(articles.map((a) => a.id));
  const rows: Array<[number, number, string]> = [];
  for (const article of articles) {
    for (const ref of article.references) rows.push([article.number, Number(ref.slice(1)), ref]);
  }
  rows.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const parts = [csvLine(CITATION_COLUMNS.map(([c]) => c))];
  for (const [citing, , ref] of rows) parts.push(csvLine([`Q${citing}`, ref, present.has(ref) ? '1' : '0']));
  return { text: parts.join(''), rows: rows.length };
}

export function filesCsv(index: Pick<FileIndex, 'files'>): { text: string; rows: number } {
  const parts = [csvLine(FILE_COLUMNS.map(([c]) => c))];
  let rows = 0;
  for (const file of index.files) {
    for (const row of file.rows) {
      const extra = row.extra.map(([k, v]) => `${k}=${v}`).join('; ');
      parts.push(csvLine([file.slug, row.name, 'row', `Q${row.n}`, row.version, row.date, row.time, row.size, row.platform, extra]));
      rows++;
    }
    for (const n of file.mentions) {
      parts.push(csvLine([file.slug, file.name, 'mention', `Q${n}`, null, null, null, null, null, null]));
      rows++;
    }
  }
  return { text: parts.join(''), rows };
}

/** Gzip that depends on the bytes only: mtime 0 (zlib's default) and OS byte 255 ("unknown"). */
export function reproducibleGzip(data: Buffer): Buffer {
  const out = gzipSync(data, { level: GZIP_LEVEL });
  out[9] = 255;
  return out;
}

/**
 * Digest of the articles' metadata, each as JSON in order: what the data export (and Next's pages,
 * lib/build/incremental.ts `nextInputDigests`) read of them. A body edit that changes no metadata leaves it.
 */
export function articlesDigest(articles: readonly Article[]): string {
  const hash = createHash('sha256');
  for (const article of articles) hash.update(JSON.stringify(article)).update('\n');
  return hash.digest('hex');
}

/** `items` mapped one at a time, as they are asked for. */
function* mapLines<T>(items: readonly T[], line: (item: T) => string): Generator<string, void, void> {
  for (const item of items) yield line(item);
}

/**
 * `reproducibleGzip` of the concatenated pieces, compressed as they come (1 MiB at a time) instead of from one
 * string: the same bytes (deflate's output does not depend on how its input is cut when nothing is flushed).
 */
export async function reproducibleGzipOf(pieces: Iterable<string>): Promise<{ gz: Buffer; rawBytes: number }> {
  const gzip = createGzip({ level: GZIP_LEVEL });
  const out: Buffer[] = [];
  gzip.on('data', (chunk: Buffer) => out.push(chunk));
  const ended = once(gzip, 'end');
  let rawBytes = 0;
  let batch = '';
  const send = async (final: boolean) => {
    const bytes = Buffer.from(batch, 'utf8');
    batch = '';
    rawBytes += bytes.length;
    if (final) gzip.end(bytes);
    else if (!gzip.write(bytes)) await once(gzip, 'drain');
  };
  for (const piece of pieces) {
    batch += piece;
    if (batch.length >= 1 << 20) await send(false);
  }
  await send(true);
  await ended;
  const gz = Buffer.concat(out);
  gz[9] = 255;
  return { gz, rawBytes };
}

/**
 * `kb build`'s first step for sections "files" and "data": the file index
 * (./files-store.ts), then `public/data/` when the content or this code
 * changed. Returns lines for the build log.
 */
export async function prepareLinkData(corpus: Corpus, dataDir = DATA_DIR, articles = articlesDigest(corpus.articles)): Promise<string[]> {
  if (corpus.articles.length === 0) return [];
  const lines = [await prepareFileIndex(corpus)];
  const started = performance.now();
  // What the files are made of: the articles' metadata (`articles`, their digest), the file index as stored (the
  // corpus's own, made so just now) and this code. Kept beside the manifest, not in it: the manifest is shipped, and
  // is the same for the same archive. A body edit that changes no metadata and no mention leaves it: the files are
  // neither made nor written (before, a pass over every article line told, ~1 s at 60k).
  const inputs = createHash('sha256')
    .update(`${FORMAT}\0${articles}\0`)
    .update(readSafe(path.resolve('lib/content/data-export.ts')))
    .update('\0')
    .update(storedIndexContent(storePath(corpus.dir)) ?? '\0none')
    .digest('hex');
  const manifestPath = path.join(dataDir, 'manifest.json');
  const current = readManifest(dataDir);
  const stamp = path.join(config().cacheDir, `data-${createHash('sha1').update(path.resolve(dataDir)).digest('hex').slice(0, 12)}.source`);
  if (current !== null && current.files.every((f) => existsSync(path.join(dataDir, f.name))) && readStamp(stamp) === inputs) {
    lines.push(`kbview: data export unchanged (${dataDir}/)`);
    return lines;
  }
  const index = readFileIndex(corpus.dir, corpus.files, corpus.articles);
  // Each output's text as pieces, made as it is compressed: articles.jsonl is ~250 MB at 241k articles, which as one
  // string and its bytes held ~0.5 GB more than the metadata at once.
  const outputs: Array<[string, () => Iterable<string>, number]> = [];
  outputs.push(['articles.jsonl.gz', () => mapLines(corpus.articles, articleLine), corpus.articles.length]);
  const citations = citationsCsv(corpus.articles);
  outputs.push(['citations.csv.gz', () => [citations.text], citations.rows]);
  const files = filesCsv(index);
  outputs.push(['files.csv.gz', () => [files.text], files.rows]);
  mkdirSync(dataDir, { recursive: true });
  const infos: DataFileInfo[] = [];
  for (const [name, text, rows] of outputs) {
    const { gz, rawBytes } = await reproducibleGzipOf(text());
    writeAtomic(path.join(dataDir, name), gz);
    infos.push({ name, rows, bytes: gz.length, rawBytes, sha256: createHash('sha256').update(gz).digest('hex') });
  }
  mkdirSync(path.dirname(stamp), { recursive: true });
  const manifest: DataManifest = { format: FORMAT, articles: corpus.articles.length, files: infos };
  writeAtomic(manifestPath, Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`));
  writeAtomic(stamp, Buffer.from(JSON.stringify({ inputs })));
  lines.push(
    `kbview: data export: ${infos.map((f) => `${f.name} ${f.rows} rows ${(f.bytes / 1e6).toFixed(1)} MB`).join(', ')} in ${dataDir}/ (${((performance.now() - started) / 1000).toFixed(1)} s)`,
  );
  return lines;
}

/** The manifest of `public/data/`, or null when there is none (or it is broken). */
export function readManifest(dataDir = DATA_DIR): DataManifest | null {
  try {
    const value = JSON.parse(readFileSync(path.join(dataDir, 'manifest.json'), 'utf8')) as DataManifest;
    return value.format === FORMAT && Array.isArray(value.files) ? value : null;
  } catch {
    return null;
  }
}

/** The digest of the inputs the files in `public/data/` were made of (null: none recorded, or unreadable). */
function readStamp(file: string): string | null {
  try {
    const value = JSON.parse(readSafe(file).toString()) as { inputs?: unknown };
    return typeof value.inputs === 'string' ? value.inputs : null;
  } catch {
    return null;
  }
}

function readSafe(file: string): Buffer {
  try {
    return readFileSync(file);
  } catch {
    return Buffer.alloc(0);
  }
}

function writeAtomic(file: string, data: Buffer): void {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, data);
  renameSync(tmp, file);
}
