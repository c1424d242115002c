/**
 * `next dev`'s article list kept between processes (lib/content/dev-paths.ts): read back while the
 * archive's folders are unchanged, walked again after a file is added, removed or renamed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, renameSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { devArticlePathsCached } from '../lib/content/dev-paths';
import { articlePathsByName } from '../lib/content/scan';

function article(root: string, rel: string): void {
  mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
  writeFileSync(path.join(root, rel), '---\ntitle: "x"\n---\n');
}

/** Folder times in whole seconds on some file systems: set them apart explicitly. */
function touch(dir: string, seconds: number): void {
  utimesSync(dir, seconds, seconds);
}

test('the article list is walked once, then read back until a folder changes', () => {
  const tmp = mkdtempSync(path.join(tmpdir(), 'kb-dev-paths-'));
  try {
    const root = path.join(tmp, 'kb');
    const file = path.join(tmp, 'cache', 'dev-paths.json');
    article(root, '244/Q244717/README.md');
    article(root, '010/Q10022.md');
    article(root, '010/Q9999.md');
    const stats = { walked: false };
    const first = devArticlePathsCached(root, file, stats);
    assert.equal(stats.walked, true);
    assert.deepEqual(
      [...first],
      [...articlePathsByName(root)].sort((a, b) => a[0] - b[0]),
    );
    assert.deepEqual([...first.keys()], [9999, 10022, 244717], 'in number order');

    const again = devArticlePathsCached(root, file, stats);
    assert.equal(stats.walked, false);
    assert.deepEqual([...again], [...first]);

    // A new article in an existing folder.
    article(root, '010/Q10023.md');
    touch(path.join(root, '010'), 1_000_000);
    const added = devArticlePathsCached(root, file, stats);
    assert.equal(stats.walked, true);
    assert.equal(added.get(10023), '010/Q10023.md');
    assert.equal(devArticlePathsCached(root, file, stats).get(10023), '010/Q10023.md');
    assert.equal(stats.walked, false);

    // A renamed article folder, then a removed file.
    renameSync(path.join(root, '244/Q244717'), path.join(root, '244/Q244718'));
    touch(path.join(root, '244'), 1_000_001);
    const renamed = devArticlePathsCached(root, file, stats);
    assert.equal(stats.walked, true);
    assert.equal(renamed.has(244717), false);
    assert.equal(renamed.get(244718), '244/Q244718/README.md');
    rmSync(path.join(root, '010/Q9999.md'));
    touch(path.join(root, '010'), 1_000_002);
    assert.equal(devArticlePathsCached(root, file, stats).has(9999), false);
    assert.equal(stats.walked, true);

    // A damaged or foreign snapshot is walked again, never trusted.
    writeFileSync(file, '{"version":1,"root":"/elsewhere","folders":[],"paths":[[1,"x.md"]]}');
    assert.equal(devArticlePathsCached(root, file, stats).has(1), false);
    assert.equal(stats.walked, true);
    writeFileSync(file, '{"version":1,');
    assert.equal(devArticlePathsCached(root, file, stats).size, 3);
    assert.equal(stats.walked, true);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});
