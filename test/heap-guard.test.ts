import { test } from 'node:test';
import assert from 'node:assert/strict';
import v8 from 'node:v8';
import { checkHeap, collectAbove, startHeapGuard, stopHeapGuard } from '../lib/content/heap-guard';

const MIB = 1024 * 1024;

test('collectAbove: live size plus a quarter, at least the slack', () => {
  assert.equal(collectAbove(100 * MIB, 192 * MIB), 292 * MIB);
  assert.equal(collectAbove(1000 * MIB, 192 * MIB), 1250 * MIB);
});

test('the heap guard collects garbage above live + slack, and the live heap it finds is the kept data', async () => {
  stopHeapGuard();
  const kept: string[][] = [];
  const stats = startHeapGuard(16 * MIB, 20);
  assert.ok(stats, 'this Node gives the guard a full collection');
  try {
    // 40 rounds of ~4 MiB of short-lived strings promoted by holding them a moment, with 1 MiB kept each round.
    for (let round = 0; round < 40; round++) {
      let garbage: string[] | null = Array.from({ length: 40_000 }, (_, i) => `garbage ${round} ${i} ${'x'.repeat(64)}`);
      kept.push(Array.from({ length: 10_000 }, (_, i) => `kept ${round} ${i} ${'y'.repeat(64)}`));
      await new Promise((resolve) => setTimeout(resolve, 25));
      assert.ok(garbage.length > 0);
      garbage = null;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.ok(stats.collections >= 1, `collections: ${stats.collections}`);
    // What the last collection found live is below what the heap held before it (garbage was freed).
    const keptBytes = kept.length * 10_000 * 70;
    assert.ok(stats.live >= keptBytes, `live ${stats.live} ≥ kept ${keptBytes}`);
    assert.ok(v8.getHeapStatistics().used_heap_size <= collectAbove(stats.live, 16 * MIB) + 16 * MIB);
    // Asked again, the same guard.
    assert.equal(startHeapGuard(), stats);
  } finally {
    stopHeapGuard();
  }
  assert.equal(kept.length, 40);
});

test('checkHeap: the guard collects inside synchronous work, where its timer never fires; without a guard it does nothing', () => {
  stopHeapGuard();
  // No guard running: no collection, nothing started.
  checkHeap();
  const stats = startHeapGuard(16 * MIB, 3_600_000);
  assert.ok(stats, 'this Node gives the guard a full collection');
  assert.equal(stats.collections, 0);
  try {
    // One synchronous loop (no turn of the event loop): each round's strings are held for three rounds, so that
    // they outlive the young generation's collections and are promoted, then dropped: old-generation garbage.
    const held: string[][] = [];
    for (let round = 0; round < 60; round++) {
      held.push(Array.from({ length: 40_000 }, (_, i) => `garbage ${round} ${i} ${'x'.repeat(64)}`));
      if (held.length > 3) held.shift();
      checkHeap();
    }
    assert.equal(held.length, 3);
    assert.ok(stats.collections >= 1, `collections: ${stats.collections}`);
    assert.ok(v8.getHeapStatistics().used_heap_size <= collectAbove(stats.live, 16 * MIB) + 32 * MIB);
  } finally {
    stopHeapGuard();
  }
  // Stopped: checkHeap does nothing again.
  const collections = stats.collections;
  checkHeap();
  assert.equal(stats.collections, collections);
});
