/**
 * `kb build` replaces out/ only with a complete site (lib/build/build.ts):
 * a build whose page worker crashes ends with an error naming the file the
 * worker held, and a build killed midway (SIGTERM, Ctrl-C to its process
 * group, SIGKILL) leaves the previous out/ exactly as it was.
 *
 * Runs in a copy of the project (.cache/test-atomic/), on content/, with a
 * stand-in previous site in its out/.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { filesUnder } from './helpers/files';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const ROOT = path.join(REPO_ROOT, '.cache', 'test-atomic', String(process.pid));
const OUT = path.join(ROOT, 'out');
const SOURCES = ['app', 'components', 'lib', 'scripts', 'public', 'next.config.js', 'tsconfig.json', 'package.json', 'package-lock.json', 'postcss.config.mjs'];

/** Every file of out/ with a hash of its bytes. */
function snapshot(dir: string): string[] {
  return filesUnder(dir).map(
    (f) =>
      `${f} ${createHash('sha1')
        .update(readFileSync(path.join(dir, f)))
        .digest('hex')}`,
  );
}

before(() => {
  rmSync(ROOT, { recursive: true, force: true });
  mkdirSync(ROOT, { recursive: true });
  for (const source of SOURCES) {
    const from = path.join(REPO_ROOT, source);
    if (existsSync(from))
      cpSync(from, path.join(ROOT, source), { recursive: true, filter: (src) => !src.startsWith(path.join(REPO_ROOT, 'public', 'search')) });
  }
  symlinkSync(path.join(REPO_ROOT, 'node_modules'), path.join(ROOT, 'node_modules'), 'dir');
  // The previous site: a few pages that no build would write.
  mkdirSync(path.join(OUT, 'kb', '244', 'Q244717'), { recursive: true });
  writeFileSync(path.join(OUT, 'index.html'), '<!doctype html><title>previous site</title>');
  writeFileSync(path.join(OUT, 'kb', '244', 'Q244717', 'index.html'), '<!doctype html><title>previous Q244717</title>');
  writeFileSync(path.join(OUT, 'previous-marker.txt'), 'the site before this build');
});

after(() => {
  rmSync(ROOT, { recursive: true, force: true });
});

interface Run {
  child: ChildProcess;
  output: () => string;
  done: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function kbBuild(env: Record<string, string> = {}): Run {
  const child = spawn(path.join(REPO_ROOT, 'node_modules', '.bin', 'tsx'), ['scripts/kb.ts', 'build'], {
    cwd: ROOT,
    env: { ...process.env, KB_CONTENT_DIR: path.join(REPO_ROOT, 'content'), NEXT_TELEMETRY_DISABLED: '1', KB_SKIP_SEARCH: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('close', (code, signal) => resolve({ code, signal })));
  return { child, output: () => output, done };
}

/** Waits until `ready()` holds (checked every 200 ms) or the run ends. */
async function until(run: Run, ready: () => boolean): Promise<boolean> {
  let ended = false;
  void run.done.then(() => (ended = true));
  while (!ended) {
    if (ready()) return true;
    await new Promise((r) => setTimeout(r, 200));
  }
  return false;
}

/** Stops whatever is left of a run's process group. */
function killGroup(run: Run): void {
  try {
    process.kill(-run.child.pid!, 'SIGKILL');
  } catch {
    // already gone
  }
}

test('a crashed page worker ends the build with an error naming its file; out/ is left as it was', async () => {
  const before = snapshot(OUT);
  const run = kbBuild({ KB_TEST_WORKER_FAULT: 'crash:Q990001.md' });
  const { code } = await run.done;
  killGroup(run);
  assert.notEqual(code, 0, run.output().slice(-3000));
  assert.match(run.output(), /crashed while processing Q990001\.md/);
  assert.match(run.output(), /out\/ is unchanged/);
  assert.deepEqual(snapshot(OUT), before);
  assert.ok(!existsSync(`${OUT}.staging`), 'the staging directory is removed');
});

for (const [how, signal, group] of [
  ['SIGTERM to kb build', 'SIGTERM', false],
  ['Ctrl-C (SIGINT to the process group)', 'SIGINT', true],
  ['SIGKILL to the process group', 'SIGKILL', true],
] as const) {
  test(`a build stopped midway by ${how} leaves out/ as it was`, async () => {
    const before = snapshot(OUT);
    const run = kbBuild();
    // Midway: Next is exporting into the staging directory (or, on a fast machine, at least compiling).
    const reached = await until(run, () => /Creating an optimized production build|Generating static pages/.test(run.output()));
    assert.ok(reached, `the build ended before it could be stopped:\n${run.output().slice(-2000)}`);
    if (group) process.kill(-run.child.pid!, signal);
    else run.child.kill(signal);
    const result = await run.done;
    killGroup(run);
    assert.ok(result.code !== 0, `the build exited 0 after ${signal}`);
    assert.deepEqual(snapshot(OUT), before);
    if (signal !== 'SIGKILL') assert.ok(!existsSync(`${OUT}.staging`), 'the staging directory is removed');
  });
}

test('a build after a killed one leaves what earlier builds left (staging, trash) to a removal in the background: it never waits for it; a file Next left cut short does not fail it', async () => {
  // What a killed build and an unfinished background removal leave beside out/.
  mkdirSync(path.join(`${OUT}.staging`, 'kb'), { recursive: true });
  writeFileSync(path.join(`${OUT}.staging`, 'kb', 'half-written.html'), 'a killed build');
  const earlier = path.join(`${OUT}.trash`, 'out-left-by-an-earlier-build');
  mkdirSync(earlier, { recursive: true });
  writeFileSync(path.join(earlier, 'marker.txt'), 'still being removed');
  // The background removal runs under `ionice`: here one that removes nothing, so that what is left after the
  // build is what the build itself removed (before, it removed all of this and waited for it).
  const bin = path.join(ROOT, 'fake-bin');
  mkdirSync(bin, { recursive: true });
  writeFileSync(path.join(bin, 'ionice'), '#!/bin/sh\nexit 0\n', { mode: 0o755 });
  // And the JSON file Next was writing into its build folder when it was killed, cut short (next build read it back
  // and failed with "Unexpected end of JSON input": lib/next-internals.ts NEXT_DIAGNOSTICS_DIR).
  const diagnostics = path.join(ROOT, '.next', 'diagnostics', 'build-diagnostics.json');
  mkdirSync(path.dirname(diagnostics), { recursive: true });
  writeFileSync(diagnostics, '{\n  "buildStage": "static-gen');
  const run = kbBuild({ PATH: `${bin}${path.delimiter}${process.env.PATH ?? ''}` });
  const { code } = await run.done;
  killGroup(run);
  assert.equal(code, 0, run.output().slice(-3000));
  assert.doesNotThrow(() => JSON.parse(readFileSync(diagnostics, 'utf8')), 'Next wrote its diagnostics again');
  assert.ok(existsSync(path.join(OUT, 'kb', '244', 'Q244717', 'index.html')) && !existsSync(path.join(OUT, 'previous-marker.txt')), 'the new site is out/');
  assert.ok(!existsSync(`${OUT}.staging`), 'the killed build staging directory is set aside');
  assert.ok(existsSync(path.join(earlier, 'marker.txt')), 'the earlier trash was not removed by the build');
  assert.match(run.output(), /being removed in the background \(out\.trash\/\)/);
  // The real removal in the background (as the build starts it) then removes all of it.
  const { removeTrashInBackground } = await import('../lib/build/build');
  removeTrashInBackground(OUT);
  for (let i = 0; i < 300 && existsSync(`${OUT}.trash`); i++) await new Promise((r) => setTimeout(r, 100));
  assert.ok(!existsSync(`${OUT}.trash`), 'the trash is removed in the background');
});
