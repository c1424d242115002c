/**
 * `parseArticle(text, source)`: one KB Markdown file in, a typed article and
 * its diagnostics out. Pure: no fs, no Next, no React.
 */
import type { RootContent } from 'mdast';
import { articleSchema, type Article, type Diagnostic } from './schema';
import { readDocument, type KbDocument } from './document';
import { isBlank, toKbLines, type KbLine } from './lines';
import { parseHeader, parseKbDate, parseOperatingSystems, parseProduct, type Header } from './header';
import { parseVersions } from './versions';
import { parseAppliesTo } from './applies-to';
import { parseFooter, type Footer } from './footer';
import { toBlocks, type Block } from './blocks';
import { findReferences, findReferenceTitles, normalizeId, permalinkOf } from './references';
import { kbUrlNumbers } from './links';
import { decodeEntities, decodeHexEscapes, pushAll, splitList, stripControl, stripUnshowable, trimDashes, unique } from './text';

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

/** Reports one diagnostic of the file being parsed. */
export type Report = (severity: Diagnostic['severity'], kind: string, message: string, line?: number) => void;

/**
 * One KB file in, its article, diagnostics and body out. The steps, each a
 * function below: the text is made readable (`readableText`), the document is
 * split (front matter, heading, raw block: ./document.ts), the KB text's
 * header, applies-to list and footer are found and the body lines between
 * them gathered (`bodyLinesOf`), then the title (`readTitle`), the number
 * (`readId`), the permalink (`checkPermalink`), the date and the bounded
 * metadata lists (`readMetadata`), the blocks and their sections
 * (`nameSections`), and the whole is checked against the schema.
 */
export function parseArticle(input: string, source: string): ParseResult {
  const diagnostics: Diagnostic[] = [];
  const diag: Report = (severity, kind, message, line) => diagnostics.push({ severity, kind, message, file: source, ...(line ? { line } : {}) });

  const text = readableText(input, diag);
  if (text === null) return { article: null, diagnostics, body: { before: [], blocks: [], after: [] } };

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
  const bodyLines = bodyLinesOf(doc, lines, bodyStart, footer ? footer.start : lines.length);
  if (footer) reportTextAfterFooter(lines, footer.end, diag);

  const { rawTitle, title: readTitleText, titleId } = readTitle(fm, doc.heading, diag, titleLineOf);
  const id = readId({ header, titleId, rawTitle, source, firstLine: lines[0]?.line, headingLine: doc.headingLine }, diag, titleLineOf);
  if (id === null) return { article: null, diagnostics, body: { before: doc.before, blocks: toBlocks(bodyLines), after: doc.after } };
  let title = readTitleText;
  if (!title) {
    diag('error', 'missing-title', 'article has no title (front matter title or ## heading)', 1);
    title = id;
  }
  const permalink = checkPermalink(fm, id, text, diag);

  const lastModified = parseKbDate(header.lastModified);
  if (header.lastModified && !lastModified) {
    diag('warning', 'bad-date', `Last Modified "${header.lastModified.slice(0, 40)}" is not a date`, header.lines.lastModified);
  }
  const metadata = readMetadata(header, footer, lines, diag);
  const article: Article = {
    id,
    number: Number.parseInt(id.slice(1), 10),
    title,
    permalink,
    product: metadata.product,
    versions: metadata.versions,
    versionsRaw: metadata.versionsRaw,
    operatingSystems: metadata.operatingSystems,
    keywords: metadata.keywords,
    technology: metadata.technology,
    hardware: metadata.hardware,
    issueType: metadata.issueType,
    solutionType: metadata.solutionType,
    queryWords: metadata.queryWords,
    lastModified,
    appliesTo: metadata.cap('"applies to" items', (appliesTo?.items ?? []).map(decodeHexEscapes), LIMITS.listItems, lines[header.end]?.line),
    sections: [],
    fileAttributes: [],
    references: metadata.cap('cited article numbers', findReferences(bodyLines, id, kbUrlNumbers), LIMITS.references),
    referenceTitles: findReferenceTitles(bodyLines, id).map((r) => ({ id: r.id, title: decodeHexEscapes(r.title) })),
    source,
  };

  const blocks = toBlocks(bodyLines, 0, bodyLines.length, (kind, message, line) => diag('warning', kind, message, line));
  const { sections, blocks: named } = nameSections(blocks);
  article.sections = sections;
  for (const block of named) if (block.type === 'fileTable') pushAll(article.fileAttributes, block.table.rows);

  const unshowable = cleanMetadata(article);
  if (unshowable > 0) {
    diag(
      'warning',
      'control-characters',
      `${unshowable} control, bidirectional-override or unpaired surrogate character${unshowable === 1 ? '' : 's'} removed from the title, product, keywords, file names or other metadata`,
      lines[0]?.line ?? doc.headingLine ?? 1,
    );
  }

  const checked = articleSchema.safeParse(article);
  if (!checked.success) {
    for (const issue of checked.error.issues.slice(0, 5)) {
      diag('error', 'schema', `${issue.path.join('.')}: ${issue.message}`);
    }
  }
  return { article, diagnostics, body: { before: doc.before, blocks: named, after: doc.after } };
}

/**
 * The file's text as the parser reads it, or null when it holds no article
 * (empty, white space only, binary). Without a byte-order mark, NUL bytes,
 * control characters and invalid UTF-8 (`binary-data`), with LF line endings
 * (`line-endings`); a very large file is reported (`large-article`).
 */
export function readableText(input: string, diag: Report): string | null {
  let text = input.charCodeAt(0) === 0xfeff ? input.slice(1) : input;
  if (text.trim() === '') {
    diag('error', 'empty-file', text === '' ? 'file is empty' : 'file holds only white space');
    return null;
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
      return null;
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
  return text;
}

/**
 * The body's lines: the KB text between the header (or applies-to list) and
 * the footer, with the text outside the raw block that was too complex for
 * Markdown read as KB text, before and after it.
 */
export function bodyLinesOf(doc: Pick<KbDocument, 'plainBefore' | 'plainAfter'>, lines: readonly KbLine[], bodyStart: number, bodyEnd: number): KbLine[] {
  const bodyLines: KbLine[] = [];
  if (doc.plainBefore) pushAll(bodyLines, toKbLines(doc.plainBefore.text, doc.plainBefore.line)).push({ text: '', line: doc.plainBefore.line });
  for (let i = bodyStart; i < bodyEnd; i++) bodyLines.push(lines[i]!);
  if (doc.plainAfter) pushAll(bodyLines, [{ text: '', line: doc.plainAfter.line }, ...toKbLines(doc.plainAfter.text, doc.plainAfter.line)]);
  return bodyLines;
}

/**
 * The title: the front matter's, else the heading's, entities and escapes
 * decoded, without its `Q244717: ` prefix (given as `titleId`), cut at
 * `MAX_TITLE` characters (`long-title`). Empty when there is none.
 */
export function readTitle(
  fm: Readonly<Record<string, unknown>>,
  heading: string | null,
  diag: Report,
  titleLineOf: (raw: string) => number,
): { rawTitle: string | null; title: string; titleId: RegExpExecArray | null } {
  const fmTitle = Object.hasOwn(fm, 'title') ? fm['title'] : undefined;
  const rawTitle = typeof fmTitle === 'string' || typeof fmTitle === 'number' ? String(fmTitle) : heading;
  let title = rawTitle ? cleanInline(rawTitle) : '';
  const titleId = ID_PREFIX.exec(title);
  if (titleId) title = title.slice(titleId[0].length).trim();
  if (title.length > MAX_TITLE) {
    diag('warning', 'long-title', `title is ${title.length} characters long; cut to ${MAX_TITLE}`, titleLineOf(rawTitle ?? ''));
    title = `${title.slice(0, MAX_TITLE - 1)}…`;
  }
  return { rawTitle: rawTitle ?? null, title, titleId };
}

/**
 * The article's id: the `Article:` line, else the title's prefix, else the
 * file name, read by the one number rule (lib/kb-number.ts). Null, with a
 * `missing-id` error, when none names an article; the ones that disagree are
 * reported (`id-mismatch`, `file-name-mismatch`, `title-without-id`,
 * `missing-article-line`).
 */
export function readId(
  from: {
    header: Pick<Header, 'article' | 'lines'>;
    titleId: RegExpExecArray | null;
    rawTitle: string | null;
    source: string;
    /** Line of the KB text's first line, and of the heading. */
    firstLine: number | undefined;
    headingLine: number | null | undefined;
  },
  diag: Report,
  titleLineOf: (raw: string) => number,
): string | null {
  const { header, titleId, rawTitle, source } = from;
  const headerId = header.article ? /^Q?(\d{1,12})\b/.exec(header.article.trim()) : null;
  const fileId = /Q(\d{1,12})(?:\/README)?\.md$/i.exec(source);
  const digits = headerId?.[1] ?? titleId?.[1] ?? fileId?.[1] ?? null;
  const id = digits === null ? null : normalizeId(digits);
  if (id === null) {
    const message = digits
      ? `Q${digits} is not an article number (1 to 999999)`
      : 'no article number: no "Article: Q…" line, no "Q…:" title and no Q… file name';
    diag('error', 'missing-id', message, header.lines.article ?? from.headingLine ?? 1);
    return null;
  }
  if (!header.article)
    diag('warning', 'missing-article-line', `no "Article:" header line; using ${id}${headerId || titleId ? '' : ' from the file name'}`, from.firstLine);
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
  return id;
}

/** The canonical permalink of `id`; a front-matter `permalink` other than it is reported (`bad-permalink`) and never used. */
export function checkPermalink(fm: Readonly<Record<string, unknown>>, id: string, text: string, diag: Report): string {
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
  return permalink;
}

/**
 * Text after the keyword footer's closing rule is not shown (no archive article has any: the rule ends
 * each of them), so it is reported, with the line of its first non-blank line and how many there are.
 */
function reportTextAfterFooter(lines: readonly KbLine[], from: number, diag: Report): void {
  let first: KbLine | undefined;
  let count = 0;
  for (let i = from; i < lines.length; i++) {
    if (isBlank(lines[i])) continue;
    first ??= lines[i];
    count++;
  }
  if (first)
    diag(
      'warning',
      'text-after-footer',
      `${count} line${count === 1 ? '' : 's'} after the keyword footer's closing rule ${count === 1 ? 'is' : 'are'} not shown`,
      first.line,
    );
}

/**
 * The header's and footer's lists and product, each bounded (`LIMITS`; a cut
 * is reported, `list-limit`, `long-product`), and the `cap` that bounds a list
 * (for the lists made elsewhere).
 */
export function readMetadata(header: Header, footer: Footer | null, lines: readonly KbLine[], diag: Report) {
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
  return {
    cap,
    product,
    keywords,
    versions: cap('versions', parseVersions(versionsRaw), LIMITS.listItems, header.lines.versions),
    versionsRaw,
    operatingSystems: cap('operating systems', parseOperatingSystems(header.operatingSystems), LIMITS.listItems, header.lines.operatingSystems),
    technology: list('technology values', footer?.technology),
    hardware: list('hardware values', footer?.hardware),
    issueType: list('issue types', footer?.issueType),
    solutionType: list('solution types', footer?.solutionType),
    queryWords: list('query words', footer?.queryWords),
  };
}

/**
 * Removes `UNSHOWABLE` characters (./text.ts) from every text of the
 * article's metadata, in place; a list item or a file-table column left
 * empty is dropped, a title left empty is the id. Returns how many were removed.
 */
export function cleanMetadata(article: Article): number {
  let removed = 0;
  const clean = (value: string): string => {
    const out = stripUnshowable(value);
    removed += out.removed;
    return out.text;
  };
  const cleanOrNull = (value: string | null | undefined) => (value == null ? value : clean(value));
  const cleanList = (list: string[]): string[] => {
    const out: string[] = [];
    for (const item of list) {
      const text = clean(item);
      if (text !== '') out.push(text);
    }
    return out;
  };
  article.title = clean(article.title) || article.id;
  article.product = cleanOrNull(article.product) || null;
  article.versionsRaw = clean(article.versionsRaw);
  for (const v of article.versions) {
    v.version = clean(v.version);
    v.platform = cleanOrNull(v.platform) ?? null;
  }
  article.operatingSystems = cleanList(article.operatingSystems);
  article.keywords = cleanList(article.keywords);
  article.technology = cleanList(article.technology);
  article.hardware = cleanList(article.hardware);
  article.issueType = cleanList(article.issueType);
  article.solutionType = cleanList(article.solutionType);
  article.queryWords = cleanList(article.queryWords);
  article.appliesTo = cleanList(article.appliesTo);
  for (const section of article.sections) section.title = clean(section.title);
  for (const ref of article.referenceTitles) ref.title = clean(ref.title);
  for (const row of article.fileAttributes) {
    row.name = clean(row.name);
    row.date = clean(row.date);
    if (row.version != null) row.version = clean(row.version);
    if (row.platform != null) row.platform = clean(row.platform);
    if (row.extra) {
      const extra = Object.create(null) as Record<string, string>;
      for (const [key, value] of Object.entries(row.extra)) {
        const k = clean(key);
        if (k !== '') extra[k] = clean(value);
      }
      row.extra = extra;
    }
  }
  return removed;
}

/** Sections from the headings, each with a unique anchor id. */
export function nameSections(blocks: Block[]): { sections: Article['sections']; blocks: Block[] } {
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
