/**
 * The "applies to" list between two dashed rules after the header:
 *
 *     -------------------------------------------------------------------------------
 *     The information in this article applies to:
 *
 *     - Microsoft Windows NT Server versions 4.0 SP4, 4.0 SP5, Terminal Server Edition
 *     -------------------------------------------------------------------------------
 *
 * Old articles have none. Wrapped items continue on indented lines.
 */
import { isBlank, isRule, type KbLine } from './lines';

export interface AppliesTo {
  items: string[];
  /** Index of the first KB line after the closing rule. */
  end: number;
}

export function parseAppliesTo(lines: readonly KbLine[], start: number): AppliesTo | null {
  let index = start;
  while (index < lines.length && isBlank(lines[index])) index++;
  if (index >= lines.length || !isRule(lines[index]!.text, '-', 20)) return null;
  const intro = lines[index + 1];
  if (!intro || !/applies to/i.test(intro.text)) return null;
  let close = index + 2;
  while (close < lines.length && !isRule(lines[close]!.text, '-', 20)) close++;
  if (close >= lines.length) return null;
  const items: string[] = [];
  for (let i = index + 2; i < close; i++) {
    const text = lines[i]!.text;
    if (text.trim() === '') continue;
    // One white-space character, then the rest trimmed: `\s+(.*)$` splits a run of blanks n ways.
    const item = /^\s*[-*•]\s(.*)$/s.exec(text);
    if (item) items.push(item[1]!.trim());
    else if (items.length > 0) items[items.length - 1] = `${items[items.length - 1]} ${text.trim()}`;
  }
  return { items, end: close + 1 };
}
