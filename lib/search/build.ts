/**
 * Builds the static search index: an inverted index with precomputed BM25F
 * impacts, range-partitioned by term into small JSON shards, plus result
 * metadata in small chunks and facet columns (layout: ./format.ts).
 *
 *   const stats = buildSearchIndex(corpus.files, 'public/search');
 *
 * Node only (writes files). Deterministic: the same articles give the same bytes.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
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
import { forEachTerm } from './tokenize';
import { fileSlug } from '../file-slug';

export interface SearchSource {
  article: Article | null;
  /** Plain body text. */
  text: string;
}

export interface BuildSearchOptions {
  /** Documents per metadata chunk (default 16). */
  chunk?: number;
  /** Documents per suggestion chunk (default 32). */
  suggestChunk?: number;
  /** Target size of a term shard in bytes before compression (default 24,000). */
  shardBytes?: number;
  /** Characters of body text kept as each result's excerpt (default 220). */
  leadChars?: number;
  /** Progress lines (default: none). */
  log?: (line: string) => void;
}

export interface SearchIndexStats {
  files: number;
  bytes: number;
  ms: number;
  docs: number;
  terms: number;
  postings: number;
  shards: number;
  chunks: number;
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

export function buildSearchIndex(sources: readonly SearchSource[], outDir: string, options: BuildSearchOptions = {}): SearchIndexStats {
  const started = performance.now();
  const chunk = options.chunk ?? 16;
  const suggestChunk = options.suggestChunk ?? 32;
  const shardBytes = options.shardBytes ?? 24_000;
  const leadChars = options.leadChars ?? 220;
  const log = options.log ?? (() => {});

  // One document per article id (the first file wins, as in the loader), ordered by product then number.
  const seen = new Set<string>();
  const docs: Array<{ article: Article; text: string }> = [];
  for (const source of sources) {
    const article = source.article;
    if (!article || seen.has(article.id)) continue;
    seen.add(article.id);
    docs.push({ article, text: source.text ?? '' });
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
  const n = docs.length;

  // --- Inverted index: term → flat [doc, packed counts, doc, packed counts, ...] -------------
  const postings = new Map<string, number[]>();
  const titleLen = new Uint32Array(n);
  const bodyLen = new Uint32Array(n);
  const keywordTerms = new Set<string>();
  const counts = new Map<string, number>();
  // For excerpts: each document's body-only terms (as term ids), ranked by rarity once df is known.
  const termIds = new Map<string, number>();
  const docTerms: Int32Array[] = new Array(n);
  const scratch: number[] = [];
  for (let d = 0; d < n; d++) {
    const { article, text } = docs[d]!;
    counts.clear();
    forEachTerm(article.title, (t) => {
      const c = counts.get(t) ?? 0;
      if ((c & 255) < 255) counts.set(t, c + TITLE_ONE);
      titleLen[d]!++;
    });
    let length = 0;
    const body = (t: string) => {
      counts.set(t, (counts.get(t) ?? 0) + BODY_ONE);
      length++;
    };
    forEachTerm(text, body);
    if (article.product) forEachTerm(article.product, body);
    for (const line of article.appliesTo) forEachTerm(line, body);
    for (const word of article.queryWords) forEachTerm(word, body);
    bodyLen[d] = length;
    for (const keyword of metadataKeywordsOf(article)) {
      forEachTerm(keyword, (t) => {
        counts.set(t, (counts.get(t) ?? 0) | KEYWORD_BIT);
        keywordTerms.add(t);
      });
    }
    scratch.length = 0;
    for (const [term, packed] of counts) {
      let list = postings.get(term);
      if (!list) {
        // A fresh copy of the key: the term is a slice of the folded document text and would keep it alive.
        const key = Buffer.from(term, 'utf8').toString('utf8');
        postings.set(key, (list = []));
        termIds.set(key, termIds.size);
      }
      list.push(d, packed);
      // Candidates for excerpt passages: body-only words, not numbers or article numbers; id and tf packed.
      if ((packed & 255) === 0 && (packed & KEYWORD_BIT) === 0 && term.length >= 4 && !/^(?:[\d.]+|q\d+)$/.test(term)) {
        scratch.push(termIds.get(term)! * 16 + Math.min(15, Math.floor(packed / BODY_ONE)));
      }
    }
    docTerms[d] = Int32Array.from(scratch);
    if (d % 10_000 === 9_999) log(`search index: ${d + 1}/${n} documents tokenized`);
  }
  const avgTitle = mean(titleLen) || 1;
  const avgBody = mean(bodyLen) || 1;
  const df = new Uint32Array(termIds.size);
  for (const [term, id] of termIds) df[id] = postings.get(term)!.length / 2;
  const names: string[] = new Array(termIds.size);
  for (const [term, id] of termIds) names[id] = term;
  termIds.clear();

  // --- Shards: sorted terms, postings encoded as varints, cut at ~shardBytes -----------------
  const terms = [...postings.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const files = new Map<string, string>();
  const shardStarts: string[] = [];
  let shard: ShardFile = { t: [], p: [] };
  let shardSize = 0;
  let totalPostings = 0;
  const writer = new VarintWriter();
  const flush = () => {
    if (shard.t.length === 0) return;
    shardStarts.push(shardStarts.length === 0 ? '' : shard.t[0]!);
    files.set(`t/${shardStarts.length - 1}.json`, JSON.stringify(shard));
    shard = { t: [], p: [] };
    shardSize = 0;
  };
  for (const term of terms) {
    let list = postings.get(term)!;
    postings.delete(term);
    // A KB keyword (`kbbug`, `kbfixlist`) finds articles by metadata only, so that its
    // result count is the metadata's count; mentions in body text do not count.
    if (keywordTerms.has(term) && term.startsWith('kb')) {
      const kept: number[] = [];
      for (let i = 0; i < list.length; i += 2) if ((list[i + 1]! & KEYWORD_BIT) !== 0) kept.push(list[i]!, list[i + 1]!);
      list = kept;
    }
    const df = list.length / 2;
    if (df === 0) continue;
    const idf = Math.log(1 + (n - df + 0.5) / (df + 0.5));
    let previous = 0;
    for (let i = 0; i < list.length; i += 2) {
      const d = list[i]!;
      const packed = list[i + 1]!;
      const tfTitle = packed & 255;
      const keyword = (packed & KEYWORD_BIT) !== 0;
      const tfBody = Math.floor(packed / BODY_ONE);
      const tilde =
        (TITLE_WEIGHT * tfTitle) / (1 - TITLE_B + (TITLE_B * titleLen[d]!) / avgTitle) +
        (BODY_WEIGHT * tfBody) / (1 - BODY_B + (BODY_B * bodyLen[d]!) / avgBody) +
        (keyword ? KEYWORD_WEIGHT : 0);
      const score = (idf * tilde * (K1 + 1)) / (K1 + tilde);
      const q = Math.min(MAX_SCORE, Math.max(1, Math.round(score * SCALE)));
      const value = q * 4 + (keyword ? FLAG_KEYWORD : 0) + (tfTitle > 0 ? FLAG_TITLE : 0);
      writer.push(d - previous);
      writer.push(value);
      previous = d;
    }
    const encoded = writer.take();
    totalPostings += df;
    const size = term.length + encoded.length + 6;
    if (shardSize > 0 && shardSize + size > shardBytes) flush();
    shard.t.push(term);
    shard.p.push(encoded);
    shardSize += size;
  }
  flush();
  log(`search index: ${terms.length} terms, ${totalPostings} postings, ${shardStarts.length} shards`);

  // --- Result metadata chunks ----------------------------------------------------------------
  let chunks = 0;
  for (let start = 0; start < n; start += chunk) {
    const records: MetaRecord[] = [];
    for (let d = start; d < Math.min(n, start + chunk); d++) {
      const { article, text } = docs[d]!;
      const body = cleanBody(text, article);
      const lead = leadOf(body.text, leadChars);
      const record: MetaRecord = [article.number, article.title, article.product ? productIndex.get(article.product)! : -1, article.lastModified ?? '', lead];
      const found = snippetsOf(body.text, lead, rareTerms(docTerms[d]!, df, names, n));
      const refs: Array<SectionRef | 0> = [sectionAt(body, 0, article)];
      for (const { at } of found) refs.push(sectionAt(body, at, article));
      if (found.length > 0) record.push(found.map((f) => f.text));
      if (refs.some((r) => r !== 0)) {
        if (found.length === 0) record.push([]);
        record.push(refs);
      }
      records.push(record);
    }
    files.set(`m/${chunks++}.json`, JSON.stringify(records));
  }
  // Suggestions (the header box) need only what a dropdown line shows.
  for (let start = 0, c = 0; start < n; start += suggestChunk, c++) {
    const records: SuggestRecord[] = [];
    for (let d = start; d < Math.min(n, start + suggestChunk); d++) {
      const { article } = docs[d]!;
      records.push([article.number, article.title, article.product ? productIndex.get(article.product)! : -1, article.lastModified ?? '']);
    }
    files.set(`s/${c}.json`, JSON.stringify(records));
  }

  // --- Facet columns ---------------------------------------------------------------------------
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

  // --- Article-number buckets ------------------------------------------------------------------
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

  // --- File names (the header box offers a file's page first) -----------------------------------
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

  // --- Manifest and write-out --------------------------------------------------------------------
  const hash = createHash('sha1');
  for (const [name, body] of [...files].sort((a, b) => (a[0] < b[0] ? -1 : 1))) hash.update(name).update('\0').update(body).update('\0');
  const manifest: Manifest = {
    format: FORMAT,
    version: hash.digest('hex').slice(0, 12),
    docs: n,
    chunk,
    shards: shardStarts.length ? shardStarts : [''],
    products,
    years,
    types,
    platforms,
    epoch: isoDay(epochDay),
    buckets: bucketNames,
    suggestChunk,
    files: [...fileTables.keys()].sort(),
  };
  if (shardStarts.length === 0) files.set('t/0.json', JSON.stringify({ t: [], p: [] } satisfies ShardFile));
  files.set('manifest.json', JSON.stringify(manifest));

  const bytes = writeTree(outDir, files);
  const stats: SearchIndexStats = {
    files: files.size,
    bytes,
    ms: Math.round(performance.now() - started),
    docs: n,
    terms: terms.length,
    postings: totalPostings,
    shards: shardStarts.length,
    chunks,
  };
  log(`search index: ${stats.files} files, ${(bytes / 1e6).toFixed(1)} MB in ${stats.ms} ms`);
  return stats;
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
function rareTerms(packed: Int32Array, df: Uint32Array, names: string[], n: number): Array<[string, number]> {
  const limit = Math.max(3, Math.floor(n * 0.01));
  const scored: Array<[string, number]> = [];
  for (const value of packed) {
    const id = value >> 4;
    if (df[id]! > limit) continue;
    scored.push([names[id]!, (1 + Math.log(value & 15)) * Math.log(1 + n / df[id]!)]);
  }
  scored.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  return scored.slice(0, 12);
}

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
 * Writes the files into a fresh sibling folder, then swaps it in for `outDir`,
 * so a dev server never serves half an index. Returns the bytes written.
 */
function writeTree(outDir: string, files: Map<string, string>): number {
  const target = path.resolve(outDir);
  if (existsSync(target) && !existsSync(path.join(target, 'manifest.json')) && readdirSync(target).length > 0) {
    throw new Error(`refusing to replace ${target}: it is not empty and holds no search index (manifest.json)`);
  }
  const tmp = `${target}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  const dirs = new Set<string>();
  let bytes = 0;
  for (const [name, body] of files) {
    const file = path.join(tmp, name);
    const dir = path.dirname(file);
    if (!dirs.has(dir)) {
      mkdirSync(dir, { recursive: true });
      dirs.add(dir);
    }
    writeFileSync(file, body);
    bytes += Buffer.byteLength(body);
  }
  mkdirSync(tmp, { recursive: true });
  const old = `${target}.old-${process.pid}`;
  if (existsSync(target)) renameSync(target, old);
  mkdirSync(path.dirname(target), { recursive: true });
  renameSync(tmp, target);
  rmSync(old, { recursive: true, force: true });
  return bytes;
}
