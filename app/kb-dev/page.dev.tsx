/**
 * `next dev` only (next.config.js: its page extensions take `page.dev.tsx`, and it rewrites each article permalink
 * here; `next build` never sees this file): the article route's page (app/kb/[bucket]/[id]/article-page.tsx) under a
 * path with no dynamic segment. Next's development server lists a dynamic route's pages in a fresh worker on the
 * route's first request, before rendering it: the worker loads Next's server and the route (~1.2 s on 2 cores,
 * BENCHMARKS.md "Session 25"), only to learn that the route lists none in development (lib/content
 * `articleRoutePermalinks`). Served from here, the first article after `npm run dev` starts is rendered without it.
 */
import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { generateMetadata as articleMetadata, KbArticlePage, type Params } from '../kb/[bucket]/[id]/article-page';

type SearchParams = Record<string, string | string[] | undefined>;
type Props = { searchParams: Promise<SearchParams> };

/** The article route's parameters from the rewrite's query, or null when the request did not come through it. */
async function paramsOf(searchParams: Promise<SearchParams>): Promise<Params | null> {
  const { bucket, id } = await searchParams;
  return typeof bucket === 'string' && typeof id === 'string' ? { bucket, id } : null;
}

export async function generateMetadata({ searchParams }: Props): Promise<Metadata> {
  const params = await paramsOf(searchParams);
  return params ? articleMetadata({ params: Promise.resolve(params) }) : {};
}

export default async function DevArticlePage({ searchParams }: Props) {
  const params = await paramsOf(searchParams);
  if (!params) notFound();
  return KbArticlePage({ params: Promise.resolve(params) });
}
