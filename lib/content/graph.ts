/**
 * The link graph between articles: who cites whom, and which cited numbers
 * are not in the content (they get a "not in this archive" page).
 */
import { permalinkOf, type Article } from '../markdown/index';

export interface ArticleSummary {
  id: string;
  number: number;
  title: string;
  permalink: string;
  product: string | null;
  lastModified: string | null;
}

export interface MissingArticle {
  id: string;
  number: number;
  permalink: string;
  /** Titles the citing articles give it, most common first. */
  citedTitles: string[];
  citedBy: ArticleSummary[];
}

export interface LinkGraph {
  summaries: ArticleSummary[];
  citedBy: Map<string, ArticleSummary[]>;
  missing: MissingArticle[];
  missingById: Map<string, MissingArticle>;
}

export function summarize(article: Article): ArticleSummary {
  const { id, number, title, permalink, product, lastModified } = article;
  return { id, number, title, permalink, product, lastModified };
}

/** Articles must be sorted by number; backlink lists come out in the same order. */
export function buildLinkGraph(articles: readonly Article[]): LinkGraph {
  const present = new Set(articles.map((a) => a.id));
  const summaries = articles.map(summarize);
  const citedBy = new Map<string, ArticleSummary[]>();
  const titles = new Map<string, Map<string, number>>();
  articles.forEach((article, i) => {
    for (const ref of article.references) {
      const list = citedBy.get(ref) ?? [];
      list.push(summaries[i]!);
      citedBy.set(ref, list);
    }
    for (const { id, title } of article.referenceTitles) {
      const counts = titles.get(id) ?? new Map<string, number>();
      counts.set(title, (counts.get(title) ?? 0) + 1);
      titles.set(id, counts);
    }
  });
  const missing: MissingArticle[] = [];
  for (const [id, list] of citedBy) {
    if (present.has(id)) continue;
    const counts = titles.get(id);
    missing.push({
      id,
      number: Number(id.slice(1)),
      permalink: permalinkOf(id),
      citedTitles: counts ? [...counts].sort((a, b) => b[1] - a[1]).map(([t]) => t) : [],
      citedBy: list,
    });
  }
  missing.sort((a, b) => a.number - b.number);
  return { summaries, citedBy, missing, missingById: new Map(missing.map((m) => [m.id, m])) };
}
