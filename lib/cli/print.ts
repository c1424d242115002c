/**
 * The one printer of diagnostics and summaries for every command (`kb parse`,
 * `kb check`, `kb build`, `npm run dev`, the scripts): the same line format
 * everywhere, `file:line: level: message [kind]`, the same summary line, and
 * nothing from the input reaches the terminal raw (control characters are
 * shown escaped).
 */
import path from 'node:path';
import type { CorpusStats } from '../content/corpus';
import type { Diagnostic } from '../markdown/index';

/** File names and messages come from the input: control characters are shown escaped, never sent to the terminal. */
export function printable(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/** `file:line: level: message [kind]` (`file: level: …` without a line), the file under `base` when given. */
export function formatDiagnostic(d: Pick<Diagnostic, 'file' | 'line' | 'severity' | 'message' | 'kind'>, base = ''): string {
  const file = base ? path.join(base, d.file) : d.file;
  return printable(`${file}${d.line ? `:${d.line}` : ''}: ${d.severity}: ${d.message} [${d.kind}]`);
}

export interface PrintOptions {
  /** Folder the diagnostics' files are relative to (shown joined). */
  base?: string;
  /** Print at most this many, then one line saying how many more (default: all). */
  limit?: number;
  /** What to run to see the rest (`kb check`), in the "… and N more" line. */
  rest?: string;
  /** Where lines go (default: stderr). */
  write?: (line: string) => void;
}

/** Prints diagnostics, one line each (`formatDiagnostic`), at most `limit`, then "… and N more diagnostics". */
export function printDiagnostics(diagnostics: readonly Diagnostic[], options: PrintOptions = {}): void {
  const { base = '', limit = Infinity, rest, write = (line) => console.error(line) } = options;
  const shown = Math.min(limit, diagnostics.length);
  for (let i = 0; i < shown; i++) write(formatDiagnostic(diagnostics[i]!, base));
  if (diagnostics.length > shown) write(`kbview: … and ${diagnostics.length - shown} more diagnostics${rest ? ` (run ${rest} for all)` : ''}`);
}

/** One `kbview:` status line (the text escaped: it may hold file names from the input). */
export function statusLine(text: string): string {
  return printable(`kbview: ${text}`);
}

/** An error of a command, as every command prints it: `kbview: error: message`. */
export function errorLine(message: string): string {
  return statusLine(`error: ${message}`);
}

/**
 * The summary of a parse, the same for `kb check`, `kb build` and `kb prepare`:
 * `kbview: N files read, M articles, W with warnings, E with errors, S skipped (P parsed, C from cache, T s)`
 * (N = M + S, unless two files share an article number).
 */
export function summaryLine(s: CorpusStats): string {
  return statusLine(
    `${s.files} files read, ${s.articles} articles, ${s.withWarnings} with warnings, ${s.withErrors} with errors, ${s.skipped} skipped ` +
      `(${s.parsed} parsed, ${s.fromCache} from cache, ${(s.ms / 1000).toFixed(1)} s)`,
  );
}

/** Counts of diagnostics per `level kind`, sorted: `  12 warning odd-heading`. */
export function kindCounts(diagnostics: readonly Diagnostic[]): string[] {
  const kinds = new Map<string, number>();
  for (const d of diagnostics) kinds.set(`${d.severity} ${d.kind}`, (kinds.get(`${d.severity} ${d.kind}`) ?? 0) + 1);
  return [...kinds].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([kind, count]) => `  ${count} ${kind}`);
}
