/**
 * The HTML that `renderToString(<ArticleBody body={tree} />)` gives (components/article/ArticleBody.tsx and
 * BodyElements.tsx), written straight from the tree for the elements and properties the KB format makes: at a cold
 * build's parse, React's render (hast → React elements → HTML) took a quarter of each parse worker's time
 * (BENCHMARKS.md "Session 21"). A tree with anything else (another element or property, a comment, a `javascript:`
 * link) gives null, and the caller renders it with React: a faster road to the same bytes, never another rendering.
 * test/body-html.test.ts compares the two on the fixtures and on seeded random trees (and they were compared once on
 * all 60,335 archive articles: the same bytes).
 *
 * What React does here, and this mirrors (react-dom 19's server renderer, its private details in lib/next-internals.ts
 * section 2b; hast-util-to-jsx-runtime 2):
 * - text and attribute values escaped as `&amp; &lt; &gt; &quot; &#x27;`;
 * - `<!-- -->` between two text nodes that follow each other (empty ones left out);
 * - whitespace-only text dropped from `table`, `thead`, `tbody`, `tfoot` and `tr` (hast-util-to-jsx-runtime);
 * - a `pre` whose only child is text starting with a line feed gets one more line feed;
 * - `className` tokens joined by spaces; `<hr/>` self-closed;
 * - the components: external links get `rel`, headings with an id link to themselves, tables sit in a
 *   focusable scroll box, `pre` is focusable.
 */
import type { Element, ElementContent, Root, RootContent } from 'hast';
import { escapeHtml, preLeadingNewline, REACT_JAVASCRIPT_URL, TEXT_SEPARATOR } from '../next-internals';

/** Elements React renders as `<tag attributes>children</tag>` with no special case (react-dom `pushStartGenericElement`). */
const GENERIC = new Set([
  'p',
  'li',
  'ol',
  'ul',
  'tr',
  'td',
  'th',
  'thead',
  'tbody',
  'tfoot',
  'em',
  'strong',
  'code',
  'blockquote',
  'h1',
  'h4',
  'h5',
  'h6',
  'del',
]);
/** hast-util-to-jsx-runtime drops whitespace-only text inside these (React would warn about it). */
const TABLE_PARTS = new Set(['table', 'thead', 'tbody', 'tfoot', 'tr']);
/** The properties rendered here, by element (`*`: any of the elements above); anything else gives null. */
const CELL_PROPERTIES = new Set(['className', 'id', 'align']);
const OTHER_PROPERTIES = new Set(['className', 'id']);
/** ./BodyElements.tsx `BodyLink`: a URL with a scheme is external. */
const EXTERNAL = /^[a-z][a-z0-9+.-]*:/i;
const WHITESPACE = /^[ \t\n\f\r]*$/;

class NotCovered extends Error {}

/** ` class="…" id="…" align="…"` in the tree's property order; throws NotCovered on any other property. */
function attributes(node: Element, allowed: Set<string>): string {
  let out = '';
  for (const key in node.properties) {
    if (!Object.hasOwn(node.properties, key)) continue;
    const value = node.properties[key];
    if (value === null || value === undefined) continue;
    if (!allowed.has(key)) throw new NotCovered();
    if (key === 'className') {
      if (!Array.isArray(value) || !value.every((token) => typeof token === 'string')) throw new NotCovered();
      out += ` class="${escapeHtml(value.join(' ').trim())}"`;
    } else if (typeof value === 'string') {
      out += ` ${key}="${escapeHtml(value)}"`;
    } else throw new NotCovered();
  }
  return out;
}

/** The element's one property `key`, a string (null when it has none); throws NotCovered on any other property. */
function soleProperty(node: Element, key: string): string | null {
  let found: string | null = null;
  for (const name in node.properties) {
    if (!Object.hasOwn(node.properties, name)) continue;
    const value = node.properties[name];
    if (value === null || value === undefined) continue;
    if (name !== key || typeof value !== 'string') throw new NotCovered();
    found = value;
  }
  return found;
}

/** The children as React renders them in an element (`table`: whitespace-only text left out). */
function children(nodes: Array<RootContent | ElementContent>, dropWhitespace: boolean): string {
  let out = '';
  let lastText = false;
  for (const node of nodes) {
    if (node.type === 'text') {
      if (node.value === '' || (dropWhitespace && WHITESPACE.test(node.value))) continue;
      if (lastText) out += TEXT_SEPARATOR;
      out += escapeHtml(node.value);
      lastText = true;
    } else if (node.type === 'element') {
      out += element(node);
      lastText = false;
    } else throw new NotCovered();
  }
  return out;
}

function element(node: Element): string {
  const tag = node.tagName;
  const kids = node.children;
  if (GENERIC.has(tag)) {
    const allowed = tag === 'td' || tag === 'th' ? CELL_PROPERTIES : OTHER_PROPERTIES;
    return `<${tag}${attributes(node, allowed)}>${children(kids, TABLE_PARTS.has(tag))}</${tag}>`;
  }
  switch (tag) {
    case 'a': {
      const href = soleProperty(node, 'href');
      if (href === null) return `<a>${children(kids, false)}</a>`;
      if (href === '' || REACT_JAVASCRIPT_URL.test(href)) throw new NotCovered();
      return `<a href="${escapeHtml(href)}"${EXTERNAL.test(href) ? ' rel="external nofollow noreferrer"' : ''}>${children(kids, false)}</a>`;
    }
    case 'h2':
    case 'h3': {
      const id = soleProperty(node, 'id') ?? '';
      const inner = children(kids, false);
      if (id === '') return `<${tag}>${inner}</${tag}>`;
      const escaped = escapeHtml(id);
      return `<${tag} id="${escaped}"><a class="kb-heading-link" href="#${escaped}">${inner}</a></${tag}>`;
    }
    case 'table':
      return `<div class="kb-table-scroll" tabindex="0"><table${attributes(node, OTHER_PROPERTIES)}>${children(kids, true)}</table></div>`;
    case 'pre': {
      const only = kids.length === 1 && kids[0]!.type === 'text' ? kids[0]!.value : null;
      const feed = preLeadingNewline(only);
      return `<pre tabindex="0"${attributes(node, OTHER_PROPERTIES)}>${feed}${children(kids, false)}</pre>`;
    }
    case 'hr':
      if (kids.length > 0) throw new NotCovered();
      return `<hr${attributes(node, OTHER_PROPERTIES)}/>`;
    default:
      throw new NotCovered();
  }
}

/** `renderToString(<ArticleBody body={tree} />)` for a tree of the KB format's elements, else null (render it with React). */
export function articleBodyHtml(tree: Root): string | null {
  try {
    return `<div class="kb-body">${children(tree.children, false)}</div>`;
  } catch (error) {
    if (error instanceof NotCovered || error instanceof RangeError) return null;
    throw error;
  }
}
