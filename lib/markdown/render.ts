/**
 * Article body → sanitized hast, ready for `hast-util-to-jsx-runtime`.
 *
 * Two parts, each sanitized with a documented schema:
 * - the KB text (our own blocks: text and links only, never raw HTML) with
 *   `KB_SCHEMA`, which also keeps the section anchor ids unprefixed: the tree
 *   `remark-rehype` and `rehype-sanitize` would make, made in one pass by
 *   ./kb-hast.ts (the pipeline renders any node it does not know);
 * - any Markdown written outside the `{% raw %}` block, which may hold raw
 *   HTML: `remark-rehype` → `rehype-raw` → `rehype-sanitize`, always in that
 *   order, with `MARKDOWN_SCHEMA`: GitHub's schema (`hast-util-sanitize`'s
 *   `defaultSchema`) with links limited to http, https, ftp and mailto. It
 *   keeps only GitHub's elements (no `script`, `style`, `iframe`, `object`,
 *   `embed`, `svg`, `math`, `form`, `base`, `meta`, `link`, `noscript`,
 *   `template`), no event handlers and no `style` attributes, `href` with
 *   those protocols or relative, `src` http(s) or relative, and prefixes `id`
 *   and `name` with `user-content-`; the text of a `<script>` is dropped.
 *
 * The result is bounded: elements nested deeper than `MAX_BODY_DEPTH` are
 * flattened to their text (the React renderers recurse once per level), and
 * a part that fails to render at all becomes plain text; `renderBody` never
 * throws.
 */
import { unified } from 'unified';
import remarkRehype, { defaultHandlers } from 'remark-rehype';
import type { Handler } from 'mdast-util-to-hast';
import rehypeRaw from 'rehype-raw';
import rehypeSanitize, { defaultSchema, type Options as SanitizeSchema } from 'rehype-sanitize';
import type { Element as HastElement, Root as HastRoot, RootContent as HastContent } from 'hast';
import type { Root as MdastRoot, RootContent } from 'mdast';
import type { ArticleBody } from './parse';
import type { Block } from './blocks';
import { blocksToMdast } from './mdast';
import { kbHast } from './kb-hast';
import { MAX_LINKS } from './links';
import type { VFile } from 'vfile';
import type { LinkOptions } from './links';
import { pushAll } from './text';

const ANY_PROTOCOLS = { href: ['http', 'https', 'ftp', 'mailto'] };

/** Schema for Markdown written outside the raw block: GitHub's, links limited to safe protocols. */
export const MARKDOWN_SCHEMA: SanitizeSchema = {
  ...defaultSchema,
  protocols: { ...defaultSchema.protocols, ...ANY_PROTOCOLS },
};

/** Schema for the KB text: GitHub's plus unprefixed ids on headings and classes on `pre`/`table`. */
export const KB_SCHEMA: SanitizeSchema = {
  ...MARKDOWN_SCHEMA,
  clobberPrefix: '',
  clobber: [],
  attributes: {
    ...defaultSchema.attributes,
    h2: [['id', /^[a-z0-9-]{1,80}$/]],
    h3: [['id', /^[a-z0-9-]{1,80}$/]],
    pre: [['className', 'kb-pre']],
    table: [['className', 'file-table']],
    td: [['align', 'right']],
    th: [['align', 'right']],
  },
};

/**
 * `mdast-util-to-hast`'s list item handler asks, for every item, whether its
 * list is loose, by looking at every item of the list: quadratic in the items
 * (a 50,000-item list took 20 s). The answer is the same for every item of a
 * list, so it is computed once per list and handed over as a stand-in list.
 */
const looseLists = new WeakMap<object, boolean>();
const listItem: Handler = (state, node, parent) => {
  if (!parent || parent.type !== 'list') return defaultHandlers.listItem(state, node, parent);
  let loose = looseLists.get(parent);
  if (loose === undefined) {
    loose = Boolean(parent.spread) || parent.children.some((item) => item.spread ?? item.children.length > 1);
    looseLists.set(parent, loose);
  }
  return defaultHandlers.listItem(state, node, { type: 'list', spread: loose, children: [] });
};

const markdownPipeline = unified().use(remarkRehype, { allowDangerousHtml: true, handlers: { listItem } }).use(rehypeRaw).use(rehypeSanitize, MARKDOWN_SCHEMA);

/**
 * The KB text's pipeline after `remarkKb` (whose `blocksToMdast` runs first, in `renderBody`): what `kbHast` does
 * in one pass, used when the mdast holds a node `kbHast` does not know.
 */
const kbPipeline = unified().use(remarkRehype, { handlers: { listItem } }).use(rehypeSanitize, KB_SCHEMA).freeze();

/** Elements nested deeper than this in the body are flattened to their text (renderers recurse per level). */
export const MAX_BODY_DEPTH = 48;

/**
 * The body as sanitized hast. Never throws: a part that fails to render
 * (input beyond what the parser's limits let through) becomes plain text.
 */
export interface RenderOptions extends LinkOptions {
  /**
   * Told of every fallback (a part shown as plain text, elements flattened):
   * nothing is changed silently. `kind` is a diagnostic kind.
   */
  onFallback?: (kind: 'render-fallback' | 'deep-nesting' | 'link-limit', message: string) => void;
}

export function renderBody(body: ArticleBody, options: RenderOptions = {}): HastRoot {
  const children: HastContent[] = [];
  const report = options.onFallback ?? (() => {});
  if (body.before.length > 0) pushAll(children, toHast(markdownPipeline, body.before, undefined, 'the Markdown before the KB text', report));
  // The KB text: `remarkKb`'s mdast (./remark-kb.ts), then hast in one pass (./kb-hast.ts) or by the pipeline.
  let cut = 0;
  const kb = {
    runSync(): HastRoot {
      const budget = { left: MAX_LINKS, cut: 0 };
      const mdast = blocksToMdast(body.blocks, { linkPrefix: options.linkPrefix ?? '' }, budget);
      cut = budget.cut;
      const hast = kbHast(mdast);
      return hast ? { type: 'root', children: hast } : (kbPipeline.runSync({ type: 'root', children: mdast }) as unknown as HastRoot);
    },
  };
  pushAll(
    children,
    toHast(kb, [], undefined, 'the KB text', report, () => blocksText(body.blocks)),
  );
  if (cut > 0) report('link-limit', `more than ${MAX_LINKS} links; ${cut} more URLs and article numbers are shown as text`);
  if (body.after.length > 0) pushAll(children, toHast(markdownPipeline, body.after, undefined, 'the Markdown after the KB text', report));
  const root: HastRoot = { type: 'root', children };
  const flattened = limitDepth(root, MAX_BODY_DEPTH);
  if (flattened > 0)
    report('deep-nesting', `${flattened} element${flattened === 1 ? '' : 's'} nested deeper than ${MAX_BODY_DEPTH} levels shown as plain text`);
  return root;
}

function toHast(
  pipeline: { runSync(tree: MdastRoot, file?: VFile): unknown },
  nodes: RootContent[],
  file: VFile | undefined,
  what: string,
  report: NonNullable<RenderOptions['onFallback']>,
  text?: () => string,
): HastContent[] {
  const tree: MdastRoot = { type: 'root', children: nodes };
  try {
    const hast = pipeline.runSync(tree, file) as unknown as HastRoot;
    return hast.children;
  } catch (error) {
    report(
      'render-fallback',
      `${what} could not be rendered (${String((error as Error)?.message ?? error)
        .split('\n')[0]!
        .slice(0, 120)}); shown as plain text`,
    );
    // Text nodes only: nothing in them is markup.
    return [{ type: 'element', tagName: 'pre', properties: { className: ['kb-pre'] }, children: [{ type: 'text', value: text ? text() : textOf(tree) }] }];
  }
}

/** The KB text of the blocks, for the plain-text fallback. */
function blocksText(blocks: readonly Block[]): string {
  const parts: string[] = [];
  for (const block of blocks) {
    if (block.type === 'list') parts.push(block.items.map((item) => `- ${item}`).join('\n'));
    else if (block.type === 'rule') parts.push('----');
    else parts.push(block.text);
  }
  return parts.join('\n\n');
}

/** Concatenated text of a tree, without recursion. */
function textOf(root: { children?: unknown[] }): string {
  let out = '';
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const node = stack.pop() as { type?: string; value?: unknown; children?: unknown[] };
    if (node.type === 'text' && typeof node.value === 'string') out += node.value;
    else if (node.type === 'inlineCode' || node.type === 'code') out += String(node.value ?? '');
    else if (Array.isArray(node.children)) for (let i = node.children.length - 1; i >= 0; i--) stack.push(node.children[i]);
  }
  return out;
}

/** Replaces the children of elements at `max` depth with their text, without recursion; returns how many were. */
function limitDepth(root: HastRoot, max: number): number {
  let flattened = 0;
  const stack: Array<[HastRoot | HastElement, number]> = [[root, 0]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    for (const child of node.children) {
      if (child.type !== 'element') continue;
      if (depth + 1 >= max && child.children.length > 0) {
        child.children = [{ type: 'text', value: textOf(child) }];
        flattened++;
      } else stack.push([child, depth + 1]);
    }
  }
  return flattened;
}
