/**
 * The pure parts of incremental builds (lib/build/article-pages.ts, lib/build/incremental.ts): which pages'
 * inputs a rebuild computes from the recorded dependencies, and what of public/ is not among Next's inputs.
 * The builds themselves: test/incremental.test.ts, test/incremental-articles.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { articleRecordOf, pagesToCompute, type ArticleRecord, type PagesRecord } from '../lib/build/article-pages';
import {
  applyChanges,
  linkFile,
  removeStaleSearchBuilds,
  SEARCH_ENTRY,
  spareChanges,
  syncDir,
  syncIndexChanges,
  type SiteRecord,
  type SpareRecord,
} from '../lib/build/incremental';
import { summarize } from '../lib/content/graph';
import type { Article } from '../lib/markdown/schema';
import { makeArticle } from './helpers/articles';

const records = (articles: Article[]) =>
  new Map(articles.map((a): [string, ArticleRecord] => [a.id, articleRecordOf(a, { mtimeMs: 1, size: 1 }, summarize(a))]));
const permalinks = (articles: Article[]) => new Map(articles.map((a) => [a.id, a.permalink]));

/** Three articles: Q100 cites Q200 (so Q200's page lists Q100); Q300 reads nobody; Q300 and Q100 share a title word. */
function site(): { articles: Article[]; record: PagesRecord } {
  const articles = [
    makeArticle(100, { title: 'Q100: Modem Zephyr Fails', references: ['Q200'] }),
    makeArticle(200, { title: 'Q200: Printer Offline' }),
    makeArticle(300, { title: 'Q300: Zephyr Driver Setup' }),
  ];
  const pages: PagesRecord['pages'] = {
    [articles[0]!.permalink]: { digest: 'a', deps: ['Q100', 'Q200'] },
    [articles[1]!.permalink]: { digest: 'b', deps: ['Q200', 'Q100'] },
    [articles[2]!.permalink]: { digest: 'c', deps: ['Q300'] },
  };
  return { articles, record: { shared: 's', pages, articles: Object.fromEntries(records(articles)) } };
}

test('a body edit computes its own page only; a title edit the pages that read the article and those sharing a changed title word', () => {
  const { articles, record } = site();
  assert.deepEqual([...pagesToCompute(record, 's', records(articles), permalinks(articles))!], [], 'nothing changed');

  const body = records(articles);
  body.set('Q200', articleRecordOf(articles[1]!, { mtimeMs: 2, size: 9 }, summarize(articles[1]!)));
  assert.deepEqual([...pagesToCompute(record, 's', body, permalinks(articles))!], ['/kb/000/Q200/'], 'the body: its page');

  const retitled = articles.map((a) => (a.id === 'Q200' ? { ...a, title: 'Q200: Printer Offline Again' } : a));
  assert.deepEqual(
    [...pagesToCompute(record, 's', records(retitled), permalinks(retitled))!].sort(),
    ['/kb/000/Q100/', '/kb/000/Q200/'],
    'Q100 lists Q200; Q300 reads neither Q200 nor the word "again"',
  );
  const zephyr = articles.map((a) => (a.id === 'Q200' ? { ...a, title: 'Q200: Zephyr Printer Offline' } : a));
  assert.deepEqual(
    [...pagesToCompute(record, 's', records(zephyr), permalinks(zephyr))!].sort(),
    ['/kb/000/Q100/', '/kb/000/Q200/', '/kb/000/Q300/'],
    'Q300 carries "zephyr", a term Q200 gained: its related articles may change',
  );
});

test('a change of the indexes, of the set of articles or of what every page shares computes every page', () => {
  const { articles, record } = site();
  const cited = articles.map((a) => (a.id === 'Q300' ? { ...a, references: ['Q100'] } : a));
  assert.equal(pagesToCompute(record, 's', records(cited), permalinks(cited)), null, 'a new citation');
  const keyword = articles.map((a) => (a.id === 'Q300' ? { ...a, keywords: ['kbbug'] } : a));
  assert.equal(pagesToCompute(record, 's', records(keyword), permalinks(keyword)), null, 'a keyword');
  const fewer = articles.slice(0, 2);
  assert.equal(pagesToCompute(record, 's', records(fewer), permalinks(fewer)), null, 'a deleted article');
  assert.equal(pagesToCompute(record, 'other', records(articles), permalinks(articles)), null, 'templates or code');
  assert.equal(pagesToCompute(null, 's', records(articles), permalinks(articles)), null, 'no record');
});

test("the search index builder's folders are not Next's inputs, and those of a process that is gone are removed", () => {
  for (const name of ['search', 'search.tmp-123', 'search.old-4567']) assert.ok(SEARCH_ENTRY.test(name), name);
  for (const name of ['data', 'search.tmp-', 'search.tmp-12x', 'searches', 'x-search']) assert.ok(!SEARCH_ENTRY.test(name), name);
  const dir = mkdtempSync(path.join(tmpdir(), 'kbview-public-'));
  try {
    const gone = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout;
    for (const name of ['search', `search.tmp-${gone}`, `search.tmp-${process.pid}`, 'data']) mkdirSync(path.join(dir, name));
    assert.deepEqual(removeStaleSearchBuilds(dir), [`search.tmp-${gone}`]);
    assert.ok(!existsSync(path.join(dir, `search.tmp-${gone}`)));
    for (const name of ['search', `search.tmp-${process.pid}`, 'data']) assert.ok(existsSync(path.join(dir, name)), `${name} kept`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the spare copy is brought up to date by the paths the last build changed: linked from out/, or removed with the folders left empty', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'kbview-spare-'));
  try {
    const out = path.join(dir, 'out');
    const spare = path.join(dir, 'out.spare');
    const put = (root: string, rel: string, text: string) => {
      mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
      writeFileSync(path.join(root, rel), text);
    };
    // The spare: the site before the last build. The last build rewrote one page, added one, removed one.
    put(spare, 'index.html', 'home');
    put(spare, 'kb/244/Q244717/index.html', 'old page');
    put(spare, 'kb/990/Q990010/index.html', 'deleted page');
    put(out, 'index.html', 'home');
    put(out, 'kb/244/Q244717/index.html', 'new page');
    put(out, 'kb/990/Q990011/index.html', 'added page');
    const oldPage = statSync(path.join(spare, 'kb/244/Q244717/index.html')).ino;
    const n = applyChanges(out, spare, ['kb/244/Q244717/index.html', 'kb/990/Q990011/index.html', 'kb/990/Q990010/index.html']);
    assert.equal(n, 3);
    assert.equal(readFileSync(path.join(spare, 'kb/244/Q244717/index.html'), 'utf8'), 'new page');
    assert.equal(statSync(path.join(spare, 'kb/244/Q244717/index.html')).ino, statSync(path.join(out, 'kb/244/Q244717/index.html')).ino, 'a hard link');
    assert.notEqual(statSync(path.join(spare, 'kb/244/Q244717/index.html')).ino, oldPage);
    assert.equal(readFileSync(path.join(spare, 'kb/990/Q990011/index.html'), 'utf8'), 'added page');
    assert.ok(!existsSync(path.join(spare, 'kb/990/Q990010')), 'the deleted page and its empty folder are gone');
    assert.ok(existsSync(path.join(spare, 'kb/990')), 'a folder that still holds a page stays');
    // A path that leaves the site (the record is a file anyone could edit) is refused before anything is done.
    for (const bad of ['../escape.html', 'kb/../../escape.html', '/etc/passwd', 'kb//x.html', 'a\\b']) {
      assert.throws(() => applyChanges(out, spare, [bad]), /outside the site/, bad);
    }
    assert.ok(!existsSync(path.join(dir, 'escape.html')));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the spare is used only when it holds the last site or the site that one was made from', () => {
  const record = (site: string, base: string | null, changed: string[] | null) => ({ site, base, changed }) as SiteRecord;
  const spare = (site: string) => ({ format: 'f', dir: '/x/out.spare', site }) as SpareRecord;
  assert.deepEqual(spareChanges(spare('b'), record('b', 'a', ['x'])), [], 'it is the last site');
  assert.deepEqual(spareChanges(spare('a'), record('b', 'a', ['x'])), ['x'], 'it is the base: the changed paths');
  assert.equal(spareChanges(spare('z'), record('b', 'a', ['x'])), null, 'another site');
  assert.equal(spareChanges(spare('a'), record('b', null, null)), null, 'the last site was exported whole');
  assert.equal(spareChanges(null, record('b', 'a', ['x'])), null, 'no spare');
  assert.equal(spareChanges(spare('a'), null), null, 'no record');
});

test('syncIndexChanges copies what an index update wrote and removed, as syncDir would; null when the site holds another index', (t) => {
  const root = mkdtempSync(path.join(tmpdir(), 'kbview-sync-index-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const put = (dir: string, files: Record<string, string>) => {
    for (const [name, text] of Object.entries(files)) {
      mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
      writeFileSync(path.join(dir, name), text);
    }
  };
  const manifest = (version: string) => JSON.stringify({ version });
  // The site's copy of index v1, and public/search/ after an update to v2 (t/1 rewritten, t/2 added, m/0 removed).
  const site = (dir: string) =>
    put(dir, { 'manifest.json': manifest('v1'), 't/0.json': 'zero', 't/1.json': 'one', 'm/0.json': 'meta', 'boot.js': 'boot', 'index.html': '<p>' });
  const source = path.join(root, 'public-search');
  put(source, { 'manifest.json': manifest('v2'), 't/0.json': 'zero', 't/1.json': 'one, longer', 't/2.json': 'two', 'boot.js': 'boot' });
  const changes = { from: 'v1', to: 'v2', written: ['t/1.json', 't/2.json', 'manifest.json'], removed: ['m/0.json'] };
  const a = path.join(root, 'a');
  const b = path.join(root, 'b');
  site(a);
  site(b);
  const partial = syncIndexChanges(source, a, changes);
  const whole = syncDir(source, b, (rel) => rel.endsWith('.html'));
  assert.ok(partial);
  assert.deepEqual({ ...partial, paths: [...partial.paths].sort() }, { ...whole, paths: [...whole.paths].sort() });
  for (const name of ['manifest.json', 't/0.json', 't/1.json', 't/2.json', 'boot.js', 'index.html'])
    assert.equal(readFileSync(path.join(a, name), 'utf8'), readFileSync(path.join(b, name), 'utf8'), name);
  assert.ok(!existsSync(path.join(a, 'm/0.json')));
  // The site holds another index than the update's start (or public/search/ another than its end): not used.
  const c = path.join(root, 'c');
  site(c);
  assert.equal(syncIndexChanges(source, c, { ...changes, from: 'v0' }), null);
  assert.equal(syncIndexChanges(source, c, { ...changes, to: 'v3' }), null);
  assert.equal(syncIndexChanges(source, c, null), null);
  // A name that is not one of the index's own files: not used.
  assert.equal(syncIndexChanges(source, c, { ...changes, written: ['../../etc/passwd'] }), null);
  assert.equal(readFileSync(path.join(c, 'manifest.json'), 'utf8'), manifest('v1'));
});

test('linkFile links a page of the previous site into the new one; a page the previous site lacks leaves no folder behind', () => {
  const root = mkdtempSync(path.join(tmpdir(), 'kbview-link-'));
  try {
    const previous = path.join(root, 'out');
    const next = path.join(root, 'staging');
    mkdirSync(path.join(previous, 'kb', '244', 'Q244717'), { recursive: true });
    writeFileSync(path.join(previous, 'kb', '244', 'Q244717', 'index.html'), 'page');
    mkdirSync(next);
    assert.equal(linkFile(path.join(previous, 'kb', '244', 'Q244717', 'index.html'), path.join(next, 'kb', '244', 'Q244717', 'index.html')), true);
    assert.equal(statSync(path.join(next, 'kb', '244', 'Q244717', 'index.html')).ino, statSync(path.join(previous, 'kb', '244', 'Q244717', 'index.html')).ino);
    // Not in the previous site (or no previous site at all: out/ removed, its record kept).
    assert.equal(linkFile(path.join(previous, 'kb', '990', 'Q990001', 'index.html'), path.join(next, 'kb', '990', 'Q990001', 'index.html')), false);
    assert.equal(linkFile(path.join(root, 'gone', 'kb', '244', 'Q244718', 'index.html'), path.join(next, 'kb', '244', 'Q244718', 'index.html')), false);
    // The page writer writes a page straight into a folder it makes; a folder made here in vain would send it the slow way.
    assert.ok(!existsSync(path.join(next, 'kb', '990')));
    assert.ok(!existsSync(path.join(next, 'kb', '244', 'Q244718')));
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
