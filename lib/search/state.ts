/**
 * The search index builder's saved state (./build.ts, incremental updates): a
 * folder of three files, written into a sibling temporary folder and renamed
 * into place whole, so that a reader sees the previous state or the new one.
 *
 *   meta.json    what the state is of (a key over the builder's code and options), per-document
 *                digests, statistics, file digests of the index, and the lengths of the arrays
 *   names.txt    the term dictionary, one term a line (terms are word characters: no newline)
 *   arrays.bin   typed arrays (4-byte elements, little-endian as the machine), one after another
 *
 * Node only. A state that cannot be read is reported by an exception: the caller builds whole.
 */
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import path from 'node:path';

export type StateArray = Uint32Array | Int32Array;

interface ArrayEntry {
  name: string;
  kind: 'u32' | 'i32';
  length: number;
}

/** Writes a state folder; `commit` swaps it in for the previous one. */
export class StateWriter {
  private readonly tmp: string;
  private readonly entries: ArrayEntry[] = [];
  private fd: number | null;

  constructor(private readonly dir: string) {
    this.tmp = `${path.resolve(dir)}.tmp-${process.pid}`;
    rmSync(this.tmp, { recursive: true, force: true });
    mkdirSync(this.tmp, { recursive: true });
    this.fd = openSync(path.join(this.tmp, 'arrays.bin'), 'w');
  }

  /** Appends arrays (written now, from the arrays' own memory: no copy). */
  arrays(arrays: Record<string, StateArray>): void {
    if (this.fd === null) throw new Error('state: arrays after names');
    for (const [name, array] of Object.entries(arrays)) {
      const bytes = new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
      for (let at = 0; at < bytes.length;) at += writeSync(this.fd, bytes, at, Math.min(bytes.length - at, 1 << 26));
      this.entries.push({ name, kind: array instanceof Int32Array ? 'i32' : 'u32', length: array.length });
    }
  }

  names(names: readonly string[]): void {
    for (const name of names) if (name.includes('\n')) throw new Error('state: a term holds a newline');
    writeFileSync(path.join(this.tmp, 'names.txt'), names.join('\n'));
  }

  commit(meta: object): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
    writeFileSync(path.join(this.tmp, 'meta.json'), JSON.stringify({ ...meta, arrays: this.entries }));
    const target = path.resolve(this.dir);
    const old = `${target}.old-${process.pid}`;
    if (existsSync(target)) renameSync(target, old);
    mkdirSync(path.dirname(target), { recursive: true });
    renameSync(this.tmp, target);
    rmSync(old, { recursive: true, force: true });
  }

  abandon(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
    rmSync(this.tmp, { recursive: true, force: true });
  }
}

export interface LoadedState<M> {
  meta: M;
  names: string[];
  arrays: Map<string, StateArray>;
}

/** Reads a state folder; throws when it is missing, partial or inconsistent. */
export function readState<M extends object>(dir: string): LoadedState<M> {
  const metaFile = path.join(dir, 'meta.json');
  if (!existsSync(metaFile)) throw new Error('no saved state');
  const meta = JSON.parse(readFileSync(metaFile, 'utf8')) as M & { arrays?: ArrayEntry[] };
  const entries = meta.arrays;
  if (!Array.isArray(entries)) throw new Error('state without arrays');
  const text = readFileSync(path.join(dir, 'names.txt'), 'utf8');
  const names = text === '' ? [] : text.split('\n');
  const raw = readFileSync(path.join(dir, 'arrays.bin'));
  // Typed arrays need 4-byte alignment: a pooled (small) buffer may not have it.
  const bytes = raw.byteOffset % 4 === 0 ? raw : Buffer.from(raw);
  const arrays = new Map<string, StateArray>();
  let at = 0;
  for (const { name, kind, length } of entries) {
    if (!Number.isInteger(length) || length < 0 || at + length * 4 > bytes.length) throw new Error(`state array ${name} is truncated`);
    const view = kind === 'i32' ? new Int32Array(bytes.buffer, bytes.byteOffset + at, length) : new Uint32Array(bytes.buffer, bytes.byteOffset + at, length);
    arrays.set(name, view);
    at += length * 4;
  }
  if (at !== bytes.length) throw new Error('state arrays do not match their lengths');
  return { meta, names, arrays };
}

/** Removes a state folder (before its index is changed in place). */
export function forgetState(dir: string): void {
  rmSync(path.join(dir, 'meta.json'), { force: true });
}
