/**
 * Article body → sanitized hast, ready for `hast-util-to-jsx-runtime`.
 *
 * Two parts, each sanitized with a documented schema:
 * - the KB text (our own blocks: text and links only, never raw HTML) with
 *   `KB_SCHEMA`, which also keeps the section anchor ids unprefixed;
 * - any Markdown written outside the `{% raw %}` block, which may hold raw
 *   HTML: `remark-rehype` → `rehype-raw` → `rehype-sanitize` with
 *   `MARKDOWN_SCHEMA` (GitHub's schema: no scripts, no event handlers, no
 *   `style`, only http(s)/mailto URLs, ids prefixed with `user-content-`).
 */
import { unified } from 'unified';
import remarkRehype from 'remark-rehype';
import rehypeRaw from 'rehype-raw';
import rehypeSanitize, { defaultSchema, type Options as SanitizeSchema } from 'rehype-sanitize';
import type { Root as HastRoot, RootContent as HastContent } from 'hast';
import type { Root as MdastRoot, RootContent } from 'mdast';
import type { ArticleBody } from './parse';
import { blocksToMdast } from './mdast';
import type { LinkOptions } from './links';

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

const markdownPipeline = unified()
  .use(remarkRehype, { allowDangerousHtml: true })
  .use(rehypeRaw)
  .use(rehypeSanitize, MARKDOWN_SCHEMA);

const kbPipeline = unified().use(remarkRehype).use(rehypeSanitize, KB_SCHEMA);

export function renderBody(body: ArticleBody, options: LinkOptions = {}): HastRoot {
  const children: HastContent[] = [];
  if (body.before.length > 0) children.push(...toHast(markdownPipeline, body.before));
  children.push(...toHast(kbPipeline, blocksToMdast(body.blocks, options)));
  if (body.after.length > 0) children.push(...toHast(markdownPipeline, body.after));
  return { type: 'root', children };
}

function toHast(pipeline: typeof kbPipeline, nodes: RootContent[]): HastContent[] {
  const tree: MdastRoot = { type: 'root', children: nodes };
  const hast = pipeline.runSync(tree) as unknown as HastRoot;
  return hast.children;
}
