/**
 * Absolute URLs of the site, for the sitemap and robots.txt (which the sitemap
 * protocol requires to be absolute). Build-time only.
 *
 * `KB_SITE_URL` is the public address of the host the site is served from,
 * e.g. `https://example.org`; the base path (`KB_BASE_PATH`) is appended to it
 * (unless the address already ends with it). Unset, URLs point to
 * `http://localhost:3000`, where `npm start` serves the export: valid, but
 * only right for local use: set KB_SITE_URL for a deployment.
 */
import { config, normalizeSiteUrl } from './config';
import { SITE_NAME } from './site';

export { DEFAULT_SITE_URL } from './config';

/**
 * `https://example.org/kb-archive` (no trailing slash) from the site URL (default: `KB_SITE_URL`, lib/config)
 * and the base path; throws on a malformed value.
 */
export function siteRoot(raw?: string, basePath: string = config().basePath): string {
  const root = raw === undefined ? config().siteUrl : normalizeSiteUrl(raw);
  return basePath && !root.endsWith(basePath) ? root + basePath : root;
}

/** The absolute URL of a root-relative site path (`/kb/244/Q244717/`). */
export function absoluteUrl(sitePath: string, root: string = siteRoot()): string {
  return root + (sitePath.startsWith('/') ? sitePath : `/${sitePath}`);
}

/**
 * Open Graph tags for a page's metadata (`openGraph: OPEN_GRAPH`): og:site_name
 * and og:type, with og:title and og:description (and twitter:card) filled in by
 * Next from the page's title and description (the export drops Next's twitter:title
 * and twitter:description, copies of the og: tags: lib/next-internals.ts).
 *
 * Set per page rather than in the root layout: Next writes them into the HTML
 * and again into the inlined RSC payload, about 1.4 KB a page; for the ~77,000
 * article and not-in-archive pages of the full archive that would be ~110 MB of
 * the 900 MB budget. The home, index and listing pages carry them.
 */
export const OPEN_GRAPH = { siteName: SITE_NAME, type: 'website' } as const;
