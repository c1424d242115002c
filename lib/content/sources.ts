/**
 * "Original text": whether the source Markdown of each article is shipped next
 * to its page, as `/kb/244/Q244717/Q244717.source.html`.
 *
 * The source is shipped as an HTML page, never as a raw `.md`: `script-src
 * 'self'` allows any of the site's own files as a script, and a host that sends
 * no `X-Content-Type-Options: nosniff` (GitHub Pages, GitLab Pages) lets
 * Chromium run a text/plain or text/markdown response as one; a hostile
 * article's text can be valid JavaScript. The page starts with `<!DOCTYPE html>`,
 * a SyntaxError as JavaScript whatever the Content-Type, so the file can never
 * run; the text is HTML-escaped in a `<pre>` (exactly the file's text), and the
 * page's own CSP (`default-src 'none'`) allows nothing at all.
 *
 * `KB_SOURCES=files` ships them, `KB_SOURCES=none` does not; unset, they are
 * shipped for archives under `SOURCES_DEFAULT_LIMIT` articles.
 *
 * Why not always: the full archive's sources are 60,335 files and 200 MB
 * (3.3 KB each on average). Its site already takes ~780 MB, so the sources
 * would break the 900 MB budget for out/ and add 60k files to every deploy.
 * Showing the raw text inside each page instead (even in a closed <details>)
 * would put those bytes into every page (+30% on the average page) for a view
 * few readers open. A small archive (the sample content, a personal collection
 * of a few thousand articles: 5,000 sources are ~17 MB) can afford them, so it
 * gets them by default.
 *
 * `kb build` (lib/build/build.ts) resolves the mode once, passes it to the
 * Next build in `KB_SOURCES` (so the pages link to the files exactly when they
 * exist) and copies the files after the export with `copySources`.
 *
 * Pure Node (no Next, no server-only): the build script uses it too.
 */
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { config, type Config } from '../config';
import type { Article } from '../markdown/schema';

export const SOURCES_DEFAULT_LIMIT = 10_000;

export type SourcesMode = 'files' | 'none';

/** Whether sources are shipped: `KB_SOURCES` (lib/config), `auto` meaning under SOURCES_DEFAULT_LIMIT articles. */
export function sourcesMode(articleCount: number, mode: Config['sources'] = config().sources): SourcesMode {
  if (mode !== 'auto') return mode;
  return articleCount < SOURCES_DEFAULT_LIMIT ? 'files' : 'none';
}

/** Root-relative URL path of an article's shipped source page: `/kb/244/Q244717/Q244717.source.html`. */
export function sourceFilePath(article: Pick<Article, 'id' | 'permalink'>): string {
  return `${article.permalink}${article.id}.source.html`;
}

/** The first bytes of every source page: as JavaScript, always a SyntaxError. */
export const SOURCE_PAGE_PREFIX = '<!DOCTYPE html>';

const HTML_ESCAPES = new Map([
  ['&', '&amp;'],
  ['<', '&lt;'],
  ['>', '&gt;'],
  ['"', '&quot;'],
  ["'", '&#39;'],
]);

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ESCAPES.get(c) ?? c);
}

/**
 * The "Original text" page of one article: the source text, HTML-escaped in a
 * `<pre>` (a browser shows exactly the file's characters), no script, a CSP
 * that allows nothing. A leading newline of the text is doubled because the
 * HTML parser drops the first newline right after `<pre>`.
 */
export function sourcePage(article: Pick<Article, 'id'> & { title?: string }, text: string): string {
  const heading = article.title ? `${article.id}: ${article.title}` : article.id;
  const body = text.startsWith('\n') || text.startsWith('\r') ? `\n${text}` : text;
  return (
    `${SOURCE_PAGE_PREFIX}\n<html lang="en"><head><meta charset="utf-8">` +
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">` +
    `<meta name="viewport" content="width=device-width, initial-scale=1">` +
    `<meta name="robots" content="noindex">` +
    `<title>${escapeHtml(`Original text of ${heading}`)}</title>` +
    `<style>pre{white-space:pre-wrap;overflow-wrap:anywhere}</style></head>` +
    `<body><pre>${escapeHtml(body)}</pre></body></html>\n`
  );
}

/**
 * Writes each article's source page (`sourcePage`) to `sourceFilePath` under
 * `outDir` (whose page folders the export has already made). Returns the number
 * of files and bytes, and the sources that could not be written.
 */
export function copySources(
  contentDir: string,
  articles: readonly (Pick<Article, 'id' | 'permalink' | 'source'> & { title?: string })[],
  outDir: string,
): { files: number; bytes: number; failed: { source: string; message: string }[]; replaced: { files: number; bytes: number } } {
  let files = 0;
  let bytes = 0;
  // Files that were there already (an incremental build's copy of the previous site), for its file count.
  const replaced = { files: 0, bytes: 0 };
  const failed: { source: string; message: string }[] = [];
  for (const article of articles) {
    // One unreadable or vanished source costs its own page only: listed in `failed`, the rest are written.
    try {
      const target = path.join(outDir, ...sourceFilePath(article).split('/').filter(Boolean));
      mkdirSync(path.dirname(target), { recursive: true });
      const page = Buffer.from(sourcePage(article, readFileSync(path.join(contentDir, article.source), 'utf8')), 'utf8');
      // A new file (temp + rename), never written through: in an incremental build (lib/build/incremental.ts)
      // the old one is a hard link to the previous site's.
      const tmp = `${target}.${process.pid}.tmp`;
      writeFileSync(tmp, page);
      const before = statSync(target, { throwIfNoEntry: false });
      renameSync(tmp, target);
      if (before) {
        replaced.files++;
        replaced.bytes += before.size;
      }
      files++;
      bytes += page.length;
    } catch (err) {
      failed.push({ source: article.source, message: err instanceof Error ? err.message : String(err) });
    }
  }
  return { files, bytes, failed, replaced };
}
