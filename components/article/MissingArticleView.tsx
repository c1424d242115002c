import type { MissingArticle } from '@/lib/content';
import { ArticleList } from '@/components/browse/ArticleList';
import { formatCount } from '@/lib/site';

/** The page at the permalink of an article that other articles cite but the archive does not hold. */
export function MissingArticleView({ missing }: { missing: MissingArticle }) {
  const titles = [...new Set(missing.citedTitles.map((title) => title.trim()).filter(Boolean))];
  const count = missing.citedBy.length;
  return (
    <article className="min-w-0">
      <header className="mb-5">
        <p className="font-mono text-sm text-muted">{missing.id}</p>
        <h1 className="mt-1 text-2xl font-bold leading-tight tracking-tight sm:text-3xl">
          {missing.id} is not in this archive
        </h1>
      </header>
      <div className="max-w-[72ch] space-y-3">
        <p>
          Other articles refer to {missing.id}, but its text was not part of the collection this archive was built
          from.
        </p>
        {titles.length > 0 ? (
          <div>
            <h2 className="text-base font-semibold">{titles.length === 1 ? 'Cited as' : 'Cited under these titles'}</h2>
            <ul className="mt-1 list-disc space-y-0.5 pl-5">
              {titles.map((title) => (
                <li key={title}>{title}</li>
              ))}
            </ul>
          </div>
        ) : null}
      </div>
      {count > 0 ? (
        <section className="mt-8" aria-labelledby="cited-by">
          <h2 id="cited-by" className="mb-2 text-lg font-semibold">
            {count === 1 ? '1 article refers to it' : `${formatCount(count)} articles refer to it`}
          </h2>
          <ArticleList articles={missing.citedBy} />
        </section>
      ) : null}
    </article>
  );
}
