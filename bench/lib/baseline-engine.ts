/**
 * Today's query engine as it was before search-as-you-type (commit 89d9016,
 * lib/search/engine.ts), frozen for the search bench's baseline: the same index
 * (its format is unchanged, the new files are extra), so both engines are
 * measured on the same files in the same run. Not used by the site.
 */
/**
 * The query engine over the static index (layout: ./format.ts). Pure: it
 * reads index files through the `fetchJson` it is given, so the same code runs
 * in the browser's search worker, in the main thread as a fallback, and in
 * Node for tests and the bench.
 *
 * Files are loaded lazily and kept: the manifest and facet columns on the
 * first query, one term shard per query word, one metadata chunk per shown
 * result, the keyword lists after the first results, dates for sort by date.
 */
import { FACET_NAMES, type FacetName } from '../../lib/search/facets';
import {
  FORMAT,
  FLAG_KEYWORD,
  FLAG_TITLE,
  bucketOf,
  decodeColumn,
  decodeCode,
  decodePostingRuns,
  permalinkOfNumber,
  shardOf,
  type DatesFile,
  type FacetColumn,
  type FacetsFile,
  type IdsFile,
  type KeywordsFile,
  type Manifest,
  type MetaRecord,
  type ShardFile,
} from '../../lib/search/format';
import { articleNumberOf, fold, queryTerms } from '../../lib/search/tokenize';
import type { ArticleSummary } from '../../lib/content/graph';

export type SortOrder = 'relevance' | 'date';

export type Filters = Partial<Record<FacetName, string[]>>;

export interface SearchRequest {
  q: string;
  filters?: Filters;
  sort?: SortOrder;
  offset?: number;
  limit?: number;
  /** Also match words that begin with the last query word (search as you type). Default true. */
  prefix?: boolean;
  /** Wait for the keyword lists instead of answering without keyword facet counts. */
  waitForKeywords?: boolean;
}

/** An article found: its summary (as the site lists articles everywhere) and text to show. */
export interface SearchHit extends ArticleSummary {
  /** Opening of the body text. */
  lead: string;
  /** Short passages around the article's rarest words, for excerpts when the lead lacks the searched words. */
  snippets: string[];
}

export interface FacetCount {
  value: string;
  count: number;
  selected: boolean;
}

export interface NumberMatch {
  number: number;
  id: string;
  permalink: string;
  /** In the archive, only cited by articles in it, or neither. */
  status: 'article' | 'missing' | 'unknown';
  title: string | null;
}

export interface SearchResponse {
  q: string;
  /** Query words searched for (folded; stop words dropped). */
  terms: string[];
  /** The last word was matched as a prefix too. */
  prefix: string | null;
  /** Words that matched no article. */
  unknown: string[];
  /** Words matched as KB keywords (metadata only). */
  keywords: string[];
  /** Articles matching (after filters). */
  total: number;
  /** No article has every word: these have some of them. */
  partial: boolean;
  /** Nothing to search for (empty query, no filters, or only stop words). */
  idle: boolean;
  hits: SearchHit[];
  offset: number;
  facets: Record<FacetName, FacetCount[]>;
  /** Facets whose counts are still loading (the keyword lists). */
  pending: FacetName[];
  sort: SortOrder;
  number: NumberMatch | null;
  ms: number;
}

/** Fetches and parses one index file by its path relative to the index root (`t/3.json?v=…`). */
export type FetchJson = (path: string) => Promise<unknown>;

interface Postings {
  docs: Int32Array;
  values: Uint16Array;
}

interface DecodedColumn {
  labels: string[];
  ids: Uint16Array | Uint32Array;
  combos: number[][];
}

const MAX_EXPANSIONS = 16;
/** The word being typed is matched as a prefix from this many characters on (exactly before). */
const MIN_PREFIX = 3;
const MAX_PREFIX_SHARDS = 2;
const EXPANSION_WEIGHT = 0.5;
const POSTINGS_CACHE = 400;
/** Index files kept parsed in memory (shards and metadata chunks beyond this are dropped, oldest first). */
const FILE_CACHE = 500;
const DOC_BITS = 2 ** 17;

export class SearchEngine {
  private readonly files = new Map<string, Promise<unknown>>();
  private manifestPromise: Promise<Manifest> | null = null;
  private manifest: Manifest | null = null;
  private columns: Record<'product' | 'year' | 'type' | 'platform', DecodedColumn> | null = null;
  private keywords: { labels: string[]; start: Int32Array; list: Uint16Array } | null = null;
  private keywordsPromise: Promise<void> | null = null;
  private dates: Uint16Array | Uint32Array | null = null;
  private readonly postings = new Map<string, Postings | null>();
  // Per-document accumulators, reused across queries (generation-stamped instead of cleared).
  private gen: Uint32Array = new Uint32Array(0);
  private termGen: Uint32Array = new Uint32Array(0);
  private score: Float64Array = new Float64Array(0);
  private lastAdd: Float64Array = new Float64Array(0);
  private hitCount: Uint8Array = new Uint8Array(0);
  private titleCount: Uint8Array = new Uint8Array(0);
  private titleGen: Uint32Array = new Uint32Array(0);
  private generation = 0;

  constructor(private readonly fetchJson: FetchJson) {}

  /** The index files fetched so far (paths without `?v=`), in order. */
  readonly loaded: string[] = [];

  private load<T>(file: string, versioned = true): Promise<T> {
    let promise = this.files.get(file);
    if (!promise) {
      const url = versioned && this.manifest ? `${file}?v=${this.manifest.version}` : file;
      this.loaded.push(file);
      promise = this.fetchJson(url);
      this.files.set(file, promise);
      promise.catch(() => this.files.delete(file));
      if (this.files.size > FILE_CACHE) {
        // Forget the oldest shards and metadata chunks (the browser's HTTP cache still has them).
        for (const name of this.files.keys()) {
          if (this.files.size <= FILE_CACHE * 0.8) break;
          if (name.startsWith('t/') || name.startsWith('m/')) this.files.delete(name);
        }
      }
    } else {
      // Most recently used last.
      this.files.delete(file);
      this.files.set(file, promise);
    }
    return promise as Promise<T>;
  }

  async getManifest(): Promise<Manifest> {
    this.manifestPromise ??= this.load<Manifest>('manifest.json', false).then((m) => {
      if (!m || m.format !== FORMAT || !Array.isArray(m.shards)) throw new Error('unsupported search index format');
      this.manifest = m;
      const n = m.docs;
      this.gen = new Uint32Array(n);
      this.termGen = new Uint32Array(n);
      this.score = new Float64Array(n);
      this.lastAdd = new Float64Array(n);
      this.hitCount = new Uint8Array(n);
      this.titleCount = new Uint8Array(n);
      this.titleGen = new Uint32Array(n);
      return m;
    });
    this.manifestPromise.catch(() => (this.manifestPromise = null));
    return this.manifestPromise;
  }

  private async getColumns(): Promise<NonNullable<SearchEngine['columns']>> {
    if (this.columns) return this.columns;
    const manifest = await this.getManifest();
    const file = await this.load<FacetsFile>('facets.json');
    const decode = (column: FacetColumn, labels: string[]): DecodedColumn => ({
      labels,
      combos: column.combos,
      ids: decodeColumn(column.codes, column.width),
    });
    this.columns ??= {
      product: decode(file.product, manifest.products),
      year: decode(file.year, manifest.years),
      type: decode(file.type, manifest.types),
      platform: decode(file.platform, manifest.platforms),
    };
    return this.columns;
  }

  /** Loads the per-document keyword lists (for the keyword facet). */
  loadKeywords(): Promise<void> {
    this.keywordsPromise ??= (async () => {
      const manifest = await this.getManifest();
      const file = await this.load<KeywordsFile & { width: number }>('keywords.json');
      const start = new Int32Array(manifest.docs + 1);
      const list: number[] = [];
      const codes = file.codes;
      const width = file.width;
      let doc = 0;
      let i = 0;
      while (i <= codes.length && doc < manifest.docs) {
        start[doc] = list.length;
        while (i < codes.length && codes.charCodeAt(i) !== 32) {
          list.push(decodeCode(codes, i, width));
          i += width;
        }
        i++;
        doc++;
      }
      for (; doc <= manifest.docs; doc++) start[doc] = list.length;
      this.keywords = { labels: file.labels, start, list: Uint16Array.from(list) };
    })();
    this.keywordsPromise.catch(() => (this.keywordsPromise = null));
    return this.keywordsPromise;
  }

  get keywordsReady(): boolean {
    return this.keywords !== null;
  }

  private async getDates(): Promise<Uint16Array | Uint32Array> {
    if (this.dates) return this.dates;
    const file = await this.load<DatesFile>('dates.json');
    this.dates ??= decodeColumn(file.codes, file.width);
    return this.dates;
  }

  private async getShard(index: number): Promise<ShardFile> {
    return this.load<ShardFile>(`t/${index}.json`);
  }

  /** Postings of one exact term, or null when the index does not have it. */
  private async termPostings(term: string): Promise<Postings | null> {
    if (this.postings.has(term)) {
      const hit = this.postings.get(term)!;
      this.postings.delete(term);
      this.postings.set(term, hit); // most recently used last
      return hit;
    }
    const manifest = await this.getManifest();
    const shard = await this.getShard(shardOf(manifest.shards, term));
    const i = lowerBound(shard.t, term);
    const result = shard.t[i] === term ? decodePostings(shard.p[i]!) : null;
    this.postings.set(term, result);
    if (this.postings.size > POSTINGS_CACHE) this.postings.delete(this.postings.keys().next().value!);
    return result;
  }

  /** The most frequent indexed terms that begin with `prefix` (without `prefix` itself). */
  private async expansions(prefix: string): Promise<string[]> {
    const manifest = await this.getManifest();
    const first = shardOf(manifest.shards, prefix);
    const last = Math.min(shardOf(manifest.shards, `${prefix}\uffff`), first + MAX_PREFIX_SHARDS - 1);
    const found: Array<[string, number]> = [];
    for (let s = first; s <= last; s++) {
      const shard = await this.getShard(s);
      for (let i = lowerBound(shard.t, prefix); i < shard.t.length && shard.t[i]!.startsWith(prefix); i++) {
        if (shard.t[i] !== prefix) found.push([shard.t[i]!, shard.p[i]!.length]);
      }
    }
    found.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
    return found.slice(0, MAX_EXPANSIONS).map(([t]) => t);
  }

  private async numberMatch(n: number): Promise<NumberMatch> {
    const manifest = await this.getManifest();
    const id = `Q${n}`;
    const base: NumberMatch = { number: n, id, permalink: permalinkOfNumber(n), status: 'unknown', title: null };
    const bucket = bucketOf(n);
    if (!manifest.buckets.includes(bucket)) return base;
    const ids = await this.load<IdsFile>(`ids/${bucket}.json`);
    const at = lowerBound(ids.a, n);
    if (ids.a[at] === n) {
      const [record] = await this.records([ids.d[at]!]);
      return { ...base, status: 'article', title: record ? record[1] : null };
    }
    if (ids.m[lowerBound(ids.m, n)] === n) return { ...base, status: 'missing' };
    return base;
  }

  /** Looks up an article number (for the search box's jump): no shards, no facets. */
  async lookupNumber(n: number): Promise<NumberMatch> {
    return this.numberMatch(n);
  }

  private async records(docs: readonly number[]): Promise<Array<MetaRecord | undefined>> {
    const manifest = await this.getManifest();
    const chunks = [...new Set(docs.map((d) => Math.floor(d / manifest.chunk)))];
    const loaded = new Map(await Promise.all(chunks.map(async (c) => [c, await this.load<MetaRecord[]>(`m/${c}.json`)] as const)));
    return docs.map((d) => loaded.get(Math.floor(d / manifest.chunk))?.[d % manifest.chunk]);
  }

  async search(request: SearchRequest): Promise<SearchResponse> {
    const started = now();
    const manifest = await this.getManifest();
    const columns = await this.getColumns();
    const n = manifest.docs;
    const q = request.q.slice(0, 2000);
    const sort: SortOrder = request.sort === 'date' ? 'date' : 'relevance';
    const offset = Math.max(0, Math.floor(request.offset ?? 0));
    const limit = Math.min(100, Math.max(1, Math.floor(request.limit ?? 20)));
    const filters = cleanFilters(request.filters);
    const hasFilters = FACET_NAMES.some((f) => (filters[f]?.length ?? 0) > 0);

    const num = articleNumberOf(q);
    const numberPromise = num === null ? null : this.numberMatch(num);
    // An article number searches the text for citations of it (`Q238171` in bodies) too.
    const { terms: parsedTerms, open } = num === null ? queryTerms(q) : { terms: [`q${num}`], open: false };
    const terms = parsedTerms;
    const needKeywords = (filters.keyword?.length ?? 0) > 0 || request.waitForKeywords === true;
    const keywordsPromise = needKeywords ? this.loadKeywords() : null;
    // Browsing by facets without words lists the newest first.
    const browse = terms.length === 0 && hasFilters;
    const datesPromise = sort === 'date' || browse ? this.getDates() : null;

    // --- Term postings (exact, plus prefix expansions of the last word) --------------------------
    const lists = await Promise.all(
      terms.map(async (term, i) => {
        const exact = await this.termPostings(term);
        const keywordTerm = exact !== null && term.startsWith('kb') && exact.values.every((v) => (v & FLAG_KEYWORD) !== 0);
        const expand = request.prefix !== false && open && i === terms.length - 1 && term.length >= MIN_PREFIX && !keywordTerm;
        const extra = expand ? await Promise.all((await this.expansions(term)).map((t) => this.termPostings(t))) : [];
        return { term, exact, keywordTerm, expanded: expand, extra: extra.filter((p): p is Postings => p !== null) };
      }),
    );
    const searchable = lists.filter((l) => l.exact || l.extra.length > 0);
    const unknown = lists.filter((l) => !l.exact && l.extra.length === 0).map((l) => l.term);
    const idle = terms.length === 0 && !hasFilters && num === null;

    // --- Accumulate scores ----------------------------------------------------------------------
    let candidates: number[] = [];
    let partial = false;
    const g = ++this.generation;
    if (searchable.length > 0) {
      const touched: number[] = [];
      searchable.forEach((list, t) => {
        const stamp = g * 32 + t;
        const add = (postings: Postings, weight: number) => {
          const { docs, values } = postings;
          for (let k = 0; k < docs.length; k++) {
            const d = docs[k]!;
            const v = values[k]!;
            const s = (v >> 2) * weight;
            if (this.gen[d] !== g) {
              this.gen[d] = g;
              this.score[d] = 0;
              this.hitCount[d] = 0;
              this.titleCount[d] = 0;
              touched.push(d);
            }
            if (this.termGen[d] !== stamp) {
              this.termGen[d] = stamp;
              this.hitCount[d]!++;
              this.score[d]! += s;
              this.lastAdd[d] = s;
            } else if (s > this.lastAdd[d]!) {
              this.score[d]! += s - this.lastAdd[d]!;
              this.lastAdd[d] = s;
            }
            if ((v & FLAG_TITLE) !== 0 && this.titleGen[d] !== stamp) {
              this.titleGen[d] = stamp;
              this.titleCount[d]!++;
            }
          }
        };
        if (list.exact) add(list.exact, 1);
        for (const extra of list.extra) add(extra, EXPANSION_WEIGHT);
      });
      const need = searchable.length + unknown.length;
      candidates = unknown.length === 0 ? touched.filter((d) => this.hitCount[d] === need) : [];
      if (candidates.length === 0 && (need > 1 || num !== null)) {
        candidates = touched;
        partial = num === null;
      }
    } else if (terms.length === 0 && hasFilters) {
      candidates = Array.from({ length: n }, (_, d) => d);
      this.generation++; // accumulators are not valid for this query
    }

    // --- Filters and facet counts ------------------------------------------------------------------
    if (keywordsPromise) await keywordsPromise;
    const keywords = this.keywords;
    const active = FACET_NAMES.filter((f) => (filters[f]?.length ?? 0) > 0 && (f !== 'keyword' || keywords));
    const tests = active.map((facet) => this.facetTest(facet, filters[facet]!, columns, keywords));
    const all = (1 << active.length) - 1;
    const passing: number[] = [];
    const masks = new Uint8Array(candidates.length);
    for (let c = 0; c < candidates.length; c++) {
      const d = candidates[c]!;
      let mask = 0;
      for (let f = 0; f < tests.length; f++) if (tests[f]!(d)) mask |= 1 << f;
      masks[c] = mask;
      if (mask === all) passing.push(d);
    }
    const facets = {} as Record<FacetName, FacetCount[]>;
    const pending: FacetName[] = [];
    for (const facet of FACET_NAMES) {
      if (facet === 'keyword' && !keywords) {
        facets[facet] = (filters.keyword ?? []).map((value) => ({ value, count: 0, selected: true }));
        pending.push(facet);
        continue;
      }
      const bit = active.indexOf(facet);
      const counts = new Map<number, number>();
      const need = bit < 0 ? all : all & ~(1 << bit);
      for (let c = 0; c < candidates.length; c++) {
        if ((masks[c]! & need) !== need) continue;
        for (const label of this.labelsOf(facet, candidates[c]!, columns, keywords)) counts.set(label, (counts.get(label) ?? 0) + 1);
      }
      const labels = facet === 'keyword' ? keywords!.labels : columns[facet as keyof typeof columns].labels;
      const selected = new Set(filters[facet] ?? []);
      const list: FacetCount[] = [...counts].map(([label, count]) => ({ value: labels[label]!, count, selected: selected.has(labels[label]!) }));
      for (const value of selected) if (!list.some((c) => c.value === value)) list.push({ value, count: 0, selected: true });
      list.sort(facet === 'year' ? (a, b) => (a.value < b.value ? 1 : -1) : (a, b) => b.count - a.count || (a.value < b.value ? -1 : 1));
      facets[facet] = list;
    }

    // --- Rank -------------------------------------------------------------------------------------
    const dates = datesPromise ? await datesPromise : null;
    const keys = new Float64Array(passing.length);
    const scored = searchable.length > 0;
    for (let i = 0; i < passing.length; i++) {
      const d = passing[i]!;
      let key: number;
      if (dates) key = dates[d]! * 8192 + (scored ? Math.min(8191, this.score[d]!) : 0);
      else if (scored) key = (partial ? this.hitCount[d]! : 0) * 1e7 + this.titleCount[d]! * 1e5 + Math.min(99_999, Math.round(this.score[d]!));
      else key = 0;
      keys[i] = key * DOC_BITS + (DOC_BITS - 1 - d);
    }
    keys.sort();
    const take = Math.max(0, Math.min(limit, keys.length - offset));
    const pageDocs: number[] = [];
    for (let i = 0; i < take; i++) {
      const x = keys[keys.length - 1 - offset - i]!;
      pageDocs.push(DOC_BITS - 1 - (x % DOC_BITS));
    }
    const docs = pageDocs;
    const records = await this.records(docs);
    let hits: SearchHit[] = docs.flatMap((d, i) => {
      const r = records[i];
      return r ? [hitOf(r, manifest)] : [];
    });
    if (offset === 0 && sort === 'relevance' && scored && num === null) hits = exactTitleFirst(hits, q);

    return {
      q,
      terms,
      prefix: lists.find((l) => l.expanded)?.term ?? null,
      unknown,
      keywords: lists.filter((l) => l.keywordTerm).map((l) => l.term),
      total: passing.length,
      partial,
      idle,
      hits,
      offset,
      facets,
      pending,
      sort: dates ? 'date' : 'relevance',
      number: numberPromise ? await numberPromise : null,
      ms: Math.round(now() - started),
    };
  }

  private facetTest(
    facet: FacetName,
    values: string[],
    columns: NonNullable<SearchEngine['columns']>,
    keywords: SearchEngine['keywords'],
  ): (d: number) => boolean {
    if (facet === 'keyword') {
      const k = keywords!;
      const wanted = new Set(values.map((v) => k.labels.indexOf(v)).filter((i) => i >= 0));
      return (d) => {
        for (let i = k.start[d]!; i < k.start[d + 1]!; i++) if (wanted.has(k.list[i]!)) return true;
        return false;
      };
    }
    const column = columns[facet as keyof typeof columns];
    const wanted = new Set(values.map((v) => column.labels.indexOf(v)).filter((i) => i >= 0));
    const comboOk = column.combos.map((combo) => combo.some((l) => wanted.has(l)));
    return (d) => comboOk[column.ids[d]!] === true;
  }

  private labelsOf(facet: FacetName, d: number, columns: NonNullable<SearchEngine['columns']>, keywords: SearchEngine['keywords']): Iterable<number> {
    if (facet === 'keyword') return keywords!.list.subarray(keywords!.start[d]!, keywords!.start[d + 1]!);
    const column = columns[facet as keyof typeof columns];
    return column.combos[column.ids[d]!]!;
  }
}

/** The postings as the index writes them now (the layout of an entry changed since; what is read did not). */
const decodePostings = (text: string): Postings => decodePostingRuns(text);

function lowerBound<T>(sorted: readonly T[], value: T): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]! < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function cleanFilters(filters: Filters | undefined): Filters {
  const out: Filters = {};
  for (const facet of FACET_NAMES) {
    const values = [...new Set((filters?.[facet] ?? []).filter((v) => typeof v === 'string' && v.length > 0 && v.length < 200))].slice(0, 20);
    if (values.length) out[facet] = values;
  }
  return out;
}

function hitOf(record: MetaRecord, manifest: Manifest): SearchHit {
  const [number, title, product, lastModified, lead, snippets] = record;
  return {
    id: `Q${number}`,
    number,
    title,
    permalink: permalinkOfNumber(number),
    product: product >= 0 ? (manifest.products[product] ?? null) : null,
    lastModified: lastModified || null,
    lead,
    snippets: Array.isArray(snippets) ? snippets.filter((x) => typeof x === 'string') : [],
  };
}

/** Words of a title or query, folded, for exact comparison. */
export function titleKey(text: string): string {
  return fold(text.replace(/^\s*Q\d+\s*:\s*/i, ''))
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

/** A result whose title is exactly the query moves to the top of the first page. */
function exactTitleFirst(hits: SearchHit[], q: string): SearchHit[] {
  const key = titleKey(q);
  if (!key) return hits;
  const at = hits.findIndex((h) => titleKey(h.title) === key);
  if (at <= 0) return hits;
  return [hits[at]!, ...hits.slice(0, at), ...hits.slice(at + 1)];
}

function now(): number {
  return typeof performance !== 'undefined' ? performance.now() : Date.now();
}
