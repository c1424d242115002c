/**
 * The parse's read-ahead (lib/content/read-ahead.ts): files read in order, never more than its window ahead of
 * the progress it is given; a FIFO, a symbolic link or a missing file among them neither holds nor stops it; while
 * the files are found in memory only one in `stride` is read (probed), and a slow probe has the next window read.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { readAhead } from '../lib/content/read-ahead';

const settle = () => new Promise((resolve) => setTimeout(resolve, 200));

/** 40 article files in `dir`, the i-th of `size(i)` bytes. */
function articleFiles(dir: string, size: (i: number) => number): string[] {
  return Array.from({ length: 40 }, (_, i) => {
    const file = path.join(dir, `Q${990000 + i}.md`);
    writeFileSync(file, 'x'.repeat(size(i)));
    return file;
  });
}

test('read-ahead reads the files in order, a window ahead of the progress, and stops', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'kb-read-ahead-'));
  try {
    // One larger than what is read of a file.
    const files = articleFiles(dir, (i) => (i === 5 ? 100_000 : 100 + i));
    const read = new Map<number, number>();
    const ahead = readAhead(files, { window: 10, parallel: 3, stride: 1, onRead: (index, bytes) => read.set(index, bytes) });
    await settle();
    assert.deepEqual(
      [...read.keys()].sort((a, b) => a - b),
      [...Array(10).keys()],
    );
    assert.equal(read.get(5), 64 * 1024);
    assert.equal(read.get(7), 107);
    ahead.advance(15);
    await settle();
    assert.deepEqual(
      [...read.keys()].sort((a, b) => a - b),
      [...Array(25).keys()],
    );
    // Progress that goes back does not shrink the window.
    ahead.advance(3);
    ahead.stop();
    ahead.advance(40);
    await settle();
    assert.equal(read.size, 25);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('read-ahead: a FIFO, a symbolic link and a missing file are passed over', { timeout: 20_000 }, async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'kb-read-ahead-'));
  try {
    const fifo = path.join(dir, 'Q990001.md');
    execFileSync('mkfifo', [fifo]);
    const target = path.join(dir, 'target.md');
    writeFileSync(target, 'secret');
    const link = path.join(dir, 'Q990002.md');
    symlinkSync(target, link);
    const plain = path.join(dir, 'Q990004.md');
    writeFileSync(plain, 'plain text');
    // More FIFOs than reads at a time: opened blocking, each would hold one of libuv's threads for good.
    const fifos = [1, 2, 3, 4, 5].map((i) => {
      const file = path.join(dir, `fifo-${i}.md`);
      execFileSync('mkfifo', [file]);
      return file;
    });
    const files = [fifo, ...fifos, link, path.join(dir, 'Q990003.md'), plain];
    // A probe (read at once, in this thread) of the FIFO neither blocks nor fails (no probe counts as slow here: on a
    // loaded machine one may take over the default 0.5 ms, and the next file is then probed too).
    const probed = new Map<number, number>();
    readAhead(files, { window: 100, stride: 1000, slowMs: 60_000, onRead: (index, bytes) => probed.set(index, bytes) }).stop();
    assert.deepEqual([...probed.keys()], [0]);
    assert.ok(probed.get(0)! <= 0, `FIFO probed: ${probed.get(0)}`);
    const read = new Map<number, number>();
    const ahead = readAhead(files, { window: 100, parallel: 4, stride: 1, onRead: (index, bytes) => read.set(index, bytes) });
    while (read.size < files.length) await new Promise((resolve) => setTimeout(resolve, 20));
    ahead.stop();
    // No writer: a FIFO opened without blocking gives nothing (empty, or "try again"), and holds no thread.
    for (let i = 0; i <= fifos.length; i++) assert.ok(read.get(i)! <= 0, `FIFO ${i}: ${read.get(i)}`);
    // The link is not followed; the missing file cannot be read.
    assert.equal(read.get(6), -1);
    assert.equal(read.get(7), -1);
    assert.equal(read.get(8), 'plain text'.length);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('read-ahead probes one file in `stride` while they are fast, and reads the next window whole after a slow probe', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'kb-read-ahead-'));
  try {
    const files = articleFiles(dir, (i) => 50 + i);
    const sorted = (read: Map<number, number>) => [...read.keys()].sort((a, b) => a - b);
    // Every probe fast (none takes 10 s): one file in 8, the probes' sizes right.
    const fast = new Map<number, number>();
    readAhead(files, { window: 40, stride: 8, slowMs: 10_000, onRead: (index, bytes) => fast.set(index, bytes) }).stop();
    assert.deepEqual(sorted(fast), [0, 8, 16, 24, 32]);
    assert.equal(fast.get(16), 66);
    // Every probe slow (each takes longer than -1 ms): the window after each probe is read whole, then probing resumes.
    const slow = new Map<number, number>();
    const ahead = readAhead(files, { window: 10, stride: 4, slowMs: -1, onRead: (index, bytes) => slow.set(index, bytes) });
    await settle();
    assert.deepEqual(sorted(slow), [...Array(10).keys()]);
    ahead.advance(15);
    await settle();
    // 10 is no probe (10 % 4), 12 is: slow, so 13–21 are read (its window); 22 is no probe, 24 is; the limit is 25.
    assert.deepEqual(sorted(slow), [...Array(10).keys(), ...Array.from({ length: 10 }, (_, i) => 12 + i), 24]);
    ahead.stop();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
