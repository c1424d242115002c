/**
 * Finds every regular expression of a set of source files and checks that it
 * runs in linear time on any input (test/regex-safety.test.ts, and
 * bench/regex.ts measures it). A regex backtracks more than linearly when:
 *
 * - an unbounded quantifier (`*`, `+`, `{n,}`) repeats something that itself
 *   holds one, or alternatives that can match the same character (nested:
 *   `(a+)+`, `(a|a)*`);
 * - two unbounded quantifiers follow each other (with only optional parts, or
 *   parts matching the characters both match, in between) and can match the
 *   same character: a run of it can be split between them in n ways, each
 *   tried when the rest fails (adjacent: `\s+(.*)$` on a line ending in U+2028,
 *   `\s*\s*x`);
 * - a regex that is not anchored (no leading `^`, not sticky) can begin with
 *   an unbounded quantifier followed by something that can fail: every start
 *   position inside a run re-scans the rest of it (`/\s+$/`, `/[ \t]+\S/`).
 *
 * Characters are compared on a probe alphabet (all of Latin-1 plus the
 * Unicode spaces and line separators), which is what the hostile inputs use.
 */
import ts from 'typescript';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

export interface FoundRegex {
  file: string;
  line: number;
  source: string;
  flags: string;
}

/** The files whose regexes see article text, file names or other untrusted values (`root`: the project). */
export function regexFiles(root: string): string[] {
  const files = ['lib/markdown', 'lib/content'].flatMap((dir) =>
    readdirSync(path.join(root, dir))
      .filter((f) => /\.tsx?$/.test(f))
      .map((f) => path.join(root, dir, f)),
  );
  for (const file of [
    'lib/keywords.ts',
    'lib/kb-number.ts',
    'lib/worker-pool.ts',
    'scripts/kb.ts',
    'lib/build/build.ts',
    'lib/build/article-pages.ts',
    'lib/build/article-pages-worker.tsx',
    'lib/build/article-pages-render.tsx',
  ]) {
    files.push(path.join(root, file));
  }
  return files.sort();
}

/** Every regex literal and every `new RegExp('literal', 'flags')` in the files. */
export function collectRegexes(files: readonly string[]): { found: FoundRegex[]; dynamic: Array<{ file: string; line: number; text: string }> } {
  const found: FoundRegex[] = [];
  const dynamic: Array<{ file: string; line: number; text: string }> = [];
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, file.endsWith('x') ? ts.ScriptKind.TSX : ts.ScriptKind.TS);
    const visit = (node: ts.Node): void => {
      const line = sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1;
      if (node.kind === ts.SyntaxKind.RegularExpressionLiteral) {
        const literal = (node as ts.RegularExpressionLiteral).text;
        const end = literal.lastIndexOf('/');
        found.push({ file, line, source: literal.slice(1, end), flags: literal.slice(end + 1) });
      } else if (ts.isNewExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === 'RegExp') {
        const [pattern, flags] = node.arguments ?? [];
        if (pattern && ts.isStringLiteralLike(pattern) && (!flags || ts.isStringLiteralLike(flags))) {
          found.push({ file, line, source: pattern.text, flags: flags && ts.isStringLiteralLike(flags) ? flags.text : '' });
        } else {
          dynamic.push({ file, line, text: node.getText(sf).slice(0, 120) });
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(sf);
  }
  return { found, dynamic };
}

/** The characters the checks compare: Latin-1, Unicode spaces, line and paragraph separators, BOM. */
export const PROBE: readonly string[] = [
  ...Array.from({ length: 256 }, (_, i) => String.fromCharCode(i)),
  '\u1680',
  '\u2000',
  '\u200a',
  '\u2028',
  '\u2029',
  '\u202f',
  '\u205f',
  '\u3000',
  '\ufeff',
  '\u2022',
  '\u2013',
  '\u20ac',
  '\ufffd',
  'é',
  'Ω',
  '中',
];

type Node =
  | { type: 'alt'; alts: Node[][] }
  | { type: 'atom'; source: string }
  | { type: 'assert'; source: string }
  | { type: 'group'; body: Node; lookaround: boolean }
  | { type: 'quant'; body: Node; min: number; max: number };

/** Parses the subset of regex syntax the project uses (enough to find quantifiers and their characters). */
export function parseRegex(source: string): Node {
  let i = 0;
  const parseAlt = (): Node => {
    const alts: Node[][] = [[]];
    while (i < source.length && source[i] !== ')') {
      if (source[i] === '|') {
        i++;
        alts.push([]);
        continue;
      }
      const atom = parseAtom();
      const quant = parseQuant();
      alts[alts.length - 1]!.push(quant ? { type: 'quant', body: atom, ...quant } : atom);
    }
    return { type: 'alt', alts };
  };
  const parseQuant = (): { min: number; max: number } | null => {
    const c = source[i];
    let q: { min: number; max: number } | null = null;
    if (c === '*') q = { min: 0, max: Infinity };
    else if (c === '+') q = { min: 1, max: Infinity };
    else if (c === '?') q = { min: 0, max: 1 };
    else if (c === '{') {
      const m = /^\{(\d+)(,(\d*))?\}/.exec(source.slice(i));
      if (m) {
        i += m[0].length - 1;
        q = { min: Number(m[1]), max: m[2] ? (m[3] ? Number(m[3]) : Infinity) : Number(m[1]) };
      }
    }
    if (!q) return null;
    i++;
    if (source[i] === '?') i++; // lazy: the same backtracking, in another order
    return q;
  };
  const parseAtom = (): Node => {
    const start = i;
    const c = source[i]!;
    if (c === '(') {
      i++;
      let lookaround = false;
      if (source[i] === '?') {
        if (source[i + 1] === ':') i += 2;
        else if (source[i + 1] === '=' || source[i + 1] === '!') {
          i += 2;
          lookaround = true;
        } else if (source[i + 1] === '<' && (source[i + 2] === '=' || source[i + 2] === '!')) {
          i += 3;
          lookaround = true;
        } else if (source[i + 1] === '<') {
          i = source.indexOf('>', i) + 1;
        }
      }
      const body = parseAlt();
      i++; // ')'
      return { type: 'group', body, lookaround };
    }
    if (c === '[') {
      i++;
      if (source[i] === '^') i++;
      if (source[i] === ']') i++;
      while (i < source.length && source[i] !== ']') i += source[i] === '\\' ? 2 : 1;
      i++;
      return { type: 'atom', source: source.slice(start, i) };
    }
    if (c === '^' || c === '$') {
      i++;
      return { type: 'assert', source: c };
    }
    if (c === '\\') {
      const n = source[i + 1]!;
      if (n === 'b' || n === 'B') {
        i += 2;
        return { type: 'assert', source: `\\${n}` };
      }
      if (n === 'u' && source[i + 2] === '{') i = source.indexOf('}', i) + 1;
      else if (n === 'u') i += 6;
      else if (n === 'x') i += 4;
      else if (n === 'c') i += 3;
      else if (/[1-9]/.test(n)) throw new Error('backreferences are not linear');
      else i += 2;
      return { type: 'atom', source: source.slice(start, i) };
    }
    i++;
    return { type: 'atom', source: c };
  };
  const tree = parseAlt();
  if (i < source.length) throw new Error(`unbalanced ) at ${i}`);
  return tree;
}

type CharSet = Set<string>;

function atomSet(source: string, flags: string): CharSet {
  const re = new RegExp(`^(?:${source})$`, flags.replace(/[gym]/g, ''));
  return new Set(PROBE.filter((c) => re.test(c)));
}

const intersects = (a: CharSet, b: CharSet): boolean => {
  for (const c of a) if (b.has(c)) return true;
  return false;
};
const union = (...sets: CharSet[]): CharSet => new Set(sets.flatMap((s) => [...s]));

interface Info {
  /** Can match the empty string. */
  nullable: boolean;
  /** Characters a match can start with. */
  first: CharSet;
  /** Holds an unbounded quantifier anywhere. */
  unbounded: boolean;
  /** Characters repeated by an unbounded quantifier a match can begin with (through optional parts). */
  headRepeat: CharSet;
  /** Characters repeated by an unbounded quantifier a match can end with (through optional parts). */
  tailRepeat: CharSet;
}

/** What is wrong with a regex (empty when it is linear by the rules above). */
export function regexProblems(source: string, flags: string): string[] {
  const problems: string[] = [];
  let tree: Node;
  try {
    tree = parseRegex(source);
  } catch (error) {
    return [(error as Error).message];
  }
  const cache = new Map<string, CharSet>();
  const setOf = (atom: string): CharSet => {
    let set = cache.get(atom);
    if (!set) cache.set(atom, (set = atomSet(atom, flags)));
    return set;
  };
  const EMPTY: CharSet = new Set();
  const info = (node: Node): Info => {
    switch (node.type) {
      case 'assert':
        return { nullable: true, first: EMPTY, unbounded: false, headRepeat: EMPTY, tailRepeat: EMPTY };
      case 'atom': {
        const set = setOf(node.source);
        return { nullable: false, first: set, unbounded: false, headRepeat: EMPTY, tailRepeat: EMPTY };
      }
      case 'group':
        if (node.lookaround) {
          info(node.body); // checked, but matches nothing
          return { nullable: true, first: EMPTY, unbounded: false, headRepeat: EMPTY, tailRepeat: EMPTY };
        }
        return info(node.body);
      case 'quant': {
        const body = info(node.body);
        if (node.max === Infinity) {
          // `(a+)+` is ambiguous, `(\.\d+)+` is not: the next iteration must start with what ends this one's run.
          if (body.unbounded && (body.nullable || intersects(body.tailRepeat, body.first) || intersects(body.headRepeat, body.tailRepeat))) {
            problems.push(`nested unbounded quantifiers in ${show(node)}`);
          }
          if (node.body.type === 'group' && node.body.body.type === 'alt' && node.body.body.alts.length > 1) {
            const firsts = node.body.body.alts.map((alt) => seqInfo(alt).first);
            for (let a = 0; a < firsts.length; a++)
              for (let b = a + 1; b < firsts.length; b++) {
                if (intersects(firsts[a]!, firsts[b]!)) problems.push(`repeated alternatives that can start with the same character in ${show(node)}`);
              }
          }
          // A repeated character (class) can take any share of a run; a repeated group only what its own parts can.
          const single = node.body.type === 'atom';
          return {
            nullable: node.min === 0 || body.nullable,
            first: body.first,
            unbounded: true,
            headRepeat: single ? body.first : body.headRepeat,
            tailRepeat: single ? body.first : body.tailRepeat,
          };
        }
        return { ...body, nullable: node.min === 0 || body.nullable };
      }
      case 'alt': {
        const alts = node.alts.map(seqInfo);
        return {
          nullable: alts.some((a) => a.nullable),
          first: union(...alts.map((a) => a.first)),
          unbounded: alts.some((a) => a.unbounded),
          headRepeat: union(...alts.map((a) => a.headRepeat)),
          tailRepeat: union(...alts.map((a) => a.tailRepeat)),
        };
      }
    }
  };
  const seqInfo = (items: Node[]): Info => {
    const infos = items.map(info);
    // Adjacent: an unbounded repeat, then (through parts that cannot separate them) another one over common characters.
    for (let a = 0; a < infos.length; a++) {
      const tail = infos[a]!.tailRepeat;
      if (tail.size === 0) continue;
      for (let b = a + 1; b < infos.length; b++) {
        const head = infos[b]!.headRepeat;
        const common = new Set([...tail].filter((c) => head.has(c)));
        if (common.size > 0) {
          problems.push(`adjacent unbounded quantifiers over common characters (${describe(common)}): ${show(items[a]!)} … ${show(items[b]!)}`);
          break;
        }
        const between = infos[b]!;
        // A part that must match a character outside the repeated set separates the two.
        if (!between.nullable && [...between.first].some((c) => !tail.has(c))) break;
        if (!between.nullable && between.first.size === 0) break;
      }
    }
    let nullable = true;
    let first: CharSet = EMPTY;
    let headRepeat: CharSet = EMPTY;
    for (const part of infos) {
      first = union(first, part.first);
      headRepeat = union(headRepeat, part.headRepeat);
      if (!part.nullable) {
        nullable = false;
        break;
      }
    }
    let tailRepeat: CharSet = EMPTY;
    for (let k = infos.length - 1; k >= 0; k--) {
      tailRepeat = union(tailRepeat, infos[k]!.tailRepeat);
      if (!infos[k]!.nullable) break;
    }
    return { nullable, first, unbounded: infos.some((p) => p.unbounded), headRepeat, tailRepeat };
  };
  info(tree);
  // Unanchored: each start position inside a run re-scans the rest of it when what follows can fail.
  if (!flags.includes('y') && tree.type === 'alt') {
    for (const alt of expand(tree.alts)) {
      if (alt[0]?.type === 'assert' && alt[0].source === '^') continue;
      const k = alt.findIndex((node) => node.type === 'quant' && node.max === Infinity);
      if (k === -1) continue;
      const q = alt[k] as Extract<Node, { type: 'quant' }>;
      const repeated = info(q).headRepeat.size > 0 ? info(q).headRepeat : info(q).first;
      // A later start can fall inside the run only when everything before the quantifier can match inside it.
      const prefix = alt.slice(0, k).filter((node) => !info(node).nullable);
      if (!prefix.every((node) => intersects(info(node).first, repeated))) continue;
      const rest = alt.slice(k + 1);
      const canFail = rest.some((node) => node.type === 'assert' || !info(node).nullable);
      if (canFail)
        problems.push(
          `unanchored: ${alt
            .slice(0, k + 1)
            .map(show)
            .join('')} then ${rest.map(show).join('')} can fail, and every start inside a run re-scans it`,
        );
    }
  }
  return [...new Set(problems)];
}

/** The sequences a list of alternatives stands for, with plain groups inlined and alternatives of plain groups spread (at most 64). */
function expand(alts: Node[][]): Node[][] {
  const out: Node[][] = [];
  const walk = (done: Node[], rest: Node[]): void => {
    if (out.length >= 64) return;
    const k = rest.findIndex((node) => node.type === 'group' && !node.lookaround);
    if (k === -1) {
      out.push([...done, ...rest]);
      return;
    }
    const group = rest[k] as Extract<Node, { type: 'group' }>;
    const inner = group.body.type === 'alt' ? group.body.alts : [[group.body]];
    for (const branch of inner) walk([...done, ...rest.slice(0, k)], [...branch, ...rest.slice(k + 1)]);
  };
  for (const alt of alts) walk([], alt);
  return out;
}

function show(node: Node): string {
  switch (node.type) {
    case 'atom':
    case 'assert':
      return node.source;
    case 'group':
      return `(${show(node.body)})`;
    case 'alt':
      return node.alts.map((alt) => alt.map(show).join('')).join('|');
    case 'quant':
      return `${show(node.body)}{${node.min},${node.max === Infinity ? '' : node.max}}`;
  }
}

function describe(set: CharSet): string {
  const shown = [...set]
    .slice(0, 6)
    .map((c) => (c.charCodeAt(0) > 126 || c.charCodeAt(0) < 33 ? `U+${c.charCodeAt(0).toString(16).padStart(4, '0').toUpperCase()}` : c));
  return `${shown.join(' ')}${set.size > 6 ? ` and ${set.size - 6} more` : ''}`;
}
