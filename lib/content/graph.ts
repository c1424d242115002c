/**
 * The link graph between articles: who cites whom, and which cited numbers
 * are not in the content (they get a "not in this archive" page).
 */
import { permalinkOf, type Article, type Diagnostic } from '../markdown/index';
import { safeListingEntry } from './listing-entry';
import { runSteps, runStepsInSlices } from './slices';

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
  /** One warning per article whose citations of missing numbers were cut (`MAX_MISSING_PER_ARTICLE`). */
  diagnostics: Diagnostic[];
}

/**
 * An article makes at most this many not-in-archive pages: its citations of
 * numbers the archive does not hold, in order of first mention, after the
 * first 100 are plain links (their page exists only when another article
 * cites them within its own limit). The archive's most: 76 (Q106153).
 */
export const MAX_MISSING_PER_ARTICLE = 100;

export function summarize(article: Article): ArticleSummary {
  const { id, number, title, permalink, product, lastModified } = article;
  return { id, number, title, permalink, product, lastModified };
}

/** Articles must be sorted by number; backlink lists come out in the same order. */
export function buildLinkGraph(articles: readonly Article[]): LinkGraph {
  return runSteps(linkGraphSteps(articles));
}

/** `buildLinkGraph` a slice at a time (./slices.ts), for `next dev`'s background load. */
export function buildLinkGraphInSlices(articles: readonly Article[], sliceMs?: number): Promise<LinkGraph> {
  return runStepsInSlices(linkGraphSteps(articles), sliceMs);
}

/** The link graph's construction, pausing (`yield`) after each article. */
function* linkGraphSteps(articles: readonly Article[]): Generator<void, LinkGraph, void> {
  const present = new Set<string>();
  for (const article of articles) {
    present.add(article.id);
    yield;
  }
  const diagnostics: Diagnostic[] = [];
  // Each article's listing entry is made inside a catch (./listing-entry.ts): one that fails is listed as its number only.
  const summaries: ArticleSummary[] = [];
  for (const article of articles) {
    summaries.push(safeListingEntry(article, diagnostics).summary);
    yield;
  }
  const citedBy = new Map<string, ArticleSummary[]>();
  const titles = new Map<string, Map<string, number>>();
  for (let i = 0; i < articles.length; i++) {
    yield;
    const article = articles[i]!;
    let missingRefs = 0;
    for (const ref of article.references) {
      if (!present.has(ref) && ++missingRefs > MAX_MISSING_PER_ARTICLE) continue;
      const list = citedBy.get(ref) ?? [];
      list.push(summaries[i]!);
      citedBy.set(ref, list);
    }
    if (missingRefs > MAX_MISSING_PER_ARTICLE) {
      diagnostics.push({
        severity: 'warning',
        kind: 'missing-page-limit',
        message: `cites ${missingRefs} numbers that are not in the archive; only the first ${MAX_MISSING_PER_ARTICLE} get a not-in-archive page from this article`,
        file: article.source,
      });
    }
    for (const { id, title } of article.referenceTitles) {
      const counts = titles.get(id) ?? new Map<string, number>();
      counts.set(title, (counts.get(title) ?? 0) + 1);
      titles.set(id, counts);
    }
  }
  const missing: MissingArticle[] = [];
  for (const [id, list] of citedBy) {
    yield;
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
  return { summaries, citedBy, missing, missingById: new Map(missing.map((m) => [m.id, m])), diagnostics };
}
