/**
 * The KB text's mdast (./mdast.ts `blocksToMdast`) → sanitized hast, in one pass: the tree that
 * `remark-rehype` then `rehype-sanitize` with `KB_SCHEMA` (./render.ts) make of it, node for node, without
 * their general machinery (a state per body, a walk for definitions, a structured clone per property, a
 * sanitizing copy), which took most of a body's render (BENCHMARKS.md, "Session 6, branch s6-parse").
 *
 * It knows exactly the nodes `blocksToMdast` makes: headings, paragraphs (a `pre` one too), tight lists of
 * one-paragraph items, tables, rules, text and links. Given anything else it returns null and the caller
 * runs the unified pipeline. test/parse-fast-paths.test.ts compares the two on every kind of block.
 *
 * What the pipeline would do, and is done here: text values are trimmed of blanks around line breaks
 * (`trim-lines`); siblings are joined by `\n` text nodes as `mdast-util-to-hast` wraps them; link URLs are
 * normalized (`micromark-util-sanitize-uri`'s `normalizeUri`); and, as `KB_SCHEMA` does, an `href` whose
 * protocol is not http, https, ftp or mailto is dropped (linkify makes no other, but the check stays).
 */
import type { Element as HastElement, ElementContent, Properties, Text as HastText } from 'hast';
import type { PhrasingContent, RootContent, TableRow } from 'mdast';

/** Thrown on a node this converter does not know (caught in `kbHast`: the pipeline renders the body). */
class Unknown extends Error {}

/** The sanitized hast of the root's children, or null when they hold a node other than `blocksToMdast` makes. */
export function kbHast(nodes: readonly RootContent[]): ElementContent[] | null {
  try {
    return wrap(nodes.map(block), false);
  } catch (error) {
    if (error instanceof Unknown) return null;
    throw error;
  }
}

function block(node: RootContent): ElementContent {
  switch (node.type) {
    case 'heading': {
      if (node.depth < 1 || node.depth > 6 || !node.data || Object.keys(node.data).some((k) => k !== 'hProperties')) throw new Unknown();
      const id = node.data.hProperties?.['id'];
      if (Object.keys(node.data.hProperties ?? {}).some((k) => k !== 'id') || (id !== undefined && typeof id !== 'string')) throw new Unknown();
      return element(`h${node.depth}`, id === undefined ? {} : { id }, phrasing(node.children));
    }
    case 'paragraph': {
      if (node.data === undefined) return element('p', {}, phrasing(node.children));
      const { hName, hProperties } = node.data as { hName?: unknown; hProperties?: { className?: unknown } };
      const className = hProperties?.className;
      if (hName !== 'pre' || !Array.isArray(className) || className.length !== 1 || className[0] !== 'kb-pre' || Object.keys(node.data).length !== 2)
        throw new Unknown();
      return element('pre', { className: ['kb-pre'] }, phrasing(node.children));
    }
    case 'list': {
      if (node.spread || (node.start !== undefined && node.start !== null)) throw new Unknown();
      const items = node.children.map((item): ElementContent => {
        const only = item.children[0];
        if (item.spread || item.checked != null || item.data || item.children.length !== 1 || only?.type !== 'paragraph' || only.data) throw new Unknown();
        // A tight item: the paragraph's content, unwrapped.
        return element('li', {}, phrasing(only.children));
      });
      return element(node.ordered ? 'ol' : 'ul', {}, wrap(items, true));
    }
    case 'table': {
      const data = node.data as { hProperties?: { className?: unknown } } | undefined;
      const className = data?.hProperties?.className;
      if (!Array.isArray(className) || className.length !== 1 || className[0] !== 'file-table' || Object.keys(data!).length !== 1) throw new Unknown();
      if (!Array.isArray(node.align)) throw new Unknown();
      const align = node.align;
      const rows = node.children.map((row, index) => tableRow(row, index === 0 ? 'th' : 'td', align));
      const content: ElementContent[] = [];
      if (rows.length > 0) content.push(element('thead', {}, wrap(rows.slice(0, 1), true)));
      if (rows.length > 1) content.push(element('tbody', {}, wrap(rows.slice(1), true)));
      return element('table', { className: ['file-table'] }, wrap(content, true));
    }
    case 'thematicBreak':
      return element('hr', {}, []);
    default:
      throw new Unknown();
  }
}

/** A row with one cell per column (`align`'s length): missing cells empty, extra ones dropped, as remark-rehype makes it. */
function tableRow(row: TableRow, tagName: 'th' | 'td', align: ReadonlyArray<string | null | undefined>): HastElement {
  if (row.data) throw new Unknown();
  const cells: ElementContent[] = [];
  for (let i = 0; i < align.length; i++) {
    const cell = row.children[i];
    if (cell && cell.data) throw new Unknown();
    const value = align[i];
    cells.push(element(tagName, value ? { align: value } : {}, cell ? phrasing(cell.children) : []));
  }
  return element('tr', {}, wrap(cells, true));
}

function phrasing(nodes: readonly PhrasingContent[]): ElementContent[] {
  const out: ElementContent[] = [];
  for (const node of nodes) {
    if (node.type === 'text' && !node.data) out.push(text(node.value));
    else if (node.type === 'link' && !node.data && (node.title === null || node.title === undefined)) {
      const href = normalizeUri(node.url);
      out.push(element('a', safeHref(href) ? { href } : {}, phrasing(node.children)));
    } else throw new Unknown();
  }
  return out;
}

const element = (tagName: string, properties: Properties, children: ElementContent[]): HastElement => ({ type: 'element', tagName, properties, children });

const text = (value: string): HastText => ({ type: 'text', value: trimLines(value) });

/** `mdast-util-to-hast`'s `wrap`: `\n` between the nodes, and around them when `loose`. */
function wrap(nodes: ElementContent[], loose: boolean): ElementContent[] {
  const out: ElementContent[] = [];
  if (loose) out.push({ type: 'text', value: '\n' });
  for (let i = 0; i < nodes.length; i++) {
    if (i > 0) out.push({ type: 'text', value: '\n' });
    out.push(nodes[i]!);
  }
  if (loose && nodes.length > 0) out.push({ type: 'text', value: '\n' });
  return out;
}

/** `trim-lines`: the spaces and tabs around each line break removed (not those at the start and end of the value). */
export function trimLines(value: string): string {
  if (!value.includes('\n') && !value.includes('\r')) return value;
  let out = '';
  let last = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c !== 10 && c !== 13) continue;
    const lineBreak = c === 13 && value.charCodeAt(i + 1) === 10 ? '\r\n' : c === 13 ? '\r' : '\n';
    out += trimLine(value.slice(last, i), last > 0, true) + lineBreak;
    last = i + lineBreak.length;
    i = last - 1;
  }
  return out + trimLine(value.slice(last), last > 0, false);
}

function trimLine(line: string, start: boolean, end: boolean): string {
  let from = 0;
  let to = line.length;
  if (start) while (from < to && (line.charCodeAt(from) === 32 || line.charCodeAt(from) === 9)) from++;
  if (end) while (to > from && (line.charCodeAt(to - 1) === 32 || line.charCodeAt(to - 1) === 9)) to--;
  return line.slice(from, to);
}

/** ASCII characters a URL keeps as they are (`micromark-util-sanitize-uri`: `[!#$&-;=?-Z_a-z~]`). */
const URL_SAFE = new Set(Array.from("!#$&'()*+,-./0123456789:;=?@ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz~", (c) => c.charCodeAt(0)));

const alphanumeric = (c: number): boolean => (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);

/** `micromark-util-sanitize-uri`'s `normalizeUri`: percent-encodes what a URL may not hold, keeping `%XX` escapes. */
export function normalizeUri(value: string): string {
  let out = '';
  let start = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    let replace = '';
    let skip = 0;
    if (c === 37 && alphanumeric(value.charCodeAt(i + 1)) && alphanumeric(value.charCodeAt(i + 2))) skip = 2;
    else if (c < 128) {
      if (!URL_SAFE.has(c)) replace = String.fromCharCode(c);
    } else if (c > 55_295 && c < 57_344) {
      const next = value.charCodeAt(i + 1);
      if (c < 56_320 && next > 56_319 && next < 57_344) {
        replace = String.fromCharCode(c, next);
        skip = 1;
      } else replace = '\uFFFD';
    } else replace = String.fromCharCode(c);
    if (replace) {
      out += value.slice(start, i) + encodeURIComponent(replace);
      start = i + skip + 1;
    }
    i += skip;
  }
  return out + value.slice(start);
}

/** The protocols `KB_SCHEMA` lets an `href` have (`hast-util-sanitize`'s check: a colon before any `/`, `?` or `#`). */
const HREF_PROTOCOLS = ['http', 'https', 'ftp', 'mailto'];

function safeHref(url: string): boolean {
  const colon = url.indexOf(':');
  const before = (c: string) => {
    const at = url.indexOf(c);
    return at > -1 && colon > at;
  };
  if (colon < 0 || before('/') || before('?') || before('#')) return true;
  return HREF_PROTOCOLS.some((p) => colon === p.length && url.startsWith(p));
}
