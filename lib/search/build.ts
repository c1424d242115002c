/**
 * Builds the static search index: an inverted index with precomputed BM25F
 * impacts, range-partitioned by term into small JSON shards, plus result
 * metadata in small chunks and facet columns (layout: ./format.ts).
 *
 *   const stats = buildSearchIndex(corpus.files, 'public/search');
 *
 * Node only (writes files). Deterministic: the same articles give the same bytes.
 *
 * Incremental: with `options.state`, the builder saves its state (./state.ts) and,
 * on the next build of the same documents in the same order, re-tokenizes only the
 * documents whose digest changed, re-encodes only their terms and rewrites, in
 * place, only the files whose bytes change (`updateIndex`). The output is the
 * clean build's, byte for byte: the archive-wide length means are quantized
 * (`quantize`) in every build, so that one edit almost never changes them; when
 * they change, or documents were added, removed or reordered, it builds whole.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import type { Article } from '../markdown/schema';
import { keywordsOf, metadataKeywordsOf, platformsOf, typesOf, yearOf } from './facets';
import {
  FLAG_KEYWORD,
  FLAG_TITLE,
  FORMAT,
  bucketOf,
  codeWidth,
  fileKeyOf,
  type FileRecord,
  encodeCode,
  VarintWriter,
  encodePostingRuns,
  varintLength,
  type DatesFile,
  type FacetColumn,
  type FacetsFile,
  type IdsFile,
  type KeywordsFile,
  type Manifest,
  type MetaRecord,
  type SectionRef,
  type ShardFile,
  type SuggestRecord,
} from './format';
import { encodeRecords } from './records';
import { forEachTerm } from './tokenize';
import { fileSlug } from '../file-slug';
import type { TextAt } from '../content/text-at';
import { pauser, runInWorkers, sharedJobs, type Pause, type PoolOptions } from '../worker-pool';
import { forgetState, readState, StateWriter, type StateArray } from './state';

export interface SearchSource {
  article: Article | null;
  /**
   * Plain body text, or a function that reads it: it is called twice per document, once to
   * tokenize and once for the result excerpt, so that no caller needs to hold every text.
   */
  text: string | (() => string);
  /**
   * Where a worker thread of the whole build reads the same text (the parse cache's text file, lib/content/text-at.ts):
   * without it, the text is read here and sent to the worker. It must give what `text` gives (a source made from
   * another one with a changed text drops it).
   */
  textAt?: TextAt;
  /**
   * What the text is made from (e.g. its file's path, mtime and size), for the incremental
   * builder's change check; without it, the text itself is hashed (read once more).
   */
  key?: string;
}

export interface BuildSearchOptions {
  /** Documents per metadata chunk (default 16). */
  chunk?: number;
  /**
   * Documents per suggestion chunk `s/` (default 0: none; a suggestion whose records did not come
   * with its shards (`r/`) reads them from the result chunks `m/`).
   */
  suggestChunk?: number;
  /** Target size of a term shard in bytes before compression (default 24,000). */
  shardBytes?: number;
  /** Characters of body text kept as each result's excerpt (default 220). */
  leadChars?: number;
  /** Progress lines (default: none). */
  log?: (line: string) => void;
  /**
   * Where the builder keeps its state for incremental updates, and a key over what
   * else the output depends on (the builder's code): a state of another key is not used.
   */
  state?: { dir: string; key: string };
  /**
   * Worker threads of a whole build, which tokenize the documents and make the result chunks (./build-worker.ts);
   * default: the machine's cores up to 4 from 2,000 documents on (none on one core), else none. The output is the
   * same either way.
   */
  workers?: number;
  /** Most changed documents an incremental update takes on (default: 2% of the archive, at least 50). */
  maxChanged?: number;
  /**
   * A full garbage collection (lib/content/heap-guard.ts `collectNow`), which the whole build runs as it lets go of
   * large typed arrays: their memory is outside the heap, whose growth is what makes V8 collect (default: none).
   */
  collect?: () => void;
  /**
   * Called once every file of the index is written (the manifest last), before the state is saved: the index is
   * complete and will not change again in this build (what follows cannot fail it: a state that cannot be saved is
   * logged, and the next build builds the index whole).
   */
  onWritten?: (changes: IndexChanges | null) => void;
}

/**
 * What an update changed in the index folder: from the index of manifest version `from` to version `to`, the files
 * written (`manifest.json` among them) and removed. Null for a whole build.
 */
export interface IndexChanges {
  from: string;
  to: string;
  written: string[];
  removed: string[];
}

export interface SearchIndexStats {
  files: number;
  /** Bytes written (an update writes only the files that changed). */
  bytes: number;
  ms: number;
  docs: number;
  terms: number;
  postings: number;
  shards: number;
  chunks: number;
  /** How an incremental update went (null: built whole). */
  incremental?: IncrementalStats | null;
}

export interface IncrementalStats {
  /** Documents re-tokenized (their digest changed). */
  tokenized: number;
  /** Terms re-encoded. */
  terms: number;
  /** Documents whose result record was made again (their chunks'). */
  rendered: number;
  /** Files written (their bytes changed) and removed. */
  written: number;
  removed: number;
}

/** BM25F parameters. Title matches weigh most; keyword metadata counts like a strong body match. */
const K1 = 1.2;
const TITLE_WEIGHT = 4;
const TITLE_B = 0.75;
const BODY_WEIGHT = 1;
const BODY_B = 0.75;
const KEYWORD_WEIGHT = 2;
/** Scores are stored as integers: round(score × SCALE), 1..MAX_SCORE. */
const SCALE = 10;
const MAX_SCORE = 255;

// Packed per-document term counts: title count in bits 0-7, keyword bit 8, body count above.
const TITLE_ONE = 1;
const KEYWORD_BIT = 256;
const BODY_ONE = 512;

/** The state's layout version: a change of what is saved changes it. */
const STATE_VERSION = 2;

export async function buildSearchIndex(sources: readonly SearchSource[], outDir: string, options: BuildSearchOptions = {}): Promise<SearchIndexStats> {
  const started = performance.now();
  const settings = settingsOf(options);
  const log = options.log ?? (() => {});

  const { docs, products, productIndex } = orderDocuments(sources);
  const stateDir = options.state?.dir;
  const stateKey = options.state ? stateKeyOf(options.state.key, settings) : '';
  if (stateDir) {
    try {
      const stats = updateIndex(docs, products, productIndex, path.resolve(outDir), settings, stateDir, stateKey, options.maxChanged, log, options.onWritten);
      if (typeof stats !== 'string') {
        stats.ms = Math.round(performance.now() - started);
        log(
          `search index: updated in place: ${stats.incremental!.tokenized} documents re-tokenized, ${stats.incremental!.written} files written (${stats.ms} ms)`,
        );
        return stats;
      }
      log(`search index: building it whole (${stats})`);
    } catch (error) {
      log(`search index: building it whole (the saved state could not be used: ${(error as Error).message})`);
    }
  }
  // Threads pay off with a second core and a few thousand documents (each thread loads the builder first).
  const cores = Math.min(availableParallelism(), 4);
  const workers = options.workers ?? (docs.length >= 2000 && cores >= 2 ? cores : 0);
  return buildWhole(
    docs,
    products,
    productIndex,
    outDir,
    settings,
    stateDir ? { dir: stateDir, key: stateKey } : null,
    log,
    started,
    workers,
    options.onWritten,
    options.collect,
  );
}

interface Settings {
  chunk: number;
  suggestChunk: number;
  shardBytes: number;
  leadChars: number;
}

function settingsOf(options: BuildSearchOptions): Settings {
  return {
    chunk: options.chunk ?? 16,
    suggestChunk: options.suggestChunk ?? 0,
    shardBytes: options.shardBytes ?? 24_000,
    leadChars: options.leadChars ?? 220,
  };
}

const stateKeyOf = (key: string, settings: Settings): string => JSON.stringify([STATE_VERSION, key, settings]);

async function buildWhole(
  docs: Doc[],
  products: string[],
  productIndex: Map<string, number>,
  outDir: string,
  settings: Settings,
  state: { dir: string; key: string } | null,
  log: (line: string) => void,
  started: number,
  workers: number,
  onWritten?: (changes: IndexChanges | null) => void,
  collect?: () => void,
): Promise<SearchIndexStats> {
  const { chunk, suggestChunk, shardBytes, leadChars } = settings;
  const n = docs.length;
  // Each file is written as soon as it is made (./build.ts holds no index-sized map of file bodies).
  const files = new IndexFiles(outDir);
  let saving: StateWriter | null = null;
  // The result chunks, made by worker threads while this thread writes the shards and records.
  let chunking: Promise<Set<number>> | null = null;
  try {
    const inverted = workers > 0 ? await invertInWorkers(docs, workers, log, collect) : invertDocuments(docs, log);
    // One thread fewer than tokenized: this one writes the shards and records meanwhile, the longer of the two.
    // A thread more once this one is done with the shards and records (`more`): at 241k articles the result chunks
    // took a worker 43 s, this thread 25 s, and a core stayed idle for the difference.
    let more: (() => void) | null = null;
    if (workers > 0) {
      const started = resultChunksInWorkers(docs, inverted, { chunk, leadChars, productIndex }, files, Math.max(1, workers - 1), log);
      chunking = started.left;
      more = started.more;
    }
    // This thread's shards and title records take seconds of synchronous work (8 s at 60k articles): it lets the
    // event loop run every 20 ms meanwhile (`pauser`), so that the pool starts its worker and hands it the next run as it
    // answers (else the worker waited for this thread's end after its first run, and a core stayed idle).
    const pause = pauser();
    const shards = await writeTermShards(inverted, shardBytes, files, pause);
    const { shardStarts, postings } = shards;
    const terms = inverted.names.length;
    log(`search index: ${terms} terms, ${postings} postings, ${shardStarts.length} shards`);
    const writeRecords = recordFileWriter(inverted, inverted, docs, productIndex, files);
    const shardIds = shardTermIds(shards);
    let records = 0;
    for (let s = 0; s < shardIds.length; s++) {
      await pause();
      records += writeRecords(shardIds[s]!, s);
    }
    log(`search index: ${records} title records with the shards`);
    if (state) saving = startState(state.dir, inverted, shards, log);
    inverted.release();
    if (workers > 1) more?.();
    const left = chunking ? await chunking : null;
    chunking = null;
    // What the workers did not write (none unless they failed), or every chunk.
    writeResultChunks(docs, inverted, { chunk, leadChars, productIndex, ...(left ? { only: left } : {}) }, files);
    const chunks = Math.ceil(n / chunk);
    if (suggestChunk > 0) writeSuggestChunks(docs, suggestChunk, productIndex, files);
    const facets = writeFacets(docs, products, files);
    const bucketNames = writeNumberBuckets(docs, files);
    const fileKeys = writeFileNames(docs, files);

    // --- Manifest ----------------------------------------------------------------------------------
    const manifest: Manifest = {
      format: FORMAT,
      version: files.digest(),
      docs: n,
      chunk,
      shards: shardStarts.length ? shardStarts : [''],
      products,
      years: facets.years,
      types: facets.types,
      platforms: facets.platforms,
      epoch: isoDay(facets.epochDay),
      buckets: bucketNames,
      ...(suggestChunk > 0 ? { suggestChunk } : {}),
      shardRecords: true,
      files: fileKeys,
    };
    if (shardStarts.length === 0) {
      files.set('t/0.json', JSON.stringify({ t: [], p: [] } satisfies ShardFile));
      files.set('r/0.json', JSON.stringify(encodeRecords([], [])));
    }
    files.set('manifest.json', JSON.stringify(manifest));
    files.commit();
    onWritten?.(null);
    if (saving) {
      try {
        saving.commit({
          key: state!.key,
          outDir: path.resolve(outDir),
          version: manifest.version,
          n,
          ids: docs.map((d) => d.article.id).join('\n'),
          digests: docs.map(docDigest).join(''),
          metaDigests: docs.map((d) => metaDigest(d.article)).join(''),
          products,
          sumTitle: sum(inverted.titleLen),
          sumBody: sum(inverted.bodyLen),
          postings,
          files: [...files.digests],
        } satisfies StateMeta);
      } catch (error) {
        stateNotSaved(saving, error, log);
      }
      saving = null;
    }
    const stats: SearchIndexStats = {
      files: files.count,
      bytes: files.bytes,
      ms: Math.round(performance.now() - started),
      docs: n,
      terms,
      postings,
      shards: shardStarts.length,
      chunks,
      incremental: null,
    };
    log(`search index: ${stats.files} files, ${(stats.bytes / 1e6).toFixed(1)} MB in ${stats.ms} ms`);
    return stats;
  } catch (error) {
    // The workers are let finish (they write into the folder removed here).
    await chunking?.catch(() => {});
    files.abandon();
    saving?.abandon();
    throw error;
  }
}

/**
 * A job of the whole build's worker threads (./build-worker.ts): tokenizing documents `from`…, or writing their result
 * chunks. What it reads of the articles comes as one JSON text, and the texts as `WorkTexts`: a message of a few
 * strings and arrays is copied faster than one of a hundred thousand small objects.
 */
export type SearchJob =
  | {
      kind: 'tokenize';
      from: number;
      count: number;
      /** The documents' `TokenArticle`s, a JSON text a line (`jsonLines`). */
      articles: Uint8Array[];
      texts: WorkTexts;
    }
  | {
      kind: 'records';
      from: number;
      count: number;
      /** The index of the chunk of document `from`; the job's documents fill whole chunks of `chunk` (the last may be short). */
      firstChunk: number;
      chunk: number;
      leadChars: number;
      /** Where the chunks are written (`IndexFiles.folder`). */
      folder: string;
      /** The documents' `RecordArticle`s, a JSON text a line (`jsonLines`). */
      articles: Uint8Array[];
      /** Each document's product index (`productOf`). */
      products: Int32Array;
      texts: WorkTexts;
      /** The documents' excerpt candidates, as `Inverted.docTerms`, and where each document's start (from 0). */
      docTerms: Int32Array;
      docTermStarts: Uint32Array;
    };

/** What a worker answers: the tokenized run, or the files written (name, digest, bytes); or (the pool's) why its worker died. */
export type SearchJobResult =
  | { kind: 'tokenize'; from: number; run: TokenRun }
  | { kind: 'records'; from: number; files: Array<[string, string, number]> }
  | { kind: 'failed'; from: number; reason: string };

/**
 * The texts of a job's documents: document i's is on the text cache's line at `at[2i]` (offset) of `at[2i + 1]` bytes
 * of `file`, or, when that length is -1, `strings[at[2i]]`.
 */
export interface WorkTexts {
  file: string;
  at: Float64Array;
  strings: string[];
}

/** Items per block of `jsonLines`. */
const JSON_BLOCK = 1000;

/**
 * One JSON text a line (JSON texts hold no line break), UTF-8, in blocks of whole lines: a worker reads one value at a
 * time (`eachJsonLine`), not the whole list at once; and the blocks are moved to it, not copied (`jobBuffers`). At
 * 241k articles a job's text was ~0.2 GB as one string, held here and again in the message and in the worker.
 */
function jsonLines<T>(items: readonly T[], value: (item: T) => unknown): Uint8Array[] {
  const encoder = new TextEncoder();
  const blocks: Uint8Array[] = [];
  for (let from = 0; from < items.length; from += JSON_BLOCK)
    blocks.push(
      encoder.encode(
        items
          .slice(from, from + JSON_BLOCK)
          .map((item) => `${JSON.stringify(value(item))}\n`)
          .join(''),
      ),
    );
  return blocks;
}

/** The values of `jsonLines`, in order. */
export function* eachJsonLine<T>(blocks: readonly Uint8Array[]): Generator<T, void, void> {
  const decoder = new TextDecoder();
  for (const block of blocks) {
    const text = decoder.decode(block);
    for (let at = 0; at < text.length;) {
      const end = text.indexOf('\n', at);
      const stop = end < 0 ? text.length : end;
      yield JSON.parse(text.slice(at, stop)) as T;
      at = stop + 1;
    }
  }
}

/** The buffers a job's message moves to its worker (`runInWorkers`'s `transfer`): each its own (made for the job). */
export function jobBuffers(job: SearchJob): ArrayBuffer[] {
  const views: ArrayBufferView[] = [...job.articles, job.texts.at];
  if (job.kind === 'records') views.push(job.products, job.docTerms, job.docTermStarts);
  return views.map((view) => view.buffer as ArrayBuffer);
}

function workTexts(docs: readonly Doc[]): WorkTexts {
  const file = docs.find((doc) => typeof doc.text !== 'string' && doc.textAt)?.textAt?.file ?? '';
  const at = new Float64Array(docs.length * 2);
  const strings: string[] = [];
  docs.forEach((doc, i) => {
    if (typeof doc.text !== 'string' && doc.textAt && doc.textAt.file === file) {
      at[2 * i] = doc.textAt.offset;
      at[2 * i + 1] = doc.textAt.length;
    } else {
      at[2 * i] = strings.length;
      at[2 * i + 1] = -1;
      strings.push(typeof doc.text === 'string' ? doc.text : doc.text());
    }
  });
  return { file, at, strings };
}

/** Document i's text of `texts` (`read`: a text cache line). */
export function workText(texts: WorkTexts, i: number, read: (at: TextAt) => string): string {
  const length = texts.at[2 * i + 1]!;
  return length < 0 ? texts.strings[texts.at[2 * i]!]! : read({ file: texts.file, offset: texts.at[2 * i]!, length });
}

/** The records pool's data (each worker's own copy): the terms and their document counts, for `rareTerms`. */
export interface RecordsSetup {
  n: number;
  names: string[];
  df: Uint32Array;
}

export const searchJobLabel = (job: SearchJob): string =>
  `search index: ${job.kind === 'tokenize' ? 'tokenizing' : 'result chunks of'} documents ${job.from + 1}–${job.from + job.count}`;

const WORKER_MODULE = new URL(import.meta.url.endsWith('.ts') ? './build-worker.ts' : './build-worker.js', import.meta.url);

/** A job takes as long as it takes (the documents' own limits are the parser's): no per-job limit. */
const NO_LIMIT = 2 ** 31 - 1;

/** Runs the jobs in `workers` threads of ./build-worker.ts, a job at a time each; rejects when one fails. */
function runSearchJobs(jobs: readonly SearchJob[], workers: number, setup: RecordsSetup | null, onResult: (result: SearchJobResult) => void): Promise<void> {
  return runInWorkers<SearchJob, SearchJobResult>({
    ...searchJobOptions(setup),
    workers,
    jobs,
    onResults: (results) => results.forEach(onResult),
  });
}

/** The pool options of ./build-worker.ts jobs but the jobs, their threads and what is done with the results. */
function searchJobOptions(setup: RecordsSetup | null): Omit<PoolOptions<SearchJob, SearchJobResult>, 'jobs' | 'workers' | 'onResults'> {
  return {
    module: WORKER_MODULE,
    workerData: setup,
    chunk: 1,
    label: searchJobLabel,
    onTimeout: (job) => {
      throw new Error(`${searchJobLabel(job)} did not end`);
    },
    // A worker that dies costs its own job only: the others go on.
    onCrash: (job, reason) => ({ kind: 'failed', from: job.from, reason }),
    timeoutMs: NO_LIMIT,
    // A job is sent once (a job whose worker dies is reported, not sent again): its buffers are moved, not copied.
    transfer: jobBuffers,
  };
}

function tokenArticle({ title, product, appliesTo, queryWords, keywords, technology, issueType, solutionType }: TokenArticle): TokenArticle {
  return { title, product, appliesTo, queryWords, keywords, technology, issueType, solutionType };
}

/**
 * `invertDocuments` with the tokenizing done by `workers` threads (runs of consecutive documents, merged in order:
 * the same index); in this thread when they fail (logged).
 */
async function invertInWorkers(docs: readonly Doc[], workers: number, log: (line: string) => void, collect?: () => void): Promise<Inverted> {
  const n = docs.length;
  const size = Math.max(1, Math.ceil(n / (workers * 4)));
  const jobs: SearchJob[] = [];
  for (let from = 0; from < n; from += size) {
    const part = docs.slice(from, from + size);
    jobs.push({ kind: 'tokenize', from, count: part.length, articles: jsonLines(part, (doc) => tokenArticle(doc.article)), texts: workTexts(part) });
  }
  const runs: TokenRun[] = [];
  let done = 0;
  try {
    await runSearchJobs(jobs, workers, null, (result) => {
      if (result.kind === 'failed') throw new Error(result.reason);
      if (result.kind !== 'tokenize') throw new Error('a tokenizing job answered with files');
      runs[result.from / size] = result.run;
      done += result.run.titleLen.length;
      log(`search index: ${done}/${n} documents tokenized`);
    });
  } catch (error) {
    log(`search index: tokenizing in this thread (the worker threads failed: ${(error as Error).message})`);
    return invertDocuments(docs, log);
  }
  // The jobs' texts (the articles' fields, ~100 MB at 241k) are not needed for the merge.
  jobs.length = 0;
  return invertRuns(runs, collect);
}

/** Result chunk jobs per thread that may write them: the threads share them out as each finishes one. */
const RECORD_JOBS_PER_THREAD = 4;

/**
 * Starts writing the result chunks (`writeResultChunks`) in `workers` threads, runs of whole chunks that each thread
 * takes one at a time; `left` resolves to the chunks they did not write (none, unless they failed: logged), which the
 * caller writes. `more()` starts one thread more, which takes the runs not started yet (none left: it starts none).
 */
function resultChunksInWorkers(
  docs: readonly Doc[],
  inverted: Pick<Inverted, 'n' | 'df' | 'names' | 'docTerms' | 'docTermStarts'>,
  options: { chunk: number; leadChars: number; productIndex: ReadonlyMap<string, number> },
  files: IndexFiles,
  workers: number,
  log: (line: string) => void,
): { left: Promise<Set<number>>; more: () => void } {
  const { chunk, leadChars, productIndex } = options;
  const { n, docTerms, docTermStarts } = inverted;
  const count = Math.ceil(n / chunk);
  const left = new Set<number>();
  for (let c = 0; c < count; c++) left.add(c);
  const perJob = Math.max(1, Math.ceil(count / ((workers + 1) * RECORD_JOBS_PER_THREAD)));
  const queue: SearchJob[] = [];
  for (let firstChunk = 0; firstChunk < count; firstChunk += perJob) {
    const from = firstChunk * chunk;
    const to = Math.min(n, (firstChunk + perJob) * chunk);
    const base = docTermStarts[from]!;
    queue.push({
      kind: 'records',
      from,
      firstChunk,
      chunk,
      leadChars,
      folder: files.folder,
      count: to - from,
      articles: jsonLines(docs.slice(from, to), (doc) => recordArticle(doc.article)),
      products: Int32Array.from(docs.slice(from, to), (doc) => productOf(doc.article, productIndex)),
      texts: workTexts(docs.slice(from, to)),
      docTerms: docTerms.slice(base, docTermStarts[to]!),
      docTermStarts: docTermStarts.slice(from, to + 1).map((at) => at - base),
    });
  }
  const setup: RecordsSetup = { n, names: inverted.names, df: inverted.df };
  // Why jobs failed: their chunks stay in `left`.
  const failures: string[] = [];
  const shared = sharedJobs<SearchJob, SearchJobResult>(queue, {
    ...searchJobOptions(setup),
    onResults: (results) => {
      for (const result of results) {
        if (result.kind === 'failed') failures.push(result.reason);
        else if (result.kind !== 'records') throw new Error('a result chunk job answered with terms');
        else
          for (const [name, digest, bytes] of result.files) {
            files.written(name, digest, bytes);
            left.delete(Number(/^m\/(\d+)\.json$/.exec(name)?.[1] ?? -1));
          }
      }
    },
  });
  shared.add(workers);
  let added = false;
  const more = () => {
    if (added) return;
    const runs = queue.length;
    added = shared.add(1);
    if (added) log(`search index: a thread more writes the result chunks (${runs} runs of ${perJob} chunks in all)`);
  };
  // Called before `more` can be (synchronously after this returns): `done` waits for the pool `more` starts too.
  const finished = shared
    .done()
    .catch((error: unknown) => {
      failures.push((error as Error).message);
    })
    .then(() => {
      if (failures.length > 0) log(`search index: writing ${left.size} result chunks in this thread (a worker thread failed: ${failures[0]})`);
      return left;
    });
  return { left: finished, more };
}

function recordArticle({ number, title, lastModified, sections, keywords }: RecordArticle): RecordArticle {
  return { number, title, lastModified, sections, keywords };
}

/** Writes result chunk files into `folder` (a worker thread's part of `resultChunksInWorkers`): their names, digests and sizes. */
export function writeChunkFiles(
  job: Extract<SearchJob, { kind: 'records' }>,
  setup: RecordsSetup,
  read: (at: TextAt) => string,
): Array<[string, string, number]> {
  const { count, chunk, leadChars, docTerms, docTermStarts, products, texts } = job;
  const articles = eachJsonLine<RecordArticle>(job.articles);
  const written: Array<[string, string, number]> = [];
  mkdirSync(path.join(job.folder, 'm'), { recursive: true });
  for (let start = 0, c = job.firstChunk; start < count; start += chunk, c++) {
    const records: MetaRecord[] = [];
    for (let d = start; d < Math.min(count, start + chunk); d++) {
      const rare = rareTerms(docTerms.subarray(docTermStarts[d]!, docTermStarts[d + 1]!), setup.df, setup.names, setup.n);
      records.push(metaRecordOf(articles.next().value!, workText(texts, d, read), products[d]!, rare, leadChars));
    }
    const name = `m/${c}.json`;
    const body = JSON.stringify(records);
    writeFileSync(path.join(job.folder, name), body);
    written.push([name, fileDigest(body), Buffer.byteLength(body)]);
  }
  return written;
}

/** The saved state's meta.json (./state.ts holds the arrays named in STATE_ARRAYS and the term names). */
interface StateMeta {
  key: string;
  outDir: string;
  /** The manifest's version of the index the state describes. */
  version: string;
  n: number;
  /** Article ids in index order, one a line. */
  ids: string;
  /** DIGEST_CHARS hex characters per document, in index order. */
  digests: string;
  /** The same, of what the facet, keyword, date, id and file-name files read (`metaDigest`). */
  metaDigests: string;
  products: string[];
  sumTitle: number;
  sumBody: number;
  postings: number;
  /** Name and digest of each file of the index (IndexFiles.digests). */
  files: Array<[string, string]>;
}

/**
 * Starts the state of a whole build (its arrays are written now, while the postings are
 * in memory; ./state.ts): null when it cannot be written (logged; the build goes on).
 */
/** A state that could not be saved is given up: the next build builds the index whole. */
function stateNotSaved(writer: StateWriter | null, error: unknown, log: (line: string) => void): void {
  writer?.abandon();
  log(`search index: its state could not be saved (${(error as Error).message}); the next build builds it whole`);
}

/** The shard spans as the state's three arrays. */
function shardArrays(shards: ReadonlyArray<{ first: number; last: number; count: number }>): {
  shardFirst: Uint32Array;
  shardLast: Uint32Array;
  shardCount: Uint32Array;
} {
  return {
    shardFirst: Uint32Array.from(shards, (s) => s.first),
    shardLast: Uint32Array.from(shards, (s) => s.last),
    shardCount: Uint32Array.from(shards, (s) => s.count),
  };
}

function startState(dir: string, inverted: Inverted, shards: ShardLayout, log: (line: string) => void): StateWriter | null {
  let writer: StateWriter | null = null;
  try {
    writer = new StateWriter(dir);
    forgetState(dir);
    writer.arrays({
      offsets: inverted.offsets,
      postDoc: inverted.postDoc,
      postPacked: inverted.postPacked,
      titleLen: inverted.titleLen,
      bodyLen: inverted.bodyLen,
      docTermStarts: inverted.docTermStarts,
      docTerms: inverted.docTerms,
      order: shards.order,
      encLen: shards.encLen,
      ...shardArrays(shards.shards),
    });
    writer.names(inverted.names);
    return writer;
  } catch (error) {
    stateNotSaved(writer, error, log);
    return null;
  }
}

/** A document of the index: an article and its body text (or how to read it). */
interface Doc {
  article: Article;
  text: string | (() => string);
  key?: string;
  textAt?: TextAt;
}

/** What tokenizing reads of an article (a worker thread gets just this). */
export type TokenArticle = Pick<Article, 'title' | 'product' | 'appliesTo' | 'queryWords' | 'keywords' | 'technology' | 'issueType' | 'solutionType'>;
/** What a result record reads of an article. */
export type RecordArticle = Pick<Article, 'number' | 'title' | 'lastModified' | 'sections' | 'keywords'>;

function textOf(doc: Doc): string {
  return typeof doc.text === 'string' ? doc.text : doc.text();
}

const DIGEST_CHARS = 24;

/**
 * What a document's records depend on: its key when it has one (it determines the article and
 * the text: `kb build`'s is the file's path, mtime and size, as the parse cache's, and the
 * parser's code is in the state's key), else its article and text.
 */
function docDigest(doc: Doc): string {
  const hash = createHash('sha256');
  if (doc.key !== undefined) hash.update(`key\0${doc.key}`);
  else hash.update(JSON.stringify(doc.article)).update('\0text\0').update(textOf(doc));
  return hash.digest('hex').slice(0, DIGEST_CHARS);
}

/** What the facet, keyword, date, id and file-name files read of an article. */
function metaDigest(article: Article): string {
  const fields = [
    article.number,
    article.product,
    yearOf(article),
    typesOf(article),
    platformsOf(article),
    keywordsOf(article),
    article.lastModified,
    article.references,
    article.fileAttributes.map((row) => row.name),
  ];
  return createHash('sha256').update(JSON.stringify(fields)).digest('hex').slice(0, DIGEST_CHARS);
}

/** One document per article id (the first file wins, as in the loader), ordered by product then number. */
export function orderDocuments(sources: readonly SearchSource[]): { docs: Doc[]; products: string[]; productIndex: Map<string, number> } {
  const seen = new Set<string>();
  const docs: Doc[] = [];
  for (const source of sources) {
    const article = source.article;
    if (!article || seen.has(article.id)) continue;
    seen.add(article.id);
    docs.push({ article, text: source.text ?? '', key: source.key, textAt: source.textAt });
  }
  const products = sortedLabels(
    docs.map((d) => (d.article.product ? [d.article.product] : [])),
    'alpha',
  );
  const productIndex = new Map(products.map((p, i) => [p, i]));
  docs.sort((a, b) => {
    const pa = a.article.product ? productIndex.get(a.article.product)! : products.length;
    const pb = b.article.product ? productIndex.get(b.article.product)! : products.length;
    return pa - pb || a.article.number - b.article.number;
  });
  return { docs, products, productIndex };
}

/** A growable Int32Array (a plain number[] costs 8 bytes an entry and more while it grows). */
class IntList {
  private data: Int32Array;
  length = 0;
  constructor(capacity = 1024) {
    this.data = new Int32Array(capacity);
  }
  push(value: number): void {
    if (this.length === this.data.length) {
      const grown = new Int32Array(this.data.length * 2);
      grown.set(this.data);
      this.data = grown;
    }
    this.data[this.length++] = value;
  }
  /** The values (a view, not a copy: an archive's postings are hundreds of MB); the list is not used afterwards. */
  take(): Int32Array {
    const out = this.data.subarray(0, this.length);
    this.data = new Int32Array(0);
    this.length = 0;
    return out;
  }
}

/**
 * The inverted index in typed arrays: for term id t, its postings are
 * `postDoc/postPacked[offsets[t] .. offsets[t + 1])`, in document order; the
 * packed counts are as in TITLE_ONE / KEYWORD_BIT / BODY_ONE.
 */
export interface Inverted {
  n: number;
  /** Term id → term. */
  names: string[];
  /** Term id → number of documents. */
  df: Uint32Array;
  offsets: Uint32Array;
  postDoc: Int32Array;
  postPacked: Int32Array;
  titleLen: Uint32Array;
  bodyLen: Uint32Array;
  /** The archive's mean title and body lengths, quantized (`quantize`). */
  avgTitle: number;
  avgBody: number;
  keywordTerms: Set<string>;
  /** Excerpt candidates of document d (term id × 16 + body tf up to 15): `docTerms[docTermStarts[d] .. docTermStarts[d + 1])`. */
  docTermStarts: Uint32Array;
  docTerms: Int32Array;
  /** Drops the postings (the result chunks need only names, df and docTerms). */
  release(): void;
}

/** Body counts above this are counted as this (a term repeated 8 million times in one article saturates BM25 long before). */
const MAX_BODY_COUNT = 2 ** 22 - 1;

/**
 * A document's terms with packed counts (in `counts`, cleared first), and its title and body
 * lengths; the terms that are also metadata keywords are added to `keywordTerms`.
 */
function countTerms(article: TokenArticle, text: string, counts: Map<string, number>, keywordTerms: Set<string> | null): { titleLen: number; bodyLen: number } {
  counts.clear();
  let titleLen = 0;
  forEachTerm(article.title, (t) => {
    const c = counts.get(t) ?? 0;
    if ((c & 255) < 255) counts.set(t, c + TITLE_ONE);
    titleLen++;
  });
  let length = 0;
  const body = (t: string) => {
    const c = counts.get(t) ?? 0;
    if (c < MAX_BODY_COUNT * BODY_ONE) counts.set(t, c + BODY_ONE);
    length++;
  };
  forEachTerm(text, body);
  if (article.product) forEachTerm(article.product, body);
  for (const line of article.appliesTo) forEachTerm(line, body);
  for (const word of article.queryWords) forEachTerm(word, body);
  for (const keyword of metadataKeywordsOf(article)) {
    forEachTerm(keyword, (t) => {
      counts.set(t, (counts.get(t) ?? 0) | KEYWORD_BIT);
      keywordTerms?.add(t);
    });
  }
  return { titleLen, bodyLen: length };
}

/** Candidates for excerpt passages: body-only words, not numbers or article numbers (their id and tf packed). */
function excerptCandidate(term: string, packed: number): boolean {
  return (packed & 255) === 0 && (packed & KEYWORD_BIT) === 0 && term.length >= 4 && !/^(?:[\d.]+|q\d+)$/.test(term);
}

/**
 * The archive-wide means in the impacts, to 3 significant digits: one edited article
 * almost never changes them, so that an incremental update need not re-score every term.
 */
export function quantize(mean: number): number {
  return mean > 0 ? Number(mean.toPrecision(3)) : 0;
}

/**
 * The terms of a run of consecutive documents (`tokenizeDocs`), ids local to the run: term id i is `names[i]`, in
 * the order of first use. `invertRuns` merges the runs of a whole archive, in document order.
 */
export interface TokenRun {
  names: string[];
  /** Postings in document order: (term id, packed counts); document d's are at `starts[d] .. starts[d + 1]`. */
  terms: Int32Array;
  packed: Int32Array;
  starts: Uint32Array;
  titleLen: Uint32Array;
  bodyLen: Uint32Array;
  /** Excerpt candidates (term id × 16 + body tf up to 15), document d's at `docTermStarts[d] .. docTermStarts[d + 1]`. */
  docTerms: Int32Array;
  docTermStarts: Uint32Array;
  /** Terms that are also metadata keywords. */
  keywordTerms: string[];
}

/** A document to tokenize: what tokenizing reads of its article, and its text (or how to read it). */
export interface TokenDoc {
  article: TokenArticle;
  text: string | (() => string);
}

/** Tokenizes documents once each: term counts per document, collected in typed arrays (`log`: progress from `done`, of `total`). */
export function tokenizeDocs(docs: readonly TokenDoc[], log: (line: string) => void = () => {}, done = 0, total = docs.length): TokenRun {
  const n = docs.length;
  const titleLen = new Uint32Array(n);
  const bodyLen = new Uint32Array(n);
  const keywordTerms = new Set<string>();
  const counts = new Map<string, number>();
  const termIds = new Map<string, number>();
  const names: string[] = [];
  const runTerm = new IntList(1 << 16);
  const runPacked = new IntList(1 << 16);
  const starts = new Uint32Array(n + 1);
  const docTermList = new IntList(1 << 16);
  const docTermStarts = new Uint32Array(n + 1);
  for (let d = 0; d < n; d++) {
    const doc = docs[d]!;
    const lengths = countTerms(doc.article, typeof doc.text === 'string' ? doc.text : doc.text(), counts, keywordTerms);
    titleLen[d] = lengths.titleLen;
    bodyLen[d] = lengths.bodyLen;
    starts[d] = runTerm.length;
    docTermStarts[d] = docTermList.length;
    for (const [term, packed] of counts) {
      let id = termIds.get(term);
      if (id === undefined) {
        // A fresh copy of the key: the term is a slice of the folded document text and would keep it alive.
        const key = Buffer.from(term, 'utf8').toString('utf8');
        id = names.length;
        termIds.set(key, id);
        names.push(key);
      }
      runTerm.push(id);
      runPacked.push(packed);
      if (excerptCandidate(term, packed)) docTermList.push(id * 16 + Math.min(15, Math.floor(packed / BODY_ONE)));
    }
    if ((done + d) % 10_000 === 9_999) log(`search index: ${done + d + 1}/${total} documents tokenized`);
  }
  termIds.clear();
  starts[n] = runTerm.length;
  docTermStarts[n] = docTermList.length;
  return {
    names,
    // Views of the lists' buffers (the postings are grouped from them, then dropped); the candidates are kept: trimmed.
    terms: runTerm.take(),
    packed: runPacked.take(),
    starts,
    titleLen,
    bodyLen,
    docTerms: docTermList.take().slice(),
    docTermStarts,
    keywordTerms: [...keywordTerms],
  };
}

/** Tokenizes every document once, then groups the postings by term. */
export function invertDocuments(docs: readonly Doc[], log: (line: string) => void = () => {}): Inverted {
  return invertRuns([tokenizeDocs(docs, log)]);
}

/** What a run's postings are replaced with once grouped (`invertRuns`). */
const EMPTY_RUN = new Int32Array(0);
/** The bytes of grouped runs' postings after which `invertRuns` has them collected. */
const RELEASE_BYTES = 48 * 1024 * 1024;

/**
 * The inverted index of the runs of consecutive documents (in document order): term ids are given in the order of
 * first use across the runs (so the same as one run of every document gives), and each run's ids are mapped to them
 * in place. `collect`: a full garbage collection, run each time `collectEvery` bytes of the runs' postings were let go
 * of (below).
 */
export function invertRuns(runs: TokenRun[], collect?: () => void, collectEvery = RELEASE_BYTES): Inverted {
  let n = 0;
  let total = 0;
  let candidates = 0;
  for (const run of runs) {
    n += run.titleLen.length;
    total += run.terms.length;
    candidates += run.docTerms.length;
  }
  const names: string[] = [];
  const termIds = new Map<string, number>();
  const keywordTerms = new Set<string>();
  const titleLen = new Uint32Array(n);
  const bodyLen = new Uint32Array(n);
  const runStarts = new Uint32Array(n + 1);
  const docTermStarts = new Uint32Array(n + 1);
  const docTerms = runs.length === 1 ? runs[0]!.docTerms : new Int32Array(candidates);
  let d0 = 0;
  let at = 0;
  let candidateAt = 0;
  for (const run of runs) {
    const m = run.titleLen.length;
    // Local id → id: the first run's are the ids (its names are the first ones met).
    const global = new Int32Array(run.names.length);
    for (let i = 0; i < run.names.length; i++) {
      const name = run.names[i]!;
      let id = termIds.get(name);
      if (id === undefined) {
        id = names.length;
        termIds.set(name, id);
        names.push(name);
      }
      global[i] = id;
    }
    if (runs.length > 1) {
      const { terms, docTerms: local } = run;
      for (let i = 0; i < terms.length; i++) terms[i] = global[terms[i]!]!;
      for (let i = 0; i < local.length; i++) docTerms[candidateAt + i] = global[local[i]! >> 4]! * 16 + (local[i]! & 15);
    }
    for (const term of run.keywordTerms) keywordTerms.add(term);
    titleLen.set(run.titleLen, d0);
    bodyLen.set(run.bodyLen, d0);
    for (let d = 0; d < m; d++) {
      runStarts[d0 + d] = at + run.starts[d]!;
      docTermStarts[d0 + d] = candidateAt + run.docTermStarts[d]!;
    }
    d0 += m;
    at += run.terms.length;
    candidateAt += run.docTerms.length;
  }
  termIds.clear();
  runStarts[n] = total;
  docTermStarts[n] = candidates;
  // Group by term (a counting sort, stable: each term's postings stay in document order): each run entry's document
  // number and packed counts are written where its term's postings go, in one pass. Four arrays of the postings' size
  // meanwhile (~120 MB each at 241k articles); a second pass permuting the packed counts in place, with three, took
  // ~10 % longer at 241k for random access (BENCHMARKS.md "Session 10, lead").
  const df = new Uint32Array(names.length);
  for (const { terms } of runs) for (let i = 0; i < terms.length; i++) df[terms[i]!]!++;
  const offsets = new Uint32Array(names.length + 1);
  for (let t = 0; t < names.length; t++) offsets[t + 1] = offsets[t]! + df[t]!;
  const cursor = offsets.slice(0, names.length);
  let postDoc: Int32Array = new Int32Array(total);
  let postPacked: Int32Array = new Int32Array(total);
  let d = 0;
  // The runs' postings are let go of as they are grouped, and collected every RELEASE_BYTES (with `collect`): the grouped
  // arrays' pages are touched as they fill (each run fills its share of every term's postings), so that the runs and
  // the grouped postings together stay near one copy of the postings instead of two (~250 MB at 241k articles).
  // (Grouped in a function of its own, so that no variable here still holds the run just grouped when it is collected.)
  let released = 0;
  for (const run of runs) {
    released += run.terms.byteLength + run.packed.byteLength;
    d = groupRun(run, d, cursor, postDoc, postPacked);
    run.terms = run.packed = EMPTY_RUN;
    if (collect && released >= collectEvery) {
      collect();
      released = 0;
    }
  }
  return {
    n,
    names,
    df,
    offsets,
    get postDoc() {
      return postDoc;
    },
    get postPacked() {
      return postPacked;
    },
    titleLen,
    bodyLen,
    avgTitle: quantize(mean(titleLen)) || 1,
    avgBody: quantize(mean(bodyLen)) || 1,
    keywordTerms,
    docTermStarts,
    // Trimmed: kept until the result chunks are written.
    docTerms,
    release() {
      postDoc = new Int32Array(0);
      postPacked = new Int32Array(0);
    },
  };
}

/**
 * Writes a run's postings where their terms' go (`cursor`: each term's next place, advanced), numbering its documents
 * from `d`; returns the number after its last document.
 */
function groupRun(run: TokenRun, d: number, cursor: Uint32Array, postDoc: Int32Array, postPacked: Int32Array): number {
  const { terms, packed, starts } = run;
  for (let r = 0; r < run.titleLen.length; r++, d++) {
    for (let i = starts[r]!; i < starts[r + 1]!; i++) {
      const to = cursor[terms[i]!]!++;
      postDoc[to] = d;
      postPacked[to] = packed[i]!;
    }
  }
  return d;
}

/** What impacts are computed from besides a term's own postings. */
interface ScoreContext {
  n: number;
  titleLen: Uint32Array;
  bodyLen: Uint32Array;
  avgTitle: number;
  avgBody: number;
}

/**
 * The impact-scored postings of one term (`postDoc/postPacked[from .. to)`), as ShardFile writes them
 * (format.ts `encodePostingRuns`). `df` is the number of postings encoded ('' and 0: the term is left out);
 * `size` is what the shard cut counts for them: the length they had in format 2 (varints of the document
 * gaps and of `score * 4 + flags`), so that format 3's shorter text keeps the same shards (and `r/` files).
 */
function encodePostings(
  name: string,
  postDoc: Int32Array,
  postPacked: Int32Array,
  from: number,
  to: number,
  context: ScoreContext,
  writer: VarintWriter,
): { encoded: string; df: number; size: number } {
  const { n } = context;
  const { keywordOnly, df } = encodedCount(name, postPacked, from, to);
  if (df === 0) return { encoded: '', df, size: 0 };
  const idf = idfOf(n, df);
  const kept = new Int32Array(df);
  let k = 0;
  for (let i = from; i < to; i++) if (!keywordOnly || (postPacked[i]! & KEYWORD_BIT) !== 0) kept[k++] = i;
  const values = new Uint16Array(df);
  let size = 0;
  let previous = 0;
  for (let j = 0; j < df; j++) {
    const i = kept[j]!;
    const d = postDoc[i]!;
    values[j] = postingValue(postPacked[i]!, d, idf, context);
    size += varintLength(d - previous) + varintLength(values[j]!);
    previous = d;
  }
  encodePostingRuns(
    writer,
    df,
    (j) => postDoc[kept[j]!]!,
    (j) => values[j]!,
  );
  return { encoded: writer.take(), df, size };
}

const idfOf = (n: number, df: number): number => Math.log(1 + (n - df + 0.5) / (df + 0.5));

/** A posting's encoded value (ShardFile): its quantized BM25F impact, keyword and title flags. */
function postingValue(packed: number, d: number, idf: number, context: ScoreContext): number {
  const { titleLen, bodyLen, avgTitle, avgBody } = context;
  const tfTitle = packed & 255;
  const keyword = (packed & KEYWORD_BIT) !== 0;
  const tfBody = Math.floor(packed / BODY_ONE);
  const tilde =
    (TITLE_WEIGHT * tfTitle) / (1 - TITLE_B + (TITLE_B * titleLen[d]!) / avgTitle) +
    (BODY_WEIGHT * tfBody) / (1 - BODY_B + (BODY_B * bodyLen[d]!) / avgBody) +
    (keyword ? KEYWORD_WEIGHT : 0);
  const score = (idf * tilde * (K1 + 1)) / (K1 + tilde);
  const q = Math.min(MAX_SCORE, Math.max(1, Math.round(score * SCALE)));
  return q * 4 + (keyword ? FLAG_KEYWORD : 0) + (tfTitle > 0 ? FLAG_TITLE : 0);
}

/** How many of a term's postings are encoded, and whether only its keyword postings are. */
function encodedCount(name: string, postPacked: Int32Array, from: number, to: number): { keywordOnly: boolean; df: number } {
  // A KB keyword (`kbbug`, `kbfixlist`) finds articles by metadata only, so that its
  // result count is the metadata's count; mentions in body text do not count.
  let keywordOnly = false;
  if (name.startsWith('kb')) for (let i = from; i < to && !keywordOnly; i++) keywordOnly = (postPacked[i]! & KEYWORD_BIT) !== 0;
  let df = 0;
  for (let i = from; i < to; i++) if (!keywordOnly || (postPacked[i]! & KEYWORD_BIT) !== 0) df++;
  return { keywordOnly, df };
}

/** A term shard: its first and last term ids and its number of terms. */
interface ShardSpan {
  first: number;
  last: number;
  count: number;
}

/** The term shards as made: sorted term ids, each term's size for the shard cut (0: left out; `encodePostings`), the shards. */
interface ShardLayout {
  shardStarts: string[];
  postings: number;
  order: Uint32Array;
  encLen: Uint32Array;
  shards: ShardSpan[];
}

/** The greedy cut of the sorted terms into shards of about `shardBytes` (the whole build's and the update's). */
class ShardCutter {
  private size = 0;
  constructor(private readonly shardBytes: number) {}
  /** Whether a term of this size starts a new shard. */
  add(size: number): boolean {
    const cut = this.size > 0 && this.size + size > this.shardBytes;
    if (cut) this.size = 0;
    this.size += size;
    return cut;
  }
}

const termSize = (term: string, encodedLength: number): number => term.length + encodedLength + 6;

const compareNames = (names: readonly string[]) => (a: number, b: number) => (names[a]! < names[b]! ? -1 : names[a]! > names[b]! ? 1 : 0);

/** Term shards: sorted terms, postings encoded as varints, cut at ~shardBytes. Returns each shard's first term. */
export async function writeTermShards(inverted: Inverted, shardBytes: number, files: IndexSink, pause: Pause): Promise<ShardLayout> {
  const { names } = inverted;
  const order = Uint32Array.from(names.keys()).sort(compareNames(names));
  const encLen = new Uint32Array(names.length);
  const shardStarts: string[] = [];
  const shards: ShardSpan[] = [];
  let shard: ShardFile = { t: [], p: [] };
  let span: ShardSpan | null = null;
  let postings = 0;
  const writer = new VarintWriter();
  const cutter = new ShardCutter(shardBytes);
  const flush = () => {
    if (shard.t.length === 0) return;
    shardStarts.push(shardStarts.length === 0 ? '' : shard.t[0]!);
    files.set(`t/${shardStarts.length - 1}.json`, JSON.stringify(shard));
    shards.push(span!);
    shard = { t: [], p: [] };
    span = null;
  };
  for (let k = 0; k < order.length; k++) {
    if ((k & 255) === 0) await pause();
    const id = order[k]!;
    const { encoded, df, size } = encodePostings(
      names[id]!,
      inverted.postDoc,
      inverted.postPacked,
      inverted.offsets[id]!,
      inverted.offsets[id + 1]!,
      inverted,
      writer,
    );
    if (df === 0) continue;
    const term = names[id]!;
    postings += df;
    encLen[id] = size;
    if (cutter.add(termSize(term, size))) flush();
    shard.t.push(term);
    shard.p.push(encoded);
    if (span) {
      span.last = id;
      span.count++;
    } else span = { first: id, last: id, count: 1 };
  }
  flush();
  return { shardStarts, postings, order, encLen, shards };
}

/** Result metadata chunks: number, title, product, date, lead, distinctive passages and their sections. */
export function writeResultChunks(
  docs: readonly Doc[],
  inverted: Pick<Inverted, 'n' | 'df' | 'names' | 'docTerms' | 'docTermStarts'>,
  options: {
    chunk: number;
    leadChars: number;
    productIndex: ReadonlyMap<string, number>;
    /** Only these chunks (by index), */
    only?: ReadonlySet<number>;
    /** and in them, only these documents' records made (the others: `previous`). */
    render?: (d: number) => boolean;
    previous?: (chunk: number) => MetaRecord[];
  },
  files: IndexSink,
): number {
  const { chunk, leadChars, productIndex, only, render, previous } = options;
  const { n, df, names, docTerms, docTermStarts } = inverted;
  let chunks = 0;
  for (let start = 0; start < n; start += chunk) {
    const c = chunks++;
    if (only && !only.has(c)) continue;
    const old = render && previous ? previous(c) : null;
    if (old && old.length !== Math.min(n, start + chunk) - start) throw new Error(`m/${c}.json does not hold ${chunk} records`);
    const records: MetaRecord[] = [];
    for (let d = start; d < Math.min(n, start + chunk); d++) {
      if (old && !render!(d)) {
        records.push(old[d - start]!);
        continue;
      }
      const doc = docs[d]!;
      const { article } = doc;
      const rare = rareTerms(docTerms.subarray(docTermStarts[d]!, docTermStarts[d + 1]!), df, names, n);
      records.push(metaRecordOf(article, textOf(doc), productOf(article, productIndex), rare, leadChars));
    }
    files.set(`m/${c}.json`, JSON.stringify(records));
  }
  return chunks;
}

const productOf = (article: Pick<Article, 'product'>, productIndex: ReadonlyMap<string, number>): number =>
  article.product ? productIndex.get(article.product)! : -1;

/** A document's result record (`m/`): its number, title, product, date, lead, passages with its rare terms and their sections. */
export function metaRecordOf(
  article: RecordArticle,
  text: string,
  product: number,
  rare: ReadonlyArray<readonly [string, number]>,
  leadChars: number,
): MetaRecord {
  const body = cleanBody(text, article);
  const lead = leadOf(body.text, leadChars);
  const record: MetaRecord = [article.number, article.title, product, article.lastModified ?? '', lead];
  const found = snippetsOf(body.text, lead, rare);
  const refs: Array<SectionRef | 0> = [sectionAt(body, 0, article)];
  for (const { at } of found) refs.push(sectionAt(body, at, article));
  if (found.length > 0) record.push(found.map((f) => f.text));
  if (refs.some((r) => r !== 0)) {
    if (found.length === 0) record.push([]);
    record.push(refs);
  }
  return record;
}

/** Suggestions (the header box) need only what a dropdown line shows. */
export function writeSuggestChunks(
  docs: readonly Doc[],
  suggestChunk: number,
  productIndex: ReadonlyMap<string, number>,
  files: IndexSink,
  only?: ReadonlySet<number>,
): void {
  const n = docs.length;
  for (let start = 0, c = 0; start < n; start += suggestChunk, c++) {
    if (only && !only.has(c)) continue;
    const records: SuggestRecord[] = [];
    for (let d = start; d < Math.min(n, start + suggestChunk); d++) records.push(suggestRecordOf(docs[d]!, productIndex));
    files.set(`s/${c}.json`, JSON.stringify(records));
  }
}

function suggestRecordOf({ article }: Doc, productIndex: ReadonlyMap<string, number>): SuggestRecord {
  return [article.number, article.title, article.product ? productIndex.get(article.product)! : -1, article.lastModified ?? ''];
}

/** Per term, the title records kept with its shard (`r/<n>.json`): its best-ranked documents, */
export const TOP_RECORDS = 8;
/** and its title matches (best first) up to this many: the best results of several words are among those of each word's title matches. */
export const TITLE_RECORDS = 400;
/**
 * The best other documents are kept for terms of at least this many documents, or of at most
 * `FILLER_SHORT` characters (a word still being typed is searched as a term too): a full rare
 * word (an identifier in one or two articles) reads its few records from `m/` instead.
 */
const FILLER_DF = 3;
const FILLER_SHORT = 8;

/**
 * Title records with the shards (`r/<n>.json`, one per `t/<n>.json`): for each term of the shard, the
 * documents a suggestion ranks first for it (title matches first, then impact; `TOP_RECORDS`) and its
 * title matches up to `TITLE_RECORDS`, so that the header box answers a keystroke from the shard's round
 * trip, without a second one for `s/` chunks. `shardTerms[s]` are shard s's term ids; the postings and
 * the impacts are those the shards are encoded from; `only` picks the shards to write (all by default).
 * Returns the records written.
 */
export function writeRecordFiles(
  shardTerms: ReadonlyArray<ArrayLike<number>>,
  postings: RecordPostings,
  context: ScoreContext,
  docs: readonly Doc[],
  productIndex: ReadonlyMap<string, number>,
  files: IndexSink,
  only: ((shard: number) => boolean) | null = null,
): number {
  const write = recordFileWriter(postings, context, docs, productIndex, files);
  let written = 0;
  shardTerms.forEach((ids, s) => {
    if (!only || only(s)) written += write(ids, s);
  });
  return written;
}

type RecordPostings = { names: readonly string[]; offsets: Uint32Array; postDoc: Int32Array; postPacked: Int32Array };

/** Writes shard `s`'s title records (`r/<s>.json`), given its term ids; returns how many records it holds. */
function recordFileWriter(
  postings: RecordPostings,
  context: ScoreContext,
  docs: readonly Doc[],
  productIndex: ReadonlyMap<string, number>,
  files: IndexSink,
): (ids: ArrayLike<number>, s: number) => number {
  const { names, offsets, postDoc, postPacked } = postings;
  // Reused per term: its title matches (key, doc) and its best other documents.
  const titleKeys: number[] = [];
  const topKeys = new Float64Array(TOP_RECORDS);
  const topDocs = new Int32Array(TOP_RECORDS);
  return (ids, s) => {
    const chosen = new Set<number>();
    for (let k = 0; k < ids.length; k++) {
      const id = ids[k]!;
      const from = offsets[id]!;
      const to = offsets[id + 1]!;
      const { keywordOnly, df } = encodedCount(names[id]!, postPacked, from, to);
      if (df === 0) continue;
      const idf = idfOf(context.n, df);
      titleKeys.length = 0;
      let top = 0;
      for (let i = from; i < to; i++) {
        const packed = postPacked[i]!;
        if (keywordOnly && (packed & KEYWORD_BIT) === 0) continue;
        const d = postDoc[i]!;
        const value = postingValue(packed, d, idf, context);
        // The engine's order for one word: higher impact first, then the lower document (a distinct key per document).
        const key = (value >> 2) * DOC_SPAN + (DOC_SPAN - 1 - d);
        if ((value & FLAG_TITLE) !== 0) {
          titleKeys.push(key);
          continue;
        }
        if (top === TOP_RECORDS && key <= topKeys[TOP_RECORDS - 1]!) continue;
        let j = top < TOP_RECORDS ? top++ : TOP_RECORDS - 1;
        while (j > 0 && topKeys[j - 1]! < key) {
          topKeys[j] = topKeys[j - 1]!;
          topDocs[j] = topDocs[j - 1]!;
          j--;
        }
        topKeys[j] = key;
        topDocs[j] = d;
      }
      titleKeys.sort((a, b) => b - a);
      for (let i = 0; i < Math.min(TITLE_RECORDS, titleKeys.length); i++) chosen.add(DOC_SPAN - 1 - (titleKeys[i]! % DOC_SPAN));
      // Title matches rank first: the best other documents only fill up to TOP_RECORDS.
      if (df >= FILLER_DF || names[id]!.length <= FILLER_SHORT) for (let i = 0; i < Math.min(top, TOP_RECORDS - titleKeys.length); i++) chosen.add(topDocs[i]!);
    }
    const list = Int32Array.from(chosen).sort();
    const records: SuggestRecord[] = [];
    for (const d of list) records.push(suggestRecordOf(docs[d]!, productIndex));
    files.set(`r/${s}.json`, JSON.stringify(encodeRecords(list, records)));
    return records.length;
  };
}

/** Keys of (impact, document): documents below 2^20. */
const DOC_SPAN = 2 ** 20;

/** Each shard's term ids, in shard order, from the whole build's layout. */
export function shardTermIds(layout: ShardLayout): Uint32Array[] {
  const ids = Uint32Array.from(layout.order).filter((id) => layout.encLen[id]! > 0);
  let at = 0;
  return layout.shards.map((span) => ids.subarray(at, (at += span.count)));
}

/** Facet columns (product, year, type, platform), keyword codes and dates; returns the labels the manifest lists. */
export function writeFacets(
  docs: readonly Doc[],
  products: readonly string[],
  files: IndexSink,
): { years: string[]; types: string[]; platforms: string[]; epochDay: number } {
  const years = sortedLabels(
    docs.map((d) => {
      const y = yearOf(d.article);
      return y ? [y] : [];
    }),
    'desc',
  );
  const types = sortedLabels(
    docs.map((d) => typesOf(d.article)),
    'count',
  );
  const platforms = sortedLabels(
    docs.map((d) => platformsOf(d.article)),
    'count',
  );
  const facets: FacetsFile = {
    product: column(
      docs.map((d) => (d.article.product ? [d.article.product] : [])),
      products,
    ),
    year: column(
      docs.map((d) => {
        const y = yearOf(d.article);
        return y ? [y] : [];
      }),
      years,
    ),
    type: column(
      docs.map((d) => typesOf(d.article)),
      types,
    ),
    platform: column(
      docs.map((d) => platformsOf(d.article)),
      platforms,
    ),
  };
  files.set('facets.json', JSON.stringify(facets));

  const keywordLists = docs.map((d) => keywordsOf(d.article));
  const keywordLabels = sortedLabels(keywordLists, 'count');
  const keywordIndex = new Map(keywordLabels.map((k, i) => [k, i]));
  const keywordWidth = codeWidth(Math.max(0, keywordLabels.length - 1));
  const keywords: KeywordsFile & { width: number } = {
    labels: keywordLabels,
    width: keywordWidth,
    codes: keywordLists.map((list) => list.map((k) => encodeCode(keywordIndex.get(k)!, keywordWidth)).join('')).join(' '),
  };
  files.set('keywords.json', JSON.stringify(keywords));

  const dayNumbers = docs.map((d) => dayNumber(d.article.lastModified));
  const known = dayNumbers.filter((x): x is number => x !== null);
  // A loop, not Math.min(...known): an archive-sized array overflows the call stack (241k articles).
  const epochDay = known.length ? known.reduce((a, b) => (b < a ? b : a)) - 1 : 0;
  const dateWidth = codeWidth(known.length ? known.reduce((a, b) => (b > a ? b : a)) - epochDay : 0);
  const dates: DatesFile = {
    width: dateWidth,
    codes: dayNumbers.map((x) => encodeCode(x === null ? 0 : x - epochDay, dateWidth)).join(''),
  };
  files.set('dates.json', JSON.stringify(dates));
  return { years, types, platforms, epochDay };
}

/** Article-number buckets: which numbers are in the archive (and their documents), which are cited but missing. */
export function writeNumberBuckets(docs: readonly Doc[], files: IndexSink): string[] {
  const present = new Map<number, number>();
  docs.forEach((d, i) => present.set(d.article.number, i));
  const cited = new Set<number>();
  for (const { article } of docs) {
    for (const ref of article.references) {
      const num = Number(ref.slice(1));
      if (Number.isInteger(num) && num > 0 && !present.has(num)) cited.add(num);
    }
  }
  const buckets = new Map<string, IdsFile>();
  const bucket = (num: number) => {
    const key = bucketOf(num);
    let entry = buckets.get(key);
    if (!entry) buckets.set(key, (entry = { a: [], d: [], m: [] }));
    return entry;
  };
  for (const num of [...present.keys()].sort((a, b) => a - b)) {
    const entry = bucket(num);
    entry.a.push(num);
    entry.d.push(present.get(num)!);
  }
  for (const num of [...cited].sort((a, b) => a - b)) bucket(num).m.push(num);
  const bucketNames = [...buckets.keys()].sort();
  for (const key of bucketNames) files.set(`ids/${key}.json`, JSON.stringify(buckets.get(key)));
  return bucketNames;
}

/** File names (the header box offers a file's page first): one table per key. Returns the keys. */
export function writeFileNames(docs: readonly Doc[], files: IndexSink): string[] {
  const fileNames = new Map<string, { name: string; count: number }>();
  for (const { article } of docs) {
    const seenSlugs = new Set<string>();
    for (const row of article.fileAttributes) {
      const slug = fileSlug(row.name);
      if (!slug || seenSlugs.has(slug)) continue;
      seenSlugs.add(slug);
      let entry = fileNames.get(slug);
      if (!entry) fileNames.set(slug, (entry = { name: row.name.trim().slice(0, 200), count: 0 }));
      entry.count++;
    }
  }
  const fileTables = new Map<string, FileRecord[]>();
  for (const slug of [...fileNames.keys()].sort()) {
    const key = fileKeyOf(slug);
    let table = fileTables.get(key);
    if (!table) fileTables.set(key, (table = []));
    const { name, count } = fileNames.get(slug)!;
    table.push([slug, name, count]);
  }
  for (const [key, table] of fileTables) files.set(`f/${key}.json`, JSON.stringify(table));
  return [...fileTables.keys()].sort();
}

function mean(values: Uint32Array): number {
  let sum = 0;
  for (const v of values) sum += v;
  return values.length ? sum / values.length : 0;
}

/** Distinct labels, ordered alphabetically, by count (descending), or descending. */
function sortedLabels(lists: readonly string[][], order: 'alpha' | 'count' | 'desc'): string[] {
  const counts = new Map<string, number>();
  for (const list of lists) for (const v of list) counts.set(v, (counts.get(v) ?? 0) + 1);
  const labels = [...counts.keys()];
  if (order === 'alpha') return labels.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  if (order === 'desc') return labels.sort((a, b) => (a < b ? 1 : a > b ? -1 : 0));
  return labels.sort((a, b) => counts.get(b)! - counts.get(a)! || (a < b ? -1 : 1));
}

/** A facet column: each document's set of labels becomes the index of its distinct combination. */
function column(lists: readonly string[][], labels: readonly string[]): FacetColumn {
  const index = new Map(labels.map((l, i) => [l, i]));
  const comboIndex = new Map<string, number>();
  const combos: number[][] = [];
  const ids = lists.map((list) => {
    const combo = [...new Set(list.map((v) => index.get(v)!))].sort((a, b) => a - b);
    const key = combo.join(',');
    let id = comboIndex.get(key);
    if (id === undefined) {
      id = combos.length;
      comboIndex.set(key, id);
      combos.push(combo);
    }
    return id;
  });
  const width = codeWidth(Math.max(0, combos.length - 1));
  return { width, combos, codes: ids.map((id) => encodeCode(id, width)).join('') };
}

/**
 * The body text without what is not prose: the header lines the parser leaves
 * before the first section (version numbers, platform, keyword lists, "applies
 * to" lists), rules of dashes or equals signs, section headings. Each line
 * remembers its section, for excerpts that say where they are.
 */
export interface CleanBody {
  text: string;
  /** Start offset in `text` of each kept line, ascending. */
  starts: number[];
  /** Section index (into the article's sections) of each kept line, or -1. */
  sections: number[];
}

const RULE = /[-=_*~]{3,}/g;

export function cleanBody(text: string, article: Pick<Article, 'sections' | 'keywords'> | null): CleanBody {
  const body = cleanLines(text, article?.sections ?? [], article);
  // Headings not found in the text: keep everything but noise rather than nothing.
  return body.starts.length === 0 && (article?.sections.length ?? 0) > 0 ? cleanLines(text, [], article) : body;
}

function cleanLines(text: string, sections: Article['sections'], article: Pick<Article, 'keywords'> | null): CleanBody {
  const keywords = new Set((article?.keywords ?? []).map((k) => k.toLowerCase()));
  const out: string[] = [];
  const starts: number[] = [];
  const lineSections: number[] = [];
  let length = 0;
  let current = -1;
  let next = 0;
  let appliesTo = false;
  for (const raw of text.split('\n')) {
    const line = raw.replace(RULE, ' ').replace(/\s+/g, ' ').trim();
    // Section headings, in order (one missing heading is tolerated).
    const title = raw.trim();
    let heading = -1;
    for (let j = next; j < Math.min(sections.length, next + 2); j++) if (sections[j]!.title === title) heading = j;
    if (heading >= 0) {
      current = heading;
      next = heading + 1;
      appliesTo = false;
      continue;
    }
    if (sections.length > 0 && current < 0) continue; // the header block before the first section
    if (line === '') continue;
    if (/^the information in this article applies to\b/i.test(line)) {
      appliesTo = true;
      continue;
    }
    if (appliesTo && line.startsWith('- ')) continue;
    appliesTo = false;
    if (noiseLine(line, keywords)) continue;
    starts.push(length);
    lineSections.push(current);
    out.push(line);
    length += line.length + 1;
  }
  return { text: out.join('\n'), starts, sections: lineSections };
}

/** A heading in capitals, a version or platform line, a keyword list. */
function noiseLine(line: string, keywords: ReadonlySet<string>): boolean {
  if (!/[\p{L}\p{N}]/u.test(line)) return true;
  if (line.length < 60 && !/[a-z]/.test(line)) return true; // `SYMPTOMS`, `3.11`, `WINDOWS`
  const words = line.split(' ');
  if (words.length <= 40 && words.every((w) => /^kb/i.test(w) || keywords.has(w.toLowerCase()))) return true;
  return false;
}

/** The section of the text at offset `at` of a clean body, as `[anchor id, heading]`, or 0. */
export function sectionAt(body: CleanBody, at: number, article: Pick<Article, 'sections'>): SectionRef | 0 {
  if (body.starts.length === 0) return 0;
  let lo = 0;
  let hi = body.starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (body.starts[mid]! <= at) lo = mid;
    else hi = mid - 1;
  }
  const section = article.sections[body.sections[lo]!];
  return section ? [section.id, section.title] : 0;
}

/** The opening of a (clean) body as the result excerpt, whitespace folded. */
export function leadOf(text: string, max: number): string {
  const head = text.slice(0, max * 3);
  const lines = head.split('\n').filter((line) => {
    const t = line.trim();
    // `SYMPTOMS`, `MORE INFORMATION`, `SUMMARY`: headings repeat in every article.
    return t !== '' && !(t.length < 60 && /^[^a-z]*$/.test(t) && /[A-Z]/.test(t));
  });
  const flat = lines.join(' ').replace(/\s+/g, ' ').trim();
  if (flat.length <= max) return flat;
  const cut = flat.lastIndexOf(' ', max);
  return `${flat.slice(0, cut > max * 0.6 ? cut : max)}…`;
}

/**
 * The document's most distinctive body words (not in its title), by tf·idf among
 * words in at most 1% of the articles: what people search it by (`rassrv`).
 */
function rareTerms(packed: Int32Array, df: Uint32Array, names: readonly string[], n: number): Array<[string, number]> {
  const limit = rareLimit(n);
  const scored: Array<[string, number]> = [];
  for (const value of packed) {
    const id = value >> 4;
    if (df[id]! > limit) continue;
    scored.push([names[id]!, (1 + Math.log(value & 15)) * Math.log(1 + n / df[id]!)]);
  }
  scored.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  return scored.slice(0, 12);
}

/** The largest df of a rare term. */
const rareLimit = (n: number): number => Math.max(3, Math.floor(n * 0.01));

const SNIPPET_CHARS = 100;
/** File names, API names, error codes: what KB readers search for, whatever their frequency. */
const FILE_EXTENSION = /^\.(exe|dll|sys|ini|inf|drv|vxd|com|cpl|ocx|hlp|bat|cmd|mdb|xls|doc|dot|txt|log|reg|asp|htm|html|h|c|cpp|bas|frm|vbx|pif|386)\b/i;

function identifierLike(text: string, pos: number, length: number): boolean {
  const word = text.slice(pos, pos + length);
  if (FILE_EXTENSION.test(text.slice(pos + length, pos + length + 5))) return true;
  if (/[a-z][A-Z]/.test(word)) return true; // CamelCase: RasDial, GetWindowText
  return /\p{L}/u.test(word) && /\p{N}/u.test(word); // Win32, C1083, 0x8004
}

/**
 * Up to two short passages around the first mentions of the document's most
 * distinctive words, when the lead does not already show them: the result list
 * shows the passage that holds the searched word (`Rassrv.exe` in Q244717's
 * CAUSE section).
 */
export function snippetsOf(text: string, lead: string, candidates: ReadonlyArray<readonly [string, number]>): Array<{ at: number; text: string }> {
  const lower = text.toLowerCase();
  const leadLower = lead.toLowerCase();
  const found: Array<{ pos: number; length: number; score: number }> = [];
  for (const [term, score] of candidates) {
    if (wordAt(leadLower, term, 0) >= 0) continue;
    let pos = wordAt(lower, term, 0);
    // Not inside a URL (`…aspx?scid=fh;EN-US;CNTACTMS`): a URL-like chunk is skipped whole,
    // so a long chunk without spaces is scanned once, not once per occurrence.
    while (pos >= 0) {
      const [a, b] = chunkAround(lower, pos);
      if (!/(:\/\/|www\.)/.test(lower.slice(a, b))) break;
      pos = wordAt(lower, term, b);
    }
    if (pos < 0) continue;
    found.push({ pos, length: term.length, score: score * (identifierLike(text, pos, term.length) ? 3 : 1) });
  }
  found.sort((a, b) => b.score - a.score || a.pos - b.pos);
  const out: Array<{ at: number; text: string }> = [];
  const taken: Array<[number, number]> = [];
  for (const { pos, length } of found) {
    if (out.length >= 2) break;
    if (taken.some(([a, b]) => pos >= a && pos < b)) continue;
    const [start, end, snippet] = snippetAt(text, pos, length);
    taken.push([start, end]);
    out.push({ at: pos, text: snippet });
  }
  return out;
}

/** Index of `term` in `text` as a whole word, from `from`, or -1. */
function wordAt(text: string, term: string, from: number): number {
  for (let at = text.indexOf(term, from); at >= 0; at = text.indexOf(term, at + 1)) {
    const before = at === 0 ? '' : text[at - 1]!;
    const after = text[at + term.length] ?? '';
    if (!/[\p{L}\p{N}_]/u.test(before) && !/[\p{L}\p{N}_]/u.test(after)) return at;
  }
  return -1;
}

/** Bounds of the run of non-space characters around `pos`. */
function chunkAround(text: string, pos: number): [number, number] {
  let a = pos;
  while (a > 0 && !/\s/.test(text[a - 1]!)) a--;
  let b = pos;
  while (b < text.length && !/\s/.test(text[b]!)) b++;
  return [a, b];
}

function snippetAt(text: string, pos: number, length: number): [number, number, string] {
  const sentence = Math.max(text.lastIndexOf('. ', pos), text.lastIndexOf('\n', pos));
  let start: number;
  let cut = true;
  if (sentence >= 0 && pos - sentence <= 50) {
    start = sentence + 1;
    cut = false;
  } else {
    start = Math.max(0, pos - 40);
    const space = text.indexOf(' ', start);
    if (space >= 0 && space < pos) start = space + 1;
    if (start === 0) cut = false;
  }
  let end = Math.min(text.length, Math.max(start + SNIPPET_CHARS, pos + length + 20));
  if (end < text.length) {
    const space = text.lastIndexOf(' ', end);
    if (space > pos + length) end = space;
  }
  const body = text.slice(start, end).replace(/\s+/g, ' ').trim();
  return [start, end, `${cut ? '…' : ''}${body}${end < text.length ? '…' : ''}`];
}

function dayNumber(iso: string | null): number | null {
  const match = /^(\d{4})-(\d\d)-(\d\d)$/.exec(iso ?? '');
  if (!match) return null;
  const ms = Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]));
  return Number.isFinite(ms) ? Math.floor(ms / 86_400_000) : null;
}

function isoDay(day: number): string {
  return new Date(day * 86_400_000).toISOString().slice(0, 10);
}

/**
 * The index's files, written one by one into a fresh sibling folder of
 * `outDir` as they are made (the index of a large archive is hundreds of MB:
 * never held whole), then swapped in for `outDir` by `commit()`, so a dev
 * server never serves half an index.
 */
export class IndexFiles implements IndexSink {
  private readonly target: string;
  private readonly tmp: string;
  private readonly dirs = new Set<string>();
  /** Each file's digest (sha1 of its bytes), by name. */
  readonly digests = new Map<string, string>();
  count = 0;
  bytes = 0;

  constructor(outDir: string) {
    this.target = path.resolve(outDir);
    if (existsSync(this.target) && !existsSync(path.join(this.target, 'manifest.json')) && readdirSync(this.target).length > 0) {
      throw new Error(`refusing to replace ${this.target}: it is not empty and holds no search index (manifest.json)`);
    }
    this.tmp = `${this.target}.tmp-${process.pid}`;
    rmSync(this.tmp, { recursive: true, force: true });
    mkdirSync(this.tmp, { recursive: true });
  }

  set(name: string, body: string): void {
    const file = path.join(this.tmp, name);
    const dir = path.dirname(file);
    if (!this.dirs.has(dir)) {
      mkdirSync(dir, { recursive: true });
      this.dirs.add(dir);
    }
    writeFileSync(file, body);
    this.written(name, fileDigest(body), Buffer.byteLength(body));
  }

  /** The folder the new index is written into (a worker thread writes files there too: `written`). */
  get folder(): string {
    return this.tmp;
  }

  /** Counts a file written into `folder` by someone else (a worker thread, ./build-worker.ts `writeIndexFile`). */
  written(name: string, digest: string, bytes: number): void {
    this.digests.set(name, digest);
    this.count++;
    this.bytes += bytes;
  }

  /** A digest of every file so far (names and digests, in name order): the index version. */
  digest(): string {
    return versionOf(this.digests);
  }

  /** Swaps the new index in for `outDir`. */
  commit(): void {
    const old = `${this.target}.old-${process.pid}`;
    if (existsSync(this.target)) renameSync(this.target, old);
    mkdirSync(path.dirname(this.target), { recursive: true });
    renameSync(this.tmp, this.target);
    rmSync(old, { recursive: true, force: true });
  }

  /** Removes what was written (the build failed). */
  abandon(): void {
    rmSync(this.tmp, { recursive: true, force: true });
  }
}

// --- Incremental update ------------------------------------------------------------------------------

/**
 * Updates the index in `outDir` in place from the saved state, when the documents are the
 * same ones in the same order and the quantized means are unchanged; returns why not
 * otherwise (then nothing was changed, and the caller builds whole). Exceptions too leave
 * the caller to build whole (the state is forgotten before the first file is written).
 *
 * What changes with an edited document: the postings of its old and new terms (their
 * impacts: idf depends on df, and its own lengths), so those terms are re-encoded and the
 * shards cut again from the saved encoded lengths; its result record, and the records of
 * documents whose rare-term choice (`rareTerms`: df ≤ 1% of n) changes with a df; its
 * suggestion record; the small per-document files (remade from metadata, written when changed).
 */
function updateIndex(
  docs: readonly Doc[],
  products: readonly string[],
  productIndex: ReadonlyMap<string, number>,
  outDir: string,
  settings: Settings,
  stateDir: string,
  stateKey: string,
  maxChanged: number | undefined,
  log: (line: string) => void,
  onWritten?: (changes: IndexChanges | null) => void,
): SearchIndexStats | string {
  const { chunk, suggestChunk, shardBytes, leadChars } = settings;
  // Time per step, logged at the end (where an update's time goes).
  const laps: string[] = [];
  let lapStart = performance.now();
  const lap = (label: string) => {
    const now = performance.now();
    laps.push(`${label} ${Math.round(now - lapStart)} ms`);
    lapStart = now;
  };
  const state = readState<StateMeta>(stateDir);
  lap('state read');
  const { meta } = state;
  if (meta.key !== stateKey) return 'the index builder or its options changed';
  if (meta.outDir !== outDir) return 'the saved state is of another folder';
  const manifestFile = path.join(outDir, 'manifest.json');
  const oldManifest = existsSync(manifestFile) ? (JSON.parse(readFileSync(manifestFile, 'utf8')) as Manifest) : null;
  if (!oldManifest || oldManifest.version !== meta.version) return 'the index is not the one the state describes';
  const n = docs.length;
  if (meta.n !== n || meta.ids !== docs.map((d) => d.article.id).join('\n')) return 'articles were added, removed or reordered';
  if (JSON.stringify(meta.products) !== JSON.stringify(products)) return 'the products changed';
  const changed: number[] = [];
  for (let d = 0; d < n; d++) if (docDigest(docs[d]!) !== meta.digests.slice(d * DIGEST_CHARS, (d + 1) * DIGEST_CHARS)) changed.push(d);
  const limitChanged = maxChanged ?? Math.max(50, Math.floor(n * 0.02));
  if (changed.length > limitChanged) return `${changed.length} articles changed (an update takes up to ${limitChanged})`;
  lap('digests');

  const array = <T extends StateArray>(name: string, kind: new (n: number) => T): T => {
    const a = state.arrays.get(name);
    if (!a || !(a instanceof kind)) throw new Error(`state array ${name} missing`);
    return a as T;
  };
  const names = state.names;
  const T = names.length;
  const offsets = array('offsets', Uint32Array);
  const postDoc = array('postDoc', Int32Array);
  const postPacked = array('postPacked', Int32Array);
  const titleLen = array('titleLen', Uint32Array).slice();
  const bodyLen = array('bodyLen', Uint32Array).slice();
  const docTermStarts = array('docTermStarts', Uint32Array);
  const docTerms = array('docTerms', Int32Array);
  const order = array('order', Uint32Array);
  const encLen = array('encLen', Uint32Array);
  const oldShards: ShardSpan[] = [];
  {
    const first = array('shardFirst', Uint32Array);
    const last = array('shardLast', Uint32Array);
    const count = array('shardCount', Uint32Array);
    for (let s = 0; s < first.length; s++) oldShards.push({ first: first[s]!, last: last[s]!, count: count[s]! });
  }
  if (offsets.length !== T + 1 || order.length !== T || encLen.length !== T || titleLen.length !== n || docTermStarts.length !== n + 1)
    throw new Error('state arrays of the wrong length');
  if (oldShards.length === 0) return 'the index has no terms';

  // --- The changed documents' old terms, then their new ones --------------------------------------
  const isChanged = new Uint8Array(n);
  for (const d of changed) isChanged[d] = 1;
  const affected = new Set<number>();
  for (let t = 0; t < T; t++) {
    for (let i = offsets[t]!; i < offsets[t + 1]!; i++) {
      if (isChanged[postDoc[i]!]) {
        affected.add(t);
        break;
      }
    }
  }
  // Term lookup by binary search in the sorted order (no archive-sized map).
  const idOf = (term: string): number => {
    let lo = 0;
    let hi = T - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const name = names[order[mid]!]!;
      if (name === term) return order[mid]!;
      if (name < term) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  };
  const added = new Map<string, number>(); // new terms → their ids (after T)
  const fresh = new Map<number, Array<[number, number]>>(); // term → the changed documents' (doc, packed), by doc
  const newDocTerms = new Map<number, number[]>();
  const counts = new Map<string, number>();
  let sumTitle = meta.sumTitle;
  let sumBody = meta.sumBody;
  for (const d of changed) {
    const lengths = countTerms(docs[d]!.article, textOf(docs[d]!), counts, null);
    sumTitle += lengths.titleLen - titleLen[d]!;
    sumBody += lengths.bodyLen - bodyLen[d]!;
    titleLen[d] = lengths.titleLen;
    bodyLen[d] = lengths.bodyLen;
    const candidates: number[] = [];
    for (const [term, packed] of counts) {
      let id = idOf(term);
      if (id < 0) {
        id = added.get(term) ?? -1;
        if (id < 0) {
          id = T + added.size;
          added.set(Buffer.from(term, 'utf8').toString('utf8'), id);
        }
      }
      affected.add(id);
      let list = fresh.get(id);
      if (!list) fresh.set(id, (list = []));
      list.push([d, packed]);
      if (excerptCandidate(term, packed)) candidates.push(id * 16 + Math.min(15, Math.floor(packed / BODY_ONE)));
    }
    newDocTerms.set(d, candidates);
  }
  const avgTitle = quantize(sumTitle / n) || 1;
  const avgBody = quantize(sumBody / n) || 1;
  if (avgTitle !== (quantize(meta.sumTitle / n) || 1) || avgBody !== (quantize(meta.sumBody / n) || 1)) return 'the mean title or body length changed';

  lap('tokenize');
  // The index is changed from here on: a failure leaves no state that describes it.
  forgetState(stateDir);
  const allNames = names.concat([...added.keys()]);
  const T2 = allNames.length;

  // --- Postings: the affected terms' lists remade, the others copied in runs ------------------------
  const df2 = new Uint32Array(T2);
  for (let t = 0; t < T; t++) df2[t] = offsets[t + 1]! - offsets[t]!;
  const oldDf = df2.slice(0, T);
  for (const t of affected) {
    let count = fresh.get(t)?.length ?? 0;
    if (t < T) for (let i = offsets[t]!; i < offsets[t + 1]!; i++) if (!isChanged[postDoc[i]!]) count++;
    df2[t] = count;
  }
  const offsets2 = new Uint32Array(T2 + 1);
  for (let t = 0; t < T2; t++) offsets2[t + 1] = offsets2[t]! + df2[t]!;
  const total2 = offsets2[T2]!;
  const postDoc2 = new Int32Array(total2);
  const postPacked2 = new Int32Array(total2);
  for (let t = 0; t < T2;) {
    if (!affected.has(t)) {
      // A run of unaffected terms is one copy.
      let end = t + 1;
      while (end < T && !affected.has(end)) end++;
      postDoc2.set(postDoc.subarray(offsets[t]!, offsets[end]!), offsets2[t]!);
      postPacked2.set(postPacked.subarray(offsets[t]!, offsets[end]!), offsets2[t]!);
      t = end;
      continue;
    }
    let at = offsets2[t]!;
    const list = fresh.get(t) ?? [];
    let k = 0;
    if (t < T) {
      for (let i = offsets[t]!; i < offsets[t + 1]!; i++) {
        const d = postDoc[i]!;
        if (isChanged[d]) continue;
        while (k < list.length && list[k]![0] < d) {
          postDoc2[at] = list[k]![0];
          postPacked2[at++] = list[k++]![1];
        }
        postDoc2[at] = d;
        postPacked2[at++] = postPacked[i]!;
      }
    }
    while (k < list.length) {
      postDoc2[at] = list[k]![0];
      postPacked2[at++] = list[k++]![1];
    }
    t++;
  }

  lap('postings');
  // --- Re-encode the affected terms; cut the shards again from the encoded lengths ------------------
  const context: ScoreContext = { n, titleLen, bodyLen, avgTitle, avgBody };
  const writer = new VarintWriter();
  const encLen2 = new Uint32Array(T2);
  encLen2.set(encLen);
  const encoded = new Map<number, string>();
  let postings = meta.postings;
  for (const t of affected) {
    if (t < T) postings -= encodedCount(names[t]!, postPacked, offsets[t]!, offsets[t + 1]!).df;
    const result = encodePostings(allNames[t]!, postDoc2, postPacked2, offsets2[t]!, offsets2[t + 1]!, context, writer);
    postings += result.df;
    encLen2[t] = result.df === 0 ? 0 : result.size;
    if (result.df > 0) encoded.set(t, result.encoded);
  }
  const order2 = mergeOrder(order, [...added.values()], allNames);
  const shards2: Array<ShardSpan & { ids: number[] }> = [];
  {
    const cutter = new ShardCutter(shardBytes);
    for (const id of order2) {
      if (encLen2[id] === 0) continue;
      const cut = cutter.add(termSize(allNames[id]!, encLen2[id]!));
      const last = shards2[shards2.length - 1];
      if (cut || !last) shards2.push({ first: id, last: id, count: 1, ids: [id] });
      else {
        last.last = id;
        last.count++;
        last.ids.push(id);
      }
    }
  }
  if (shards2.length === 0) return 'the index has no terms';
  // Old shard files, read as needed (before any is replaced) for the unaffected terms of a remade shard.
  const oldShardFirst = oldShards.map((s, i) => (i === 0 ? '' : names[s.first]!));
  const oldFiles = new Map<number, ShardFile>();
  const oldEncoded = (id: number): string => {
    const term = names[id]!;
    let lo = 0;
    let hi = oldShardFirst.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (oldShardFirst[mid]! <= term) lo = mid;
      else hi = mid - 1;
    }
    let file = oldFiles.get(lo);
    if (!file) oldFiles.set(lo, (file = JSON.parse(readFileSync(path.join(outDir, `t/${lo}.json`), 'utf8')) as ShardFile));
    const at = sortedIndex(file.t, term);
    if (at < 0) throw new Error(`term ${JSON.stringify(term.slice(0, 40))} is not in t/${lo}.json`);
    return file.p[at]!;
  };
  const shardBodies = new Map<number, string>();
  shards2.forEach((shard, s) => {
    const old = oldShards[s];
    if (old && old.first === shard.first && old.last === shard.last && old.count === shard.count && !shard.ids.some((id) => affected.has(id))) return;
    const body: ShardFile = { t: [], p: [] };
    for (const id of shard.ids) {
      body.t.push(allNames[id]!);
      body.p.push(affected.has(id) ? encoded.get(id)! : oldEncoded(id));
    }
    shardBodies.set(s, JSON.stringify(body));
  });
  oldFiles.clear();
  lap('shards');

  // --- Result records: the changed documents', and those whose rare terms change -------------------
  const docTermStarts2 = new Uint32Array(n + 1);
  let docTermTotal = 0;
  for (let d = 0; d < n; d++) {
    docTermStarts2[d] = docTermTotal;
    docTermTotal += isChanged[d] ? newDocTerms.get(d)!.length : docTermStarts[d + 1]! - docTermStarts[d]!;
  }
  docTermStarts2[n] = docTermTotal;
  const docTerms2 = new Int32Array(docTermTotal);
  for (let d = 0; d < n; d++) {
    if (isChanged[d]) docTerms2.set(newDocTerms.get(d)!, docTermStarts2[d]!);
    else docTerms2.set(docTerms.subarray(docTermStarts[d]!, docTermStarts[d + 1]!), docTermStarts2[d]!);
  }
  const limit = rareLimit(n);
  const rerender = new Set<number>(changed);
  const checked = new Uint8Array(n);
  for (const t of affected) {
    const before = t < T ? oldDf[t]! : 0;
    if (before === df2[t] || Math.min(before, df2[t]!) > limit) continue;
    for (let i = offsets2[t]!; i < offsets2[t + 1]!; i++) {
      const d = postDoc2[i]!;
      if (checked[d] || isChanged[d]) continue;
      checked[d] = 1;
      const terms = docTerms2.subarray(docTermStarts2[d]!, docTermStarts2[d + 1]!);
      if (JSON.stringify(rareTerms(terms, oldDf, names, n)) !== JSON.stringify(rareTerms(terms, df2, allNames, n))) rerender.add(d);
    }
  }

  lap('rare terms');
  // --- Write: shards, chunks, the per-document files, the manifest last ----------------------------
  const files = new IndexUpdate(outDir, new Map(meta.files));
  for (const [s, body] of shardBodies) files.set(`t/${s}.json`, body);
  for (let s = shards2.length; s < oldShards.length; s++) files.drop(`t/${s}.json`);
  const chunkSet = new Set([...rerender].map((d) => Math.floor(d / chunk)));
  const chunks = writeResultChunks(
    docs,
    { n, df: df2, names: allNames, docTerms: docTerms2, docTermStarts: docTermStarts2 },
    {
      chunk,
      leadChars,
      productIndex,
      only: chunkSet,
      // The other records of a chunk are the previous build's (JSON.stringify of JSON.parse gives the same bytes).
      render: (d) => rerender.has(d),
      previous: (c) => JSON.parse(readFileSync(path.join(outDir, `m/${c}.json`), 'utf8')) as MetaRecord[],
    },
    files,
  );
  lap('chunks');
  if (suggestChunk > 0) writeSuggestChunks(docs, suggestChunk, productIndex, files, new Set(changed.map((d) => Math.floor(d / suggestChunk))));
  // The title records of each shard remade above (only files whose bytes change are written). Those of a shard kept
  // as it was are too: its terms' postings, their dfs and the lengths of their documents are the previous build's
  // (a changed document's terms, old and new, are all affected), as are n and the quantized mean lengths.
  writeRecordFiles(
    shards2.map((s) => s.ids),
    { names: allNames, offsets: offsets2, postDoc: postDoc2, postPacked: postPacked2 },
    context,
    docs,
    productIndex,
    files,
    (s) => shardBodies.has(s),
  );
  for (let s = shards2.length; s < oldShards.length; s++) files.drop(`r/${s}.json`);
  lap('title records');
  // Facets, keywords, dates, ids and file names read only what metaDigest covers: when no changed
  // article's changed, they are the previous build's files, and the manifest's lists its lists.
  const metaDigests = changed.map((d) => metaDigest(docs[d]!.article));
  let facetLists: Pick<Manifest, 'years' | 'types' | 'platforms' | 'epoch' | 'buckets' | 'files'>;
  if (changed.every((d, i) => metaDigests[i] === meta.metaDigests.slice(d * DIGEST_CHARS, (d + 1) * DIGEST_CHARS))) {
    facetLists = oldManifest;
  } else {
    const facets = writeFacets(docs, products, files);
    files.dropAll('ids/');
    const buckets = writeNumberBuckets(docs, files);
    files.dropAll('f/');
    facetLists = {
      years: facets.years,
      types: facets.types,
      platforms: facets.platforms,
      epoch: isoDay(facets.epochDay),
      buckets,
      files: writeFileNames(docs, files),
    };
  }
  const shardStarts = shards2.map((s, i) => (i === 0 ? '' : allNames[s.first]!));
  const manifest: Manifest = {
    format: FORMAT,
    version: files.digest(),
    docs: n,
    chunk,
    shards: shardStarts,
    products: [...products],
    years: facetLists.years,
    types: facetLists.types,
    platforms: facetLists.platforms,
    epoch: facetLists.epoch,
    buckets: facetLists.buckets,
    ...(suggestChunk > 0 ? { suggestChunk } : {}),
    shardRecords: true,
    files: facetLists.files,
  };
  files.set('manifest.json', JSON.stringify(manifest));
  const removed = files.finish();
  lap('metadata files');
  onWritten?.({ from: meta.version, to: manifest.version, written: files.written, removed: files.removed });

  // --- The new state -------------------------------------------------------------------------------
  const saving = new StateWriter(stateDir);
  try {
    saving.arrays({
      offsets: offsets2,
      postDoc: postDoc2,
      postPacked: postPacked2,
      titleLen,
      bodyLen,
      docTermStarts: docTermStarts2,
      docTerms: docTerms2,
      order: order2,
      encLen: encLen2,
      ...shardArrays(shards2),
    });
    saving.names(allNames);
    saving.commit({
      ...meta,
      version: manifest.version,
      digests: docs.map((doc, d) => (isChanged[d] ? docDigest(doc) : meta.digests.slice(d * DIGEST_CHARS, (d + 1) * DIGEST_CHARS))).join(''),
      metaDigests: docs
        .map((_, d) => (isChanged[d] ? metaDigests[changed.indexOf(d)]! : meta.metaDigests.slice(d * DIGEST_CHARS, (d + 1) * DIGEST_CHARS)))
        .join(''),
      sumTitle,
      sumBody,
      postings,
      files: [...files.digests],
    } satisfies StateMeta);
  } catch (error) {
    stateNotSaved(saving, error, log);
  }
  lap('state written');
  log(`search index: update steps: ${laps.join(', ')}`);
  return {
    files: files.digests.size,
    bytes: files.bytes,
    ms: 0,
    docs: n,
    terms: T2,
    postings,
    shards: shards2.length,
    chunks,
    incremental: {
      tokenized: changed.length,
      terms: affected.size,
      rendered: rerender.size,
      written: files.count,
      removed,
    },
  };
}

/** The sorted term order with new terms merged in. */
function mergeOrder(order: Uint32Array, added: number[], names: readonly string[]): Uint32Array {
  if (added.length === 0) return order.slice();
  added.sort(compareNames(names));
  const out = new Uint32Array(order.length + added.length);
  let i = 0;
  let j = 0;
  let k = 0;
  while (i < order.length || j < added.length) {
    if (j >= added.length || (i < order.length && names[order[i]!]! < names[added[j]!]!)) out[k++] = order[i++]!;
    else out[k++] = added[j++]!;
  }
  return out;
}

/** Index of `value` in a sorted array of strings, or -1. */
function sortedIndex(sorted: readonly string[], value: string): number {
  let lo = 0;
  let hi = sorted.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const v = sorted[mid]!;
    if (v === value) return mid;
    if (v < value) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

function sum(values: Uint32Array): number {
  let total = 0;
  for (const v of values) total += v;
  return total;
}

/** Where the index's files go: a fresh folder (IndexFiles) or the index itself, changed in place (IndexUpdate). */
export interface IndexSink {
  set(name: string, body: string): void;
}

export const fileDigest = (body: string): string => createHash('sha1').update(body).digest('hex');

/** The version: a digest of every file's name and digest, in name order. */
function versionOf(digests: ReadonlyMap<string, string>): string {
  const hash = createHash('sha1');
  for (const name of [...digests.keys()].sort((a, b) => (a < b ? -1 : 1))) hash.update(name).update('\0').update(digests.get(name)!).update('\0');
  return hash.digest('hex').slice(0, 12);
}

/**
 * The index changed in place: a file is written (to a temporary name, then renamed) only
 * when its bytes differ from the previous build's; files no longer made are removed by `finish`.
 */
class IndexUpdate implements IndexSink {
  readonly digests: Map<string, string>;
  /** The files written (their bytes changed) and removed, by name. */
  readonly written: string[] = [];
  readonly removed: string[] = [];
  count = 0;
  bytes = 0;
  constructor(
    private readonly dir: string,
    private readonly old: ReadonlyMap<string, string>,
  ) {
    this.digests = new Map(old);
    this.digests.delete('manifest.json');
  }

  set(name: string, body: string): void {
    const digest = fileDigest(body);
    this.digests.set(name, digest);
    if (this.old.get(name) === digest) return;
    const file = path.join(this.dir, name);
    mkdirSync(path.dirname(file), { recursive: true });
    const tmp = `${file}.tmp-${process.pid}`;
    writeFileSync(tmp, body);
    renameSync(tmp, file);
    this.written.push(name);
    this.count++;
    this.bytes += Buffer.byteLength(body);
  }

  drop(name: string): void {
    this.digests.delete(name);
  }

  dropAll(prefix: string): void {
    for (const name of [...this.digests.keys()]) if (name.startsWith(prefix)) this.digests.delete(name);
  }

  digest(): string {
    return versionOf(this.digests);
  }

  /** Removes the files of the previous build that this one does not have; returns how many. */
  finish(): number {
    let removed = 0;
    for (const name of this.old.keys()) {
      if (this.digests.has(name)) continue;
      rmSync(path.join(this.dir, name), { force: true });
      this.removed.push(name);
      removed++;
    }
    return removed;
  }
}
