/**
 * A deterministic synthetic archive N times the size of a real one: the real
 * articles plus N−1 renumbered copies (`npm run bench -- --scale 4`).
 *
 * Every article number the archive mentions (its own ids and every `Q<5–6 digits>`
 * token, i.e. what lib/markdown/references.ts reads as a citation, cited-but-missing
 * numbers included) forms the "universe". Copy k maps the universe, in order, onto
 * a block of numbers above the largest one used: number of rank r becomes
 * `bases[k] + r`. So each copy keeps the order of its articles (prev/next), its
 * citations point inside the same copy (backlinks and not-in-archive pages are
 * mirrored), its duplicates stay duplicates, and no number of a copy collides
 * with the original or another copy. Numbers follow lib/kb-number.ts (1..999,999);
 * an archive whose copies do not fit is refused, never wrapped.
 *
 * Titles are varied per copy (a qualifier picked by a hash of copy and number)
 * so that a title search does not return N identical titles.
 */
import { createHash } from 'node:crypto';
import { existsSync, linkSync, lstatSync, copyFileSync, mkdirSync, readFileSync, realpathSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { articleNumberFromDigits, MAX_ARTICLE_NUMBER, permalinkOfNumber } from '../../lib/kb-number';
import { scanContent } from '../../lib/content/scan';

/** The generator's version: a change of the output format makes old generated archives stale. */
export const SYNTHETIC_VERSION = 2;

/** Article numbers as the parser reads citations (lib/markdown/references.ts ARTICLE_NUMBER, links.ts: case-insensitive). */
const TOKEN = /\bQ(\d{5,6})\b/gi;
const PERMALINK_LINE = /^permalink:[ \t]*\/kb\/\d{3}\/Q(\d{5,6})\/[ \t]*$/m;
const QUALIFIERS = [
  'Revised',
  'Updated',
  'Reissued',
  'Supplement',
  'Addendum',
  'Errata',
  'Follow-up',
  'Extended',
  'Amended',
  'Clarified',
  'Corrected',
  'Expanded',
];

export interface NumberPlan {
  /** Every number the archive mentions, ascending. */
  universe: number[];
  rank: Map<number, number>;
  /** First number of each copy's block (copy 1 is `bases[0]`; the original is copy 0 and keeps its numbers). */
  bases: number[];
  /** Width of a block: the universe's size rounded up to 10,000. */
  span: number;
}

/** The article numbers a text mentions (ids and citations), as the parser reads them. */
export function numbersIn(text: string): number[] {
  const out: number[] = [];
  for (const m of text.matchAll(TOKEN)) {
    const n = articleNumberFromDigits(m[1]!);
    if (n !== null) out.push(n);
  }
  return out;
}

export function planNumbers(numbers: Iterable<number>, copies: number): NumberPlan {
  const universe = [...new Set(numbers)].sort((a, b) => a - b);
  const rank = new Map(universe.map((n, i) => [n, i]));
  let max = 0;
  for (const n of universe) if (n > max) max = n;
  const span = Math.max(10_000, Math.ceil(universe.length / 10_000) * 10_000);
  // Above the largest number used, at a round boundary, and at least 10,000 so a copy's numbers
  // keep five or six digits (what the citation pattern reads).
  const first = Math.max(10_000, Math.ceil((max + 1) / 10_000) * 10_000);
  const bases = Array.from({ length: copies }, (_, k) => first + k * span);
  const last = copies > 0 ? bases[copies - 1]! + universe.length - 1 : max;
  if (last > MAX_ARTICLE_NUMBER) {
    throw new Error(
      `synthetic archive: ${copies} copies of ${universe.length} numbers (largest ${max}) need numbers up to ${last}, above ${MAX_ARTICLE_NUMBER}`,
    );
  }
  return { universe, rank, bases, span };
}

/** Number `n` in copy `copy` (1-based). */
export function mapNumber(plan: NumberPlan, copy: number, n: number): number {
  const r = plan.rank.get(n);
  if (r === undefined) throw new Error(`synthetic archive: ${n} is not in the plan`);
  return plan.bases[copy - 1]! + r;
}

function qualifier(copy: number, n: number): string {
  const h = createHash('sha1').update(`${copy}:${n}`).digest();
  return QUALIFIERS[h[0]! % QUALIFIERS.length]!;
}

/**
 * The text of an article in copy `copy`: every number token mapped, the permalink
 * recomputed (its bucket changes with the number), the title (front matter and
 * heading) given a qualifier. `own` is the article's number in the original.
 */
export function transformArticle(text: string, plan: NumberPlan, copy: number, own: number | null): string {
  let out = text.replace(TOKEN, (token, digits: string) => {
    const n = articleNumberFromDigits(digits);
    return n === null ? token : `${token[0]}${mapNumber(plan, copy, n)}`;
  });
  out = out.replace(PERMALINK_LINE, (line, digits: string) => `permalink: ${permalinkOfNumber(Number(digits))}`);
  const q = ` (${qualifier(copy, own ?? 0)})`;
  out = out.replace(/^(title:[ \t]*"[^\n]*)"[ \t]*$/m, (_, head: string) => `${head}${q}"`);
  out = out.replace(/^(## [^\n]*?)[ \t]*$/m, (_, head: string) => `${head}${q}`);
  return out;
}

/**
 * Where a file of copy `copy` goes: under `copy-<k>/`, at its own relative path with the
 * number in its name mapped (and the bucket of `kb/<bucket>/Q<n>/README.md` recomputed).
 * The mapping is one-to-one, so two files stay two files (duplicates stay duplicates).
 */
export function copyPath(plan: NumberPlan, original: string, copy: number): string {
  const parts = original.split(/[\\/]/);
  const name = parts[parts.length - 1]!;
  const inName = /^(Q)(\d{1,7})(\.md)$/i.exec(name);
  const inDir = /^README\.md$/i.test(name) && parts.length >= 2 ? /^(Q)(\d{1,7})()$/i.exec(parts[parts.length - 2]!) : null;
  const m = inName ?? inDir;
  const n = m ? articleNumberFromDigits(m[2]!) : null;
  if (m && n !== null && plan.rank.has(n)) {
    const mapped = mapNumber(plan, copy, n);
    const at = inName ? parts.length - 1 : parts.length - 2;
    parts[at] = `${m[1]}${mapped}${m[3]}`;
    // The archive's bucket folder (first three digits of the six-digit number) follows the number.
    const bucketOf = (k: number): string => String(k).padStart(6, '0').slice(0, 3);
    if (inDir && at >= 1 && parts[at - 1] === bucketOf(n)) parts[at - 1] = bucketOf(mapped);
  }
  return path.join(`copy-${copy}`, ...parts);
}

/** The number an article file is published under: its file name's number, else its first token. */
function ownNumber(file: string, text: string): number | null {
  const m = /Q(\d{1,7})(?:\/README)?\.md$/i.exec(file);
  const fromName = m ? articleNumberFromDigits(m[1]!) : null;
  return fromName ?? numbersIn(text)[0] ?? null;
}

export interface GenerateResult {
  dir: string;
  articles: number;
  generated: boolean;
  ms: number;
}

/**
 * Generates (once) `scale` × the archive at `source` into `target`: the original
 * articles hard-linked (copied across devices) under `original/`, copies under
 * `copy-<k>/`. A marker records the source's file count and the generator version;
 * a complete archive is reused, an incomplete one (interrupted run) made anew.
 */
export function generateSynthetic(source: string, target: string, scale: number, onProgress?: (done: number, total: number) => void): GenerateResult {
  const started = performance.now();
  if (!Number.isInteger(scale) || scale < 1) throw new Error(`synthetic archive: scale must be a whole number ≥ 1 (got ${scale})`);
  const files = scanContent(source).files;
  const marker = path.join(target, '.synthetic.json');
  const want = JSON.stringify({ version: SYNTHETIC_VERSION, source: realpathSync(source), files: files.length, scale });
  if (existsSync(marker) && readFileSync(marker, 'utf8') === want) {
    return { dir: target, articles: files.length * scale, generated: false, ms: performance.now() - started };
  }
  // A link to a shared archive (`.cache/synthetic/x4 -> …`) is never removed or written through: made anew
  // only where the archive is this worktree's own.
  if (lstatSync(target, { throwIfNoEntry: false })?.isSymbolicLink()) {
    throw new Error(`synthetic archive: ${target} is a link to ${realpathSync(target)}, whose marker does not match ${want}: not regenerated`);
  }
  const copies = scale - 1;
  // Pass 1: the universe of numbers (one read per file; the texts are not kept, for memory).
  const all: number[] = [];
  for (const file of files) {
    const text = readFileSync(path.join(source, file), 'latin1');
    for (const n of numbersIn(text)) all.push(n);
    const own = ownNumber(file, text);
    if (own !== null) all.push(own);
  }
  const plan = planNumbers(all, copies);
  const tmp = `${target}.partial`;
  rmSync(tmp, { recursive: true, force: true });
  rmSync(target, { recursive: true, force: true });
  const made = new Set<string>();
  const ensureDir = (dir: string): void => {
    if (made.has(dir)) return;
    mkdirSync(dir, { recursive: true });
    made.add(dir);
  };
  let done = 0;
  const total = files.length * scale;
  for (const file of files) {
    const from = path.join(source, file);
    const original = path.join(tmp, 'original', file);
    ensureDir(path.dirname(original));
    try {
      linkSync(from, original);
    } catch {
      copyFileSync(from, original);
    }
    // latin1 in and out: every byte survives unchanged (binary and invalid UTF-8 files stay as bad as they were).
    const text = readFileSync(from, 'latin1');
    const own = ownNumber(file, text);
    done++;
    for (let copy = 1; copy <= copies; copy++) {
      const to = path.join(tmp, copyPath(plan, file, copy));
      ensureDir(path.dirname(to));
      writeFileSync(to, transformArticle(text, plan, copy, own), 'latin1');
      done++;
    }
    if (onProgress && done % 20_000 < scale) onProgress(done, total);
  }
  writeFileSync(path.join(tmp, '.synthetic.json'), want);
  mkdirSync(path.dirname(target), { recursive: true });
  renameSync(tmp, target);
  return { dir: target, articles: total, generated: true, ms: performance.now() - started };
}
