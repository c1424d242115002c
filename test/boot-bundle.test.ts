/**
 * The search page's early script (lib/search/boot-bundle.ts) is bundled by esbuild once per set of sources: a
 * later process takes it from the cache while every file it was made from is unchanged, and bundles it again
 * when one changed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const root = mkdtempSync(path.join(tmpdir(), 'kbview-boot-bundle-'));
// Read by lib/config on first use (below, after this is set).
process.env['KB_CACHE_DIR'] = path.join(root, 'cache');
const { bundleSearchBoot } = await import('../lib/search/boot-bundle');

test('the boot script is cached by the contents of the files it is made from', (t) => {
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const first = bundleSearchBoot({ basePath: '/kb-archive' });
  assert.match(first, /\/kb-archive/);
  const dir = path.join(root, 'cache', 'search-boot');
  const [name, ...others] = readdirSync(dir);
  assert.equal(others.length, 0);
  const cacheFile = path.join(dir, name!);
  const entry = JSON.parse(readFileSync(cacheFile, 'utf8')) as { inputs: string[]; digest: string; text: string };
  assert.equal(entry.text, first);
  assert.ok(
    entry.inputs.some((f) => f.endsWith(path.join('lib', 'search', 'boot.ts'))),
    'the entry module is an input',
  );
  // Taken from the cache: a cached text stands while its inputs are unchanged.
  writeFileSync(cacheFile, JSON.stringify({ ...entry, text: 'cached text' }));
  assert.equal(bundleSearchBoot({ basePath: '/kb-archive' }), 'cached text');
  // Another base path is another bundle (and cache entry).
  assert.match(bundleSearchBoot({ basePath: '/other' }), /\/other/);
  assert.equal(readdirSync(dir).length, 2);
  // One of its inputs changed (here a stand-in file listed as an input): bundled again, and cached again.
  const input = path.join(root, 'input.ts');
  writeFileSync(input, 'export const a = 1;');
  const inputs = [...entry.inputs, input];
  writeFileSync(cacheFile, JSON.stringify({ inputs, digest: entry.digest, text: 'stale text' }));
  assert.equal(bundleSearchBoot({ basePath: '/kb-archive' }), first, 'a digest that is not its inputs’ is not taken');
  assert.deepEqual(JSON.parse(readFileSync(cacheFile, 'utf8')), entry);
  // A broken cache file is bundled over.
  writeFileSync(cacheFile, '{"inputs":');
  assert.equal(bundleSearchBoot({ basePath: '/kb-archive' }), first);
});
