/** Reads and parses one article file: the unit of work of the loader and of its worker threads. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArticle, bodyText, type Article, type Diagnostic } from '../markdown/index';

export interface ParsedFile {
  source: string;
  mtimeMs: number;
  size: number;
  article: Article | null;
  diagnostics: Diagnostic[];
  /** Plain body text, for the search index. */
  text: string;
}

const decoder = new TextDecoder('utf-8', { fatal: false });

export function parseFile(root: string, source: string, mtimeMs: number, size: number): ParsedFile {
  let text: string;
  try {
    text = decoder.decode(readFileSync(path.join(root, source)));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    return {
      source, mtimeMs, size, article: null, text: '',
      diagnostics: [{ severity: 'error', kind: 'unreadable', message: `cannot read file (${code})`, file: source }],
    };
  }
  try {
    const result = parseArticle(text, source);
    return { source, mtimeMs, size, article: result.article, diagnostics: result.diagnostics, text: bodyText(result.body.blocks) };
  } catch (error) {
    return {
      source, mtimeMs, size, article: null, text: '',
      diagnostics: [{ severity: 'error', kind: 'parser-crash', message: `parser failed: ${(error as Error).message}`, file: source }],
    };
  }
}
