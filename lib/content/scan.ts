/**
 * Finds article files under a content directory: `Q244717.md` anywhere, or the
 * archive's own layout `kb/244/Q244717/README.md`. Symbolic links are followed
 * only when they stay inside the content directory.
 */
import { readdirSync, realpathSync, statSync } from 'node:fs';
import path from 'node:path';

export interface ScanIssue {
  file: string;
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
  const result: ScanResult = { files: [], issues: [] };
  let realRoot: string;
  try {
    realRoot = realpathSync(root);
  } catch {
    result.issues.push({ file: root, message: 'content directory does not exist' });
    return result;
  }
  const walk = (dir: string, rel: string): void => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch (error) {
      result.issues.push({ file: rel || '.', message: `cannot read directory: ${(error as Error).message}` });
      return;
    }
    for (const entry of entries) {
      if (entry.name.startsWith('.') || entry.name === 'node_modules') continue;
      const full = path.join(dir, entry.name);
      const relative = rel ? `${rel}/${entry.name}` : entry.name;
      let isDir = entry.isDirectory();
      let isFile = entry.isFile();
      if (entry.isSymbolicLink()) {
        let target: string;
        try {
          target = realpathSync(full);
        } catch {
          result.issues.push({ file: relative, message: 'broken symbolic link skipped' });
          continue;
        }
        if (target !== realRoot && !target.startsWith(realRoot + path.sep)) {
          if (isArticlePath(relative) || statSafe(target)?.isDirectory()) {
            result.issues.push({ file: relative, message: 'symbolic link leads outside the content directory; not followed' });
          }
          continue;
        }
        const stat = statSafe(target);
        isDir = stat?.isDirectory() ?? false;
        isFile = stat?.isFile() ?? false;
        // A link to a directory inside the root would be walked twice (or loop): skip it.
        if (isDir) continue;
      }
      if (isDir) walk(full, relative);
      else if (isFile && isArticlePath(relative)) result.files.push(relative);
    }
  };
  walk(realRoot, '');
  result.files.sort();
  return result;
}

function statSafe(file: string) {
  try {
    return statSync(file);
  } catch {
    return null;
  }
}
