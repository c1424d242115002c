/**
 * Reads the article files a parse is about to read, a window ahead of it, in libuv's thread pool, so that they are
 * in the page cache when the parse workers read them. The workers read synchronously: on a cold disk each read left
 * a core idle while it waited (a cold parse of the 60,335 articles took 40.9 s with 5.5 core-seconds waiting for the
 * disk and 1.40 cores busy, against 27.4 s right after, the files in memory). The bytes read here are dropped: the
 * worker's own read (its checks: ./parse-file.ts) is the one that counts. A file that cannot be read here is left to
 * that read, which reports it.
 *
 * Files already in memory need no read ahead, and reading them cost the parse CPU it needed (`kb parse --no-cache` of
 * the 60,335 articles, in memory: 27–32 core-seconds and 15.7–21.4 s with every file read ahead, 24 and 14.0–14.2 s
 * with none: BENCHMARKS.md "Session 23"). So one file in `stride` is probed first (read at once, timed); a probe
 * slower than `slowMs`, and the next file's too (one slow read alone may be this thread preempted), says the disk is
 * being read, and every file of the next `window` is then read ahead.
 */
import { close, closeSync, constants, open, openSync, read, readSync } from 'node:fs';

export interface ReadAhead {
  /** `done` files are read by the parse: read on up to `done + window`. */
  advance(done: number): void;
  /** Reads no more (those under way end by themselves). */
  stop(): void;
}

export interface ReadAheadOptions {
  /** How many files ahead of the parse's progress (default 1,000: ~10 MB of articles). */
  window?: number;
  /** Reads at a time (default 4: libuv's thread pool). */
  parallel?: number;
  /** One file in this many is probed while the files are found in memory (default 16; 1: every file is read ahead). */
  stride?: number;
  /** A probe that takes longer than this (ms) was a read from the disk (default 0.5; a file in memory: ~0.03). */
  slowMs?: number;
  /** Called after each file's read, with its index in `files` and the bytes read (-1: it could not be read). */
  onRead?: (index: number, bytes: number) => void;
}

/** The first this many bytes of a file are read (the kernel's read-ahead brings in the rest of a larger one). */
const READ_BYTES = 64 * 1024;

/**
 * Starts reading `files` (absolute paths) in order, at most `window` ahead of the progress given to `advance`.
 * Opened read-only, non-blocking (a FIFO never holds a thread) and without following a final symbolic link.
 */
export function readAhead(files: readonly string[], options: ReadAheadOptions = {}): ReadAhead {
  const window = Math.max(1, options.window ?? 1000);
  const parallel = Math.max(1, options.parallel ?? 4);
  const stride = Math.max(1, Math.floor(options.stride ?? 16));
  const slowMs = options.slowMs ?? 0.5;
  const buffers: Buffer[] = Array.from({ length: parallel }, () => Buffer.allocUnsafe(READ_BYTES));
  const flags = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0) | (constants.O_NOFOLLOW ?? 0);
  let next = 0;
  let limit = Math.min(window, files.length);
  // Files below this index are all read ahead (a probe was slow); from it on, one in `stride` is probed.
  let readAllUntil = stride === 1 ? files.length : 0;
  let stopped = false;
  /** Reads file `index` now, in this thread; returns how long it took (ms). */
  const probe = (index: number): number => {
    const started = performance.now();
    let bytes = -1;
    try {
      const fd = openSync(files[index]!, flags);
      try {
        bytes = readSync(fd, buffers[0]!, 0, READ_BYTES, 0);
      } finally {
        closeSync(fd);
      }
    } catch {
      bytes = -1;
    }
    const ms = performance.now() - started;
    options.onRead?.(index, bytes);
    return ms;
  };
  const pump = (): void => {
    while (!stopped && next < limit) {
      if (next >= readAllUntil) {
        if (next % stride !== 0) {
          next += stride - (next % stride);
          continue;
        }
        // Probes are read while no read ahead is under way (the buffer is free).
        if (buffers.length < parallel) return;
        const index = next++;
        // A slow probe is confirmed by the next file's, when that is in the window (this thread may have been
        // preempted in one read).
        if (probe(index) > slowMs) {
          const confirm = index + 1 < limit ? next++ : -1;
          if (confirm < 0 || probe(confirm) > slowMs) readAllUntil = Math.min(files.length, index + window);
        }
        continue;
      }
      if (buffers.length === 0) return;
      const index = next++;
      const buffer = buffers.pop()!;
      const finish = (bytes: number) => {
        buffers.push(buffer);
        options.onRead?.(index, bytes);
        pump();
      };
      open(files[index]!, flags, (error, fd) => {
        if (error) return finish(-1);
        read(fd, buffer, 0, READ_BYTES, 0, (readError, bytes) => close(fd, () => finish(readError ? -1 : bytes)));
      });
    }
  };
  pump();
  return {
    advance(done: number): void {
      limit = Math.min(files.length, Math.max(limit, done + window));
      pump();
    },
    stop(): void {
      stopped = true;
    },
  };
}
