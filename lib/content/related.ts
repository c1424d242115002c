/**
 * Per-article navigation that needs the whole archive: the previous and next
 * article by number, and "related" articles (sharing product and keywords).
 *
 * Scale: the export renders ~64k pages, so nothing here may scan the corpus per
 * page. `buildArticleIndexes` runs once per process (memoized from `getSite()`
 * in ./index.ts) and builds:
 * - the position of every article in number order (prev/next in O(1), and the
 *   nearest articles to any number by binary search);
 * - an inverted index from each tag (Keywords, Technology, Issue and Solution
 *   type, lower-cased) and each distinctive title word to the articles that
 *   carry it. Terms carried by more than `MAX_POSTINGS` articles (`kbnetwork`,
 *   `ENDUSER`, "Windows"…) say little and would cost a long scan: they are left
 *   out of the index, so scoring one article reads at most
 *   `MAX_POSTINGS` × its number of terms entries;
 * - per product, its articles in number order (to fill up with close neighbours
 *   of the same product when an article shares no distinctive term).
 *
 * Pure: no fs, no Next; tested in test/article-related.test.ts.
 */
import type { Article } from '../markdown/schema';
import type { ArticleSummary } from './graph';
import { runSteps, runStepsInSlices } from './slices';

/** Terms carried by more articles than this are ignored for scoring. */
export const MAX_POSTINGS = 2000;

/** Title words too common or too vague to relate two articles. */
const STOP_WORDS = new Set(
  (
    'the and for with not does are can cannot when from how into using use used that this you your may will all ' +
    'after before about over under than then there its has have had was were but out off via per one two more ' +
    'error errors message messages problem problems fix info prb doc bug howto sample file files run runs running ' +
    'work works working microsoft available information article articles list new'
  ).split(' '),
);

export interface ArticleIndexes {
  /** Summaries in number order (the link graph's list). */
  summaries: readonly ArticleSummary[];
  /** id → index into `summaries`. */
  position: Map<string, number>;
  /** term → its index into `lists` and `weights` (only terms of 2 to MAX_POSTINGS articles). */
  termIds: Map<string, number>;
  /**
   * Each article's terms, resolved for scoring (`relatedArticles`): article i's scored terms (those in `termIds`, in
   * the order `termsOf` gives them) are `scored[scoredStarts[i] .. scoredStarts[i + 1])`, each an index into `lists`
   * (the indices of the articles carrying it) and `weights` (its inverse document frequency, halved for title words).
   */
  scoredStarts: Uint32Array;
  scored: Int32Array;
  lists: Int32Array[];
  weights: Float64Array;
  /** Product of each article, as an index into `products` (-1: none). */
  productOf: Int32Array;
  /** Each product's articles, in number order. */
  byProduct: number[][];
  /** Number of articles. */
  size: number;
  /** Each article's number (`summaries[i].number`): the tie-break by distance reads it for thousands of candidates. */
  numbers: Float64Array;
  /** Scoring scratch space (one per process; relatedArticles is synchronous): scores, and the articles scored. */
  scratch?: Float64Array;
  touched?: Int32Array;
}

/** Tags (`t:`) and title words (`w:`) of an article, deduplicated. */
export function termsOf(article: Pick<Article, 'title' | 'id' | 'keywords' | 'technology' | 'issueType' | 'solutionType'>): string[] {
  const out = new Set<string>();
  for (const tag of [...article.keywords, ...article.technology, ...article.issueType, ...article.solutionType]) {
    const t = tag.trim().toLowerCase();
    if (t) out.add(`t:${t}`);
  }
  const title = article.title.startsWith(`${article.id}:`) ? article.title.slice(article.id.length + 1) : article.title;
  for (const word of title.toLowerCase().split(/[^a-z0-9]+/)) {
    if (word.length < 3 || STOP_WORDS.has(word) || /^\d+$/.test(word)) continue;
    out.add(`w:${word}`);
  }
  return [...out];
}

/** Builds the indexes; `articles` and `summaries` are index-aligned, in number order. */
export function buildArticleIndexes(articles: readonly Article[], summaries: readonly ArticleSummary[]): ArticleIndexes {
  return runSteps(indexSteps(articles, summaries));
}

/** Articles (or terms) per step of `indexSteps`. */
const SLICE = 200;

/**
 * The same indexes, built a slice at a time with a turn of the event loop between slices (./slices.ts): `next dev`
 * builds them in the background while it serves pages (in one piece, 9.7 s at 241,340 articles on a
 * loaded 2-core machine, during which every request waited: BENCHMARKS.md "Session 6, branch s6-dev").
 */
export function buildArticleIndexesYielding(articles: readonly Article[], summaries: readonly ArticleSummary[], sliceMs?: number): Promise<ArticleIndexes> {
  return runStepsInSlices(indexSteps(articles, summaries), sliceMs);
}

/** The indexes' construction, pausing (`yield`) after each `SLICE` articles or terms. */
function* indexSteps(articles: readonly Article[], summaries: readonly ArticleSummary[]): Generator<void, ArticleIndexes, void> {
  const position = new Map<string, number>();
  const all = new Map<string, number[]>();
  const terms: string[][] = [];
  const productIds = new Map<string, number>();
  const productOf = new Int32Array(articles.length).fill(-1);
  const byProduct: number[][] = [];
  for (let i = 0; i < articles.length; i++) {
    if (i > 0 && i % SLICE === 0) yield;
    const article = articles[i]!;
    position.set(article.id, i);
    // One article's terms or product that cannot be read (metadata no listing could show either: the link graph
    // reports it, `listing-failed`) relate it to nothing; the indexes of the others are built.
    let own: string[] = [];
    let product: string | undefined;
    try {
      own = termsOf(article);
      product = article.product?.trim();
    } catch {
      own = [];
      product = undefined;
    }
    terms.push(own);
    for (const term of own) {
      const list = all.get(term);
      if (list) list.push(i);
      else all.set(term, [i]);
    }
    if (product) {
      let p = productIds.get(product);
      if (p === undefined) {
        p = byProduct.length;
        productIds.set(product, p);
        byProduct.push([]);
      }
      productOf[i] = p;
      byProduct[p]!.push(i);
    }
  }
  const termIds = new Map<string, number>();
  const lists: Int32Array[] = [];
  const weights: number[] = [];
  let seen = 0;
  for (const [term, list] of all) {
    if (++seen % SLICE === 0) yield;
    // A term only this article has relates it to nothing; a very common one says little.
    if (list.length >= 2 && list.length <= MAX_POSTINGS) {
      termIds.set(term, lists.length);
      lists.push(Int32Array.from(list));
      weights.push(Math.log(articles.length / list.length) * (term.startsWith('w:') ? 0.5 : 1));
    }
  }
  const scoredStarts = new Uint32Array(articles.length + 1);
  const scoredList: number[] = [];
  for (let i = 0; i < articles.length; i++) {
    if (i > 0 && i % SLICE === 0) yield;
    scoredStarts[i] = scoredList.length;
    for (const term of terms[i]!) {
      const id = termIds.get(term);
      if (id !== undefined) scoredList.push(id);
    }
  }
  scoredStarts[articles.length] = scoredList.length;
  return {
    summaries,
    position,
    termIds,
    scoredStarts,
    scored: Int32Array.from(scoredList),
    lists,
    weights: Float64Array.from(weights),
    productOf,
    byProduct,
    size: articles.length,
    numbers: Float64Array.from(summaries, (summary) => summary.number),
  };
}

/** The articles just before and after `id` in number order (null at either end, or when `id` is unknown). */
export function neighbours(indexes: ArticleIndexes, id: string): { previous: ArticleSummary | null; next: ArticleSummary | null } {
  const i = indexes.position.get(id);
  if (i === undefined) return nearestTo(indexes, Number(id.slice(1)));
  return { previous: indexes.summaries[i - 1] ?? null, next: indexes.summaries[i + 1] ?? null };
}

/** The archive's articles on either side of a number that is not in it (binary search). */
export function nearestTo(indexes: ArticleIndexes, number: number): { previous: ArticleSummary | null; next: ArticleSummary | null } {
  const list = indexes.summaries;
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (list[mid]!.number < number) lo = mid + 1;
    else hi = mid;
  }
  const next = list[lo]?.number === number ? (list[lo + 1] ?? null) : (list[lo] ?? null);
  return { previous: list[lo - 1] ?? null, next };
}

export interface RelatedOptions {
  /** How many to return; default 5. */
  limit?: number;
  /** Ids not to suggest (the article's own references and backlinks are already linked). */
  exclude?: ReadonlySet<string>;
}

/**
 * Articles related to `id`: each shared tag or title word scores its inverse
 * document frequency (title words count half: they are noisier), a shared
 * product adds a fixed bonus, and a candidate must share at least some
 * distinctive term. Ties go to the closer number, then the lower one, so the
 * result is deterministic. When fewer than `limit` are found, the closest
 * articles of the same product by number fill the list.
 *
 * Cost: O(sum of the posting lengths of the article's terms) ≤ MAX_POSTINGS × terms.
 */
export function relatedArticles(indexes: ArticleIndexes, id: string, options: RelatedOptions = {}): ArticleSummary[] {
  const limit = options.limit ?? 5;
  const self = indexes.position.get(id);
  if (self === undefined || limit <= 0) return [];
  const exclude = options.exclude;
  const usable = (j: number) => j !== self && !(exclude?.has(indexes.summaries[j]!.id) ?? false);
  const { scored, lists, weights, numbers, productOf } = indexes;
  const product = productOf[self]!;
  // Scores accumulate in a per-index scratch array (reset after use) instead of a Map, the articles scored in
  // another (each once: every weight counted is above 0, so a score of 0 means not scored yet), and only the best
  // `limit` are kept: no sort of all candidates. This loop runs for every page of the export (~5,000 postings an
  // article at 60k): typed arrays only, no closure per candidate.
  const scores = (indexes.scratch ??= new Float64Array(indexes.size));
  const touched = (indexes.touched ??= new Int32Array(indexes.size));
  let count = 0;
  for (let t = indexes.scoredStarts[self]!; t < indexes.scoredStarts[self + 1]!; t++) {
    const weight = weights[scored[t]!]!;
    // A term every article carries weighs nothing (log 1): it can add to no score.
    if (!(weight > 0)) continue;
    const list = lists[scored[t]!]!;
    for (let k = 0; k < list.length; k++) {
      const j = list[k]!;
      const score = scores[j]!;
      if (score === 0) touched[count++] = j;
      scores[j] = score + weight;
    }
  }
  const number = numbers[self]!;
  // The best so far, best first: index, score and distance in number. Better: higher score, then closer number,
  // then lower index (deterministic). Once `limit` are kept, a candidate scoring below the last of them cannot
  // enter: it is passed over before its product and number are read (at 241k articles, reading those two for each of
  // ~2,700 candidates an article, all over the archive's arrays, cost more than the scoring itself).
  const top = new Int32Array(limit);
  const topScore = new Float64Array(limit);
  const topDistance = new Float64Array(limit);
  let kept = 0;
  // One shared rare title word alone (~4) is not enough to call two articles related.
  let least = 4.5;
  const bonus = product >= 0 ? 2 : 0;
  for (let x = 0; x < count; x++) {
    const j = touched[x]!;
    let total = scores[j]!;
    scores[j] = 0;
    if (total + bonus < least) continue;
    if (bonus > 0 && productOf[j] === product) total += bonus;
    if (total < least) continue;
    const distance = Math.abs(numbers[j]! - number);
    if (kept === limit && !better(total, distance, j, topScore[limit - 1]!, topDistance[limit - 1]!, top[limit - 1]!)) continue;
    if (!usable(j)) continue;
    let at = kept === limit ? limit - 1 : kept;
    for (; at > 0 && better(total, distance, j, topScore[at - 1]!, topDistance[at - 1]!, top[at - 1]!); at--) {
      top[at] = top[at - 1]!;
      topScore[at] = topScore[at - 1]!;
      topDistance[at] = topDistance[at - 1]!;
    }
    top[at] = j;
    topScore[at] = total;
    topDistance[at] = distance;
    if (kept < limit) kept++;
    if (kept === limit) least = topScore[limit - 1]!;
  }
  const picked = Array.from(top.subarray(0, kept));
  if (picked.length < limit && product >= 0) fillFromProduct(indexes, self, product, limit, picked, usable);
  return picked.map((j) => indexes.summaries[j]!);
}

/** Whether candidate `j` (score, distance in number) ranks before `k`: higher score, then closer, then lower index. */
function better(score: number, distance: number, j: number, scoreK: number, distanceK: number, k: number): boolean {
  return score > scoreK || (score === scoreK && (distance < distanceK || (distance === distanceK && j < k)));
}

/** Adds the same-product articles closest in number to `self`, alternating sides. */
function fillFromProduct(indexes: ArticleIndexes, self: number, product: number, limit: number, picked: number[], usable: (j: number) => boolean): void {
  const list = indexes.byProduct[product]!;
  // `list` is in number order, as `self` is an index into number order: find self in it.
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (list[mid]! < self) lo = mid + 1;
    else hi = mid;
  }
  const seen = new Set(picked);
  const number = indexes.summaries[self]!.number;
  let left = lo - 1;
  let right = lo + 1;
  // Bounded: at most a few dozen steps past excluded articles.
  for (let steps = 0; picked.length < limit && steps < 200 && (left >= 0 || right < list.length); steps++) {
    const l = left >= 0 ? list[left]! : -1;
    const r = right < list.length ? list[right]! : -1;
    const takeLeft = r < 0 || (l >= 0 && number - indexes.summaries[l]!.number <= indexes.summaries[r]!.number - number);
    const j = takeLeft ? l : r;
    if (takeLeft) left--;
    else right++;
    if (usable(j) && !seen.has(j)) {
      seen.add(j);
      picked.push(j);
    }
  }
}
