/** /opensearch.xml: the archive as a browser search engine (absolute URLs: see lib/site-url.ts). */
import { openSearchXml } from '@/lib/search/opensearch';
import { SITE_NAME } from '@/lib/site';
import { siteRoot } from '@/lib/site-url';

export const dynamic = 'force-static';

export function GET(): Response {
  const xml = openSearchXml({
    root: siteRoot(),
    name: SITE_NAME,
    description: 'Search the archive of Microsoft KnowledgeBase articles by words or article number.',
  });
  return new Response(xml, { headers: { 'Content-Type': 'application/opensearchdescription+xml; charset=utf-8' } });
}
