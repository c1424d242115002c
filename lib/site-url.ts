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
import { BASE_PATH, SITE_NAME } from './site';

export const DEFAULT_SITE_URL = 'http://localhost:3000';

/** `https://example.org/kb-archive` (no trailing slash) from `KB_SITE_URL` and the base path; throws on a malformed value. */
export function siteRoot(raw: string | undefined = process.env['KB_SITE_URL'], basePath: string = BASE_PATH): string {
  const value = (raw ?? '').trim() || DEFAULT_SITE_URL;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error(`KB_SITE_URL must be an absolute http(s) URL such as https://example.org, got ${JSON.stringify(raw)}`);
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.search || url.hash || url.username || url.password) {
    throw new Error(`KB_SITE_URL must be a plain http(s) URL such as https://example.org (no query, fragment or credentials), got ${JSON.stringify(raw)}`);
  }
  const path = url.pathname.replace(/\/+$/, '');
  const withBase = basePath && !path.endsWith(basePath) ? path + basePath : path;
  return `${url.origin}${withBase}`;
}

/** The absolute URL of a root-relative site path (`/kb/244/Q244717/`). */
export function absoluteUrl(sitePath: string, root: string = siteRoot()): string {
  return root + (sitePath.startsWith('/') ? sitePath : `/${sitePath}`);
}

/**
 * Open Graph tags for a page's metadata (`openGraph: OPEN_GRAPH`): og:site_name
 * and og:type, with og:title and og:description (and the twitter:* tags) filled
 * in by Next from the page's title and description.
 *
 * Set per page rather than in the root layout: Next writes them into the HTML
 * and again into the inlined RSC payload, about 1.4 KB a page; for the ~77,000
 * article and not-in-archive pages of the full archive that would be ~110 MB of
 * the 900 MB budget. The home, index and listing pages carry them.
 */
export const OPEN_GRAPH = { siteName: SITE_NAME, type: 'website' } as const;
