import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { cache } from 'react';
import { ArticleView, BACKLINKS_SHOWN } from '@/components/article/ArticleView';
import { MissingArticleView } from '@/components/article/MissingArticleView';
import { adjacentArticles, articleRoutePermalinks, citedBy, getArticle, getMissing, relatedTo, sourceHref } from '@/lib/content';
import { displayTitle, paramsFromPermalink } from '@/lib/site';
import { absoluteUrl } from '@/lib/site-url';

type Params = { bucket: string; id: string };
type Props = { params: Promise<Params> };

/** Only the permalinks the loader knows about exist; anything else is a 404 in the export. */
export const dynamicParams = false;

/** Every article in the archive, plus every article cited by one but missing from it. */
export async function generateStaticParams(): Promise<Params[]> {
  return (await articleRoutePermalinks()).flatMap((permalink) => {
    const params = paramsFromPermalink(permalink);
    return params ? [params] : [];
  });
}

/**
 * The page's article (present or missing), or null when the bucket does not match
 * the id. Cached per render so the metadata and the page parse the article once.
 */
const resolve = cache(async (bucket: string, id: string) => {
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

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const { bucket, id } = await params;
  const page = await resolve(bucket, id);
  if (!page) return {};
  if (page.kind === 'article') {
    const { article } = page;
    const title = `${article.id}: ${displayTitle(article.id, article.title)}`;
    const description = article.product ? `${article.product} KnowledgeBase article ${article.id}.` : `KnowledgeBase article ${article.id}.`;
    // Open Graph kept to the tags a link preview needs: each tag is shipped twice (HTML and payload) on 60k pages.
    return { title, description, openGraph: { title, description, type: 'article', url: absoluteUrl(article.permalink) } };
  }
  return {
    title: `${page.missing.id}: not in this archive`,
    robots: { index: false },
  };
}

/**
 * Everything here is per-page work proportional to the article: backlinks are a
 * map lookup, prev/next a position lookup, related articles a bounded walk of
 * the inverted index (lib/content/related.ts), all built once per process.
 */
export default async function KbArticlePage({ params }: Props) {
  const { bucket, id } = await params;
  const page = await resolve(bucket, id);
  if (!page) notFound();
  const { previous, next } = await adjacentArticles(id);
  if (page.kind === 'missing') return <MissingArticleView missing={page.missing} previous={previous} next={next} />;

  const { article, body } = page;
  const backlinks = await citedBy(article.id);
  // Related articles leave out those the page already links: its references and listed backlinks.
  const exclude = new Set([...article.references, ...backlinks.slice(0, BACKLINKS_SHOWN).map((a) => a.id)]);
  const [related, source] = await Promise.all([relatedTo(article.id, { limit: 5, exclude }), sourceHref(article)]);
  return <ArticleView article={article} body={body} context={{ citedBy: backlinks, related, previous, next, source }} />;
}
