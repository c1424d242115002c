/** Reads and parses one article file: the unit of work of the loader and of its worker threads. */
import { closeSync, constants, fstatSync, openSync, readFileSync, readlinkSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { parseArticle, bodyText, type Article, type ArticleBody, type Diagnostic } from '../markdown/index';

export interface ParsedFile {
  source: string;
  mtimeMs: number;
  size: number;
  article: Article | null;
  diagnostics: Diagnostic[];
  /** Plain body text, for the search index. */
  text: string;
}

/** Files larger than this are not read (the largest archive article is 178 KB). */
export const MAX_FILE_BYTES = 32 * 1024 * 1024;

const decoder = new TextDecoder('utf-8', { fatal: false });

class ReadError extends Error {
  constructor(
    readonly kind: string,
    message: string,
  ) {
    super(message);
  }
}

const realRoots = new Map<string, string>();

/**
 * The bytes of `root/source`, decoded as UTF-8 (invalid sequences become U+FFFD,
 * which the parser reports). Refuses, with a `ReadError`: a path whose real
 * location is outside `root` (a link swapped in after the scan), anything but
 * a regular file (opened non-blocking, so a FIFO cannot hang the build), and
 * files over `MAX_FILE_BYTES`.
 */
export function readArticleText(root: string, source: string): string {
  let realRoot = realRoots.get(root);
  if (realRoot === undefined) {
    realRoot = realpathSync(root);
    realRoots.set(root, realRoot);
  }
  const fd = openInside(root, realRoot, source);
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) throw new ReadError('unreadable', 'not a regular file; skipped');
    if (stat.size > MAX_FILE_BYTES) {
      throw new ReadError('too-large', `file is ${(stat.size / 1024 / 1024).toFixed(0)} MB, over the ${MAX_FILE_BYTES / 1024 / 1024} MB limit; skipped`);
    }
    return decoder.decode(readFileSync(fd));
  } finally {
    closeSync(fd);
  }
}

const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0) | (constants.O_NOFOLLOW ?? 0);
/** Whether `/proc/self/fd/<fd>` names an open file's real path here (Linux); settled at the first article. */
let procFd: boolean | null = null;

function inside(real: string, realRoot: string): boolean {
  return real === realRoot || real.startsWith(realRoot + path.sep);
}

/**
 * Opens `root/source` when its real location is inside the content directory. On Linux the file is opened first
 * and the kernel names what was opened (`/proc/self/fd`: one call, where `realpath` looks at each of the path's
 * components: 1.5 s of each parse worker's 28 s at 60k articles); a file that is itself a link (inside the content
 * directory, the scan follows it) and other systems take `realpath`, then open the real path. Never through a
 * link swapped in for the file since (O_NOFOLLOW).
 */
function openInside(root: string, realRoot: string, source: string): number {
  const joined = path.join(root, source);
  if (procFd !== false) {
    let fd: number | null = null;
    try {
      fd = openSync(joined, OPEN_FLAGS);
    } catch (error) {
      // ELOOP: the file is a link; anything else, `realpath` below says it again (or reads it).
      if ((error as NodeJS.ErrnoException).code !== 'ELOOP') throw error;
    }
    if (fd !== null) {
      let real: string | null = null;
      try {
        real = readlinkSync(`/proc/self/fd/${fd}`);
        procFd = true;
      } catch {
        procFd ??= false;
      }
      if (real !== null) {
        if (inside(real, realRoot)) return fd;
        closeSync(fd);
        throw new ReadError('symlink-outside', 'symbolic link leads outside the content directory; not followed');
      }
      closeSync(fd);
    }
  }
  // The C library's: one call (JavaScript's looks at each of the path's components in turn, at twice the cost).
  const real = realpathSync.native(joined);
  if (!inside(real, realRoot)) throw new ReadError('symlink-outside', 'symbolic link leads outside the content directory; not followed');
  return openSync(real, OPEN_FLAGS);
}

/** Called with each article body just parsed (see `LoadOptions.bodyHook` in ./corpus.ts). */
export type BodyCallback = (source: string, mtimeMs: number, size: number, body: ArticleBody) => Diagnostic[] | void;

export function parseFile(root: string, source: string, mtimeMs: number, size: number, onBody?: BodyCallback): ParsedFile {
  let text: string;
  try {
    text = readArticleText(root, source);
  } catch (error) {
    const [kind, message] =
      error instanceof ReadError
        ? [error.kind, error.message]
        : ['unreadable', `cannot read file (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`];
    return { source, mtimeMs, size, article: null, text: '', diagnostics: [{ severity: 'error', kind, message, file: source }] };
  }
  try {
    const result = parseArticle(text, source);
    if (onBody && result.article) {
      try {
        // The hook renders the body: its fallbacks are the article's diagnostics too.
        const more = onBody(source, mtimeMs, size, result.body);
        if (Array.isArray(more)) for (const d of more) result.diagnostics.push(d);
      } catch (error) {
        // The body's HTML cannot be made: its page will show the article as plain text at best (`page-plain-text`).
        // An error, so that `kb check` (which renders every body the same way) fails on it; the build goes on.
        result.diagnostics.push({
          severity: 'error',
          kind: 'render-failed',
          message: `the body could not be rendered (${String((error as Error)?.message ?? error).slice(0, 120)}); its page shows the article as plain text`,
          file: source,
          line: 1,
        });
      }
    }
    return { source, mtimeMs, size, article: result.article, diagnostics: result.diagnostics, text: bodyText(result.body.blocks) };
  } catch (error) {
    return {
      source,
      mtimeMs,
      size,
      article: null,
      text: '',
      diagnostics: [{ severity: 'error', kind: 'parser-crash', message: `parser failed: ${(error as Error).message}`, file: source }],
    };
  }
}
