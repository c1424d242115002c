/** /sitemap.xml: the sitemap index, listing the files under /sitemaps/ (absolute URLs: see lib/site-url.ts). */
import { sitemapFiles } from '@/lib/content/sitemap';
import { absoluteUrl } from '@/lib/site-url';
import { sitemapIndexXml } from '@/lib/sitemap';

export const dynamic = 'force-static';

export async function GET(): Promise<Response> {
  const files = await sitemapFiles();
  const xml = sitemapIndexXml(files.map((file) => absoluteUrl(`/sitemaps/${file.name}`)));
  return new Response(xml, { headers: { 'Content-Type': 'application/xml; charset=utf-8' } });
}
