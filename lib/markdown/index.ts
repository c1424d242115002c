/**
 * kbview's KB Markdown parser. Pure: text in, typed article out.
 *
 *     import { parseArticle, renderBody } from '@/lib/markdown';
 *     const { article, diagnostics, body } = parseArticle(text, 'kb/244/Q244717/README.md');
 *     const hast = renderBody(body, { linkPrefix: '' });
 */
export { parseArticle, type ParseResult, type ArticleBody } from './parse.js';
export { renderBody, KB_SCHEMA, MARKDOWN_SCHEMA } from './render.js';
export { bodyText } from './plain-text.js';
export { permalinkOf, normalizeId } from './references.js';
export type { Block } from './blocks.js';
export * from './schema.js';
