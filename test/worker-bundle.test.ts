/**
 * Worker modules run from esbuild bundles under `kb build` (lib/build/worker-bundle.ts): the pool runs the bundle,
 * not the TypeScript through tsx; each source keeps its own `import.meta.url`; a bundle is made again when a file
 * it was made from changes; a module that cannot be bundled runs through tsx as before.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { bundledWorkerModule } from '../lib/build/worker-bundle';
import { REPO_ROOT } from '../lib/build/source-hash';
import { copyWhereWorker, WHERE_WORKER } from './helpers/worker-fixture';
import { runInWorkers, runnableWorkerModule, setWorkerModuleResolver } from '../lib/worker-pool';

const FIXTURE = WHERE_WORKER;

async function ask(module: URL): Promise<Array<{ running: string; here: string; root: string; doubled: number }>> {
  const results: Array<{ running: string; here: string; root: string; doubled: number }> = [];
  await runInWorkers<number, (typeof results)[number]>({
    module,
    workerData: null,
    workers: 1,
    jobs: [1, 2, 3],
    chunk: 3,
    label: String,
    onTimeout: () => ({ running: '', here: '', root: '', doubled: -1 }),
    onResults: (batch) => results.push(...batch),
  });
  return results;
}

test('a pool with the bundle resolver runs the bundle; its sources keep their own import.meta.url', async () => {
  const bundle = await bundledWorkerModule(FIXTURE);
  assert.ok(bundle, 'bundled');
  assert.match(bundle.href, /\/node_modules\/\.cache\/kbview-workers\/where-worker-[0-9a-f]{16}\.mjs$/);
  setWorkerModuleResolver(bundledWorkerModule);
  try {
    assert.equal((await runnableWorkerModule(FIXTURE)).href, bundle.href);
    const [first, ...rest] = await ask(FIXTURE);
    assert.equal(first!.running, bundle.href, 'the worker runs the bundle');
    assert.equal(first!.here, FIXTURE.href, "the source's own URL, not the bundle's");
    assert.equal(first!.root, REPO_ROOT, 'and so is an imported module');
    assert.deepEqual([first!.doubled, ...rest.map((r) => r.doubled)], [2, 4, 6]);
  } finally {
    setWorkerModuleResolver(null);
  }
  // Without the resolver: through tsx, the TypeScript itself.
  const [plain] = await ask(FIXTURE);
  assert.equal(plain!.running, FIXTURE.href);
});

test('a bundle is reused while its sources are unchanged, made again when one changes; one that cannot be made is none', async () => {
  // A copy of the fixture beside the original (same imports), changed below.
  const { dir, copy } = copyWhereWorker('copy-');
  try {
    const copied = pathToFileURL(copy);
    // Fresh imports of the module: its in-process memo is per process, so the reuse is read from the note.
    const { bundledWorkerModule: fresh } = (await import(`../lib/build/worker-bundle.ts?fresh=${Date.now()}`)) as typeof import('../lib/build/worker-bundle');
    const first = await fresh(copied);
    assert.ok(first);
    const written = statSync(first).mtimeMs;
    const { bundledWorkerModule: again } = (await import(`../lib/build/worker-bundle.ts?again=${Date.now()}`)) as typeof import('../lib/build/worker-bundle');
    assert.equal((await again(copied))?.href, first.href);
    assert.equal(statSync(first).mtimeMs, written, 'reused, not written again');
    writeFileSync(copy, readFileSync(copy, 'utf8').replace('job * 2', 'job * 3'));
    const { bundledWorkerModule: changed } = (await import(
      `../lib/build/worker-bundle.ts?changed=${Date.now()}`
    )) as typeof import('../lib/build/worker-bundle');
    const remade = await changed(copied);
    assert.equal(remade?.href, first.href, 'the same file, made again');
    assert.match(readFileSync(remade!, 'utf8'), /job \* 3/);
    writeFileSync(copy, 'export const broken = ;\n');
    const { bundledWorkerModule: broken } = (await import(`../lib/build/worker-bundle.ts?broken=${Date.now()}`)) as typeof import('../lib/build/worker-bundle');
    assert.equal(await broken(copied), null);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
