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
import { FACET_NAMES, type FacetName } from './facets';
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
  type FileRecord,
  type RecordsFile,
  type ShardFile,
  type SuggestRecord,
  fileKeyOf,
} from './format';
import { decodeRecords } from './records';
import { fileSlug } from '../file-slug';
import { articleNumberOf, fold, queryTerms } from './tokenize';
import type { ArticleSummary } from '../content/graph';

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
  /**
   * Suggestions for the header box: hits only (no facet columns, keyword lists or dates
   * are loaded; filters and sort are ignored), so that a keystroke fetches as little as possible.
   */
  suggest?: boolean;
  /** Answer without facet counts (and without loading the facet columns): a first answer while they load. */
  facetsLater?: boolean;
}

/** An article found: its summary (as the site lists articles everywhere) and text to show. */
export interface SearchHit extends ArticleSummary {
  /** Opening of the body text. */
  lead: string;
  /** Short passages around the article's rarest words, for excerpts when the lead lacks the searched words. */
  snippets: string[];
  /** The section each text is in: `[0]` the lead's, `[i + 1]` snippet i's (null: none known). */
  sections: Array<{ id: string; title: string } | null>;
}

/** A file name of the articles' file tables that the query names (`rassrv`, `ntoskrnl.exe`). */
export interface FileMatch {
  name: string;
  /** Its page: `/files/<slug>/`. */
  slug: string;
  /** Articles whose file tables list it. */
  count: number;
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
  /** File names the query names, with or without extension, most listed first (at most 3). */
  files: FileMatch[];
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
/** Rank keys hold the document in their low bits: documents below 2^20 (the 4× archive has 241,340). */
const DOC_BITS = 2 ** 20;
/** Shards' title record tables kept (`r/<n>.json`, parsed), most recently used last. */
const RECORD_TABLES = 200;

export class SearchEngine {
  private readonly files = new Map<string, Promise<unknown>>();
  private manifestPromise: Promise<Manifest> | null = null;
  private manifest: Manifest | null = null;
  private columns: Record<'product' | 'year' | 'type' | 'platform', DecodedColumn> | null = null;
  private keywords: { labels: string[]; start: Int32Array; list: Uint16Array } | null = null;
  private keywordsPromise: Promise<void> | null = null;
  private dates: Uint16Array | Uint32Array | null = null;
  private readonly postings = new Map<string, Postings | null>();
  /** Title records loaded with the shards (`r/<n>.json`), by shard: document → record. */
  private readonly recordTables = new Map<number, Promise<Map<number, SuggestRecord> | null>>();
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
          if (name.startsWith('t/') || name.startsWith('m/') || name.startsWith('r/')) this.files.delete(name);
        }
      }
    } else {
      // Most recently used last.
      this.files.delete(file);
      this.files.set(file, promise);
    }
    return promise as Promise<T>;
  }

  /** A manifest fetched elsewhere (by the page while this worker started); ignored once one is loading. */
  provideManifest(manifest: unknown): void {
    if (this.manifestPromise) return;
    this.manifestPromise = this.acceptManifest(Promise.resolve(manifest));
    this.manifestPromise.catch(() => (this.manifestPromise = null));
  }

  async getManifest(): Promise<Manifest> {
    this.manifestPromise ??= this.acceptManifest(this.load<Manifest>('manifest.json', false));
    this.manifestPromise.catch(() => (this.manifestPromise = null));
    return this.manifestPromise;
  }

  private acceptManifest(loading: Promise<unknown>): Promise<Manifest> {
    return loading.then((value) => {
      const m = value as Manifest;
      if (!m || m.format !== FORMAT || !Array.isArray(m.shards) || !Number.isInteger(m.docs) || m.docs < 0) throw new Error('unsupported search index format');
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
  }

  /** Loads what every query needs first (the manifest), e.g. while the reader focuses the box. */
  async warm(): Promise<void> {
    await this.getManifest();
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

  /** The facet columns are loaded (a search with facets costs no extra round trip). */
  get columnsReady(): boolean {
    return this.columns !== null;
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

  /** A term shard; with `withRecords` (suggestions, when the index has them), its title records load alongside (same round trip). */
  private async getShard(index: number, withRecords = false): Promise<ShardFile> {
    const shard = this.load<ShardFile>(`t/${index}.json`);
    if (withRecords && this.manifest?.shardRecords === true) {
      const [file] = await Promise.all([shard, this.recordTable(index)]);
      return file;
    }
    return shard;
  }

  /** A shard's title records (null when its file is malformed or failed: the record chunks answer instead). */
  private recordTable(index: number): Promise<Map<number, SuggestRecord> | null> {
    let table = this.recordTables.get(index);
    if (table) {
      this.recordTables.delete(index);
      this.recordTables.set(index, table);
      return table;
    }
    table = this.load<RecordsFile>(`r/${index}.json`).then(
      (file) => decodeRecords(file),
      () => {
        this.recordTables.delete(index); // tried again with the shard's next use
        return null;
      },
    );
    this.recordTables.set(index, table);
    if (this.recordTables.size > RECORD_TABLES) this.recordTables.delete(this.recordTables.keys().next().value!);
    return table;
  }

  /** Postings of one exact term, or null when the index does not have it. */
  private async termPostings(term: string, withRecords = false): Promise<Postings | null> {
    if (this.postings.has(term)) {
      const hit = this.postings.get(term)!;
      this.postings.delete(term);
      this.postings.set(term, hit); // most recently used last
      if (withRecords && this.manifest?.shardRecords === true) await this.recordTable(shardOf(this.manifest.shards, term));
      return hit;
    }
    const manifest = await this.getManifest();
    const shard = await this.getShard(shardOf(manifest.shards, term), withRecords);
    const i = lowerBound(shard.t, term);
    const result = shard.t[i] === term ? decodePostingRuns(shard.p[i]!) : null;
    this.postings.set(term, result);
    if (this.postings.size > POSTINGS_CACHE) this.postings.delete(this.postings.keys().next().value!);
    return result;
  }

  /** The most frequent indexed terms that begin with `prefix` (without `prefix` itself). */
  private async expansions(prefix: string, withRecords = false): Promise<string[]> {
    const manifest = await this.getManifest();
    const first = shardOf(manifest.shards, prefix);
    const last = Math.min(shardOf(manifest.shards, `${prefix}\uffff`), first + MAX_PREFIX_SHARDS - 1);
    const found: Array<[string, number]> = [];
    // The shards of the prefix's range load at once, not one after another.
    const shards = await Promise.all(Array.from({ length: last - first + 1 }, (_, k) => this.getShard(first + k, withRecords)));
    for (const shard of shards) {
      for (let i = lowerBound(shard.t, prefix); i < shard.t.length && shard.t[i]!.startsWith(prefix); i++) {
        if (shard.t[i] !== prefix) found.push([shard.t[i]!, shard.p[i]!.length]);
      }
    }
    found.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
    return found.slice(0, MAX_EXPANSIONS).map(([t]) => t);
  }

  private async numberMatch(n: number, suggest = false): Promise<NumberMatch> {
    const manifest = await this.getManifest();
    const id = `Q${n}`;
    const base: NumberMatch = { number: n, id, permalink: permalinkOfNumber(n), status: 'unknown', title: null };
    const bucket = bucketOf(n);
    if (!manifest.buckets.includes(bucket)) return base;
    const ids = await this.load<IdsFile>(`ids/${bucket}.json`);
    const at = lowerBound(ids.a, n);
    if (ids.a[at] === n) {
      const [record] = await this.records([ids.d[at]!], suggest);
      return { ...base, status: 'article', title: record ? record[1] : null };
    }
    if (ids.m[lowerBound(ids.m, n)] === n) return { ...base, status: 'missing' };
    return base;
  }

  /** File names a query names: one word (`rassrv`, `ntoskrnl.exe`) equal to a name or to a name without its extension. */
  private async fileMatches(q: string): Promise<FileMatch[]> {
    const text = q.trim();
    if (text.length < 3 || text.length > 200 || /\s/.test(text)) return [];
    const slug = fileSlug(text);
    const manifest = await this.getManifest();
    if (!slug || slug.length < 3 || !Array.isArray(manifest.files) || !manifest.files.includes(fileKeyOf(slug))) return [];
    const table = await this.load<FileRecord[]>(`f/${fileKeyOf(slug)}.json`);
    if (!Array.isArray(table)) return [];
    const found: FileMatch[] = [];
    // Sorted by slug: the name itself, then `<slug>.<extension>` names, are one run from the lower bound.
    for (
      let i = lowerBound(
        table.map((r) => r[0]),
        slug,
      );
      i < table.length;
      i++
    ) {
      const [s, name, count] = table[i]!;
      if (!s.startsWith(slug)) break;
      if (s === slug || (s[slug.length] === '.' && !s.slice(slug.length + 1).includes('.'))) found.push({ name, slug: s, count });
    }
    found.sort((a, b) => (a.slug === slug ? -1 : b.slug === slug ? 1 : b.count - a.count));
    return found.slice(0, 3);
  }

  /** Looks up an article number (for the search box's jump): no shards, no facets. */
  async lookupNumber(n: number): Promise<NumberMatch> {
    return this.numberMatch(n);
  }

  /** Result records; `superseded` is checked before any file must be fetched for them (a search that needs none answers). */
  private async records(docs: readonly number[], suggest = false, superseded?: () => boolean): Promise<Array<MetaRecord | SuggestRecord | undefined>> {
    const manifest = await this.getManifest();
    // Suggestions read the small title record chunks when the index has them (older indexes), else the result chunks.
    const light = suggest && typeof manifest.suggestChunk === 'number' && manifest.suggestChunk > 0;
    const size = light ? manifest.suggestChunk! : manifest.chunk;
    const dir = light ? 's' : 'm';
    // Suggestions: the records that came with the shards first (no round trip); chunks only for the others.
    const known = suggest ? await this.knownRecords(docs) : [];
    const chunks = [...new Set(docs.filter((_, i) => known[i] === undefined).map((d) => Math.floor(d / size)))];
    if (chunks.length > 0 && superseded?.()) throw new SupersededError();
    // All chunks at once: one round trip, not one per result.
    const loaded = new Map(await Promise.all(chunks.map(async (c) => [c, await this.load<Array<MetaRecord | SuggestRecord>>(`${dir}/${c}.json`)] as const)));
    return docs.map((d, i) => known[i] ?? loaded.get(Math.floor(d / size))?.[d % size]);
  }

  /** The records of `docs` found in the loaded shards' title record tables (undefined: not there). */
  private async knownRecords(docs: readonly number[]): Promise<Array<SuggestRecord | undefined>> {
    const out: Array<SuggestRecord | undefined> = docs.map(() => undefined);
    if (docs.length === 0 || this.recordTables.size === 0) return out;
    const tables = await Promise.all(this.recordTables.values());
    for (let i = 0; i < docs.length; i++) {
      for (const table of tables) {
        const record = table?.get(docs[i]!);
        if (record) {
          out[i] = record;
          break;
        }
      }
    }
    return out;
  }

  /**
   * Runs a search. `superseded` (optional) says whether a newer search has replaced
   * this one: checked before the result metadata is fetched, so that keystrokes typed
   * faster than the network do not each fetch the metadata of their results (a suggestion
   * whose title records all came with its shards answers: that costs no fetch).
   */
  async search(request: SearchRequest, superseded?: () => boolean): Promise<SearchResponse> {
    const started = now();
    const manifest = await this.getManifest();
    const suggest = request.suggest === true;
    // Facet columns load alongside the term shards (not before them): one round trip less.
    const skipFacets = suggest || request.facetsLater === true;
    const columnsPromise = skipFacets ? null : this.getColumns();
    columnsPromise?.catch(() => {}); // awaited below
    const n = manifest.docs;
    const q = request.q.slice(0, 2000);
    const sort: SortOrder = request.sort === 'date' && !suggest ? 'date' : 'relevance';
    const offset = Math.max(0, Math.floor(request.offset ?? 0));
    const limit = Math.min(100, Math.max(1, Math.floor(request.limit ?? 20)));
    const filters = skipFacets ? {} : cleanFilters(request.filters);
    const hasFilters = FACET_NAMES.some((f) => (filters[f]?.length ?? 0) > 0);

    const num = articleNumberOf(q);
    const numberPromise = num === null ? null : this.numberMatch(num, suggest);
    const filesPromise = num === null && suggest ? this.fileMatches(q).catch(() => []) : null;
    // An article number searches the text for citations of it (`Q238171` in bodies) too.
    const { terms: parsedTerms, open } = num === null ? queryTerms(q) : { terms: [`q${num}`], open: false };
    const terms = parsedTerms;
    const needKeywords = !suggest && ((filters.keyword?.length ?? 0) > 0 || request.waitForKeywords === true);
    const keywordsPromise = needKeywords ? this.loadKeywords() : null;
    // Browsing by facets without words lists the newest first.
    const browse = terms.length === 0 && hasFilters;
    const datesPromise = sort === 'date' || browse ? this.getDates() : null;

    // The steps, each a method below: term postings, scores, filters and facet counts, rank.
    const lists = await this.termLists(terms, open && request.prefix !== false, suggest);
    const searchable = lists.filter((l) => l.exact || l.extra.length > 0);
    const unknown = lists.filter((l) => !l.exact && l.extra.length === 0).map((l) => l.term);
    const idle = terms.length === 0 && !hasFilters && num === null;
    const { candidates, partial, scores } = this.accumulate(searchable, unknown.length, num !== null, terms.length === 0 && hasFilters ? n : 0);

    const columns = columnsPromise ? await columnsPromise : null;
    if (keywordsPromise) await keywordsPromise;
    const { passing, passingAt, facets, pending } = this.filterAndCount(candidates, filters, columns, this.keywords, suggest);

    const dates = datesPromise ? await datesPromise : null;
    const scored = searchable.length > 0;
    const docs = rankPage(passing, passingAt, scores, { dates, scored, partial, offset, limit });
    const records = await this.records(docs, suggest, superseded);
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
      files: filesPromise ? await filesPromise : [],
      ms: Math.round(now() - started),
    };
  }

  /** Term postings: each term's exact postings, plus the prefix expansions of the last word while it is typed (`open`). */
  private async termLists(terms: readonly string[], open: boolean, withRecords: boolean): Promise<TermList[]> {
    return Promise.all(
      terms.map(async (term, i) => {
        const mayExpand = open && i === terms.length - 1 && term.length >= MIN_PREFIX;
        // The word being typed: its expansions load alongside its exact postings (one round trip, not two).
        const expansions = mayExpand ? this.expansions(term, withRecords) : null;
        expansions?.catch(() => {}); // awaited below, or not needed
        const exact = await this.termPostings(term, withRecords);
        const keywordTerm = exact !== null && term.startsWith('kb') && exact.values.every((v) => (v & FLAG_KEYWORD) !== 0);
        const expand = mayExpand && !keywordTerm;
        const extra = expand && expansions ? await Promise.all((await expansions).map((t) => this.termPostings(t, withRecords))) : [];
        return { term, exact, keywordTerm, expanded: expand, extra: extra.filter((p): p is Postings => p !== null) };
      }),
    );
  }

  /**
   * Scores: adds each list's postings into the engine's per-document accumulators and picks the candidates
   * (documents with every term; else, for several terms or a number, those with any: `partial`). With no
   * searchable term, `browseAll` documents (facets without words) are the candidates. The accumulators are
   * shared by every search of this engine: this query's values are copied out before the caller awaits again.
   */
  private accumulate(searchable: readonly TermList[], unknownCount: number, isNumber: boolean, browseAll: number): Accumulated {
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
      const need = searchable.length + unknownCount;
      candidates = unknownCount === 0 ? touched.filter((d) => this.hitCount[d] === need) : [];
      if (candidates.length === 0 && (need > 1 || isNumber)) {
        candidates = touched;
        partial = !isNumber;
      }
    } else if (browseAll > 0) {
      candidates = Array.from({ length: browseAll }, (_, d) => d);
      this.generation++; // accumulators are not valid for this query
    }
    const scores: CandidateScores = {
      score: new Float64Array(candidates.length),
      hits: new Uint8Array(candidates.length),
      titles: new Uint8Array(candidates.length),
    };
    if (searchable.length > 0) {
      for (let c = 0; c < candidates.length; c++) {
        const d = candidates[c]!;
        scores.score[c] = this.score[d]!;
        scores.hits[c] = this.hitCount[d]!;
        scores.titles[c] = this.titleCount[d]!;
      }
    }
    return { candidates, partial, scores };
  }

  /**
   * Filters and facet counts: the candidates that pass every active filter (`passing`, with their candidate
   * index in `passingAt`), and each facet's counts over the candidates that pass the other facets' filters.
   * Facets whose columns are not loaded yet are `pending`.
   */
  private filterAndCount(
    candidates: readonly number[],
    filters: Filters,
    columns: SearchEngine['columns'],
    keywords: SearchEngine['keywords'],
    suggest: boolean,
  ): { passing: number[]; passingAt: number[]; facets: Record<FacetName, FacetCount[]>; pending: FacetName[] } {
    const active = FACET_NAMES.filter((f) => (filters[f]?.length ?? 0) > 0 && (f !== 'keyword' || keywords));
    const tests = columns ? active.map((facet) => this.facetTest(facet, filters[facet]!, columns, keywords)) : [];
    const all = (1 << active.length) - 1;
    const passing: number[] = [];
    const passingAt: number[] = [];
    const masks = new Uint8Array(candidates.length);
    for (let c = 0; c < candidates.length; c++) {
      const d = candidates[c]!;
      let mask = 0;
      for (let f = 0; f < tests.length; f++) if (tests[f]!(d)) mask |= 1 << f;
      masks[c] = mask;
      if (mask === all) {
        passing.push(d);
        passingAt.push(c);
      }
    }
    const facets = {} as Record<FacetName, FacetCount[]>;
    const pending: FacetName[] = [];
    for (const facet of FACET_NAMES) {
      if (!columns) {
        facets[facet] = [];
        if (!suggest) pending.push(facet);
        continue;
      }
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
      facets[facet] = facetList(counts, labels, filters[facet] ?? [], facet === 'year');
    }
    return { passing, passingAt, facets, pending };
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

interface TermList {
  term: string;
  exact: Postings | null;
  /** A `kb…` word found only as a keyword (never expanded as a prefix). */
  keywordTerm: boolean;
  expanded: boolean;
  extra: Postings[];
}

/** Per candidate (by candidate index): summed score, terms matched, terms matched in the title. */
export interface CandidateScores {
  score: Float64Array;
  hits: Uint8Array;
  titles: Uint8Array;
}

interface Accumulated {
  candidates: number[];
  partial: boolean;
  scores: CandidateScores;
}

/** A facet's counts as shown: `labels[label]` with its count, selected values kept (count 0 when absent); years newest first, others by count then A–Z. */
export function facetList(counts: ReadonlyMap<number, number>, labels: readonly string[], selectedValues: readonly string[], byYear: boolean): FacetCount[] {
  const selected = new Set(selectedValues);
  const list: FacetCount[] = [...counts].map(([label, count]) => ({ value: labels[label]!, count, selected: selected.has(labels[label]!) }));
  for (const value of selected) if (!list.some((c) => c.value === value)) list.push({ value, count: 0, selected: true });
  list.sort(byYear ? (a, b) => (a.value < b.value ? 1 : -1) : (a, b) => b.count - a.count || (a.value < b.value ? -1 : 1));
  return list;
}

export interface RankOptions {
  /** Per-document dates (days) when sorting by date or browsing; null for relevance. */
  dates: ArrayLike<number> | null;
  /** Whether the candidates have scores (words were searched). */
  scored: boolean;
  /** Partial matches: more terms matched ranks first. */
  partial: boolean;
  offset: number;
  limit: number;
}

/**
 * Rank: the documents of one page of results, best first. The key is date (then score) when dated; else
 * terms matched (partial matches only), title matches, then the score; ties go to the lower document number.
 * Keys and documents are packed into one float array and sorted once (no comparator calls).
 */
export function rankPage(passing: readonly number[], passingAt: readonly number[], scores: CandidateScores, options: RankOptions): number[] {
  const { dates, scored, partial, offset, limit } = options;
  const keys = new Float64Array(passing.length);
  for (let i = 0; i < passing.length; i++) {
    const d = passing[i]!;
    let key: number;
    const c = passingAt[i]!;
    if (dates) key = dates[d]! * 8192 + (scored ? Math.min(8191, scores.score[c]!) : 0);
    else if (scored) key = (partial ? scores.hits[c]! : 0) * 1e7 + scores.titles[c]! * 1e5 + Math.min(99_999, Math.round(scores.score[c]!));
    else key = 0;
    keys[i] = key * DOC_BITS + (DOC_BITS - 1 - d);
  }
  const take = Math.max(0, Math.min(limit, keys.length - offset));
  const page: number[] = [];
  const want = offset + take;
  if (want > 0 && want * 16 < keys.length) {
    // A first page of many candidates (a frequent word, typed key by key): the best `want` keys, largest
    // first, in one pass, instead of sorting every candidate. The keys are distinct (the document is in them).
    const top = topKeys(keys, want);
    for (let i = offset; i < want; i++) page.push(DOC_BITS - 1 - (top[i]! % DOC_BITS));
    return page;
  }
  keys.sort();
  for (let i = 0; i < take; i++) {
    const x = keys[keys.length - 1 - offset - i]!;
    page.push(DOC_BITS - 1 - (x % DOC_BITS));
  }
  return page;
}

/** The `k` largest of `keys` (1 ≤ k ≤ keys.length), largest first: a sorted window with insertion. */
function topKeys(keys: Float64Array, k: number): Float64Array {
  const top = new Float64Array(k);
  let n = 0;
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    if (n === k && key <= top[k - 1]!) continue;
    let j = n < k ? n++ : k - 1;
    while (j > 0 && top[j - 1]! < key) {
      top[j] = top[j - 1]!;
      j--;
    }
    top[j] = key;
  }
  return top;
}

/** Thrown by `search` when a newer search replaced it before its metadata was fetched. */
export class SupersededError extends Error {
  constructor() {
    super('superseded by a newer search');
    this.name = 'SupersededError';
  }
}

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

function hitOf(record: MetaRecord | SuggestRecord, manifest: Manifest): SearchHit {
  const [number, title, product, lastModified, lead, snippets, refs] = record as MetaRecord;
  const texts = Array.isArray(snippets) ? snippets.filter((x) => typeof x === 'string') : [];
  const sections: SearchHit['sections'] = [];
  for (let i = 0; i <= texts.length; i++) {
    const ref = Array.isArray(refs) ? refs[i] : undefined;
    sections.push(Array.isArray(ref) && typeof ref[0] === 'string' && typeof ref[1] === 'string' ? { id: ref[0], title: ref[1] } : null);
  }
  return {
    id: `Q${number}`,
    number,
    title,
    permalink: permalinkOfNumber(number),
    product: product >= 0 ? (manifest.products[product] ?? null) : null,
    lastModified: lastModified || null,
    lead: typeof lead === 'string' ? lead : '',
    snippets: texts,
    sections,
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
