/**
 * One parse per build: the loader hands each body it parses to the body cache
 * (scripts/lib/body-cache.tsx, through `bodyHook`), which the page writer
 * reads; a second load re-parses only the changed file, and the cache then
 * holds its new body while the other entries stay as they were.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadCorpus } from '../lib/content/corpus';
import { parseArticle } from '../lib/markdown/index';
import { bodyCacheFor, cachedBody, renderBodyHtml } from '../scripts/lib/body-cache';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const HOOK = new URL('../scripts/lib/body-cache.tsx', import.meta.url).href;

function entries(dir: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const sub of readdirSync(dir)) for (const file of readdirSync(path.join(dir, sub))) out.set(`${sub}/${file}`, statSync(path.join(dir, sub, file)).mtimeMs);
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
    assert.match(cachedBody(cache, 'Q244717.md', first.files.find((f) => f.source === 'Q244717.md')!.mtimeMs, first.files.find((f) => f.source === 'Q244717.md')!.size)!, /href="\/base\/kb\/238\/Q238171\/"/, 'article links carry the base path');
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
