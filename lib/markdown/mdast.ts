/**
 * KB blocks → mdast, so that the rest of the pipeline is stock unified
 * (remark-rehype, rehype-raw, rehype-sanitize). Preformatted text becomes a
 * `pre` element whose children may hold links; file tables become GFM table
 * nodes.
 */
import type { BlockContent, RootContent, Table, TableRow } from 'mdast';
import type { Block } from './blocks';
import { linkify, MAX_LINKS, type LinkBudget, type LinkOptions } from './links';
import { filePagePath, fileSlugCounter } from '../file-pages';

export function blocksToMdast(blocks: readonly Block[], options: LinkOptions = {}, budget: LinkBudget = { left: MAX_LINKS, cut: 0 }): RootContent[] {
  const acceptFile = fileSlugCounter();
  return blocks.map((block): RootContent => {
    switch (block.type) {
      case 'heading':
        return {
          type: 'heading',
          depth: block.level,
          children: linkify(block.text, options, budget),
          data: { hProperties: block.id ? { id: block.id } : {} },
        };
      case 'paragraph':
        return { type: 'paragraph', children: linkify(block.text, options, budget) };
      case 'list':
        return {
          type: 'list',
          ordered: block.ordered,
          spread: false,
          children: block.items.map((item) => ({
            type: 'listItem',
            spread: false,
            children: [{ type: 'paragraph', children: linkify(item, options, budget) }],
          })),
        };
      case 'pre':
        return preNode(block.text, options, budget);
      case 'fileTable': {
        // File names link to their page (/files/<slug>/), for the names the file index gives a page (lib/file-pages.ts).
        const nameColumn = block.table.columns.findIndex((c) => /^file\s*name/i.test(c));
        const row = (cells: readonly string[], header = false): TableRow => ({
          type: 'tableRow',
          children: cells.map((cell, i) => {
            const slug = !header && cell && i === nameColumn ? acceptFile(cell) : null;
            const text = { type: 'text' as const, value: cell };
            const children = slug ? [{ type: 'link' as const, url: `${options.linkPrefix ?? ''}${filePagePath(slug)}`, children: [text] }] : cell ? [text] : [];
            return { type: 'tableCell', children };
          }),
        });
        const table: Table = {
          type: 'table',
          align: block.table.columns.map((c) => (/^(file )?size$/i.test(c) ? 'right' : null)),
          children: [row(block.table.columns, true), ...block.table.cells.map((cells) => row(cells))],
          data: { hProperties: { className: ['file-table'] } },
        };
        return table;
      }
      case 'rule':
        return { type: 'thematicBreak' };
    }
  });
}

/** A `<pre>` that keeps line breaks and spacing, with links inside. */
function preNode(text: string, options: LinkOptions, budget: LinkBudget): BlockContent {
  return {
    type: 'paragraph',
    children: linkify(text, options, budget),
    data: { hName: 'pre', hProperties: { className: ['kb-pre'] } },
  };
}
