/**
 * `remarkKb`: a unified plugin that turns the tab-indented KB text of an
 * article into mdast: section headings, reflowed paragraphs, lists,
 * preformatted text, file-attribute tables, and links for URLs and article
 * numbers. The rest of the pipeline is stock unified:
 *
 *     unified().use(remarkKb, { linkPrefix }).use(remarkRehype).use(rehypeSanitize, KB_SCHEMA)
 *       .runSync({ type: 'root', children: [] }, file)
 *
 * The KB text comes from `file.data.kbBlocks` (blocks already read by
 * `parseArticle`, so an article is split once) or, when absent, from the
 * file's value, read here.
 */
import type { Root } from 'mdast';
import type { VFile } from 'vfile';
import { toBlocks, type Block } from './blocks';
import { toKbLines } from './lines';
import { blocksToMdast } from './mdast';
import { MAX_LINKS, type LinkOptions } from './links';
import { pushAll } from './text';

export interface KbFileData {
  kbBlocks?: Block[];
  /** Set by the plugin: URLs and numbers left as text past `MAX_LINKS` (renderBody reports them). */
  kbLinksCut?: number;
}

export default function remarkKb(options: LinkOptions = {}) {
  return function transformer(tree: Root, file: VFile): void {
    const data = file.data as KbFileData;
    const blocks = data.kbBlocks ?? toBlocks(toKbLines(String(file.value ?? ''), 1));
    const budget = { left: MAX_LINKS, cut: 0 };
    pushAll(tree.children, blocksToMdast(blocks, options, budget));
    data.kbLinksCut = budget.cut;
  };
}
