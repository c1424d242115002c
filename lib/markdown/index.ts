/**
 * kbview's KB Markdown parser. Pure: text in, typed article out.
 *
 *     import { parseArticle, renderBody } from '@/lib/markdown';
 *     const { article, diagnostics, body } = parseArticle(text, 'kb/244/Q244717/README.md');
 *     const hast = renderBody(body, { linkPrefix: '' });
 */
export { parseArticle, type ParseResult, type ArticleBody } from './parse';
export { renderBody, KB_SCHEMA, MARKDOWN_SCHEMA, type RenderOptions } from './render';
export { bodyText } from './plain-text';
export { permalinkOf, normalizeId } from './references';
export type { Block } from './blocks';
export * from './schema';
export { default as remarkKb } from './remark-kb';
