/**
 * Which file holds an article when several claim its number (the loader's
 * rule, ./corpus.ts, and the dev server's file-name scan, ./scan.ts). Pure.
 */
import { articleNumberFromDigits, permalinkOfNumber } from '../kb-number';

/** Where an article belongs: `<bucket>/Q244717/README.md` (the archive's layout) or a file named `Q244717.md`. */
export function canonicalPlaces(id: string): string[] {
  return [`${permalinkOfNumber(numberOf(id)).slice('/kb/'.length)}README.md`, `${id}.md`];
}

/** Whether `source` (relative, `/`-separated) is at a canonical place of `id`: the number is written without leading zeros. */
export function isCanonicalPlace(id: string, source: string): boolean {
  const [readme, file] = canonicalPlaces(id);
  return source === file || source.endsWith(`/${file}`) || source === readme || source.endsWith(`/${readme}`);
}

/**
 * Which of the files claiming one article number wins: the one at the
 * number's canonical place, when exactly one is; else none (null), so that a
 * stray file never takes over an article's page, whatever its name sorts as.
 */
export function duplicateWinner(id: string, sources: readonly string[]): number | null {
  const canonical = sources.flatMap((source, i) => (isCanonicalPlace(id, source) ? [i] : []));
  return canonical.length === 1 ? canonical[0]! : null;
}

function numberOf(id: string): number {
  return articleNumberFromDigits(id.slice(1)) ?? 0;
}
