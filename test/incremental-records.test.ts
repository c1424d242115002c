/**
 * The records of incremental builds (lib/build/incremental.ts) are kept per site folder: two sites built with
 * the same cache (a test's site beside the user's out/, or two builds with different output folders) each keep
 * theirs, and the records of a folder that is gone are removed when another site's record is written.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const root = mkdtempSync(path.join(tmpdir(), 'kbview-records-'));
// Read by lib/config on first use (below, after this is set).
process.env['KB_CACHE_DIR'] = path.join(root, 'cache');
const incremental = await import('../lib/build/incremental');
type SiteRecord = import('../lib/build/incremental').SiteRecord;

const recordOf = (outDir: string, site: string): SiteRecord =>
  ({ format: 'kbview-incremental-3', outDir: path.resolve(outDir), site }) as unknown as SiteRecord;

test('two site folders keep their own record and spare record; a gone folder’s records are swept', (t) => {
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const a = path.join(root, 'out');
  const b = path.join(root, 'site-b');
  for (const dir of [a, b, `${a}.spare`, `${b}.spare`]) mkdirSync(dir, { recursive: true });
  const stateDir = path.join(root, 'cache', 'incremental');
  mkdirSync(stateDir, { recursive: true });
  // The single record of earlier versions: removed (it could describe either folder).
  writeFileSync(path.join(stateDir, 'state.json'), '{}');

  incremental.writeSiteRecord(recordOf(a, 'site-a'));
  incremental.writeSpare(a, 'site-a0');
  incremental.writeSiteRecord(recordOf(b, 'site-b'));
  incremental.writeSpare(b, 'site-b0');
  assert.equal(incremental.readSiteRecord(a)?.site, 'site-a');
  assert.equal(incremental.readSiteRecord(b)?.site, 'site-b');
  assert.equal(incremental.readSpare(a)?.site, 'site-a0');
  assert.equal(incremental.readSpare(b)?.site, 'site-b0');
  assert.notEqual(incremental.siteRecordFile(a), incremental.siteRecordFile(b));
  assert.ok(!existsSync(path.join(stateDir, 'state.json')));

  // Building one site forgets only its own records.
  incremental.forgetSiteRecord(a);
  incremental.forgetSpare(a);
  assert.equal(incremental.readSiteRecord(a), null);
  assert.equal(incremental.readSpare(a), null);
  assert.equal(incremental.readSiteRecord(b)?.site, 'site-b');
  assert.equal(incremental.readSpare(b)?.site, 'site-b0');

  // A record is for its folder only: the same record read for another folder is none.
  assert.equal(incremental.readSiteRecord(path.join(root, 'elsewhere')), null);

  // Folder b removed: its records go when another site's record is written.
  rmSync(b, { recursive: true });
  incremental.writeSiteRecord(recordOf(a, 'site-a2'));
  const left = readdirSync(stateDir).sort();
  const key = (file: string) => path.basename(file).split('.')[0]!;
  assert.deepEqual(left, [`${key(incremental.siteRecordFile(a))}.dir`, `${key(incremental.siteRecordFile(a))}.state.json`]);
  assert.equal(incremental.readSiteRecord(a)?.site, 'site-a2');
});
