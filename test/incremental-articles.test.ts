/**
 * Incremental `kb build` (lib/build/incremental.ts), continued from test/incremental.test.ts:
 * after a new article, a deleted article and a new citation the incremental out/ is the out/ of
 * a clean build of the same content, file for file (byte for byte, but for the residual
 * difference documented in test/helpers/incremental-project.ts). Deleting the new article
 * brings back the first build's content: that build's out/ is the clean one compared with.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { readPhaseTable } from '../lib/build/phases';
import { CONTENT, OUT, ROOT, build, changeAndCompare, edit, keepSite, pageCounts, removeProject, setupProject } from './helpers/incremental-project';

test('incremental builds equal clean builds after a new article, a new citation and a deleted article', { timeout: 60 * 60_000 }, async () => {
  setupProject('articles');
  try {
    const first = await build();
    assert.doesNotMatch(first, /next build skipped/);
    // Next starts once kb prepare has exited (lib/build/build.ts), after the index builder saved its state: the two
    // processes' memory never adds up (at 241k articles ~2 GiB for prepare). The phases' clocks are the same.
    const phases = readPhaseTable(ROOT);
    const search = phases.find((p) => p.name === 'search index');
    const next = phases.find((p) => p.name === 'next build');
    assert.ok(search && next, JSON.stringify(phases));
    assert.ok(next.start >= search.end, `next build started at ${next.start}, the search index phase ended at ${search.end}`);
    // The page writer's metadata is read (and its indexes made) while Next runs, not after it (a small archive).
    const metadata = phases.find((p) => p.name === 'metadata');
    assert.ok(metadata && metadata.start >= next.start && metadata.end <= next.end, `metadata ${JSON.stringify(metadata)}, next build ${JSON.stringify(next)}`);
    const total = pageCounts(first).pages;
    assert.equal(pageCounts(first).reused, 0);
    const firstSite = keepSite('out-first');

    // A new article, citing one that is in the archive.
    const added = await changeAndCompare('new article', () =>
      writeFileSync(
        path.join(CONTENT, 'Q990010.md'),
        readFileSync(path.join(CONTENT, 'Q990002.md'), 'utf8')
          .replaceAll('Q990002', 'Q990010')
          .replaceAll('How kbview Links Article Numbers', 'A New Article for the Incremental Test'),
      ),
    );
    assert.doesNotMatch(added, /next build skipped/);
    assert.equal(pageCounts(added).pages, total + 1);
    assert.ok(existsSync(path.join(OUT, 'kb', '990', 'Q990010', 'index.html')));

    // A deleted article: its page goes (or becomes a not-in-archive page, when cited). The content is the first
    // build's again: the incremental out/ is compared with that clean build's, and is where the next build starts.
    const deleted = await changeAndCompare('deleted article', () => rmSync(path.join(CONTENT, 'Q990010.md')), undefined, { cleanSite: firstSite });
    assert.doesNotMatch(deleted, /next build skipped/);
    assert.ok(!existsSync(path.join(OUT, 'kb', '990', 'Q990010', 'index.html')));

    // out/ removed by hand, its record and the caches kept: every page is written anew (none looked for in the
    // site that is gone), and the site is the clean build's.
    const removed = await changeAndCompare(
      'out/ removed',
      () => {
        for (const dir of ['out', 'out.spare']) rmSync(path.join(OUT, '..', dir), { recursive: true, force: true });
      },
      undefined,
      { cleanSite: firstSite },
    );
    assert.deepEqual(pageCounts(removed), { pages: total, reused: 0 });

    // A new citation in a body, after incremental builds only: a backlink and cited-by entry appear.
    const cited = await changeAndCompare('new citation', () =>
      edit('Q990006.md', (t) => t.replace('{% endraw %}', '\tSee also Q990004 for more.\n{% endraw %}')),
    );
    assert.doesNotMatch(cited, /next build skipped/);
  } finally {
    removeProject();
  }
});
