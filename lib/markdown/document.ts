/**
 * Reads the Markdown file around the KB text with remark: the Jekyll front
 * matter (`remark-frontmatter`), the `## Q244717: Title` heading, and the
 * `{% raw %}` … `{% endraw %}` block that holds the KB text.
 *
 * The raw block is cut out before remark sees the file: it is plain text, not
 * Markdown, and handing 200 MB of it to micromark made parsing the corpus 3.4×
 * slower (3.7 s against 1.1 s for 5,000 articles). Markdown outside the block
 * (rare; articles written by hand) is kept as mdast for rendering.
 */
import { unified } from 'unified';
import remarkParse from 'remark-parse';
import remarkFrontmatter from 'remark-frontmatter';
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
}

const processor = unified().use(remarkParse).use(remarkFrontmatter, ['yaml']);

const RAW_OPEN = /\{%-?\s*raw\s*-?%\}/;
const RAW_CLOSE = /\{%-?\s*endraw\s*-?%\}/;

const lineAt = (text: string, offset: number): number => {
  let line = 1;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) line++;
  return line;
};

export function readDocument(text: string, file: string, diagnostics: Diagnostic[]): KbDocument {
  const doc: KbDocument = { frontMatter: null, heading: null, headingLine: null, kbText: null, kbLine: 1, before: [], after: [] };
  let outside = text;
  let rawOffset = -1;
  const open = RAW_OPEN.exec(text);
  if (open) {
    const start = open.index + open[0].length;
    const close = RAW_CLOSE.exec(text.slice(start));
    let body: string;
    if (close) {
      body = text.slice(start, start + close.index);
      outside = `${text.slice(0, open.index)}\n\n<!--kb-raw-->\n\n${text.slice(start + close.index + close[0].length)}`;
    } else {
      body = text.slice(start);
      outside = `${text.slice(0, open.index)}\n\n<!--kb-raw-->\n`;
      diagnostics.push({ severity: 'warning', kind: 'unterminated-raw', message: '{% raw %} has no matching {% endraw %}; the rest of the file is read as KB text', file, line: lineAt(text, open.index) });
    }
    // The KB text starts on the line after `{% raw %}` (a body on the same line is kept too).
    const newline = body.indexOf('\n');
    const sameLine = newline === -1 ? body : body.slice(0, newline);
    doc.kbLine = lineAt(text, start) + (sameLine.trim() === '' ? 1 : 0);
    doc.kbText = sameLine.trim() === '' ? (newline === -1 ? '' : body.slice(newline + 1)) : body;
    rawOffset = open.index;
  }
  const tree = processor.parse(outside) as Root;
  let seenRaw = false;
  for (const node of tree.children) {
    if (node.type === 'yaml') {
      doc.frontMatter = readYaml(node.value, file, (node.position?.start.line ?? 1), diagnostics);
      continue;
    }
    if (node.type === 'html' && node.value === '<!--kb-raw-->') {
      seenRaw = true;
      continue;
    }
    if (node.type === 'heading' && doc.heading === null && !seenRaw) {
      doc.heading = plainText(node);
      doc.headingLine = node.position?.start.line ?? null;
      continue;
    }
    // Positions of nodes after the raw block are shifted by the cut; they are only used for rendering.
    (seenRaw ? doc.after : doc.before).push(node);
  }
  if (rawOffset === -1 && doc.frontMatter === null && text.startsWith('---')) {
    diagnostics.push({ severity: 'error', kind: 'unterminated-front-matter', message: 'front matter starts with --- but has no closing ---', file, line: 1 });
  }
  return doc;
}

function readYaml(value: string, file: string, line: number, diagnostics: Diagnostic[]): Record<string, unknown> | null {
  try {
    const data: unknown = parseYaml(value, { maxAliasCount: 50, prettyErrors: false });
    if (data === null || data === undefined) return {};
    if (typeof data !== 'object' || Array.isArray(data)) {
      diagnostics.push({ severity: 'error', kind: 'invalid-front-matter', message: 'front matter is not a mapping of keys to values', file, line });
      return null;
    }
    return data as Record<string, unknown>;
  } catch (error) {
    const yamlLine = (error as { linePos?: [{ line: number }] }).linePos?.[0]?.line;
    const message = (error as Error).message.split('\n')[0] ?? 'invalid YAML';
    diagnostics.push({ severity: 'error', kind: 'invalid-front-matter', message: `invalid YAML in front matter: ${message}`, file, line: yamlLine ? line + yamlLine : line });
    return null;
  }
}

function plainText(node: RootContent): string {
  if ('value' in node && typeof node.value === 'string') return node.value;
  if ('children' in node) return (node.children as RootContent[]).map(plainText).join('');
  return '';
}
