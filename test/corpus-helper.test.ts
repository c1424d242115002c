import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { corpusDir, corpusSkipReason } from '../bench/lib/corpus';

test('the shared corpus extracts and holds Q244717', { skip: corpusSkipReason() }, async () => {
  const dir = await corpusDir();
  assert.equal(path.basename(dir), 'kb');
  assert.ok(existsSync(path.join(dir, '244', 'Q244717', 'README.md')));
});

test('a missing corpus gives a skip reason naming where it was looked for (outside CI: test/ci-rules.test.ts)', () => {
  const saved = { dir: process.env.KB_CORPUS_DIR, tar: process.env.KB_CORPUS_TARBALL, ci: process.env.CI };
  delete process.env.CI;
  process.env.KB_CORPUS_DIR = '/nonexistent/kb';
  process.env.KB_CORPUS_TARBALL = '/nonexistent/kbarchive-kb.tar.gz';
  try {
    const reason = corpusSkipReason();
    assert.equal(typeof reason, 'string');
    assert.match(reason as string, /corpus not available.*\/nonexistent\/kbarchive-kb\.tar\.gz/);
  } finally {
    for (const [key, value] of [
      ['KB_CORPUS_DIR', saved.dir],
      ['KB_CORPUS_TARBALL', saved.tar],
      ['CI', saved.ci],
    ] as const) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  }
});
