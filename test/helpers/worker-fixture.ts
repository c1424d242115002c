/**
 * test/fixtures/worker/where-worker.ts, and copies of it beside it (same imports, one folder deeper) that a test can
 * change: its bundle is made again, or goes stale (test/worker-bundle.test.ts, test/prepare-bundle.test.ts).
 */
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const WHERE_WORKER = new URL('../fixtures/worker/where-worker.ts', import.meta.url);

/** A copy of the fixture in a new folder beside it (`prefix` names the folder); remove `dir` when done. */
export function copyWhereWorker(prefix: string): { dir: string; copy: string } {
  const dir = mkdtempSync(path.join(path.dirname(fileURLToPath(WHERE_WORKER)), prefix));
  const copy = path.join(dir, 'where-worker.ts');
  cpSync(fileURLToPath(WHERE_WORKER), copy);
  writeFileSync(copy, readFileSync(copy, 'utf8').replaceAll("'../../../lib/", "'../../../../lib/"));
  return { dir, copy };
}
