/**
 * `kb build` starts its `kb prepare` from the bundle of its own script when that bundle is current
 * (lib/build/prepare-process.ts `prepareCommand`), without tsx's loader; else as the build itself was started. The
 * bundled CLI runs `kb prepare` as the TypeScript does.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { bundledWorkerModule } from '../lib/build/worker-bundle';
import { prepareCommand } from '../lib/build/prepare-process';
import { REPO_ROOT } from '../lib/build/source-hash';
import { copyWhereWorker } from './helpers/worker-fixture';

test('prepareCommand: the current bundle without tsx, other Node options kept; a missing or stale bundle: the command as it was', async () => {
  // A copy of a fixture module beside the original (same imports): its bundle is made, then made stale.
  const { dir, copy: script } = copyWhereWorker('prepare-');
  try {
    const asStarted = ['--import', 'tsx', '--stack-size=2000'];
    assert.deepEqual(prepareCommand(script, asStarted), [...asStarted, script], 'no bundle yet: as started');
    const bundle = await bundledWorkerModule(pathToFileURL(script));
    assert.ok(bundle, 'bundled');
    assert.deepEqual(prepareCommand(script, asStarted), ['--stack-size=2000', fileURLToPath(bundle)]);
    assert.deepEqual(prepareCommand(script, ['--import=tsx', '--cpu-prof']), ['--cpu-prof', fileURLToPath(bundle)]);
    // Another module given with --import is kept (test/helpers/hold-prepare.mjs is one).
    assert.deepEqual(prepareCommand(script, ['--import', 'tsx', '--import', 'file:///x/hold.mjs']), ['--import', 'file:///x/hold.mjs', fileURLToPath(bundle)]);
    // A changed source: the bundle is not the code any more.
    writeFileSync(script, readFileSync(script, 'utf8').replace('job * 2', 'job * 3'));
    assert.deepEqual(prepareCommand(script, asStarted), [...asStarted, script], 'stale bundle: as started');
    // A script that is not TypeScript is started as it was.
    assert.deepEqual(prepareCommand('/x/kb.mjs', ['--cpu-prof']), ['--cpu-prof', '/x/kb.mjs']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("kb's bundle runs `kb prepare` on content/ as the TypeScript does: parse, data export and search index", { timeout: 180_000 }, async () => {
  const kb = path.join(REPO_ROOT, 'scripts', 'kb.ts');
  const bundle = await bundledWorkerModule(pathToFileURL(kb));
  assert.ok(bundle, 'bundled');
  const command = prepareCommand(kb, ['--import', 'tsx']);
  assert.deepEqual(command, [fileURLToPath(bundle)], 'started from the bundle, without tsx');
  // In a folder of its own: prepare writes public/data/ and public/search/ under its working directory.
  const work = mkdtempSync(path.join(tmpdir(), 'kb-prepare-bundle-'));
  try {
    const env: NodeJS.ProcessEnv = { ...process.env, KB_CACHE_DIR: path.join(work, 'cache'), NODE_ENV: 'production' };
    for (const key of Object.keys(env)) if (key.startsWith('KB_') && key !== 'KB_CACHE_DIR') delete env[key];
    delete env['NODE_OPTIONS'];
    const output = execFileSync(process.execPath, [...command, 'prepare', path.join(REPO_ROOT, 'content')], { cwd: work, env, encoding: 'utf8' });
    const articles = readdirSync(path.join(REPO_ROOT, 'content')).filter((f) => /^Q\d+\.md$/.test(f)).length;
    assert.match(output, new RegExp(`${articles} files read, ${articles} articles, 0 with warnings, 0 with errors, 0 skipped \\(${articles} parsed`));
    assert.match(output, /data export: articles\.jsonl\.gz/);
    assert.match(output, new RegExp(`search index of ${articles} articles`));
    assert.ok(existsSync(path.join(work, 'public', 'search', 'manifest.json')), 'public/search/ written');
    assert.ok(existsSync(path.join(work, 'public', 'data', 'manifest.json')), 'public/data/ written');
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});
