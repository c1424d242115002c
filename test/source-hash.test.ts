/** hashSources (lib/build/source-hash.ts): what the body cache and the search index cache hash besides their input. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { hashSources } from '../lib/build/source-hash';

const digest = (paths: string[]) => hashSources(createHash('sha256'), paths).digest('hex');

test('hashSources hashes files and folders, and a missing path is an error naming it (never skipped)', () => {
  const folder = digest(['lib/markdown']);
  assert.match(folder, /^[0-9a-f]{64}$/);
  assert.equal(digest(['lib/markdown']), folder, 'the same sources give the same hash');
  assert.notEqual(digest(['lib/markdown', 'lib/kb-number.ts']), folder, 'one more file changes it');
  assert.throws(() => digest(['lib/markdown', 'lib/no-such-folder']), /hashSources: cannot read lib\/no-such-folder/);
  assert.throws(() => digest(['components/article/no-such-file.tsx']), /cannot read components\/article\/no-such-file\.tsx/);
});
