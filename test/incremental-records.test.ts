/**
 * The records of incremental builds (lib/build/incremental.ts) are kept per site folder: two sites built with
 * the same cache (a test's site beside the user's out/, or two builds with different output folders) each keep
 * theirs, and the records of a folder that is gone are removed when another site's record is written.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const root = mkdtempSync(path.join(tmpdir(), 'kbview-records-'));
// Read by lib/config on first use (below, after this is set).
process.env['KB_CACHE_DIR'] = path.join(root, 'cache');
const incremental = await import('../lib/build/incremental');
type SiteRecord = import('../lib/build/incremental').SiteRecord;

const recordOf = (outDir: string, site: string): SiteRecord =>
  ({ format: 'kbview-incremental-3', outDir: path.resolve(outDir), site, pages: { shared: '', pages: {}, articles: {} } }) as unknown as SiteRecord;

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

test('a record written with its page list encoded before (while the build waits) reads back whole, the same bytes as without', (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'kbview-records-pages-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const out = path.join(dir, 'out');
  mkdirSync(out);
  // Keyed by permalinks (untrusted) in a prototype-less object, as the page writer does.
  const pages = Object.create(null) as Record<string, { digest: string; deps: string[] }>;
  pages['/kb/244/Q244717/'] = { digest: 'd1', deps: ['Q244717', 'Q238171'] };
  pages['__proto__'] = { digest: 'd2', deps: [] };
  pages['/kb/"quoted"/\\/'] = { digest: 'd3', deps: ['Q1'] };
  const record = {
    ...recordOf(out, 'site-pages'),
    templates: { article: '<p>"pages":0}</p>', missing: '', file: '' },
    pages: { shared: 's', pages, articles: Object.create(null) },
    files: { count: 3, bytes: 42 },
  } as unknown as SiteRecord;
  const early = incremental.encodeRecordPages(record.pages);
  // Changed after the page list was encoded, as the build does (search stamp, files): kept.
  record.files = { count: 4, bytes: 50 };
  incremental.writeSiteRecord(record, early);
  const written = readFileSync(incremental.siteRecordFile(out));
  assert.deepEqual(JSON.parse(JSON.stringify(incremental.readSiteRecord(out))), JSON.parse(JSON.stringify(record)));
  assert.equal(Object.keys(incremental.readSiteRecord(out)!.pages.pages).length, 3);
  incremental.writeSiteRecord(record);
  assert.deepEqual(readFileSync(incremental.siteRecordFile(out)), written);
});
