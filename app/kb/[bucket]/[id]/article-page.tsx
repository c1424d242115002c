/**
 * The article route's page and metadata (./page.tsx), in a module of their own: `next dev` serves article pages from
 * app/kb-dev/page.dev.tsx, which renders this same page without the route's dynamic segments (next.config.js).
 */
import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { cache } from 'react';
import { ArticleFrame, ArticleView } from '@/components/article/ArticleView';
import { MissingArticleFrame, MissingArticleView } from '@/components/article/MissingArticleView';
import { adjacentArticles, articlePageContext, getArticle, getMissing } from '@/lib/content';
import { articleMetadata, missingTitle } from '@/lib/content/article-page';
import { TEMPLATE_BUCKET, TEMPLATE_FIELDS, TEMPLATE_IDS, TEMPLATE_SLOTS, templateMode } from '@/lib/article-template';
import { pageTitle, paramsFromPermalink } from '@/lib/site';
import { absoluteUrl } from '@/lib/site-url';

export type Params = { bucket: string; id: string };
type Props = { params: Promise<Params> };

/**
 * The page's article (present or missing), a template, or null when the
 * bucket does not match the id. Cached per render so the metadata and the
 * page parse the article once.
 */
const resolve = cache(async (bucket: string, id: string) => {
  if (templateMode() && bucket === TEMPLATE_BUCKET) {
    if (id === TEMPLATE_IDS.article) return { kind: 'article-template' } as const;
    if (id === TEMPLATE_IDS.missing) return { kind: 'missing-template' } as const;
  }
  const found = await getArticle(id);
  if (found) {
    return paramsFromPermalink(found.article.permalink)?.bucket === bucket ? ({ kind: 'article', ...found } as const) : null;
  }
  const missing = await getMissing(id);
  if (missing) {
    return paramsFromPermalink(missing.permalink)?.bucket === bucket ? ({ kind: 'missing', missing } as const) : null;
  }
  return null;
});

/** Open Graph kept to the tags a link preview needs: each tag is shipped twice (HTML and payload) on 60k pages. */
function articlePageMetadata({ title, description }: { title: string; description: string }, permalink: string): Metadata {
  return { title: pageTitle(title), description, openGraph: { title, description, type: 'article', url: absoluteUrl(permalink) } };
}

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const { bucket, id } = await params;
  const page = await resolve(bucket, id);
  if (!page) return {};
  switch (page.kind) {
    case 'article':
      return articlePageMetadata(articleMetadata(page.article), page.article.permalink);
    case 'article-template':
      return articlePageMetadata(TEMPLATE_FIELDS, `/kb/${bucket}/${id}/`);
    case 'missing':
      return { title: pageTitle(missingTitle(page.missing)), robots: { index: false } };
    case 'missing-template':
      return { title: pageTitle(missingTitle({ id })), robots: { index: false } };
  }
}

/**
 * Everything here is per-page work proportional to the article: backlinks are a
 * map lookup, prev/next a position lookup, related articles a bounded walk of
 * the inverted index (lib/content/related.ts), all built once per process.
 */
export async function KbArticlePage({ params }: Props) {
  const { bucket, id } = await params;
  const page = await resolve(bucket, id);
  if (!page) notFound();
  switch (page.kind) {
    case 'article-template':
      return <ArticleFrame heading={TEMPLATE_SLOTS.heading} source={TEMPLATE_SLOTS.source} rest={TEMPLATE_SLOTS.rest} />;
    case 'missing-template':
      return <MissingArticleFrame content={TEMPLATE_SLOTS.content} />;
    case 'missing': {
      const { previous, next } = await adjacentArticles(id);
      return <MissingArticleView missing={page.missing} previous={previous} next={next} />;
    }
    case 'article':
      return <ArticleView article={page.article} body={page.body} context={await articlePageContext(page.article)} />;
  }
}
