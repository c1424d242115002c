/**
 * The KB text of an article as numbered lines: each line keeps its 1-based
 * line number in the source file so that diagnostics can point at it.
 */
export interface KbLine {
  /** The line without its first leading tab (the archive indents the whole block by one tab). */
  text: string;
  /** 1-based line number in the source file. */
  line: number;
}

/** Splits the raw block into lines, removing the one tab of block indentation. */
export function toKbLines(text: string, firstLine: number): KbLine[] {
  const raw = text.split('\n');
  return raw.map((value, index) => ({
    // trimEnd, not /\s+$/: that regex is quadratic on a long run of inner spaces.
    text: (value.startsWith('\t') ? value.slice(1) : value).replace(/\t/g, '        ').trimEnd(),
    line: firstLine + index,
  }));
}

export const isBlank = (line: KbLine | undefined): boolean => line === undefined || line.text.trim() === '';

/** A rule of dashes or equals signs (`------`, `======`), at least `min` long. */
export function isRule(text: string, char: '-' | '=', min = 3): boolean {
  const trimmed = text.trim();
  if (trimmed.length < min) return false;
  for (const c of trimmed) if (c !== char) return false;
  return true;
}
