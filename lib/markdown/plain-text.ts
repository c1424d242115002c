/** The body as plain text (for search and excerpts): paragraphs, list items, headings, table cells. */
import type { Block } from './blocks';
import { decodeHexEscapes, pushAll } from './text';

export function bodyText(blocks: readonly Block[]): string {
  const parts: string[] = [];
  for (const block of blocks) {
    switch (block.type) {
      case 'heading':
      case 'paragraph':
        parts.push(block.text);
        break;
      case 'list':
        pushAll(parts, block.items);
        break;
      case 'pre':
        parts.push(block.text.replace(/\s+/g, ' '));
        break;
      case 'fileTable':
        parts.push(block.table.rows.map((r) => r.name).join(' '));
        break;
      case 'rule':
        break;
    }
  }
  return decodeHexEscapes(parts.join('\n'));
}
