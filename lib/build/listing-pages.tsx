/**
 * `kb build` writes the listing pages (`/products/<slug>/`, `/keywords/<slug>/page/<n>/`, …) from two
 * renders of each browse route, as it writes article pages (lib/article-template.ts): Next's own pipeline
 * costs ~10 ms a page on two cores (2,400 listing pages for the full archive: ~25 s of `next build`), while
 * the listing's island is ~1 ms of React (the whole archive's listings in ~2 s, in this thread).
 *
 * Under `kb build` each browse route renders `/<kind>/kbtplslug0/` (a listing's first page) and
 * `/<kind>/kbtplslug0/page/kbtplpage0/` (a later one) with placeholders for the title, the description and
 * the island's content (app/_browse/routes.tsx); the index pages and the rare keywords stay Next's. The
 * pages are the ones Next renders itself with `KB_ARTICLE_PAGES=next` (test/article-pages.test.ts).
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { renderToString } from 'react-dom/server';
import { ListingContent, listingTexts } from '../../components/browse/ListingView';
import { compileTemplate, fillTemplate, LISTING_TEMPLATE, type CompiledTemplate } from '../article-template';
import { config } from '../config';
import { laterPages, LISTING_KINDS, listingPath, listingsOf, type BrowseIndex, type ListingKind } from '../content/browse-index';
import type { Diagnostic } from '../markdown/schema';
import { writePayloadScripts } from './article-pages';
import { policedPage } from './csp';
import { tidyPage } from './static-keys';

type Shape = 'first' | 'later';

/** The export's template page of a kind and shape (relative to the site, `/`-separated). */
function templatePath(kind: ListingKind, shape: Shape): string {
  return shape === 'first' ? `${kind}/${LISTING_TEMPLATE.slug}/index.html` : `${kind}/${LISTING_TEMPLATE.slug}/page/${LISTING_TEMPLATE.page}/index.html`;
}

/** Reads the listing template pages from the export (raw: the CSP pass leaves them, lib/build/csp.ts), and removes them. */
export function takeListingTemplates(outDir: string): Map<ListingKind, Record<Shape, CompiledTemplate>> {
  const templates = new Map<ListingKind, Record<Shape, CompiledTemplate>>();
  for (const kind of LISTING_KINDS) {
    const read = (shape: Shape) => {
      const file = path.join(outDir, ...templatePath(kind, shape).split('/'));
      if (!existsSync(file))
        throw new Error(
          `kbview: the listing template ${path.relative(process.cwd(), file)} was not exported (was next build run with KB_ARTICLE_PAGES=template?)`,
        );
      // Stable keys and payload chunks (./static-keys.ts), as for every page Next exported.
      return compileTemplate(`listing-${kind}-${shape}`, tidyPage(readFileSync(file, 'utf8')));
    };
    templates.set(kind, { first: read('first'), later: read('later') });
    rmSync(path.join(outDir, kind, LISTING_TEMPLATE.slug), { recursive: true, force: true });
  }
  return templates;
}

export interface ListingPagesResult {
  pages: number;
  bytes: number;
  /** A page that could not be written: reported with its listing, left out; the others are written. */
  diagnostics: Diagnostic[];
  ms: number;
}

/** Writes every listing page of `browse` into `outDir` from the templates in it. */
export function writeListingPages(browse: BrowseIndex, outDir: string, basePath = config().basePath): ListingPagesResult {
  const started = performance.now();
  const templates = takeListingTemplates(outDir);
  writePayloadScripts(
    outDir,
    [...templates.values()].flatMap((t) => [t.first, t.later]),
  );
  const result: ListingPagesResult = { pages: 0, bytes: 0, diagnostics: [], ms: 0 };
  for (const kind of LISTING_KINDS) {
    const { first, later } = templates.get(kind)!;
    for (const listing of listingsOf(browse, kind)) {
      for (const page of ['1', ...laterPages(listing.articles.length)]) {
        const permalink = listingPath(kind, listing.slug, Number(page));
        try {
          const { title, description } = listingTexts(listing, Number(page));
          // renderToString, as Next renders the island (with its `<!-- -->` text separators).
          const content = renderToString(<ListingContent index={browse} listing={listing} page={Number(page)} />);
          const html = fillTemplate(page === '1' ? first : later, { fields: { slug: listing.slug, page, title, description }, slots: { content } }, basePath);
          // The site's one policy (./csp.ts): the page's values are a JSON block, so no inline script of its own.
          const policed = policedPage(html, basePath);
          const dir = path.join(outDir, ...permalink.split('/').filter(Boolean));
          mkdirSync(dir, { recursive: true });
          writeFileSync(path.join(dir, 'index.html'), policed);
          result.pages++;
          result.bytes += Buffer.byteLength(policed);
        } catch (error) {
          result.diagnostics.push({
            severity: 'error',
            kind: 'page-failed',
            message: `listing page ${permalink} not written (${error instanceof Error ? error.message : String(error)})`,
            file: permalink,
          });
        }
      }
    }
  }
  result.ms = performance.now() - started;
  return result;
}
