import { articleRoutePermalinks } from '@/lib/content';
import { TEMPLATE_BUCKET, TEMPLATE_IDS, templateMode } from '@/lib/article-template';
import { paramsFromPermalink } from '@/lib/site';
import type { Params } from './article-page';

export { generateMetadata, KbArticlePage as default } from './article-page';

/**
 * Only the permalinks the loader knows about exist; anything else is a 404 in the export. In
 * development the route lists none (lib/content `articleRoutePermalinks`) and `resolve` is what 404s.
 */
export const dynamicParams = false;

/**
 * Every article in the archive, plus every article cited by one but missing
 * from it. Under `kb build` (template mode, lib/article-template.ts) only the
 * two template pages: `kb build` writes the articles' pages from them.
 */
export async function generateStaticParams(): Promise<Params[]> {
  if (templateMode()) return Object.values(TEMPLATE_IDS).map((id) => ({ bucket: TEMPLATE_BUCKET, id }));
  return (await articleRoutePermalinks()).flatMap((permalink) => {
    const params = paramsFromPermalink(permalink);
    return params ? [params] : [];
  });
}
