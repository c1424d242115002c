import { ArticleList } from '@/components/browse/ArticleList';
import { listArticles, listMissing } from '@/lib/content';
import { formatCount } from '@/lib/site';

export default async function HomePage() {
  const [articles, missingArticles] = await Promise.all([listArticles(), listMissing()]);
  const missing = missingArticles.length;
  return (
    <>
      <h1 className="text-2xl font-bold tracking-tight sm:text-3xl">KnowledgeBase archive</h1>
      <div className="mt-3 max-w-[72ch] space-y-2">
        <p>
          Old Microsoft KnowledgeBase articles — bug reports, fixes and how-tos for Windows NT, Windows 9x, Office
          and other products of the 1990s and early 2000s — kept as static pages at their original article numbers.
        </p>
        <p className="text-muted">
          {formatCount(articles.length)} {articles.length === 1 ? 'article' : 'articles'} in the archive.
          {missing > 0
            ? ` ${formatCount(missing)} more ${missing === 1 ? 'is' : 'are'} cited by them but not part of it.`
            : null}
        </p>
      </div>
      <section className="mt-8" aria-labelledby="all-articles">
        <h2 id="all-articles" className="mb-2 text-lg font-semibold">
          All articles
        </h2>
        <ArticleList articles={articles} />
      </section>
    </>
  );
}
