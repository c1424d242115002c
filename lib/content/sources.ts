/**
 * "Original text": whether the source Markdown of each article is shipped next
 * to its page, as `/kb/244/Q244717/Q244717.md`.
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
import { copyFileSync, mkdirSync, statSync } from 'node:fs';
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

/** Root-relative URL path of an article's shipped source: `/kb/244/Q244717/Q244717.md`. */
export function sourceFilePath(article: Pick<Article, 'id' | 'permalink'>): string {
  return `${article.permalink}${article.id}.md`;
}

/**
 * Copies each article's source file to `sourceFilePath` under `outDir` (whose
 * page folders the export has already made). Returns the number of files and bytes.
 */
export function copySources(contentDir: string, articles: readonly Pick<Article, 'id' | 'permalink' | 'source'>[], outDir: string): { files: number; bytes: number } {
  let files = 0;
  let bytes = 0;
  for (const article of articles) {
    const target = path.join(outDir, ...sourceFilePath(article).split('/').filter(Boolean));
    mkdirSync(path.dirname(target), { recursive: true });
    copyFileSync(path.join(contentDir, article.source), target);
    files++;
    bytes += statSync(target).size;
  }
  return { files, bytes };
}
