/**
 * Incremental `kb build` (lib/build/incremental.ts), in a copy of the project and of content/
 * (test/helpers/incremental-project.ts). A body edit skips `next build` and writes exactly one
 * page, as new files: the previous out/, hard-linked into the new site, never changes, and an
 * incremental build interrupted midway leaves it and its record as they were. After a body edit
 * and after a title edit the incremental out/ is the out/ of a clean build of the same content,
 * file for file (byte for byte, but for one documented residual difference: `RESIDUAL` in the
 * helper). A change of the code rebuilds every page. New, cited and deleted articles:
 * test/incremental-articles.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, existsSync, linkSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import {
  OUT,
  ROOT,
  build,
  changeAndCompare,
  edit,
  keepSite,
  pageCounts,
  pagesDigested,
  recordFile,
  removeProject,
  setupProject,
  siteRecord,
  snapshot,
  startBuild,
} from './helpers/incremental-project';

test(
  'a body edit writes one page without next build; body and title edits equal clean builds; an interrupted build changes nothing; a code change rebuilds all',
  { timeout: 60 * 60_000 },
  async () => {
    setupProject('edits');
    try {
      const first = await build();
      assert.doesNotMatch(first, /next build skipped/);
      const total = pageCounts(first).pages;
      assert.equal(pageCounts(first).reused, 0);

      // A body edit: words in a paragraph (no title, header field, heading or citation).
      const page = path.join(OUT, 'kb', '244', 'Q244717', 'index.html');
      const before = readFileSync(page);
      const oldPage = path.join(ROOT, 'old-page.html');
      linkSync(page, oldPage); // the previous site's file itself: it must keep its bytes
      // Its text is the one the edits in a row (below) end with: the clean build compared with here is theirs too.
      edit('Q244717.md', (t) => t.replace('When a RAS client disconnects', 'When a RAS client (edited third) disconnects'));

      const firstSite = snapshot(OUT);
      const body = await changeAndCompare(
        'body edit',
        () => {},
        (output) => {
          // The previous site is the spare now (beside out/, never inside it where a host would serve it): the site
          // before this build, file for file. Nothing was left to remove after the build returned.
          assert.deepEqual(snapshot(`${OUT}.spare`), firstSite, 'the spare is the previous site');
          assert.ok(!existsSync(`${OUT}.trash`) && !existsSync(`${OUT}.previous`) && !existsSync(path.join(OUT, 'out.spare')));
          assert.match(readFileSync(page, 'utf8'), /\(edited third\)/);
          // The first build's spare (a hard-link copy made at its end) was that site already: no path to apply.
          assert.match(output, /its spare copy brought up to date: 0 paths changed by the last build/);
        },
      );
      assert.match(body, /next build skipped/);
      assert.deepEqual(pageCounts(body), { pages: total, reused: total - 1 }, 'exactly one page written');
      // Its recorded dependencies spare the other pages even the computation of their inputs.
      assert.equal(pagesDigested(body), 1, 'one page digested');
      assert.ok(readFileSync(oldPage).equals(before), 'the previous site was not written through a hard link');
      const bodyEditSite = keepSite('out-body-edit');

      // Body edits in a row: each build brings the spare (the site before the last) up to date with the paths the
      // last build changed, writes its own changes there and swaps; out/ is a clean build's every time. The last
      // edit brings back the body edit's text: its out/ is compared with that edit's clean build.
      for (const [i, word] of ['first', 'second', 'third'].entries()) {
        const site = snapshot(OUT);
        const again = await changeAndCompare(
          `body edit in a row, ${word}`,
          () => edit('Q244717.md', (t) => t.replace(/When a RAS client( \(edited[^)]*\))? disconnects/, `When a RAS client (edited ${word}) disconnects`)),
          (output) => {
            assert.deepEqual(snapshot(`${OUT}.spare`), site, 'the spare is the previous site');
            if (i > 0) assert.match(output, /its spare copy brought up to date: [1-9]\d* paths changed by the last build/);
            assert.equal(pageCounts(output).reused, total - 1);
          },
          // The clean build compared with is left out for all but the last, which has the body edit's content.
          i < 2 ? 'skip-clean' : { cleanSite: bodyEditSite },
        );
        assert.match(again, /next build skipped/);
      }

      // Interrupted once the previous site is linked into out.staging/ and the edited page written there: out/ and
      // its record stay as they were, and what kb prepare wrote (parse cache, file index, data, search index) is
      // what the next build needs: that build is a body edit's again (below). The build swaps only once prepare
      // has told it that the search index is complete, which a held prepare never does (test/helpers/hold-prepare.mjs):
      // the interrupt comes before the swap however loaded the machine is.
      edit('Q244717.md', (t) => t.replace('(edited third)', '(edited again for the incremental test)'));
      const site = snapshot(OUT);
      const record = readFileSync(recordFile());
      const interrupted = startBuild({ holdPrepare: true });
      let exited = false;
      void interrupted.done.then(() => (exited = true));
      const ready = (o: string) => /next build skipped/.test(o) && /wrote \d+ article pages/.test(o) && /kb prepare finished and held/.test(o);
      while (!exited && !ready(interrupted.output())) await new Promise((r) => setTimeout(r, 20));
      assert.ok(!exited, interrupted.output().slice(-3000));
      interrupted.child.kill('SIGTERM');
      assert.equal(await interrupted.done, 143, interrupted.output().slice(-2000));
      assert.match(interrupted.output(), /build interrupted \(SIGTERM\); out\/ is unchanged/);
      assert.deepEqual(snapshot(OUT), site, 'out/ as it was');
      assert.ok(!existsSync(`${OUT}.staging`));
      assert.ok(readFileSync(recordFile()).equals(record), 'the record of out/ as it was');
      // The build after it is a body edit's again: next build skipped, one page written. The spare was in use (it
      // is removed with the staging directory): this build makes a hard-link copy of out/ instead.
      const resumed = await build();
      assert.match(resumed, /next build skipped/, resumed.slice(-3000));
      assert.match(resumed, /\(\d+ files linked\)/, resumed.slice(-3000));
      assert.equal(pageCounts(resumed).reused, total - 1);

      // A title edit: Next's listings change, and the pages that show the title (pages whose recorded dependencies
      // include the article: its neighbours, the not-in-archive pages it cites) or whose related articles may change
      // (the articles carrying a title word added or removed). The others are neither digested nor written.
      const recorded = siteRecord().pages;
      const terms = new Set(['w:unavailable', 'w:unusable']);
      const depending = Object.keys(recorded.pages).filter((p) => p !== '/kb/244/Q244717/' && recorded.pages[p]!.deps.includes('Q244717'));
      const unrelated = Object.keys(recorded.pages).filter((p) => {
        const id = /Q\d+/.exec(p)![0];
        return !recorded.pages[p]!.deps.includes('Q244717') && !(recorded.articles[id]?.terms ?? []).some((t) => terms.has(t));
      });
      assert.ok(depending.length > 0 && unrelated.length > 0, JSON.stringify(recorded.pages));
      const inode = (permalink: string) => statSync(path.join(OUT, ...permalink.split('/').filter(Boolean), 'index.html')).ino;
      const inodes = new Map([...depending, ...unrelated].map((p) => [p, inode(p)]));
      const title = await changeAndCompare(
        'title edit',
        () => edit('Q244717.md', (t) => t.replaceAll('RAS Port Becomes Unavailable', 'RAS Port Becomes Unusable')),
        (output) => {
          for (const p of depending) assert.notEqual(inode(p), inodes.get(p), `${p} shows the title: written again`);
          for (const p of unrelated) assert.equal(inode(p), inodes.get(p), `${p} does not depend on the title: the previous site's file`);
          const written = pageCounts(output).pages - pageCounts(output).reused;
          assert.ok(pagesDigested(output) >= written && pagesDigested(output) <= total - unrelated.length, output.slice(-2000));
        },
      );
      assert.doesNotMatch(title, /next build skipped/);
      assert.ok(pageCounts(title).reused > 0 && pageCounts(title).reused < total, title.slice(-2000));

      // A change of the code: everything is built again.
      appendFileSync(path.join(ROOT, 'lib', 'site.ts'), '\n// changed by test/incremental.test.ts\n');
      const code = await build();
      assert.doesNotMatch(code, /next build skipped/);
      assert.equal(pageCounts(code).reused, 0);
    } finally {
      removeProject();
    }
  },
);
