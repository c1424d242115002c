/**
 * Reading one text of the parse cache's text file (`text.ndjson`, ./corpus.ts `TextCache`) where the cache's index
 * found it: light (node:fs only), for the search index builder's worker threads (lib/search/build-worker.ts). And
 * `readRange`, a part of any file (the dev server's path list, the body cache's packs).
 */
import { closeSync, openSync, readSync } from 'node:fs';

/** A text's line in a text cache file (`TextCache.locate`). */
export interface TextAt {
  file: string;
  offset: number;
  length: number;
}

/** The text on a text cache's line at `offset` (`length` bytes) of the open file `fd`. */
export function readTextLine(fd: number, offset: number, length: number): string {
  const buffer = Buffer.allocUnsafe(length);
  if (readSync(fd, buffer, 0, length, offset) !== length) throw new Error(`the text cache ended before byte ${offset + length}`);
  const line: unknown = JSON.parse(buffer.toString('utf8'));
  if (typeof line !== 'object' || line === null || typeof (line as { text?: unknown }).text !== 'string')
    throw new Error(`no text at byte ${offset} of the text cache`);
  return (line as { text: string }).text;
}

/**
 * Reads texts where `TextCache.locate` found them, each file opened once (a worker thread's reader: the cache's own
 * index is not sent to it); `close` when done.
 */
export class TextReader {
  private readonly fds = new Map<string, number>();

  read(at: TextAt): string {
    let fd = this.fds.get(at.file);
    if (fd === undefined) this.fds.set(at.file, (fd = openSync(at.file, 'r')));
    return readTextLine(fd, at.offset, at.length);
  }

  close(): void {
    for (const fd of this.fds.values()) closeSync(fd);
    this.fds.clear();
  }
}

/** Reads `length` bytes at `position` of `file` (fewer at its end). */
export function readRange(file: string, position: number, length: number): Buffer {
  const fd = openSync(file, 'r');
  try {
    return readAt(fd, position, length);
  } finally {
    closeSync(fd);
  }
}

/** Reads `length` bytes at `position` of the open file `fd` (fewer at its end). */
export function readAt(fd: number, position: number, length: number): Buffer {
  const buffer = Buffer.allocUnsafe(length);
  let read = 0;
  while (read < length) {
    const n = readSync(fd, buffer, read, length - read, position + read);
    if (n === 0) break;
    read += n;
  }
  return buffer.subarray(0, read);
}
