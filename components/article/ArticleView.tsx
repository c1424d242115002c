import type { Root } from 'hast';
import type { Article } from '@/lib/markdown/schema';
import { displayTitle } from '@/lib/site';
import { ArticleBody } from './ArticleBody';
import { MetadataPanel } from './MetadataPanel';
import { Static } from '@/components/ui/Static';

/** A whole article page: id and title, the metadata panel, then the body. */
export function ArticleView({ article, body }: { article: Article; body: Root }) {
  return (
    <article className="min-w-0">
      <header className="mb-5">
        <p className="font-mono text-sm text-muted">{article.id}</p>
        <h1 className="mt-1 text-2xl font-bold leading-tight tracking-tight text-pretty sm:text-3xl">
          {displayTitle(article.id, article.title)}
        </h1>
      </header>
      <Static>
        <MetadataPanel article={article} />
      </Static>
      <div className="mt-6">
        <ArticleBody body={body} />
      </div>
    </article>
  );
}
