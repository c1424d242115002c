import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { BACKLINKS_SHOWN } from '@/components/article/ArticleView';
import { CitedByView } from '@/components/article/CitedByView';
import { citedBy, getSite, routesListNoPages } from '@/lib/content';
import { paramsFromPermalink } from '@/lib/site';

type Params = { bucket: string; id: string };
type Props = { params: Promise<Params> };

export const dynamicParams = false;

/** Articles cited by more than the article page lists (27 of 60,335 in the full archive). */
async function heavilyCited() {
  const { byId, graph } = await getSite();
  const out: { article: NonNullable<ReturnType<typeof byId.get>>; params: Params }[] = [];
  for (const [id, list] of graph.citedBy) {
    const article = byId.get(id);
    const params = article && list.length > BACKLINKS_SHOWN ? paramsFromPermalink(article.permalink) : null;
    if (article && params) out.push({ article, params });
  }
  return out;
}

export async function generateStaticParams(): Promise<Params[]> {
  // In development, none (lib/content `routesListNoPages`): `resolve` answers 404 for an article the export has no list for.
  if (routesListNoPages()) return [];
  const list = (await heavilyCited()).map(({ params }) => params);
  if (list.length > 0) return list;
  // A static export needs at least one path per dynamic route: with no heavily cited
  // article, the first article's (short, complete and correct, but never linked) list.
  const { corpus } = await getSite();
  const first = corpus.articles[0] ? paramsFromPermalink(corpus.articles[0].permalink) : null;
  return first ? [first] : [];
}

/** The page of `id`'s list, or null: the export has one for a heavily cited article, else (none is) for the first article. */
async function resolve(bucket: string, id: string) {
  const { byId, corpus } = await getSite();
  const article = byId.get(id);
  if (!article || paramsFromPermalink(article.permalink)?.bucket !== bucket) return null;
  const list = await citedBy(id);
  if (list.length <= BACKLINKS_SHOWN && !(article === corpus.articles[0] && (await heavilyCited()).length === 0)) return null;
  return { article, list };
}

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const { bucket, id } = await params;
  const page = await resolve(bucket, id);
  if (!page) return {};
  return { title: `Articles that refer to ${page.article.id}`, robots: { index: false } };
}

export default async function CitedByPage({ params }: Props) {
  const { bucket, id } = await params;
  const page = await resolve(bucket, id);
  if (!page) notFound();
  return <CitedByView article={page.article} citedBy={page.list} />;
}
