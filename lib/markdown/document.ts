/**
 * Reads the Markdown file around the KB text: the Jekyll front matter, the
 * `## Q244717: Title` heading, and the `{% raw %}` … `{% endraw %}` block that
 * holds the KB text.
 *
 * The raw block is cut out before remark sees the file: it is plain text, not
 * Markdown, and handing 200 MB of it to micromark made parsing the corpus 3.4×
 * slower (3.7 s against 1.1 s for 5,000 articles). The front matter is found
 * by one reader, `readFrontMatter` (its `---` fences, at most 64 KB), before the
 * raw block is looked for, and parsed with `yaml`; remark never sees it.
 * Markdown outside the block (rare; articles written by hand) is kept as mdast
 * for rendering.
 *
 * micromark is slow on some input: quadratic or worse on long runs of
 * emphasis markers, brackets or setext underlines, and its trees (and the
 * renderers after it) recurse once per nesting level. So Markdown outside the
 * raw block is parsed only when it is small and simple enough
 * (`markdownRisk`); otherwise it is read as plain KB text (`plainBefore`,
 * `plainAfter`) with a `markdown-too-complex` warning. The parse is then
 * bounded: linear in the file, whatever the file holds.
 */
import { unified } from 'unified';
import remarkParse from 'remark-parse';
import { parse as parseYaml } from 'yaml';
import { decodeNamedCharacterReference } from 'decode-named-character-reference';
import type { Root, RootContent } from 'mdast';
import type { Diagnostic } from './schema';

export interface KbDocument {
  frontMatter: Record<string, unknown> | null;
  /** The `## Q…: Title` heading text, if any. */
  heading: string | null;
  headingLine: number | null;
  /** The text between `{% raw %}` and `{% endraw %}`, or null when the file has no raw block. */
  kbText: string | null;
  /** 1-based file line of the first line of `kbText`. */
  kbLine: number;
  /** Markdown nodes outside the front matter, heading and raw block, in order. */
  before: RootContent[];
  after: RootContent[];
  /** Text before / after the raw block that was too large or complex for the Markdown parser: read as KB text. */
  plainBefore: { text: string; line: number } | null;
  plainAfter: { text: string; line: number } | null;
}

const processor = unified().use(remarkParse);

const RAW_OPEN = /\{%-?\s*raw\s*-?%\}/g;
const RAW_CLOSE = /\{%-?\s*endraw\s*-?%\}/g;
const PLACEHOLDER = '<!--kb-raw-->';

/** Limits on the Markdown outside the raw block (see `markdownRisk`). */
export const MARKDOWN_LIMITS = {
  chars: 32_000,
  lines: 2_000,
  /** `*` and `_`: micromark resolves emphasis in quadratic time. */
  emphasis: 2_000,
  /** `[` and `]`: label matching is quadratic too. */
  brackets: 2_000,
  /** `<`: raw HTML nests one element per tag. */
  tags: 1_000,
  /** Setext underlines and rules (`===`, `---`): each one re-reads the paragraph above it. */
  underlines: 100,
  /** `>` markers at the start of a line. */
  quoteDepth: 8,
  /** Leading columns of indentation (nested lists). */
  indent: 64,
  /** Depth of the parsed tree. */
  depth: 40,
} as const;

/** Front matter larger than this is not read (YAML is parsed in one piece). */
export const MAX_FRONT_MATTER = 64_000;

const lineAt = (text: string, offset: number): number => {
  let line = 1;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) line++;
  return line;
};

export function readDocument(text: string, file: string, diagnostics: Diagnostic[]): KbDocument {
  const doc: KbDocument = {
    frontMatter: null,
    heading: null,
    headingLine: null,
    kbText: null,
    kbLine: 1,
    before: [],
    after: [],
    plainBefore: null,
    plainAfter: null,
  };
  const diag = (severity: Diagnostic['severity'], kind: string, message: string, line: number) => diagnostics.push({ severity, kind, message, file, line });

  // Front matter first (one reader: `readFrontMatter`), so that a `{% raw %}` inside a title cannot cut it.
  const front = readFrontMatter(text, file, diagnostics);
  doc.frontMatter = front.data;
  const beforeStart = front.end;

  // The raw block: the first `{% raw %}` after the front matter and the first `{% endraw %}` after it.
  RAW_OPEN.lastIndex = beforeStart;
  const open = RAW_OPEN.exec(text);
  let close: RegExpExecArray | null = null;
  if (open) {
    RAW_CLOSE.lastIndex = open.index + open[0].length;
    close = RAW_CLOSE.exec(text);
  }
  const head = open ? text.slice(0, open.index) : text;

  // The text outside the front matter and the raw block, with its first line in the file.
  const beforeText = head.slice(beforeStart);
  const beforeLine = lineAt(text, beforeStart);
  let afterText = '';
  let afterLine = 1;
  if (open) {
    const start = open.index + open[0].length;
    let body: string;
    if (close) {
      body = text.slice(start, close.index);
      afterText = text.slice(close.index + close[0].length);
      afterLine = lineAt(text, close.index + close[0].length);
    } else {
      body = text.slice(start);
      diag('warning', 'unterminated-raw', '{% raw %} has no matching {% endraw %}; the rest of the file is read as KB text', lineAt(text, open.index));
    }
    // The KB text starts on the line after `{% raw %}` (a body on the same line is kept too).
    const newline = body.indexOf('\n');
    const sameLine = newline === -1 ? body : body.slice(0, newline);
    doc.kbLine = lineAt(text, start) + (sameLine.trim() === '' ? 1 : 0);
    doc.kbText = sameLine.trim() === '' ? (newline === -1 ? '' : body.slice(newline + 1)) : body;
  }

  // Exactly the text handed to remark is checked against the limits (both parts together).
  const markdown = open ? `${beforeText}\n\n${PLACEHOLDER}\n\n${afterText}` : beforeText;
  const risk = riskAt(markdownRisk(beforeText), beforeLine) ?? riskAt(markdownRisk(afterText), afterLine) ?? riskAt(markdownRisk(markdown), beforeLine);
  let tree: Root | null = null;
  if (risk === null && open) {
    // Nearly every archive file: blank lines and a `## Q…: Title` heading around the raw block, which needs no micromark.
    const simple = simpleHeading(beforeText, afterText);
    if (simple) {
      if (simple.heading !== null) {
        doc.heading = simple.heading;
        doc.headingLine = simple.line + beforeLine - 1;
      }
      return doc;
    }
  }
  if (risk === null) {
    tree = processor.parse(markdown) as Root;
    if (depthOf(tree) > MARKDOWN_LIMITS.depth) tree = null;
  }
  if (tree === null) {
    const reason = risk?.reason ?? `nested more than ${MARKDOWN_LIMITS.depth} levels deep`;
    diag(
      'warning',
      'markdown-too-complex',
      `the Markdown outside the {% raw %} block is too large or complex to parse safely (${reason}); it is shown as plain text`,
      risk?.line ?? beforeLine,
    );
    readPlain(doc, beforeText, beforeLine, afterText, afterLine);
    return doc;
  }

  let seenRaw = false;
  for (const node of tree.children) {
    if (node.type === 'html' && node.value === PLACEHOLDER) {
      seenRaw = true;
      continue;
    }
    if (node.type === 'heading' && doc.heading === null && !seenRaw) {
      doc.heading = plainText(node);
      doc.headingLine = node.position ? node.position.start.line + beforeLine - 1 : null;
      continue;
    }
    // Positions are relative to the text outside the front matter; they are only used for rendering.
    (seenRaw ? doc.after : doc.before).push(node);
  }
  return doc;
}

/** Where the front matter ends (offset in the text; 0 without front matter) and its data. */
interface FrontMatter {
  data: Record<string, unknown> | null;
  end: number;
}

/**
 * The one reader of the front matter: `---` on the first line, up to the next
 * line that is `---` (trailing blanks allowed). The closing fence must come
 * before any line that starts with a Liquid tag (`{% raw %}`): without one,
 * the lines that look like YAML (`key: value`, indented or `- ` lines) are
 * read, with an error. A `{% raw %}` inside a value (`title: "… {% raw %}"`)
 * is part of the value.
 */
export function readFrontMatter(text: string, file: string, diagnostics: Diagnostic[]): FrontMatter {
  const fence = /^---[ \t]*(?:\n|$)/.exec(text);
  if (!fence) return { data: null, end: 0 };
  const start = fence[0].length;
  let closeStart = -1;
  let closeEnd = -1;
  let lineStart = start;
  // Line by line, without a regex over the whole rest of the file.
  while (lineStart < text.length && lineStart - start <= MAX_FRONT_MATTER) {
    const newline = text.indexOf('\n', lineStart);
    const lineEnd = newline === -1 ? text.length : newline;
    if (text.startsWith('{%', lineStart)) break;
    if (text.startsWith('---', lineStart) && /^[ \t]*$/.test(text.slice(lineStart + 3, lineEnd))) {
      closeStart = lineStart;
      closeEnd = newline === -1 ? text.length : newline + 1;
      break;
    }
    if (newline === -1) break;
    lineStart = newline + 1;
  }
  const diag = (kind: string, message: string, line: number) => diagnostics.push({ severity: 'error', kind, message, file, line });
  let yamlText: string;
  let end: number;
  if (closeStart !== -1) {
    yamlText = text.slice(start, closeStart === start ? start : closeStart - 1);
    end = closeEnd;
  } else if (lineStart - start > MAX_FRONT_MATTER) {
    diag('invalid-front-matter', `front matter is larger than ${MAX_FRONT_MATTER / 1000} KB or has no closing ---; ignored`, 2);
    // The text up to the first line that does not look like YAML is still not Markdown: skip it.
    return { data: null, end: yamlLikeEnd(text, start) };
  } else {
    end = yamlLikeEnd(text, start);
    yamlText = text.slice(start, end);
    const n = yamlText === '' ? 0 : yamlText.split('\n').length - (yamlText.endsWith('\n') ? 1 : 0);
    diag('unterminated-front-matter', `front matter starts with --- but has no closing ---; read its first ${n} line${n === 1 ? '' : 's'} as front matter`, 1);
  }
  if (yamlText.length > MAX_FRONT_MATTER) {
    diag('invalid-front-matter', `front matter is larger than ${MAX_FRONT_MATTER / 1000} KB; ignored`, 2);
    return { data: null, end };
  }
  return { data: readYaml(yamlText, file, 1, diagnostics), end };
}

/** The end of the lines after `start` that look like YAML (`key: value`, indented or `- ` lines), at most `MAX_FRONT_MATTER` + 1 characters. */
function yamlLikeEnd(text: string, start: number): number {
  let at = start;
  while (at < text.length && at - start <= MAX_FRONT_MATTER) {
    const newline = text.indexOf('\n', at);
    const line = text.slice(at, newline === -1 ? text.length : newline);
    if (!/^(?:[A-Za-z_][\w.-]*[ \t]*:|[ \t]+\S|-\s)/.test(line)) break;
    at = newline === -1 ? text.length : newline + 1;
  }
  return at;
}

const riskAt = (risk: MarkdownRisk | null, first: number): MarkdownRisk | null => (risk ? { ...risk, line: first + (risk.line ?? 1) - 1 } : null);

interface MarkdownRisk {
  reason: string;
  /** 1-based line in the text (in the file, once placed by `riskAt`). */
  line?: number;
}

/** Why `text` should not go through micromark, or null when it is small and simple. */
export function markdownRisk(text: string): MarkdownRisk | null {
  const L = MARKDOWN_LIMITS;
  if (text.length > L.chars) return { reason: `more than ${L.chars / 1000} KB` };
  let emphasis = 0;
  let brackets = 0;
  let tags = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 42 || c === 95) emphasis++;
    else if (c === 91 || c === 93) brackets++;
    else if (c === 60) tags++;
  }
  if (emphasis > L.emphasis) return { reason: `more than ${L.emphasis} * and _ markers` };
  if (brackets > L.brackets) return { reason: `more than ${L.brackets} brackets` };
  if (tags > L.tags) return { reason: `more than ${L.tags} < signs` };
  const lines = text.split('\n');
  if (lines.length > L.lines) return { reason: `more than ${L.lines} lines` };
  let underlines = 0;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (/^ {0,3}(?:=+|-+)[ \t]*$/.test(line) && ++underlines > L.underlines) return { reason: `more than ${L.underlines} underlines or rules`, line: i + 1 };
    const prefix = /^[ \t>]*/.exec(line)![0];
    let quotes = 0;
    let columns = 0;
    for (const c of prefix) {
      if (c === '>') quotes++;
      else columns += c === '\t' ? 4 : 1;
    }
    if (quotes > L.quoteDepth) return { reason: `block quotes nested more than ${L.quoteDepth} deep`, line: i + 1 };
    if (columns > L.indent) return { reason: `lines indented more than ${L.indent} columns`, line: i + 1 };
  }
  return null;
}

/** Depth of a tree, without recursion. */
function depthOf(root: Root): number {
  let max = 0;
  const stack: Array<[{ children?: unknown[] }, number]> = [[root, 0]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (depth > max) max = depth;
    if (depth > MARKDOWN_LIMITS.depth) break;
    if (Array.isArray(node.children)) for (const child of node.children) stack.push([child as { children?: unknown[] }, depth + 1]);
  }
  return max;
}

/** The fallback: the first `#` heading before the raw block is the heading; the rest is KB text. */
function readPlain(doc: KbDocument, before: string, beforeLine: number, after: string, afterLine: number): void {
  const lines = before.split('\n');
  for (let i = 0; i < lines.length; i++) {
    // The blanks around the text and the closing `#`s are cut by hand: `[ \t]+(.*)$` and
    // `(.*?)[ \t#]*$` are quadratic on a long run of blanks or ` #` (before a U+2028, say).
    const match = /^ {0,3}#{1,6}[ \t](.*)$/s.exec(lines[i]!);
    if (!match) continue;
    const rest = match[1]!;
    let start = 0;
    while (start < rest.length && (rest[start] === ' ' || rest[start] === '\t')) start++;
    let end = rest.length;
    while (end > start && ' \t#'.includes(rest[end - 1]!)) end--;
    doc.heading = rest.slice(start, end);
    doc.headingLine = beforeLine + i;
    lines[i] = '';
    break;
  }
  const rest = lines.join('\n');
  if (rest.trim() !== '') doc.plainBefore = { text: rest, line: beforeLine };
  if (after.trim() !== '') doc.plainAfter = { text: after, line: afterLine };
}

/**
 * The Markdown around the raw block when it is only blank lines and at most one ATX heading before the block, whose
 * text has no Markdown syntax but character references (see `atxHeadingText`): the heading's text and its 1-based
 * line in `before`, what remark reads there (a `heading` node and nothing else). Null when the text is anything else
 * (remark reads it). 59,849 of the archive's 60,335 files take it (micromark's set-up cost ~0.4 ms a file);
 * test/parse-fast-paths.test.ts compares it with remark, and it was compared on every archive file.
 */
export function simpleHeading(before: string, after: string): { heading: string | null; line: number } | null {
  for (let i = 0; i < after.length; i++) {
    const c = after.charCodeAt(i);
    if (c !== 10 && c !== 32 && c !== 9) return null;
  }
  let heading: string | null = null;
  let line = 0;
  let lineNo = 1;
  let at = 0;
  while (at <= before.length) {
    const newline = before.indexOf('\n', at);
    const end = newline === -1 ? before.length : newline;
    if (!blank(before, at, end)) {
      if (heading !== null) return null;
      heading = atxHeadingText(before, at, end);
      if (heading === null) return null;
      line = lineNo;
    }
    if (newline === -1) break;
    at = newline + 1;
    lineNo++;
  }
  return { heading, line };
}

function blank(text: string, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c !== 32 && c !== 9) return false;
  }
  return true;
}

/**
 * The text of `text[start, end)` when it is an ATX heading (`#` to `######`, a space, the text) whose text is plain:
 * not empty, no tab, none of `` \\ ` * [ ] < > # `` nor a control character, `_` only inside a word (`WM_CLOSE`: never
 * emphasis), `&` only in a character reference (`&quot;`, `&#91;`: decoded, as remark does), so that remark's text node
 * is the line's text without the blanks around it. Null otherwise.
 */
function atxHeadingText(text: string, start: number, end: number): string | null {
  let i = start;
  while (i < end && i - start < 7 && text.charCodeAt(i) === 35) i++;
  const level = i - start;
  if (level < 1 || level > 6 || text.charCodeAt(i) !== 32) return null;
  while (i < end && text.charCodeAt(i) === 32) i++;
  let last = end;
  while (last > i && text.charCodeAt(last - 1) === 32) last--;
  if (last === i) return null;
  let out = '';
  let from = i;
  for (let j = i; j < last; j++) {
    const c = text.charCodeAt(j);
    if (c < 32 || c === 127 || PLAIN_HEADING_EXCLUDED.has(c)) return null;
    if (c === 95) {
      // A run of `_` between two ASCII letters or digits can neither open nor close emphasis.
      let runEnd = j;
      while (runEnd < last && text.charCodeAt(runEnd) === 95) runEnd++;
      if (j === i || runEnd === last || !asciiAlphanumeric(text.charCodeAt(j - 1)) || !asciiAlphanumeric(text.charCodeAt(runEnd))) return null;
      j = runEnd - 1;
    } else if (c === 38) {
      const reference = characterReference(text, j, last);
      if (reference === null) return null;
      out += text.slice(from, j) + reference.value;
      j = reference.end - 1;
      from = reference.end;
    }
  }
  return out + text.slice(from, last);
}

/** Characters with a meaning in a heading's text (escapes, code, emphasis, links, HTML, closing `#`s). */
const PLAIN_HEADING_EXCLUDED = new Set(Array.from('\\`*[]<>#', (c) => c.charCodeAt(0)));

const decimalDigit = (c: number): boolean => c >= 48 && c <= 57;
const hexDigit = (c: number): boolean => decimalDigit(c) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);

function asciiAlphanumeric(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

/**
 * The character reference at `text[at]` (an `&`), as micromark reads one: a name of 1 to 31 letters and digits that
 * `decode-named-character-reference` knows, or a number (`&#91;`, `&#x5B;`), followed by `;`. Numbers are taken only
 * for printable ASCII other than the space (the others are left to remark, which replaces some). Null: not taken.
 */
function characterReference(text: string, at: number, end: number): { value: string; end: number } | null {
  let i = at + 1;
  if (text.charCodeAt(i) === 35) {
    const hex = text.charCodeAt(i + 1) === 120 || text.charCodeAt(i + 1) === 88;
    i += hex ? 2 : 1;
    const digits = i;
    while (i < end && i - digits < 8 && (hex ? hexDigit : decimalDigit)(text.charCodeAt(i))) i++;
    if (i === digits || i - digits > (hex ? 6 : 7) || text.charCodeAt(i) !== 59) return null;
    const code = Number.parseInt(text.slice(digits, i), hex ? 16 : 10);
    return code > 32 && code < 127 ? { value: String.fromCharCode(code), end: i + 1 } : null;
  }
  const name = i;
  while (i < end && i - name < 32 && asciiAlphanumeric(text.charCodeAt(i))) i++;
  if (i === name || i - name > 31 || text.charCodeAt(i) !== 59) return null;
  const value = decodeNamedCharacterReference(text.slice(name, i));
  return value === false ? null : { value, end: i + 1 };
}

/** Plain scalars the YAML core schema reads as something else than a string (null, booleans). */
const YAML_NOT_STRINGS = new Set(['null', 'Null', 'NULL', 'true', 'True', 'TRUE', 'false', 'False', 'FALSE']);

/**
 * Front matter of `key: value` lines only, each value a double-quoted string without escapes or a plain word
 * (`page`, `/kb/244/Q244717/`), as every archive file has: what `yaml` reads (as a null-prototype object), without
 * it. Null for anything else (a comment, a blank line, a list, a duplicate key, an escape…), which `yaml` reads.
 * test/parse-fast-paths.test.ts compares it with `yaml` (every archive file takes it).
 */
export function simpleYaml(text: string): Record<string, string> | null {
  if (text === '') return null;
  const data = Object.create(null) as Record<string, string>;
  let at = 0;
  while (at <= text.length) {
    const newline = text.indexOf('\n', at);
    const end = newline === -1 ? text.length : newline;
    const colon = text.indexOf(': ', at);
    if (colon === -1 || colon >= end) return null;
    const key = text.slice(at, colon);
    if (!/^[A-Za-z][A-Za-z0-9_-]{0,63}$/.test(key) || YAML_NOT_STRINGS.has(key) || Object.hasOwn(data, key)) return null;
    let v = colon + 2;
    while (v < end && text.charCodeAt(v) === 32) v++;
    const value = text.slice(v, end);
    if (value.length >= 2 && value.charCodeAt(0) === 34 && value.charCodeAt(value.length - 1) === 34) {
      for (let j = 1; j < value.length - 1; j++) {
        const c = value.charCodeAt(j);
        if (c < 32 || c === 127 || c === 34 || c === 92) return null;
      }
      data[key] = value.slice(1, -1);
    } else if (/^[A-Za-z/][A-Za-z0-9/._-]{0,1023}$/.test(value) && !YAML_NOT_STRINGS.has(value)) {
      data[key] = value;
    } else return null;
    if (newline === -1) break;
    at = newline + 1;
  }
  return data;
}

function readYaml(value: string, file: string, line: number, diagnostics: Diagnostic[]): Record<string, unknown> | null {
  const simple = simpleYaml(value);
  if (simple) return simple;
  try {
    const data: unknown = parseYaml(value, { maxAliasCount: 50, prettyErrors: false, logLevel: 'error' });
    if (data === null || data === undefined) return {};
    if (typeof data !== 'object' || Array.isArray(data)) {
      diagnostics.push({ severity: 'error', kind: 'invalid-front-matter', message: 'front matter is not a mapping of keys to values', file, line });
      return null;
    }
    return data as Record<string, unknown>;
  } catch (error) {
    // `linePos` is only set with prettyErrors; `pos` (offsets into the YAML) always is.
    const pos = (error as { pos?: [number, number] }).pos?.[0];
    const yamlLine = (error as { linePos?: [{ line: number }] }).linePos?.[0]?.line ?? (pos === undefined ? undefined : lineAt(value, pos));
    const message = String((error as Error).message ?? 'invalid YAML')
      .split('\n')[0]!
      .slice(0, 200);
    diagnostics.push({
      severity: 'error',
      kind: 'invalid-front-matter',
      message: `invalid YAML in front matter: ${message}`,
      file,
      line: yamlLine ? line + yamlLine : line,
    });
    return null;
  }
}

/** Text of a node, without recursion (trees from hostile input can be deep). */
function plainText(node: RootContent): string {
  let out = '';
  const stack: RootContent[] = [node];
  while (stack.length > 0) {
    const current = stack.pop()!;
    if ('value' in current && typeof current.value === 'string') out += current.value;
    else if ('children' in current) for (let i = current.children.length - 1; i >= 0; i--) stack.push(current.children[i] as RootContent);
  }
  return out;
}
