/**
 * Splits the body of the KB text into blocks: section headings (underlined
 * with `====`), sub-headings (underlined with `----`), prose paragraphs
 * (reflowed: the 80-column breaks are dropped), lists, preformatted text
 * (code, aligned columns, indented examples) and file-attribute tables.
 */
import { isBlank, isRule, type KbLine } from './lines.js';
import { isFileTableHeader, isFileTableRow, parseFileTable, type FileTable } from './file-table.js';

export type Block =
  | { type: 'heading'; level: 2 | 3; text: string; line: number; id?: string }
  | { type: 'paragraph'; text: string; line: number }
  | { type: 'list'; ordered: boolean; items: string[]; line: number }
  | { type: 'pre'; text: string; line: number }
  | { type: 'fileTable'; table: FileTable; text: string; line: number }
  | { type: 'rule'; line: number };

const LIST_ITEM = /^(\s{0,4})([-*\u2022]|\d{1,2}[.)]|[a-z][.)])\s+(\S.*)$/;
const MAX_HEADING = 100;

const indentOf = (text: string): number => text.length - text.trimStart().length;

/** Is `lines[i]` a heading underlined by `lines[i + 1]`? Returns its level. */
function headingAt(lines: readonly KbLine[], i: number): 2 | 3 | null {
  const title = lines[i]?.text;
  const under = lines[i + 1]?.text;
  if (title === undefined || under === undefined) return null;
  const text = title.trim();
  if (text === '' || text.length > MAX_HEADING || indentOf(title) > 2) return null;
  if (isRule(text, '-') || isRule(text, '=')) return null;
  if (isRule(under, '=')) return 2;
  if (isRule(under, '-') && !isFileTableHeader(title)) {
    const length = under.trim().length;
    if (length >= Math.min(3, text.length) && length >= text.length * 0.5 && length <= text.length * 1.5 + 2) return 3;
  }
  return null;
}

export function toBlocks(lines: readonly KbLine[], start = 0, end = lines.length): Block[] {
  const blocks: Block[] = [];
  let i = start;
  while (i < end) {
    const line = lines[i]!;
    if (isBlank(line)) {
      i++;
      continue;
    }
    const level = i + 1 < end ? headingAt(lines, i) : null;
    if (level) {
      blocks.push({ type: 'heading', level, text: line.text.trim(), line: line.line });
      i += 2;
      continue;
    }
    if (isRule(line.text, '-', 10) || isRule(line.text, '=', 10)) {
      blocks.push({ type: 'rule', line: line.line });
      i++;
      continue;
    }
    // A group: the lines up to the next blank line or heading.
    let j = i;
    while (j < end && !isBlank(lines[j]) && !(j > i && j + 1 < end && headingAt(lines, j))) j++;
    groupBlocks(lines.slice(i, j), blocks);
    i = j;
  }
  return mergeLists(blocks);
}

/** Classifies one group of consecutive non-blank lines. */
function groupBlocks(group: readonly KbLine[], out: Block[]): void {
  // A file-attribute table inside the group splits it in three.
  const tableAt = group.findIndex((l, k) => isFileTableHeader(l.text) && isRule(group[k + 1]?.text ?? '', '-', 10));
  if (tableAt >= 0) {
    if (tableAt > 0) groupBlocks(group.slice(0, tableAt), out);
    let k = tableAt + 2;
    while (k < group.length && isFileTableRow(group[k]!.text)) k++;
    const slice = group.slice(tableAt, k);
    const table = parseFileTable(group[tableAt]!.text, group.slice(tableAt + 2, k).map((l) => l.text));
    if (table) out.push({ type: 'fileTable', table, text: dedent(slice), line: group[tableAt]!.line });
    else out.push({ type: 'pre', text: dedent(slice), line: group[tableAt]!.line });
    if (k < group.length) groupBlocks(group.slice(k), out);
    return;
  }
  const first = group[0]!;
  const item = LIST_ITEM.exec(first.text);
  if (item && isListGroup(group, item[1]!.length)) {
    out.push(listBlock(group, item[1]!.length));
    return;
  }
  // Prose at the margin, followed by indented lines (an example): split there.
  const indented = group.map((l) => indentOf(l.text) > 0);
  if (!indented[0]) {
    const split = indented.indexOf(true);
    const prose = split === -1 ? group : group.slice(0, split);
    out.push(looksAligned(prose) ? { type: 'pre', text: dedent(prose), line: first.line } : paragraph(prose));
    if (split !== -1) groupBlocks(group.slice(split), out);
    return;
  }
  out.push(isIndentedProse(group) ? paragraph(group) : { type: 'pre', text: dedent(group), line: first.line });
}

function paragraph(group: readonly KbLine[]): Block {
  return { type: 'paragraph', text: group.map((l) => l.text.trim()).join(' '), line: group[0]!.line };
}

/** Every line is an item marker at the same indent, or a continuation indented deeper. */
function isListGroup(group: readonly KbLine[], indent: number): boolean {
  for (const l of group) {
    const m = LIST_ITEM.exec(l.text);
    if (m && m[1]!.length === indent) continue;
    if (indentOf(l.text) > indent) continue;
    return false;
  }
  return true;
}

function listBlock(group: readonly KbLine[], indent: number): Block {
  const items: string[] = [];
  let ordered = false;
  for (const l of group) {
    const m = LIST_ITEM.exec(l.text);
    if (m && m[1]!.length === indent) {
      if (items.length === 0) ordered = !/^[-*\u2022]$/.test(m[2]!);
      items.push(m[3]!.trim());
    } else {
      items[items.length - 1] = `${items[items.length - 1]} ${l.text.trim()}`;
    }
  }
  return { type: 'list', ordered, items, line: group[0]!.line };
}

/** Columns lined up with runs of spaces, or very short lines: keep them as they are. */
function looksAligned(group: readonly KbLine[]): boolean {
  return group.some((l) => /\S {3,}\S/.test(l.text.trim()));
}

/** An indented paragraph of long, evenly indented lines without code punctuation. */
function isIndentedProse(group: readonly KbLine[]): boolean {
  if (group.length < 2) return false;
  const indent = indentOf(group[0]!.text);
  for (let k = 0; k < group.length; k++) {
    const text = group[k]!.text;
    if (indentOf(text) !== indent) return false;
    if (/[{};=<>\\]|\S {3,}\S/.test(text)) return false;
    if (k < group.length - 1 && text.length < 55) return false;
  }
  return true;
}

/** Removes the indentation the lines share. */
function dedent(group: readonly KbLine[]): string {
  const indent = Math.min(...group.filter((l) => l.text.trim() !== '').map((l) => indentOf(l.text)));
  return group.map((l) => l.text.slice(indent)).join('\n');
}

/** Consecutive list blocks of the same kind (items separated by blank lines) become one list. */
function mergeLists(blocks: Block[]): Block[] {
  const out: Block[] = [];
  for (const block of blocks) {
    const previous = out[out.length - 1];
    if (block.type === 'list' && previous?.type === 'list' && previous.ordered === block.ordered) {
      previous.items.push(...block.items);
    } else {
      out.push(block);
    }
  }
  return out;
}
