/**
 * One parse per build: the loader hands each body it parses to the body cache
 * (lib/build/body-cache.tsx, through `bodyHook`), which the page writer
 * reads; a second load re-parses only the changed file, and the cache then
 * holds its new body while the other entries stay as they were.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { loadCorpus } from '../lib/content/corpus';
import { parseArticle } from '../lib/markdown/index';
import { bodyCacheFor, cachedBody, renderBodyHtml } from '../lib/build/body-cache';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const HOOK = new URL('../lib/build/body-cache.tsx', import.meta.url).href;

function entries(dir: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const sub of readdirSync(dir))
    for (const file of readdirSync(path.join(dir, sub))) out.set(`${sub}/${file}`, statSync(path.join(dir, sub, file)).mtimeMs);
  return out;
}

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
    const before = entries(cache.dir);
    assert.equal(before.size, first.stats.files);

    // Change one article: only it is parsed again, and only its entry is rewritten.
    const changed = path.join(content, 'Q990001.md');
    writeFileSync(changed, readFileSync(changed, 'utf8').replace('This article describes', 'This changed article describes'));
    utimesSync(changed, new Date(), new Date(Date.now() + 5000));
    await new Promise((r) => setTimeout(r, 20));
    const second = await load();
    assert.equal(second.stats.parsed, 1);
    const after = entries(cache.dir);
    const rewritten = [...after].filter(([name, mtime]) => before.get(name) !== mtime).map(([name]) => name);
    assert.equal(rewritten.length, 1, `rewritten: ${rewritten.join(', ')}`);
    const file = second.files.find((f) => f.source === 'Q990001.md')!;
    assert.match(cachedBody(cache, 'Q990001.md', file.mtimeMs, file.size)!, /This changed article describes/);
    // The old version of the file is a miss, not its stale body.
    const old = first.files.find((f) => f.source === 'Q990001.md')!;
    assert.equal(cachedBody(cache, 'Q990001.md', old.mtimeMs, old.size), null);

    // Another base path (or renderer) is another cache folder; the outdated one is removed.
    const other = bodyCacheFor(content, cacheDir, '');
    assert.notEqual(other.dir, cache.dir);
    assert.throws(() => statSync(cache.dir));
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('a same-size edit (only the mtime changes) is a body cache miss, and the new body replaces the old one', async () => {
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
    assert.equal(cachedBody(cache, 'Q990001.md', t0.getTime(), size), null, 'the entry of the old version is still returned');
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
