/**
 * `parseArticle(text, source)`: one KB Markdown file in, a typed article and
 * its diagnostics out. Pure: no fs, no Next, no React.
 */
import type { RootContent } from 'mdast';
import { articleSchema, type Article, type Diagnostic } from './schema';
import { readDocument } from './document';
import { toKbLines, type KbLine } from './lines';
import { parseHeader, parseKbDate, parseOperatingSystems, parseProduct } from './header';
import { parseVersions } from './versions';
import { parseAppliesTo } from './applies-to';
import { parseFooter } from './footer';
import { toBlocks, type Block } from './blocks';
import { findReferences, findReferenceTitles, normalizeId, permalinkOf } from './references';
import { decodeEntities, decodeHexEscapes, pushAll, splitList, stripControl, trimDashes, unique } from './text';

export interface ArticleBody {
  /** Markdown before the raw block (after the heading), rare. */
  before: RootContent[];
  /** The KB text as blocks. */
  blocks: Block[];
  /** Markdown after the raw block, rare. */
  after: RootContent[];
}

export interface ParseResult {
  /** Null only when the file names no article number at all. */
  article: Article | null;
  diagnostics: Diagnostic[];
  body: ArticleBody;
}

const ID_PREFIX = /^\s*Q(\d{1,12})\s*[:\-–]/;
const MAX_TITLE = 300;

/**
 * Per-article limits on what becomes listings, links and pages elsewhere
 * (the archive's largest: 21 keywords, 102 items in a list, 470 cited
 * numbers); a cut is reported (`list-limit`, `long-product`).
 */
export const LIMITS = {
  keywords: 64,
  keywordLength: 64,
  listItems: 256,
  references: 1000,
  product: 200,
} as const;
/** Articles above either size get a `large-article` warning (the largest of the 60,335 archive articles: 178 KB, 3,984 lines). */
const LARGE_CHARS = 1_000_000;
const LARGE_LINES = 20_000;

export function parseArticle(input: string, source: string): ParseResult {
  const diagnostics: Diagnostic[] = [];
  const diag = (severity: Diagnostic['severity'], kind: string, message: string, line?: number) =>
    diagnostics.push({ severity, kind, message, file: source, ...(line ? { line } : {}) });

  const empty = { article: null, diagnostics, body: { before: [], blocks: [], after: [] } };
  let text = input.charCodeAt(0) === 0xfeff ? input.slice(1) : input;
  if (text.trim() === '') {
    diag('error', 'empty-file', text === '' ? 'file is empty' : 'file holds only white space');
    return empty;
  }
  const bad = countBad(text);
  if (bad.count > 0) {
    const share = bad.count / text.length;
    if (bad.count >= 16 && share > 0.05) {
      diag(
        'error',
        'binary-file',
        `file is not text: ${(share * 100).toFixed(0)}% of it is NUL bytes, control characters or invalid UTF-8; skipped`,
        lineOf(text, bad.first),
      );
      return empty;
    }
    diag(
      'warning',
      'binary-data',
      `file contains ${bad.count} NUL byte${bad.count === 1 ? '' : 's'}, control character${bad.count === 1 ? '' : 's'} or invalid UTF-8 sequence${bad.count === 1 ? '' : 's'}; they are removed`,
      lineOf(text, bad.first),
    );
    text = stripControl(text.replace(/\ufffd/g, ''));
  }
  const cr = text.indexOf('\r');
  if (cr !== -1) {
    diag('warning', 'line-endings', `file has ${text[cr + 1] === '\n' ? 'Windows (CRLF)' : 'CR'} line endings; they are read as LF`, lineOf(text, cr));
    text = text.replace(/\r\n?/g, '\n');
  }
  const lineCount = countLines(text);
  if (text.length > LARGE_CHARS || lineCount > LARGE_LINES) {
    diag('warning', 'large-article', `article is large (${(text.length / 1e6).toFixed(1)} MB, ${lineCount} lines); its page will be large too`);
  }

  const doc = readDocument(text, source, diagnostics);
  // The line of the title that was read: the heading's, else the front matter's `title:` line.
  const titleLineOf = (raw: string): number => (raw === doc.heading && doc.headingLine ? doc.headingLine : lineOf(text, text.search(/^title\s*:/m)));
  const fm = doc.frontMatter ?? {};
  if (doc.frontMatter === null && !diagnostics.some((d) => d.kind.endsWith('front-matter'))) {
    diag('warning', 'no-front-matter', 'file has no front matter (--- title/permalink ---)', 1);
  }
  if (doc.kbText === null) diag('warning', 'no-raw-block', 'file has no {% raw %} block of KB text');
  const lines = doc.kbText === null ? [] : toKbLines(doc.kbText, doc.kbLine);

  const header = parseHeader(lines);
  const appliesTo = parseAppliesTo(lines, header.end);
  const bodyStart = appliesTo?.end ?? header.end;
  const footer = parseFooter(lines, bodyStart);
  const bodyEnd = footer ? footer.start : lines.length;
  // Text outside the raw block that was too complex for Markdown is read as KB text, before and after it.
  const bodyLines: KbLine[] = [];
  if (doc.plainBefore) pushAll(bodyLines, toKbLines(doc.plainBefore.text, doc.plainBefore.line)).push({ text: '', line: doc.plainBefore.line });
  for (let i = bodyStart; i < bodyEnd; i++) bodyLines.push(lines[i]!);
  if (doc.plainAfter) pushAll(bodyLines, [{ text: '', line: doc.plainAfter.line }, ...toKbLines(doc.plainAfter.text, doc.plainAfter.line)]);

  // Title: front matter, else the heading; without the `Q244717: ` prefix.
  const fmTitle = Object.hasOwn(fm, 'title') ? fm['title'] : undefined;
  const rawTitle = typeof fmTitle === 'string' || typeof fmTitle === 'number' ? String(fmTitle) : doc.heading;
  let title = rawTitle ? cleanInline(rawTitle) : '';
  const titleId = ID_PREFIX.exec(title);
  if (titleId) title = title.slice(titleId[0].length).trim();
  if (title.length > MAX_TITLE) {
    diag('warning', 'long-title', `title is ${title.length} characters long; cut to ${MAX_TITLE}`, titleLineOf(rawTitle ?? ''));
    title = `${title.slice(0, MAX_TITLE - 1)}…`;
  }

  // Id: the `Article:` line, else the title's prefix, else the file name; numbers as lib/kb-number.ts reads them.
  const headerId = header.article ? /^Q?(\d{1,12})\b/.exec(header.article.trim()) : null;
  const fileId = /Q(\d{1,12})(?:\/README)?\.md$/i.exec(source);
  const digits = headerId?.[1] ?? titleId?.[1] ?? fileId?.[1] ?? null;
  const id = digits === null ? null : normalizeId(digits);
  if (id === null) {
    const message = digits
      ? `Q${digits} is not an article number (1 to 999999)`
      : 'no article number: no "Article: Q…" line, no "Q…:" title and no Q… file name';
    diag('error', 'missing-id', message, header.lines.article ?? doc.headingLine ?? 1);
    return { article: null, diagnostics, body: { before: doc.before, blocks: toBlocks(bodyLines), after: doc.after } };
  }
  if (!header.article)
    diag('warning', 'missing-article-line', `no "Article:" header line; using ${id}${headerId || titleId ? '' : ' from the file name'}`, lines[0]?.line);
  if (rawTitle && !titleId) {
    diag(
      'warning',
      'title-without-id',
      `title has no "Q…:" article number; using ${id} from ${headerId ? 'the Article line' : 'the file name'}`,
      titleLineOf(rawTitle),
    );
  }
  if (fileId && normalizeId(fileId[1]!) !== id) {
    diag('warning', 'file-name-mismatch', `file name says Q${fileId[1]} but the article is ${id}`, header.lines.article ?? titleLineOf(rawTitle ?? ''));
  }
  if (titleId && normalizeId(titleId[1]!) !== id) {
    diag('warning', 'id-mismatch', `title says Q${titleId[1]} but the Article line says ${id}; using ${id}`, titleLineOf(rawTitle!));
  }
  if (!title) {
    diag('error', 'missing-title', 'article has no title (front matter title or ## heading)', 1);
    title = id;
  }

  const permalink = permalinkOf(id);
  const fmPermalink = Object.hasOwn(fm, 'permalink') ? fm['permalink'] : undefined;
  if (fmPermalink !== undefined && fmPermalink !== permalink && fmPermalink !== permalink.slice(0, -1)) {
    const shown = JSON.stringify(String(fmPermalink)).slice(0, 120);
    diag(
      'warning',
      'bad-permalink',
      `permalink ${shown} is not the canonical ${permalink} of ${id}; using ${permalink}`,
      lineOf(text, text.search(/^permalink\s*:/m)),
    );
  }

  const lastModified = parseKbDate(header.lastModified);
  if (header.lastModified && !lastModified) {
    diag('warning', 'bad-date', `Last Modified "${header.lastModified.slice(0, 40)}" is not a date`, header.lines.lastModified);
  }

  // Each list, and each value that becomes a listing or a page, is bounded (`LIMITS`); a cut is reported.
  const footerLine = footer && footer.start >= 0 ? lines[footer.start]?.line : undefined;
  const cap = <T>(what: string, list: T[], max: number, line?: number): T[] => {
    if (list.length <= max) return list;
    diag('warning', 'list-limit', `${list.length} ${what}; only the first ${max} are kept`, line);
    return list.slice(0, max);
  };
  const keywordLine = footer?.keywords ? footerLine : header.lines.keywords;
  const allKeywords = unique(splitList(footer?.keywords ?? header.keywords ?? ''));
  const keywordsKept = allKeywords.filter((k) => k.length <= LIMITS.keywordLength);
  if (keywordsKept.length < allKeywords.length) {
    diag(
      'warning',
      'list-limit',
      `${allKeywords.length - keywordsKept.length} keyword${allKeywords.length - keywordsKept.length === 1 ? '' : 's'} longer than ${LIMITS.keywordLength} characters dropped`,
      keywordLine,
    );
  }
  const keywords = cap('keywords', keywordsKept, LIMITS.keywords, keywordLine);
  const list = (what: string, value: string | null | undefined) => cap(what, unique(splitList(value ?? '')), LIMITS.listItems, footerLine);
  const versionsRaw = header.versions ?? '';
  let product = parseProduct(header.product ? cleanInline(header.product) : null);
  if (product && product.length > LIMITS.product) {
    diag('warning', 'long-product', `product name is ${product.length} characters long; cut to ${LIMITS.product}`, header.lines.product);
    product = `${product.slice(0, LIMITS.product - 1)}…`;
  }
  const article: Article = {
    id,
    number: Number.parseInt(id.slice(1), 10),
    title,
    permalink,
    product,
    versions: cap('versions', parseVersions(versionsRaw), LIMITS.listItems, header.lines.versions),
    versionsRaw,
    operatingSystems: cap('operating systems', parseOperatingSystems(header.operatingSystems), LIMITS.listItems, header.lines.operatingSystems),
    keywords,
    technology: list('technology values', footer?.technology),
    hardware: list('hardware values', footer?.hardware),
    issueType: list('issue types', footer?.issueType),
    solutionType: list('solution types', footer?.solutionType),
    queryWords: list('query words', footer?.queryWords),
    lastModified,
    appliesTo: cap('"applies to" items', (appliesTo?.items ?? []).map(decodeHexEscapes), LIMITS.listItems, lines[header.end]?.line),
    sections: [],
    fileAttributes: [],
    references: cap('cited article numbers', findReferences(bodyLines, id), LIMITS.references),
    referenceTitles: findReferenceTitles(bodyLines, id).map((r) => ({ id: r.id, title: decodeHexEscapes(r.title) })),
    source,
  };

  const blocks = toBlocks(bodyLines, 0, bodyLines.length, (kind, message, line) => diag('warning', kind, message, line));
  const { sections, blocks: named } = nameSections(blocks);
  article.sections = sections;
  for (const block of named) if (block.type === 'fileTable') pushAll(article.fileAttributes, block.table.rows);

  const checked = articleSchema.safeParse(article);
  if (!checked.success) {
    for (const issue of checked.error.issues.slice(0, 5)) {
      diag('error', 'schema', `${issue.path.join('.')}: ${issue.message}`);
    }
  }
  return { article, diagnostics, body: { before: doc.before, blocks: named, after: doc.after } };
}

/** Sections from the headings, each with a unique anchor id. */
function nameSections(blocks: Block[]): { sections: Article['sections']; blocks: Block[] } {
  const slugs = new Map<string, number>();
  const sections: Article['sections'] = [];
  for (const block of blocks) {
    if (block.type !== 'heading') continue;
    const base = slug(decodeHexEscapes(block.text));
    const count = slugs.get(base) ?? 0;
    slugs.set(base, count + 1);
    const id = count === 0 ? base : `${base}-${count}`;
    block.id = id;
    sections.push({ id, title: decodeHexEscapes(block.text), level: block.level });
  }
  return { sections, blocks };
}

function slug(text: string): string {
  const value = trimDashes(trimDashes(text.toLowerCase().replace(/[^a-z0-9]+/g, '-')).slice(0, 64));
  return value || 'section';
}

function cleanInline(value: string): string {
  return decodeHexEscapes(decodeEntities(value)).replace(/\s+/g, ' ').trim();
}

/** NUL, control characters other than tab and newline, and U+FFFD (what the decoder makes of invalid UTF-8). */
function countBad(text: string): { count: number; first: number } {
  let count = 0;
  let first = -1;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if ((c < 32 && c !== 9 && c !== 10 && c !== 13) || c === 127 || c === 0xfffd) {
      if (count++ === 0) first = i;
    }
  }
  return { count, first };
}

function countLines(text: string): number {
  let count = 1;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) count++;
  return count;
}

function lineOf(text: string, offset: number): number {
  if (offset < 0) return 1;
  let line = 1;
  for (let i = 0; i < offset; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}
