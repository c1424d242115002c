/**
 * Splits the body of the KB text into blocks: section headings (underlined
 * with `====`), sub-headings (underlined with `----`), prose paragraphs
 * (reflowed: the 80-column breaks are dropped), lists, preformatted text
 * (code, aligned columns, indented examples) and file-attribute tables.
 */
import { isBlank, isRule, type KbLine } from './lines';
import { pushAll } from './text';
import { isFileTableHeader, isFileTableRule, isTableBorder, makeTable, parseTableRow, tableLayout, type FileTable, type TableRow } from './file-table';

export type Block =
  | { type: 'heading'; level: 2 | 3; text: string; line: number; id?: string }
  | { type: 'paragraph'; text: string; line: number }
  | { type: 'list'; ordered: boolean; items: string[]; line: number }
  | { type: 'pre'; text: string; line: number }
  | { type: 'fileTable'; table: FileTable; text: string; line: number }
  | { type: 'rule'; line: number };

const LIST_ITEM = /^(\s{0,4})([-*\u2022]|\d{1,2}[.)]|[a-z][.)])\s+(\S.*)$/s;
const MAX_HEADING = 100;

/**
 * Limits on file tables rendered as tables (the archive's largest: 7 columns,
 * 191 rows): a header with more columns stays preformatted text, and the rows
 * of a table after the first `MAX_TABLE_ROWS` are shown as text. Both are
 * reported (`table-limit`).
 */
export const MAX_TABLE_COLUMNS = 12;
export const MAX_TABLE_ROWS = 500;

/** Told of every limit applied (a diagnostic of the article). */
export type BlockReport = (kind: string, message: string, line: number) => void;

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
  // Column headers over a dashed rule (`File Name   File Size   File Date`) are no sub-heading.
  if (isRule(under, '-') && !isFileTableHeader(title) && gapsIn(text) < 2) {
    const length = under.trim().length;
    if (length >= Math.min(3, text.length) && length >= text.length * 0.5 && length <= text.length * 1.5 + 2) return 3;
  }
  return null;
}

/**
 * Runs of three or more spaces between words (aligned columns), counted up to 2, as
 * `/\S {3,}\S.*\S {3,}\S/` would see them (the second run starts after the word that
 * ends the first): a scan, as that regex re-scans the line from each gap.
 */
function gapsIn(text: string): number {
  let gaps = 0;
  let after = 0;
  for (const match of text.matchAll(/\S {3,}(?=\S)/g)) {
    if (match.index < after) continue;
    if (++gaps >= 2) break;
    // The next gap's first word must come after the word that ends this one.
    after = match.index + match[0].length + 1;
  }
  return gaps;
}

/**
 * Blocks read one by one at most (the archive's largest article: about 1,000); the rest of
 * the text is one preformatted block (`block-limit`), so that a small file of blank-line
 * separated words cannot make hundreds of thousands of elements to parse and render.
 */
export const MAX_BLOCKS = 5000;

export function toBlocks(lines: readonly KbLine[], start = 0, end = lines.length, report: BlockReport = () => {}, maxBlocks = MAX_BLOCKS): Block[] {
  const blocks: Block[] = [];
  let i = start;
  while (i < end) {
    const line = lines[i]!;
    if (blocks.length >= maxBlocks && !isBlank(line)) {
      report('block-limit', `more than ${maxBlocks} blocks; the text from line ${line.line} on is shown as it is written`, line.line);
      blocks.push({
        type: 'pre',
        text: lines
          .slice(i, end)
          .map((l) => l.text)
          .join('\n'),
        line: line.line,
      });
      break;
    }
    if (isBlank(line)) {
      i++;
      continue;
    }
    if (tableStartAt(lines, i, end)) {
      // A `+-----+` border above the header belongs to the table.
      i = readTable(lines, tableAt(lines, i, end) ? i : i + 1, end, blocks, report);
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
    while (j < end && !isBlank(lines[j]) && !(j > i && j + 1 < end && (headingAt(lines, j) || tableStartAt(lines, j, end)))) j++;
    groupBlocks(lines.slice(i, j), blocks);
    i = j;
  }
  return mergeLists(blocks);
}

/** A file-attribute table header at `lines[i]`, with its dashed rule on the next line. */
function tableAt(lines: readonly KbLine[], i: number, end: number): boolean {
  return i + 1 < end && isFileTableHeader(lines[i]!.text) && isFileTableRule(lines[i + 1]!.text);
}

/** A table header at `lines[i]`, or a `+-----+` border with the header under it. */
function tableStartAt(lines: readonly KbLine[], i: number, end: number): boolean {
  return tableAt(lines, i, end) || (isTableBorder(lines[i]!.text) && tableAt(lines, i + 1, end));
}

/**
 * Reads the file-attribute table whose header is at `lines[start]` and returns
 * the index after it. The rows may follow the rule after a blank line, be
 * separated by `+----+` borders, or come in groups under labels (`Pan-Chinese`,
 * `Simplified Chinese`), each group becoming a table of its own; one or two
 * lines of notes may stand between the rule and the first rows. The table
 * ends at the first group of lines that holds no row. A header without any
 * row stays preformatted text.
 */
function readTable(lines: readonly KbLine[], start: number, end: number, out: Block[], report: BlockReport): number {
  const header = lines[start]!;
  const rule = lines[start + 1]!;
  const layout = tableLayout(header.text);
  if (layout.columns.length > MAX_TABLE_COLUMNS) {
    report('table-limit', `file table has ${layout.columns.length} columns, more than ${MAX_TABLE_COLUMNS}; shown as text`, header.line);
    out.push({ type: 'pre', text: dedent([header, rule]), line: header.line });
    return start + 2;
  }
  const local: Block[] = [];
  let rows: TableRow[] = [];
  let slice: KbLine[] = [header, rule];
  let line = header.line;
  let found = 0;
  const flush = () => {
    if (rows.length > 0) local.push({ type: 'fileTable', table: makeTable(layout, rows), text: dedent(slice), line });
    found += rows.length;
    rows = [];
    slice = [header, rule];
  };
  // Rows without a date are accepted only right under the rule.
  let loose = true;
  const isRow = (k: number): boolean => isTableBorder(lines[k]!.text) || parseTableRow(layout, lines[k]!.text, loose) !== null;
  let k = start + 2;
  while (k < end) {
    if (isBlank(lines[k])) {
      k++;
      loose = false;
      continue;
    }
    if (tableAt(lines, k, end) || (k + 1 < end && headingAt(lines, k))) break;
    let j = k;
    while (j < end && !isBlank(lines[j]) && !(j > k && (tableAt(lines, j, end) || (j + 1 < end && headingAt(lines, j))))) j++;
    let r = k;
    while (r < j && !isRow(r)) r++;
    if (r === j) {
      // No row here: notes before the first rows, or the end of the table.
      if (found + rows.length === 0 && j - k <= 2) {
        groupBlocks(lines.slice(k, j), local);
        k = j;
        continue;
      }
      break;
    }
    if (r > k) {
      flush();
      groupBlocks(lines.slice(k, r), local);
    }
    let q = r;
    for (; q < j; q++) {
      const text = lines[q]!.text;
      if (isTableBorder(text)) {
        slice.push(lines[q]!);
        continue;
      }
      if (rows.length >= MAX_TABLE_ROWS) break;
      const row = parseTableRow(layout, text, loose);
      if (!row) break;
      if (rows.length === 0 && found > 0) line = lines[q]!.line;
      rows.push(row);
      slice.push(lines[q]!);
    }
    loose = false;
    k = q;
    if (q < j && rows.length >= MAX_TABLE_ROWS) {
      // The rest of the table is shown as it is written.
      report('table-limit', `file table has more than ${MAX_TABLE_ROWS} rows; the rows from line ${lines[q]!.line} on are shown as text`, lines[q]!.line);
      flush();
      local.push({ type: 'pre', text: dedent(lines.slice(q, j)), line: lines[q]!.line });
      k = j;
      break;
    }
    if (q < j) {
      // Text right under the rows ends the table.
      flush();
      groupBlocks(lines.slice(q, j), local);
      k = j;
      break;
    }
  }
  flush();
  if (found === 0) {
    out.push({ type: 'pre', text: dedent([header, rule]), line: header.line });
    return start + 2;
  }
  pushAll(out, local);
  return k;
}

/** Classifies one group of consecutive non-blank lines. */
function groupBlocks(group: readonly KbLine[], out: Block[]): void {
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
  let indent = Infinity;
  for (const l of group) if (l.text.trim() !== '') indent = Math.min(indent, indentOf(l.text));
  return group.map((l) => l.text.slice(indent)).join('\n');
}

/** Consecutive list blocks of the same kind (items separated by blank lines) become one list. */
function mergeLists(blocks: Block[]): Block[] {
  const out: Block[] = [];
  for (const block of blocks) {
    const previous = out[out.length - 1];
    if (block.type === 'list' && previous?.type === 'list' && previous.ordered === block.ordered) {
      pushAll(previous.items, block.items);
    } else {
      out.push(block);
    }
  }
  return out;
}
