/** /sitemaps/pages-1.xml, /sitemaps/articles-1.xml, …: the sitemap files the index at /sitemap.xml lists. */
import { sitemapFiles } from '@/lib/content/sitemap';
import { urlsetXml } from '@/lib/sitemap';

export const dynamic = 'force-static';
export const dynamicParams = false;

export async function generateStaticParams(): Promise<{ file: string }[]> {
  return (await sitemapFiles()).map(({ name }) => ({ file: name }));
}

export async function GET(_request: Request, { params }: { params: Promise<{ file: string }> }): Promise<Response> {
  const { file } = await params;
  const found = (await sitemapFiles()).find((f) => f.name === file);
  if (!found) return new Response('Not found', { status: 404 });
  return new Response(urlsetXml(found.urls), { headers: { 'Content-Type': 'application/xml; charset=utf-8' } });
}
