/**
 * Files and folders without read permission: each gets an `unreadable` error
 * naming it, and the loader goes on. Only a user other than root can make
 * such a file (root reads anything), so as root this test is skipped, and
 * says so in the run's summary, instead of passing without checking anything.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadCorpus } from '../lib/content/corpus';
import { article, isRoot } from '../bench/lib/hostile-content';

const ROOT_SKIP = 'running as root, which can read any file: no unreadable file can be made';

test('an unreadable file and an unreadable folder each get an "unreadable" error, and the rest loads', { skip: isRoot ? ROOT_SKIP : false }, async () => {
  const root = mkdtempSync(path.join(tmpdir(), 'kbview-unreadable-'));
  const content = path.join(root, 'content');
  const locked = path.join(content, 'locked');
  try {
    mkdirSync(locked, { recursive: true });
    writeFileSync(path.join(content, 'Q990952.md'), article('Q990952', 'A Readable Article', 'Anyone may read this file.'));
    writeFileSync(path.join(content, 'Q990950.md'), article('Q990950', 'An Article Nobody May Read', 'This file has no read permission.'));
    writeFileSync(path.join(locked, 'Q990951.md'), article('Q990951', 'An Article in a Locked Folder', 'Its folder has no read permission.'));
    chmodSync(path.join(content, 'Q990950.md'), 0o000);
    chmodSync(locked, 0o000);

    const corpus = await loadCorpus(content, { cacheDir: false });
    assert.deepEqual(
      corpus.articles.map((a) => a.id),
      ['Q990952'],
    );
    const unreadable = corpus.diagnostics.filter((d) => d.kind === 'unreadable').map((d) => `${d.file} ${d.severity}`);
    assert.deepEqual(unreadable.sort(), ['Q990950.md error', 'locked error']);
    assert.equal(corpus.stats.skipped, 2);
    assert.equal(corpus.stats.files, corpus.stats.articles + corpus.stats.skipped);
  } finally {
    chmodSync(locked, 0o755);
    rmSync(root, { recursive: true, force: true });
  }
});
