/**
 * Corpus report: runs the parser over a directory of articles and checks its
 * output against the files themselves.
 *
 *   npx tsx scripts/corpus-report.ts [dir]       (default .cache/corpus/kb)
 *
 * Prints:
 * - how many articles were read, how many produced diagnostics, by kind;
 * - header agreement: each file's raw header lines are re-read here with
 *   simple regexes, independently of lib/markdown, and compared with the
 *   parsed article (id, product, versionsRaw, lastModified, keywords), as a
 *   percentage per field, with the first disagreements;
 * - table coverage: for each file that has a file-attribute table header line
 *   (Date, Time and File name, followed by a dashed line), whether the article
 *   got at least one fileAttributes row; the failures are listed (first 20).
 *
 * Exit code 1 when a field agrees for less than 99.9% of the articles or a
 * table article gets no rows. The checks are exported for test/corpus.test.ts.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Article, Diagnostic } from '../lib/markdown/index';
import { cliArgs } from '../lib/cli/args';

export const FIELDS = ['id', 'product', 'versionsRaw', 'lastModified', 'keywords'] as const;
export type Field = (typeof FIELDS)[number];

/** Agreement threshold per field, in percent. */
export const MIN_AGREEMENT = 99.9;

export interface FieldFailure {
  file: string;
  field: Field;
  expected: string | null;
  actual: string | null;
}

export interface FileCheck {
  /** One entry per field the header states (a field absent from the header is not checked). */
  fields: Partial<Record<Field, { ok: boolean; expected: string | null; actual: string | null }>>;
  /** True when the text has a file-attribute table header line followed by a dashed line. */
  hasTable: boolean;
  /** Rows the parser found. */
  tableRows: number;
}

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];

/** The value of the first line `<tab>Name: value` of the file, or null. */
function headerValue(text: string, name: RegExp): string | null {
  const match = new RegExp(`^[ \\t]*${name.source}[ \\t]*:(.*)$`, 'mi').exec(text);
  return match ? match[1]!.trim() : null;
}

/** `08-MAY-2002` → `2002-05-08`, written here without the parser's helpers. */
function isoDate(value: string): string | null {
  const m = /^(\d{1,2})-([A-Za-z]{3})-(\d{4})$/.exec(value);
  if (!m) return null;
  const month = MONTHS.indexOf(m[2]!.toUpperCase()) + 1;
  if (month === 0) return null;
  const iso = `${m[3]}-${String(month).padStart(2, '0')}-${m[1]!.padStart(2, '0')}`;
  const date = new Date(`${iso}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().startsWith(iso) ? iso : null;
}

const squeeze = (value: string): string => value.replace(/[\s|]+/g, '');

const TABLE_HEADER = /\bDate\b.*\bTime\b.*\bFile\s*name\b/i;
/** A dashed rule under a table header: `-----`, `+-------+`, `----  ----`. */
const DASHED = /^[ \t]*[+|]?-{5,}[-+| \t]*$/;

/** True when the text has a line with Date, Time and File name followed by a dashed line. */
export function hasFileTable(text: string): boolean {
  const lines = text.split('\n');
  for (let i = 0; i + 1 < lines.length; i++) {
    if (TABLE_HEADER.test(lines[i]!) && DASHED.test(lines[i + 1]!)) return true;
  }
  return false;
}

/** Compares a parsed article with what the file's own header lines say. */
export function checkFile(text: string, article: Article | null): FileCheck {
  const check: FileCheck = { fields: {}, hasTable: hasFileTable(text), tableRows: article?.fileAttributes.length ?? 0 };
  // Only the KB text's header counts: start after `{% raw %}` when there is one.
  const raw = text.indexOf('{% raw %}');
  const body = raw === -1 ? text : text.slice(raw);
  const put = (field: Field, expected: string | null, actual: string | null) => {
    check.fields[field] = { ok: expected === actual, expected, actual };
  };

  const articleLine = headerValue(body, /Article/);
  if (articleLine !== null) {
    const m = /^Q?(\d+)/.exec(articleLine);
    put('id', m ? `Q${Number(m[1])}` : articleLine, article?.id ?? null);
  }
  const product = headerValue(body, /Product\(s\)/);
  if (product !== null) {
    put('product', product === '' || /^see article$/i.test(product) ? null : product, article?.product ?? null);
  }
  const versions = headerValue(body, /Version\(s\)/);
  if (versions !== null) put('versionsRaw', versions, article?.versionsRaw ?? null);
  const modified = headerValue(body, /Last Modified/);
  if (modified !== null) put('lastModified', isoDate(modified), article?.lastModified ?? null);

  const headerKeywords = headerValue(body, /Keyword\(s\)/);
  const footerKeywords = headerValue(body, /Keywords[ \t]*/);
  if (headerKeywords !== null || footerKeywords !== null) {
    const actual = article ? squeeze(article.keywords.join('')) : null;
    // The parser keeps each keyword once (`_IK kb16bitonly _IK` → `_IK kb16bitonly`): accept the list
    // as written, or without its repeated words.
    const candidates = [headerKeywords, footerKeywords]
      .filter((k): k is string => k !== null)
      .flatMap((k) => [squeeze(k), [...new Set(k.split(/[\s|]+/))].join('')]);
    const ok = actual !== null && candidates.includes(actual);
    check.fields.keywords = { ok, expected: [...new Set(candidates)].join(' / '), actual };
  }
  return check;
}

export interface Report {
  articles: number;
  files: number;
  withDiagnostics: number;
  byKind: Map<string, number>;
  fields: Record<Field, { checked: number; agreed: number }>;
  fieldFailures: FieldFailure[];
  tables: number;
  tablesWithRows: number;
  tableFailures: string[];
}

export function emptyReport(): Report {
  return {
    articles: 0,
    files: 0,
    withDiagnostics: 0,
    byKind: new Map(),
    fields: Object.fromEntries(FIELDS.map((f) => [f, { checked: 0, agreed: 0 }])) as Report['fields'],
    fieldFailures: [],
    tables: 0,
    tablesWithRows: 0,
    tableFailures: [],
  };
}

/** Adds one file's parse and checks to the report. */
export function addToReport(report: Report, source: string, text: string, article: Article | null, diagnostics: readonly Diagnostic[]): void {
  report.files++;
  if (article) report.articles++;
  if (diagnostics.length > 0) report.withDiagnostics++;
  for (const d of diagnostics) {
    const key = `${d.severity} ${d.kind}`;
    report.byKind.set(key, (report.byKind.get(key) ?? 0) + 1);
  }
  const check = checkFile(text, article);
  for (const field of FIELDS) {
    const result = check.fields[field];
    if (!result) continue;
    report.fields[field].checked++;
    if (result.ok) report.fields[field].agreed++;
    else report.fieldFailures.push({ file: source, field, expected: result.expected, actual: result.actual });
  }
  if (check.hasTable) {
    report.tables++;
    if (check.tableRows > 0) report.tablesWithRows++;
    else report.tableFailures.push(source);
  }
}

export const percent = (agreed: number, checked: number): number => (checked === 0 ? 100 : (100 * agreed) / checked);

/** Problems that fail the report: fields under the threshold, tables without rows. */
export function reportProblems(report: Report): string[] {
  const problems: string[] = [];
  for (const field of FIELDS) {
    const { agreed, checked } = report.fields[field];
    if (percent(agreed, checked) < MIN_AGREEMENT) problems.push(`${field}: ${percent(agreed, checked).toFixed(3)}% < ${MIN_AGREEMENT}%`);
  }
  if (report.tableFailures.length > 0) problems.push(`${report.tableFailures.length} table articles got no fileAttributes rows`);
  return problems;
}

export function formatReport(report: Report, limit = 20): string {
  const out: string[] = [];
  out.push(`files: ${report.files}, articles: ${report.articles}, with diagnostics: ${report.withDiagnostics}`);
  out.push('diagnostics by kind:');
  if (report.byKind.size === 0) out.push('  (none)');
  for (const [kind, count] of [...report.byKind].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))) {
    out.push(`  ${String(count).padStart(7)} ${kind}`);
  }
  out.push('header agreement (parsed article vs the header lines):');
  for (const field of FIELDS) {
    const { agreed, checked } = report.fields[field];
    out.push(`  ${field.padEnd(13)} ${percent(agreed, checked).toFixed(3).padStart(8)}%  (${agreed}/${checked})`);
  }
  if (report.fieldFailures.length > 0) {
    out.push(`field disagreements (${report.fieldFailures.length}, first ${Math.min(limit, report.fieldFailures.length)}):`);
    for (const f of report.fieldFailures.slice(0, limit)) {
      out.push(`  ${f.file}: ${f.field}: header ${JSON.stringify(f.expected)}, parsed ${JSON.stringify(f.actual)}`);
    }
  }
  out.push(
    `file tables: ${report.tablesWithRows}/${report.tables} articles with a table header got rows (${percent(report.tablesWithRows, report.tables).toFixed(2)}%)`,
  );
  if (report.tableFailures.length > 0) {
    out.push(`tables without rows (${report.tableFailures.length}, first ${Math.min(limit, report.tableFailures.length)}):`);
    for (const file of report.tableFailures.slice(0, limit)) out.push(`  ${file}`);
  }
  return out.join('\n');
}

const USAGE = `usage: tsx scripts/corpus-report.ts [dir]
  dir   the archive to check (default .cache/corpus/kb); exit 1 when a field agrees for too few articles`;

async function main(argv: string[]): Promise<number> {
  const { positionals } = cliArgs(argv, { usage: USAGE, options: {}, positionals: { max: 1 } });
  const { loadCorpus } = await import('../lib/content/corpus.js');
  const dir = path.resolve(positionals[0] ?? '.cache/corpus/kb');
  const started = performance.now();
  const corpus = await loadCorpus(dir, { cacheDir: false });
  const report = emptyReport();
  for (const file of corpus.files) {
    const text = readFileSync(path.join(dir, file.source), 'utf8');
    addToReport(report, file.source, text, file.article, file.diagnostics);
  }
  // Diagnostics of the loader itself (duplicate ids, scan issues) count too.
  const parsed = new Set(corpus.files.map((f) => f.source));
  for (const d of corpus.diagnostics) {
    if (d.kind === 'duplicate-id' || !parsed.has(d.file)) report.byKind.set(`${d.severity} ${d.kind}`, (report.byKind.get(`${d.severity} ${d.kind}`) ?? 0) + 1);
  }
  console.log(`corpus report: ${path.relative(process.cwd(), dir) || dir} (${((performance.now() - started) / 1000).toFixed(1)} s)`);
  console.log(formatReport(report));
  const problems = reportProblems(report);
  if (problems.length > 0) {
    console.log(`FAILED: ${problems.join('; ')}`);
    return 1;
  }
  console.log(`OK: every field agrees for >= ${MIN_AGREEMENT}% of the articles; every table article got rows`);
  return 0;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  void main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
