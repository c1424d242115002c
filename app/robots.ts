import type { MetadataRoute } from 'next';
import { absoluteUrl } from '@/lib/site-url';

export const dynamic = 'force-static';

/**
 * /robots.txt: everything may be crawled; the sitemap index lists the pages.
 * (Under a base path the file is at /<base>/robots.txt, where crawlers do not
 * look: the host's own robots.txt should then point to the sitemap.)
 */
export default function robots(): MetadataRoute.Robots {
  return {
    rules: { userAgent: '*', allow: '/' },
    sitemap: absoluteUrl('/sitemap.xml'),
  };
}
