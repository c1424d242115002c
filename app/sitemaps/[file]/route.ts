/** /sitemaps/pages-1.xml, /sitemaps/articles-1.xml, …: the sitemap files the index at /sitemap.xml lists. */
import { routesListNoPages } from '@/lib/content';
import { sitemapFiles } from '@/lib/content/sitemap';
import { urlsetXml } from '@/lib/sitemap';

export const dynamic = 'force-static';
export const dynamicParams = false;

export async function generateStaticParams(): Promise<{ file: string }[]> {
  // In development, none: GET answers 404 for any other name (lib/content `routesListNoPages`).
  if (routesListNoPages()) return [];
  return (await sitemapFiles()).map(({ name }) => ({ file: name }));
}

export async function GET(_request: Request, { params }: { params: Promise<{ file: string }> }): Promise<Response> {
  const { file } = await params;
  const found = (await sitemapFiles()).find((f) => f.name === file);
  if (!found) return new Response('Not found', { status: 404 });
  return new Response(urlsetXml(found.urls), { headers: { 'Content-Type': 'application/xml; charset=utf-8' } });
}
