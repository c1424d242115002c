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

function readYaml(value: string, file: string, line: number, diagnostics: Diagnostic[]): Record<string, unknown> | null {
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
