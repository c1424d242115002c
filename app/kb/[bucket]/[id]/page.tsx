import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { cache } from 'react';
import { ArticleView } from '@/components/article/ArticleView';
import { MissingArticleView } from '@/components/article/MissingArticleView';
import { getArticle, getMissing, listArticles, listMissing } from '@/lib/content';
import { displayTitle, paramsFromPermalink } from '@/lib/site';

type Params = { bucket: string; id: string };
type Props = { params: Promise<Params> };

/** Only the permalinks the loader knows about exist; anything else is a 404 in the export. */
export const dynamicParams = false;

/** Every article in the archive, plus every article cited by one but missing from it. */
export async function generateStaticParams(): Promise<Params[]> {
  const [articles, missing] = await Promise.all([listArticles(), listMissing()]);
  return [...articles, ...missing].flatMap(({ permalink }) => {
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
    return {
      title: `${article.id}: ${displayTitle(article.id, article.title)}`,
      description: article.product ? `${article.product} KnowledgeBase article ${article.id}.` : undefined,
    };
  }
  return {
    title: `${page.missing.id}: not in this archive`,
    robots: { index: false },
  };
}

export default async function KbArticlePage({ params }: Props) {
  const { bucket, id } = await params;
  const page = await resolve(bucket, id);
  if (!page) notFound();
  if (page.kind === 'article') return <ArticleView article={page.article} body={page.body} />;
  return <MissingArticleView missing={page.missing} />;
}
