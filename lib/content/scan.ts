/**
 * Finds article files under a content directory: `Q244717.md` anywhere, or the
 * archive's own layout `kb/244/Q244717/README.md`. Symbolic links are followed
 * only when they stay inside the content directory (and never to directories,
 * which would be walked twice or loop). Hidden entries (`.git`, `.cache`) and
 * `node_modules` are not searched.
 *
 * Every entry named like an article that is not read is reported: a link that
 * leads outside, a broken link, a FIFO, socket or device (reading a FIFO would
 * block forever), a directory named like an article file.
 */
import { readdirSync, realpathSync, statSync, type Dirent, type Stats } from 'node:fs';
import path from 'node:path';
import { articleNumberFromDigits, idOfNumber } from '../kb-number';
import { duplicateWinner } from './duplicates';
import { runSteps, runStepsInSlices } from './slices';

export interface ScanIssue {
  file: string;
  /** Errors are entries that may hold an article and were not read; they count as skipped. */
  severity: 'error' | 'warning';
  /** `symlink-outside`, `unreadable` (broken link, not a regular file, unreadable directory), `not-a-file`, `scan`. */
  kind: string;
  message: string;
}

export interface ScanResult {
  /** Paths relative to the content directory, `/`-separated, sorted. */
  files: string[];
  issues: ScanIssue[];
}

const ARTICLE_FILE = /^Q\d+\.md$/i;

export function isArticlePath(relative: string): boolean {
  const parts = relative.split('/');
  const name = parts[parts.length - 1] ?? '';
  if (ARTICLE_FILE.test(name)) return true;
  return /^readme\.md$/i.test(name) && /^Q\d+$/i.test(parts[parts.length - 2] ?? '');
}

export function scanContent(root: string): ScanResult {
  return runSteps(scanSteps(root));
}

/**
 * `scanContent` a slice at a time (./slices.ts), so that a server scanning 240,000 article folders (`next
 * dev` loading the archive in the background) goes on answering requests meanwhile: synchronous reads, with
 * a turn of the event loop between slices rather than a promise per directory.
 */
export function scanContentAsync(root: string, sliceMs?: number): Promise<ScanResult> {
  return runStepsInSlices(scanSteps(root), sliceMs);
}

/** The scan, pausing (`yield`) after each directory read. */
function* scanSteps(root: string): Generator<void, ScanResult, void> {
  const scan = startScan(root);
  if (typeof scan === 'string') return failed(root, scan);
  const walk = function* (dir: string, rel: string): Generator<void, void, void> {
    let entries: Dirent[];
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch (error) {
      scan.unreadable(rel, error);
      return;
    }
    const subdirs = scan.visit(dir, rel, entries);
    yield;
    for (const [full, child] of subdirs) yield* walk(full, child);
  };
  yield* walk(scan.realRoot, '');
  return scan.finish();
}

function failed(root: string, message: string): ScanResult {
  return { files: [], issues: [{ file: root, kind: 'scan', message, severity: 'error' }] };
}

/**
 * The scan's state and its handling of one directory's entries (shared by the
 * two walks above), or why the content directory cannot be scanned.
 */
function startScan(root: string) {
  let realRoot: string;
  try {
    realRoot = realpathSync(root);
  } catch {
    return 'content directory does not exist';
  }
  if (!statSafe(realRoot)?.isDirectory()) return 'content directory is not a directory';
  const result: ScanResult = { files: [], issues: [] };
  const issue = (file: string, kind: string, message: string, severity: ScanIssue['severity'] = 'error') =>
    result.issues.push({ file, kind, message, severity });
  return {
    realRoot,
    unreadable(rel: string, error: unknown): void {
      issue(rel || '.', 'unreadable', `cannot read directory (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); its articles are skipped`);
    },
    /** Records the directory's article files and issues; returns the subdirectories to walk, in order. */
    visit(dir: string, rel: string, entries: Dirent[]): Array<[string, string]> {
      const subdirs: Array<[string, string]> = [];
      for (const entry of entries) {
        if (entry.name.startsWith('.') || entry.name === 'node_modules') continue;
        const full = path.join(dir, entry.name);
        const relative = rel ? `${rel}/${entry.name}` : entry.name;
        const article = isArticlePath(relative);
        let stat: Stats | null = null;
        let isDir = entry.isDirectory();
        let isFile = entry.isFile();
        if (entry.isSymbolicLink()) {
          let target: string;
          try {
            target = realpathSync(full);
          } catch (error) {
            if (article) issue(relative, 'unreadable', `broken symbolic link (${(error as NodeJS.ErrnoException).code ?? 'error'}); skipped`);
            continue;
          }
          stat = statSafe(target);
          if (target !== realRoot && !target.startsWith(realRoot + path.sep)) {
            if (article || stat?.isDirectory()) issue(relative, 'symlink-outside', 'symbolic link leads outside the content directory; not followed');
            continue;
          }
          isDir = stat?.isDirectory() ?? false;
          isFile = stat?.isFile() ?? false;
          // A link to a directory inside the root would be walked twice (or loop): skip it.
          if (isDir) continue;
        }
        if (isDir) {
          if (ARTICLE_FILE.test(entry.name)) issue(relative, 'not-a-file', 'is a directory, not an article file; searched for articles inside', 'warning');
          subdirs.push([full, relative]);
        } else if (isFile) {
          if (article) result.files.push(relative);
        } else if (article) {
          const what = kindOf(stat ?? statSafe(full));
          issue(relative, 'unreadable', `not a regular file (${what}); skipped`);
        }
      }
      return subdirs;
    },
    finish(): ScanResult {
      result.files.sort();
      return result;
    },
  };
}

function kindOf(stat: Stats | null): string {
  if (!stat) return 'cannot stat';
  if (stat.isFIFO()) return 'a FIFO';
  if (stat.isSocket()) return 'a socket';
  if (stat.isCharacterDevice() || stat.isBlockDevice()) return 'a device';
  return 'not a file';
}

/** `statSync`, or null when the file cannot be reached. */
export function statSafe(file: string): Stats | null {
  try {
    return statSync(file);
  } catch {
    return null;
  }
}

/**
 * Where each article number a content directory appears to hold is, from
 * names alone: `Q244717.md` files, and `Q244717/` directories, which are not
 * opened (the archive's layout keeps one `README.md` in each). Numbers as
 * lib/kb-number.ts reads them. When a number appears twice, the path at its
 * canonical place (the loader's rule, ./corpus.ts) if exactly one is, else
 * none. No symbolic links, no checks: `next dev` lists and finds the article
 * route's pages with it before the archive has loaded (~0.1 s for 60,000
 * articles, against ~0.5–2.5 s for `scanContent`, which opens every
 * article's directory). `onFolder` is told each folder before it is read (relative
 * to `root`, '' for the root itself): ./dev-paths.ts keeps the list between processes.
 */
export function articlePathsByName(root: string, onFolder?: (rel: string) => void): Map<number, string> {
  const found = new Map<number, string[]>();
  const add = (number: number, rel: string) => {
    const list = found.get(number);
    if (list) list.push(rel);
    else found.set(number, [rel]);
  };
  const walk = (dir: string, rel: string): void => {
    let entries;
    onFolder?.(rel);
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      if (entry.name.startsWith('.') || entry.name === 'node_modules') continue;
      const child = rel ? `${rel}/${entry.name}` : entry.name;
      const match = /^Q(\d+)(\.md)?$/i.exec(entry.name);
      const number = match ? articleNumberFromDigits(match[1]!) : null;
      if (entry.isDirectory()) {
        if (match && !match[2]) {
          if (number !== null) add(number, `${child}/README.md`);
        } else walk(path.join(dir, entry.name), child);
      } else if (entry.isFile() && match?.[2] && number !== null) add(number, child);
    }
  };
  walk(root, '');
  const out = new Map<number, string>();
  for (const [number, list] of found) {
    if (list.length === 1) out.set(number, list[0]!);
    else {
      const winner = duplicateWinner(idOfNumber(number), list);
      if (winner !== null) out.set(number, list[winner]!);
    }
  }
  return out;
}
