/**
 * The test suite's rules under CI (`CI=true`, bench/lib/ci.ts): a missing
 * corpus, Chromium or nginx fails the tests that need them instead of
 * skipping them, `UPDATE_FIXTURES=1` is refused (and rewrites nothing), and
 * a case that cannot run as root is reported as skipped, not passed. Test
 * files are run here in child processes, with the environment each rule is about.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchBrowser } from '../bench/lib/browser';
import { requireUnderCI, skipUnlessCI, underCI, updateFixtures } from '../bench/lib/ci';
import { corpusDir, corpusSkipReason } from '../bench/lib/corpus';
import { isRoot } from '../bench/lib/hostile-content';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const NOWHERE = { KB_CORPUS_DIR: '/nonexistent/kbview/kb', KB_CORPUS_TARBALL: '/nonexistent/kbview/kbarchive-kb.tar.gz' };

/** Runs `fn` with these environment variables set (undefined: unset), then puts them back. */
async function withEnv<T>(vars: Record<string, string | undefined>, fn: () => Promise<T> | T): Promise<T> {
  const saved = new Map(Object.keys(vars).map((key) => [key, process.env[key]]));
  const set = (key: string, value: string | undefined) => (value === undefined ? delete process.env[key] : (process.env[key] = value));
  for (const [key, value] of Object.entries(vars)) set(key, value);
  try {
    return await fn();
  } finally {
    for (const [key, value] of saved) set(key, value);
  }
}

/** One test file run by node's test runner (through tsx), TAP on stdout: its exit code and summary counts. */
function runTestFile(file: string, env: Record<string, string | undefined>) {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env };
  for (const [key, value] of Object.entries(env)) if (value === undefined) delete childEnv[key];
  // A test file run by node --test inside a test run would report to the parent run: not here.
  delete childEnv['NODE_TEST_CONTEXT'];
  const result = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=tap', path.join(REPO_ROOT, file)], {
    cwd: REPO_ROOT,
    env: childEnv,
    encoding: 'utf8',
    timeout: 120_000,
  });
  const count = (key: string) => Number(new RegExp(`^# ${key} (\\d+)$`, 'm').exec(result.stdout)?.[1] ?? NaN);
  return {
    status: result.status,
    output: result.stdout + result.stderr,
    tests: count('tests'),
    pass: count('pass'),
    fail: count('fail'),
    skipped: count('skipped'),
  };
}

test('CI is CI=true or CI=1', () => {
  assert.equal(underCI({ CI: 'true' }), true);
  assert.equal(underCI({ CI: '1' }), true);
  assert.equal(underCI({ CI: 'false' }), false);
  assert.equal(underCI({}), false);
});

test('a missing requirement skips a test with its reason, except under CI, where the test fails with it', async () => {
  await withEnv({ CI: undefined }, () => {
    assert.equal(skipUnlessCI('nginx is not installed'), 'nginx is not installed');
    assert.equal(skipUnlessCI(false), false);
  });
  await withEnv({ CI: 'true' }, () => {
    assert.equal(skipUnlessCI('nginx is not installed'), false);
    assert.throws(() => requireUnderCI('nginx is not installed'), /CI=true.*nginx is not installed/);
  });
});

test('a missing corpus: skipped with the reason outside CI, a failure naming where it was looked for under CI', async () => {
  await withEnv({ ...NOWHERE, CI: undefined }, async () => {
    assert.match(String(corpusSkipReason()), /corpus not available.*\/nonexistent\/kbview\/kbarchive-kb\.tar\.gz/);
  });
  await withEnv({ ...NOWHERE, CI: 'true' }, async () => {
    assert.equal(corpusSkipReason(), false, 'under CI a corpus test is not skipped');
    await assert.rejects(corpusDir(), /CI=true.*corpus not available.*\/nonexistent\/kbview\/kb\b/);
  });
  // The corpus test itself, run as CI runs it.
  const outside = runTestFile('test/corpus.test.ts', { ...NOWHERE, CI: undefined });
  assert.deepEqual([outside.status, outside.skipped, outside.fail], [0, 1, 0], outside.output.slice(-3000));
  const ci = runTestFile('test/corpus.test.ts', { ...NOWHERE, CI: 'true' });
  assert.notEqual(ci.status, 0, 'the corpus test passed under CI without a corpus');
  assert.deepEqual([ci.skipped, ci.fail], [0, 1], ci.output.slice(-3000));
  assert.match(ci.output, /corpus not available/);
});

test('a missing Chromium fails a browser test, saying how to install it', async () => {
  await withEnv({ CHROMIUM_PATH: '/nonexistent/kbview/chromium', CI: 'true' }, async () => {
    await assert.rejects(launchBrowser(), /Chromium was not found at \/nonexistent\/kbview\/chromium.*apt-get install -y chromium/);
  });
});

test('UPDATE_FIXTURES=1 is refused under CI, and no expected output is rewritten', async () => {
  assert.equal(updateFixtures({}), false);
  assert.equal(updateFixtures({ UPDATE_FIXTURES: '1' }), true);
  assert.throws(() => updateFixtures({ UPDATE_FIXTURES: '1', CI: 'true' }), /UPDATE_FIXTURES=1 is refused under CI/);

  const fixtures = path.join(REPO_ROOT, 'test', 'fixtures', 'parser');
  const snapshot = () => readdirSync(fixtures).map((name) => readFileSync(path.join(fixtures, name, 'expected.json'), 'utf8'));
  const before = snapshot();
  const run = runTestFile('test/parser.test.ts', { UPDATE_FIXTURES: '1', CI: 'true' });
  assert.notEqual(run.status, 0, 'the parser fixtures were run with UPDATE_FIXTURES=1 under CI');
  assert.match(run.output, /UPDATE_FIXTURES=1 is refused under CI/);
  assert.ok(
    snapshot().every((text, i) => text === before[i]),
    'an expected.json was rewritten',
  );
});

test(
  'as root, the unreadable-file case is reported as skipped, not passed',
  { skip: isRoot ? false : 'not root: the case runs (test/unreadable.test.ts)' },
  () => {
    const run = runTestFile('test/unreadable.test.ts', { CI: 'true' });
    assert.equal(run.status, 0, run.output.slice(-3000));
    assert.deepEqual([run.tests, run.pass, run.skipped], [1, 0, 1], run.output.slice(-3000));
    assert.match(run.output, /# SKIP running as root/);
  },
);
