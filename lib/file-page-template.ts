/**
 * File pages (`/files/<slug>/`) from one Next.js render, as article pages are
 * made (lib/article-template.ts), but simpler: a file page's only values are
 * its slug and its content, and the content is one `<Static>` island.
 *
 * With `KB_ARTICLE_PAGES=template` (what `kb build` sets), the route renders
 * one page, `/files/kbtplfile0/`, whose island holds `kbtplfilebody0`; then
 * lib/build/file-pages.tsx writes every file page from it: the slug
 * (`[a-z0-9.-]`, lib/file-slug.ts: no escaping changes it in HTML, in JSON or
 * in the RSC payload) in place of `kbtplfile0` everywhere, and the content's
 * HTML (react-dom/server, the route's own component) in place of
 * `kbtplfilebody0`, which must appear once, outside any script. Titles and
 * descriptions are made from the slug only, so the payload needs no other value.
 * Next renders a page in ~10 ms on two cores (1,775 file pages: ~20 s); the writer
 * takes 5.4 s for them all under a load average of 11 (BENCHMARKS.md).
 */
import { refuseBinaryPayloadRows } from './next-internals';

export const FILE_TEMPLATE_SLUG = 'kbtplfile0';
export const FILE_TEMPLATE_BODY = 'kbtplfilebody0';

/** A file page's title and description (slug-only, see above). */
export function filePageMetadata(slug: string): { title: string; description: string } {
  return {
    title: `${slug} (file)`,
    description: `Versions, dates and sizes of ${slug} in the file tables of KnowledgeBase articles, and the articles that mention it.`,
  };
}

/** The page for `slug` from the template page's HTML; throws when the template does not have the expected shape. */
export function fillFileTemplate(template: string, slug: string, bodyHtml: string): string {
  if (!/^[a-z0-9.-]{1,100}$/.test(slug)) throw new Error(`file page template: bad slug ${JSON.stringify(slug)}`);
  // The slug is replaced as text: a binary payload row (base64) would keep the template's (lib/next-internals.ts).
  refuseBinaryPayloadRows('file page template', template);
  const at = template.indexOf(FILE_TEMPLATE_BODY);
  if (at < 0 || template.indexOf(FILE_TEMPLATE_BODY, at + 1) >= 0) throw new Error('file page template: the content placeholder must appear exactly once');
  const scriptOpen = template.lastIndexOf('<script', at);
  if (scriptOpen >= 0 && template.lastIndexOf('</script', at) < scriptOpen) throw new Error('file page template: the content placeholder is inside a script');
  const page = template.slice(0, at) + '\u0000' + template.slice(at + FILE_TEMPLATE_BODY.length);
  return page
    .split(FILE_TEMPLATE_SLUG)
    .join(slug)
    .replace('\u0000', () => bodyHtml);
}
