/**
 * Which file names of an article's file-attribute tables get a page
 * (`/files/<fileSlug(name)>/`). Shared by the file index (lib/content/files.ts)
 * and the renderer that links the names in the tables (lib/markdown/mdast.ts),
 * so that every link has its page. Pure: imports only lib/file-slug.ts.
 */
import { fileSlug } from './file-slug';

/**
 * An article gives pages to at most this many distinct file names, in table
 * order (the archive's largest tables name 461; a hostile article listing
 * 100,000 names must not add 100,000 pages). Names beyond it are counted in
 * the build log, and their rows are not indexed. No more than the rows a file
 * table renders as a table (`MAX_TABLE_ROWS` in lib/markdown/blocks.ts), so
 * that every page is linked from its article's table (test/files.test.ts).
 */
export const MAX_FILE_NAMES_PER_ARTICLE = 500;

/** `/files/rassrv.exe/` (without base path). */
export function filePagePath(slug: string): string {
  return `/files/${slug}/`;
}

/**
 * A counter of an article's distinct file slugs, in the order they are met:
 * `accept(name)` gives the slug while the article is under the cap, else null.
 */
export function fileSlugCounter(): (name: string) => string | null {
  const seen = new Set<string>();
  return (name) => {
    const slug = fileSlug(name);
    if (slug === null) return null;
    if (seen.has(slug)) return slug;
    if (seen.size >= MAX_FILE_NAMES_PER_ARTICLE) return null;
    seen.add(slug);
    return slug;
  };
}
