/**
 * One parse per build: the loader hands each body it parses to the body cache
 * (lib/build/body-cache.tsx, through `bodyHook`), which the page writer
 * reads; a second load re-parses only the changed file, and the cache then
 * holds its new body while the other entries stay as they were.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  appendFileSync,
  cpSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  realpathSync,
  rmSync,
  statSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { loadCorpus } from '../lib/content/corpus';
import { parseArticle } from '../lib/markdown/index';
import {
  bodyCacheEntries,
  bodyCacheFor,
  cachedBody,
  flushStoredBodies,
  renderBodyHtml,
  storeBody,
  storeBodyLater,
  tidyBodyCache,
} from '../lib/build/body-cache';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const HOOK = new URL('../lib/build/body-cache.tsx', import.meta.url).href;

test('the parse fills the body cache, and a rebuild re-parses and re-renders only the changed file', async () => {
  const root = mkdtempSync(path.join(tmpdir(), 'kbview-bodies-'));
  try {
    const content = path.join(root, 'content');
    const cacheDir = path.join(root, 'cache');
    cpSync(path.join(REPO_ROOT, 'content'), content, { recursive: true });
    const cache = bodyCacheFor(content, cacheDir, '/base');
    const load = () => loadCorpus(content, { cacheDir, bodyHook: { module: HOOK, data: cache } });

    const first = await load();
    assert.equal(first.stats.parsed, first.stats.files);
    for (const file of first.files) {
      const html = cachedBody(cache, file.source, file.mtimeMs, file.size);
      const parsed = parseArticle(readFileSync(path.join(content, file.source), 'utf8'), file.source);
      assert.equal(html, renderBodyHtml(parsed.body, '/base'), file.source);
      assert.match(html!, /^<div class="kb-body">/);
    }
    assert.match(
      cachedBody(cache, 'Q244717.md', first.files.find((f) => f.source === 'Q244717.md')!.mtimeMs, first.files.find((f) => f.source === 'Q244717.md')!.size)!,
      /href="\/base\/kb\/238\/Q238171\/"/,
      'article links carry the base path',
    );
    const before = bodyCacheEntries(cache);
    assert.equal(before.length, first.stats.files);
    assert.equal(new Set(before.map((e) => e.source)).size, before.length, 'a body stored twice');
    // Packs, not a file per body: one pack and its index per parse worker at most.
    assert.ok(readdirSync(cache.dir).length <= 2 * new Set(before.map((e) => e.pack)).size);

    // Change one article: only it is parsed again, and only its entry is rewritten.
    const changed = path.join(content, 'Q990001.md');
    writeFileSync(changed, readFileSync(changed, 'utf8').replace('This article describes', 'This changed article describes'));
    utimesSync(changed, new Date(), new Date(Date.now() + 5000));
    await new Promise((r) => setTimeout(r, 20));
    const second = await load();
    assert.equal(second.stats.parsed, 1);
    const after = bodyCacheEntries(cache);
    assert.deepEqual(after.slice(0, before.length), before, 'the entries of the first parse changed');
    assert.deepEqual(
      after.slice(before.length).map((e) => e.source),
      ['Q990001.md'],
    );
    const file = second.files.find((f) => f.source === 'Q990001.md')!;
    assert.match(cachedBody(cache, 'Q990001.md', file.mtimeMs, file.size)!, /This changed article describes/);
    // Each version of the file has its own entry: the old version's is its own body, never the new one.
    const old = first.files.find((f) => f.source === 'Q990001.md')!;
    assert.doesNotMatch(cachedBody(cache, 'Q990001.md', old.mtimeMs, old.size)!, /changed/);

    // Another base path (or renderer) is another cache folder; the outdated one is removed.
    const other = bodyCacheFor(content, cacheDir, '');
    assert.notEqual(other.dir, cache.dir);
    assert.throws(() => statSync(cache.dir));
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('a same-size edit (only the mtime changes) is a body cache miss; each version keeps its own body', async () => {
  const root = mkdtempSync(path.join(tmpdir(), 'kbview-bodies-'));
  try {
    const content = path.join(root, 'content');
    const cacheDir = path.join(root, 'cache');
    cpSync(path.join(REPO_ROOT, 'content'), content, { recursive: true });
    const cache = bodyCacheFor(content, cacheDir, '');
    const load = () => loadCorpus(content, { cacheDir, bodyHook: { module: HOOK, data: cache } });
    const file = path.join(content, 'Q990001.md');
    const t0 = new Date('2026-11-20T10:00:00Z');
    utimesSync(file, t0, t0);
    await load();
    const { size } = statSync(file);
    assert.match(cachedBody(cache, 'Q990001.md', t0.getTime(), size)!, /This article describes/);

    const t1 = new Date(t0.getTime() + 60_000);
    writeFileSync(file, readFileSync(file, 'utf8').replace('This article describes', 'THIS ARTICLE DESCRIBES'));
    utimesSync(file, t1, t1);
    assert.equal(statSync(file).size, size, 'the edit keeps the size');
    // The entry of the old version must not be taken for the new one.
    assert.equal(cachedBody(cache, 'Q990001.md', t1.getTime(), size), null, 'an entry for another mtime was used');
    const second = await load();
    assert.equal(second.stats.parsed, 1);
    assert.match(cachedBody(cache, 'Q990001.md', t1.getTime(), size)!, /THIS ARTICLE DESCRIBES/);
    assert.match(cachedBody(cache, 'Q990001.md', t0.getTime(), size)!, /This article describes/, 'the old version got the new body');
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

/**
 * The body cache's folder name hashes the sources the HTML is made by. A copy
 * of the project's code (node_modules linked) stands in for the repository,
 * so that its parser sources can be changed without touching the real ones.
 */
test('a change under lib/markdown (or the renderer) starts a new body cache; a change elsewhere does not', async () => {
  const root = mkdtempSync(path.join(tmpdir(), 'kbview-bodies-code-'));
  try {
    const project = path.join(root, 'project');
    for (const entry of ['lib', 'components', 'package.json', 'package-lock.json', 'tsconfig.json']) {
      cpSync(path.join(REPO_ROOT, entry), path.join(project, entry), { recursive: true });
    }
    symlinkSync(path.join(REPO_ROOT, 'node_modules'), path.join(project, 'node_modules'), 'dir');
    const copy = (await import(pathToFileURL(path.join(project, 'lib', 'build', 'body-cache.tsx')).href)) as typeof import('../lib/build/body-cache');
    const content = path.join(root, 'content');
    const cacheDir = path.join(root, 'cache');
    cpSync(path.join(REPO_ROOT, 'content'), content, { recursive: true });

    const first = copy.bodyCacheFor(content, cacheDir, '');
    copy.storeBody(first, 'Q990001.md', 1, 2, '<div class="kb-body">old</div>');
    assert.equal(copy.bodyCacheFor(content, cacheDir, '').dir, first.dir, 'the same code gives the same cache');
    assert.equal(copy.cachedBody(first, 'Q990001.md', 1, 2), '<div class="kb-body">old</div>');

    // Elsewhere: the search engine's code does not make body HTML.
    appendFileSync(
      path.join(
        project,
        'lib',
        'search',
        readdirSync(path.join(project, 'lib', 'search')).find((f) => f.endsWith('.ts'))!,
      ),
      '\n// changed\n',
    );
    assert.equal(copy.bodyCacheFor(content, cacheDir, '').dir, first.dir, 'a change outside the renderer emptied the body cache');

    const changes: Array<[string, () => void]> = [
      ['an edit under lib/markdown', () => appendFileSync(path.join(project, 'lib', 'markdown', 'render.ts'), '\n// changed\n')],
      ['a new file under lib/markdown', () => writeFileSync(path.join(project, 'lib', 'markdown', 'new-rule.ts'), 'export {};\n')],
      ['an edit of the body component', () => appendFileSync(path.join(project, 'components', 'article', 'BodyElements.tsx'), '\n// changed\n')],
    ];
    let previous = first;
    for (const [what, change] of changes) {
      change();
      const next = copy.bodyCacheFor(content, cacheDir, '');
      assert.notEqual(next.dir, previous.dir, `${what} kept the body cache`);
      assert.equal(copy.cachedBody(next, 'Q990001.md', 1, 2), null, `${what}: a body rendered by the old code was returned`);
      assert.ok(!existsSync(previous.dir), `${what}: the outdated cache folder is still there`);
      previous = next;
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

/**
 * The packs (lib/build/body-cache.tsx): a thread stopped mid-write leaves an
 * unindexed tail or an unfinished index line; a damaged or hostile line names
 * nothing; none of them stops the bodies around them from being read.
 */
test('body packs: torn writes and damaged index lines are ignored; the bodies around them are read', () => {
  const root = mkdtempSync(path.join(tmpdir(), 'kbview-bodies-packs-'));
  try {
    const cache = bodyCacheFor(path.join(root, 'content'), path.join(root, 'cache'), '');
    storeBody(cache, 'Q1.md', 1, 10, '<div class="kb-body">one</div>');
    storeBody(cache, 'Q2.md', 1, 20, '<div class="kb-body">two ünïcödé</div>');
    const [index] = readdirSync(cache.dir).filter((n) => n.endsWith('.index'));
    const pack = index!.replace(/\.index$/, '.pack');
    // Bytes this thread's index does not name (its offsets are the pack's real size, not a count of its own).
    appendFileSync(path.join(cache.dir, pack), 'x'.repeat(100));
    // A thread stopped mid-write: a body written but never indexed, then an index line cut short.
    writeFileSync(path.join(cache.dir, '000000001-1-2-eeeeee.pack'), '<div>q9</div>' + 'x'.repeat(100));
    writeFileSync(path.join(cache.dir, '000000001-1-2-eeeeee.index'), '["Q9.md",1,90,0,13]\n["Q3.md",1,30,');
    // A pack of another thread: damaged lines, a line pointing past its pack's end, a line out of range.
    writeFileSync(path.join(cache.dir, '000000000-1-1-aaaaaa.pack'), 'short');
    writeFileSync(
      path.join(cache.dir, '000000000-1-1-aaaaaa.index'),
      ['not json', '{"source":"Q4.md"}', '["Q4.md",1,40,0,500]', '["Q5.md",1,50,-1,3]', '["Q6.md",1,60,0,1e300]', '["__proto__",1,1,0,5]', ''].join('\n'),
    );
    const reader = (source: string, size: number) => cachedBody(cache, source, 1, size);
    assert.equal(reader('Q1.md', 10), '<div class="kb-body">one</div>');
    assert.equal(reader('Q2.md', 20), '<div class="kb-body">two ünïcödé</div>');
    for (const [source, size] of [
      ['Q3.md', 30],
      ['Q4.md', 40],
      ['Q5.md', 50],
      ['Q6.md', 60],
    ] as const)
      assert.equal(reader(source, size), null, source);
    assert.equal(reader('__proto__', 1), 'short', 'a source named __proto__ is a file name like any other');
    // Another thread's later write is found: a miss reads what the indexes gained.
    const other = bodyCacheFor(path.join(root, 'content'), path.join(root, 'cache'), '');
    writeFileSync(path.join(cache.dir, 'zzzzzzzzz-2-2-bbbbbb.pack'), '<div>late</div>');
    writeFileSync(path.join(cache.dir, 'zzzzzzzzz-2-2-bbbbbb.index'), '["Q7.md",1,70,0,15]\n');
    assert.equal(cachedBody(other, 'Q7.md', 1, 70), '<div>late</div>');
    // This thread's pack takes more bodies after the torn tail: offsets are the pack's real size.
    assert.equal(reader('Q9.md', 90), '<div>q9</div>');
    storeBody(cache, 'Q8.md', 1, 80, '<div class="kb-body">eight</div>');
    assert.equal(reader('Q8.md', 80), '<div class="kb-body">eight</div>');
    // And what another thread (a fresh reader) reads of all of it.
    const sources = bodyCacheEntries(cache).map((e) => e.source);
    assert.deepEqual(sources.sort(), ['Q1.md', 'Q2.md', 'Q4.md', 'Q7.md', 'Q8.md', 'Q9.md', '__proto__']);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('body packs: a thread reads its bodies through one open descriptor per pack, not one open per body', () => {
  const root = mkdtempSync(path.join(tmpdir(), 'kbview-bodies-fds-'));
  try {
    const cache = bodyCacheFor(path.join(root, 'content'), path.join(root, 'cache'), '');
    for (let i = 0; i < 50; i++) storeBody(cache, `Q${i}.md`, 1, i, `<div class="kb-body">body ${i}</div>`);
    const [pack] = readdirSync(cache.dir).filter((n) => n.endsWith('.pack'));
    const packPath = realpathSync(path.join(cache.dir, pack!));
    const openOnPack = () =>
      readdirSync('/proc/self/fd').filter((fd) => {
        try {
          return readlinkSync(`/proc/self/fd/${fd}`) === packPath;
        } catch {
          return false;
        }
      }).length;
    for (let round = 0; round < 3; round++)
      for (let i = 0; i < 50; i++) assert.equal(cachedBody(cache, `Q${i}.md`, 1, i), `<div class="kb-body">body ${i}</div>`);
    assert.equal(openOnPack(), 1);
    // A body stored after the pack was opened (an append to the same pack) is read through the same descriptor.
    storeBody(cache, 'Q50.md', 1, 50, '<div class="kb-body">body 50</div>');
    assert.equal(cachedBody(cache, 'Q50.md', 1, 50), '<div class="kb-body">body 50</div>');
    assert.equal(openOnPack(), 1);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('body packs: tidying keeps the current body of each file in one pack and drops replaced, deleted and orphaned ones', () => {
  const root = mkdtempSync(path.join(tmpdir(), 'kbview-bodies-tidy-'));
  try {
    const content = path.join(root, 'content');
    cpSync(path.join(REPO_ROOT, 'content'), content, { recursive: true });
    const cache = bodyCacheFor(content, path.join(root, 'cache'), '');
    const version = (source: string) => statSync(path.join(content, source));
    const current = readdirSync(content).filter((n) => n.endsWith('.md'));
    for (const source of current) storeBody(cache, source, version(source).mtimeMs, version(source).size, `<div>${source} now</div>`);
    // Little replaced: nothing to do, and a note of the bytes kept, so that the next look reads no index.
    assert.equal(tidyBodyCache(cache, content), null);
    assert.ok(existsSync(path.join(cache.dir, 'tidy.json')));
    assert.equal(tidyBodyCache(cache, content), null);
    // Over 32 packs (one per thread that stored): old versions of Q990001.md, each in a pack of its own, and a file since deleted.
    const big = 'y'.repeat(1000);
    for (let i = 0; i < 40; i++) {
      const stamp = `00000000${String.fromCharCode(97 + (i % 26))}-9-${i}-cccccc`;
      writeFileSync(path.join(cache.dir, `${stamp}.pack`), big);
      writeFileSync(path.join(cache.dir, `${stamp}.index`), `["Q990001.md",${i},1000,0,1000]\n["Q404.md",1,1,0,10]\n`);
    }
    writeFileSync(path.join(cache.dir, '00000000z-9-99-dddddd.pack'), 'orphan');
    const before = bodyCacheEntries(cache).length;
    const tidied = tidyBodyCache(cache, content);
    assert.ok(tidied, 'tidying did nothing');
    assert.equal(tidied.kept, current.length);
    const names = readdirSync(cache.dir).sort();
    assert.deepEqual(
      names.map((n) => path.extname(n)),
      ['.index', '.pack', '.json'],
      names.join(', '),
    );
    const after = bodyCacheEntries(cache);
    assert.ok(before > after.length);
    assert.deepEqual(after.map((e) => e.source).sort(), [...current].sort());
    for (const source of current) assert.equal(cachedBody(cache, source, version(source).mtimeMs, version(source).size), `<div>${source} now</div>`);
    assert.equal(cachedBody(cache, 'Q990001.md', 3, 1000), null, 'a replaced version is still there');
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test("the parse's bodies are written a chunk at a time: none seen before the flush, all after; parse workers flush theirs", async () => {
  const root = mkdtempSync(path.join(tmpdir(), 'kbview-bodies-'));
  try {
    const content = path.join(root, 'content');
    cpSync(path.join(REPO_ROOT, 'content'), content, { recursive: true });
    const cache = bodyCacheFor(content, path.join(root, 'cache'), '');
    storeBodyLater(cache, 'a.md', 1, 10, '<div class="kb-body">a</div>');
    storeBodyLater(cache, 'b.md', 2, 20, '<div class="kb-body">b</div>');
    assert.equal(cachedBody(cache, 'a.md', 1, 10), null, 'held, not written');
    assert.equal(flushStoredBodies(), 0);
    assert.equal(cachedBody(cache, 'a.md', 1, 10), '<div class="kb-body">a</div>');
    assert.equal(cachedBody(cache, 'b.md', 2, 20), '<div class="kb-body">b</div>');
    assert.deepEqual(
      bodyCacheEntries(cache).map((e) => [e.source, e.offset, e.length]),
      [
        ['a.md', 0, 28],
        ['b.md', 28, 28],
      ],
      'one pack, one after the other',
    );

    // Parse workers (forced: the archive is small) write what they stored before answering each chunk.
    const workerCache = bodyCacheFor(content, path.join(root, 'cache-workers'), '');
    const corpus = await loadCorpus(content, { cacheDir: path.join(root, 'cache-workers'), workers: 2, bodyHook: { module: HOOK, data: workerCache } });
    assert.ok(corpus.files.length >= 8);
    for (const file of corpus.files) assert.ok(cachedBody(workerCache, file.source, file.mtimeMs, file.size)?.startsWith('<div class="kb-body">'), file.source);

    // A folder that cannot be written: the bodies are left out (their pages render them again), said, never thrown.
    const blocked = { dir: path.join(root, 'not-a-folder', 'bodies'), linkPrefix: '' };
    writeFileSync(path.join(root, 'not-a-folder'), 'a file where the folder would be');
    storeBodyLater(blocked, 'c.md', 3, 30, '<div class="kb-body">c</div>');
    assert.equal(flushStoredBodies(), 1);
    assert.equal(flushStoredBodies(), 0, 'nothing held any more');
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
