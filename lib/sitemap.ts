/**
 * Sitemap XML (https://www.sitemaps.org/protocol.html). Pure.
 *
 * The protocol allows at most 50,000 URLs (and 50 MB) per file, so the URLs
 * are split into files of SITEMAP_MAX_URLS, listed by a sitemap index at
 * /sitemap.xml.
 */

/** URLs per sitemap file: well under the protocol's 50,000, so that every file stays under the site's 500 KB page limit (~89 bytes a URL). */
export const SITEMAP_MAX_URLS = 5_000;

export interface SitemapUrl {
  /** Absolute URL. */
  loc: string;
  /** `YYYY-MM-DD`. */
  lastmod?: string | null;
}

export function escapeXml(text: string): string {
  return text.replace(/[<>&'"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c]!);
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

export function urlsetXml(urls: readonly SitemapUrl[]): string {
  const lines = ['<?xml version="1.0" encoding="UTF-8"?>', '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'];
  for (const { loc, lastmod } of urls) {
    const date = lastmod && ISO_DATE.test(lastmod) ? `<lastmod>${lastmod}</lastmod>` : '';
    lines.push(`<url><loc>${escapeXml(loc)}</loc>${date}</url>`);
  }
  lines.push('</urlset>', '');
  return lines.join('\n');
}

export function sitemapIndexXml(locs: readonly string[]): string {
  const lines = ['<?xml version="1.0" encoding="UTF-8"?>', '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'];
  for (const loc of locs) lines.push(`<sitemap><loc>${escapeXml(loc)}</loc></sitemap>`);
  lines.push('</sitemapindex>', '');
  return lines.join('\n');
}

/** Splits `urls` into named files of at most `max` URLs: `articles-1.xml`, `articles-2.xml`, …. */
export function splitSitemap(prefix: string, urls: readonly SitemapUrl[], max = SITEMAP_MAX_URLS): { name: string; urls: SitemapUrl[] }[] {
  if (!Number.isInteger(max) || max < 1 || max > 50_000) throw new Error(`sitemap files hold 1 to 50,000 URLs, not ${max}`);
  const files: { name: string; urls: SitemapUrl[] }[] = [];
  for (let i = 0; i < urls.length; i += max) files.push({ name: `${prefix}-${files.length + 1}.xml`, urls: urls.slice(i, i + max) });
  return files;
}
