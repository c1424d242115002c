/**
 * The removal of a build's trash in the background (lib/build/trash-remover.mjs): one remover per trash folder at
 * a time (a lock folder naming its pid, in the system's temporary folder); a lock whose process is gone is taken over; run as the
 * build runs it (`node trash-remover.mjs <trash>`), it removes the trash and its lock.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { lockOf, removeTrash } from '../lib/build/trash-remover.mjs';

const REMOVER = fileURLToPath(new URL('../lib/build/trash-remover.mjs', import.meta.url));
const tmp = mkdtempSync(path.join(os.tmpdir(), 'kbview-trash-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

let count = 0;
/** A trash folder holding a small site set aside (a few folders and files). */
function trash(): string {
  const dir = path.join(tmp, `out-${count++}.trash`);
  for (const page of ['kb/244/Q244717', 'kb/238/Q238171', 'browse']) {
    mkdirSync(path.join(dir, 'out.previous-1-2-0', page), { recursive: true });
    writeFileSync(path.join(dir, 'out.previous-1-2-0', page, 'index.html'), '<!doctype html>');
  }
  return dir;
}

function lock(dir: string, pid: number): void {
  mkdirSync(lockOf(dir));
  writeFileSync(path.join(lockOf(dir), 'pid'), String(pid));
}

test('a trash without a remover at work is removed, and the lock with it', () => {
  const dir = trash();
  assert.equal(removeTrash(dir), true);
  assert.ok(!existsSync(dir) && !existsSync(lockOf(dir)));
});

test('a trash another live remover holds is left to it', () => {
  const dir = trash();
  lock(dir, process.pid); // a live process: this one
  assert.equal(removeTrash(dir), false);
  assert.ok(existsSync(path.join(dir, 'out.previous-1-2-0', 'browse', 'index.html')), 'the trash is as it was');
  assert.ok(existsSync(lockOf(dir)), 'the lock is its holder’s');
  rmSync(lockOf(dir), { recursive: true });
});

test('a lock whose remover is gone (killed, the machine restarted) is taken over', () => {
  const dir = trash();
  const gone = spawnSync(process.execPath, ['-e', 'process.exit(0)']).pid!; // a process that has ended
  lock(dir, gone);
  assert.equal(removeTrash(dir), true);
  assert.ok(!existsSync(dir) && !existsSync(lockOf(dir)));
});

test('run as the build runs it (node, no tsx), it removes the trash', () => {
  const dir = trash();
  const run = spawnSync(process.execPath, [REMOVER, dir], { encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } });
  assert.equal(run.status, 0, run.stderr);
  assert.ok(!existsSync(dir) && !existsSync(lockOf(dir)));
});

test('while a build is at work (its marker is there), the removal waits; it goes on once the build ends', async () => {
  const dir = trash();
  const building = path.join(tmp, 'out.building');
  writeFileSync(building, `${process.pid}\n`);
  const child = spawn(process.execPath, [REMOVER, dir, building], { stdio: 'ignore', env: { ...process.env, NODE_OPTIONS: '' } });
  const ended = new Promise((resolve) => child.once('close', resolve));
  try {
    // It has started (its lock is there) and waits: the trash is whole.
    for (let i = 0; i < 100 && !existsSync(lockOf(dir)); i++) await new Promise((r) => setTimeout(r, 50));
    assert.ok(existsSync(lockOf(dir)), 'the remover started');
    await new Promise((r) => setTimeout(r, 1000));
    for (const page of ['kb/244/Q244717', 'kb/238/Q238171', 'browse'])
      assert.ok(existsSync(path.join(dir, 'out.previous-1-2-0', page, 'index.html')), `${page} is still there`);
    rmSync(building);
    await ended;
    assert.ok(!existsSync(dir) && !existsSync(lockOf(dir)));
  } finally {
    child.kill();
  }
});
