/**
 * `kb build`'s phase table (lib/build/phases.ts): phases timed in the build's process and
 * in a child process (as `kb prepare` is) are collected in start order, each with its wall
 * time and the peak memory of the process tree sampled while it ran; phases.json holds them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startPhases, timed, treeRss } from '../lib/build/phases';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test('phases from the build process and a child process, with wall time and tree memory', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'kb-phases-'));
  const saved = process.env['KB_PHASES_FILE'];
  try {
    const collector = startPhases(dir);
    const value = await timed('first', async () => {
      await sleep(600);
      return 42;
    });
    assert.equal(value, 42);
    // A child process records its phase through KB_PHASES_FILE, as `kb prepare` does; it holds ~200 MB meanwhile.
    // Spawned asynchronously: the sampler runs in this process's event loop.
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        '-e',
        `
      import('${path.resolve('lib/build/phases.ts')}').then(({ timed }) => timed('child', () => {
        const big = Buffer.alloc(200 * 2 ** 20, 1);
        const until = Date.now() + 800;
        while (Date.now() < until) big[Math.floor(Math.random() * big.length)] = 2;
      }));`,
      ],
      { env: { ...process.env, KB_PHASES_FILE: collector.file }, stdio: 'inherit' },
    );
    const status = await new Promise((resolve) => child.on('close', resolve));
    assert.equal(status, 0);
    assert.equal(
      timed('sync', () => 'x'),
      'x',
    );
    const phases = collector.finish();
    assert.deepEqual(
      phases.map((p) => p.name),
      ['first', 'child', 'sync'],
    );
    assert.ok(phases[0]!.ms >= 590, `first took ${phases[0]!.ms} ms`);
    assert.ok(phases[1]!.ms >= 790, `child took ${phases[1]!.ms} ms`);
    for (const p of phases) assert.ok(p.peakRssBytes > 10 * 2 ** 20, `${p.name}: ${p.peakRssBytes} bytes`);
    // The child's memory counts in the tree's peak while its phase ran.
    assert.ok(phases[1]!.peakRssBytes > phases[0]!.peakRssBytes + 150 * 2 ** 20, `child ${phases[1]!.peakRssBytes} vs first ${phases[0]!.peakRssBytes}`);
    const saved2 = JSON.parse(readFileSync(path.join(dir, 'phases.json'), 'utf8')) as { phases: Array<{ name: string }> };
    assert.deepEqual(
      saved2.phases.map((p) => p.name),
      ['first', 'child', 'sync'],
    );
    assert.ok(treeRss(process.pid) > 0);
  } finally {
    if (saved === undefined) delete process.env['KB_PHASES_FILE'];
    else process.env['KB_PHASES_FILE'] = saved;
  }
});
