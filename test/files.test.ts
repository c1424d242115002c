/**
 * The file index (lib/content/files.ts): rows grouped by slug, newest first,
 * versions part by part, dates as dates, sizes as numbers, "mentioned in" by
 * whole file name, and the per-article cap shared with the renderer's links.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { buildFileIndex, compareDates, compareRows, compareVersions, updateMentions, type FileRow } from '../lib/content/files';
import { MAX_FILE_NAMES_PER_ARTICLE } from '../lib/file-pages';
import { MAX_TABLE_ROWS } from '../lib/markdown/blocks';
import { fillFileTemplate } from '../lib/file-page-template';
import { parseArticle, renderBody, type Article, type FileAttribute } from '../lib/markdown/index';
import { REPO_ROOT } from '../bench/lib/corpus';
import { makeArticle } from './helpers/articles';

function article(number: number, rows: Array<Partial<FileAttribute> & { name: string }>, extra: Partial<Article> = {}): Article {
  return makeArticle(number, {
    title: `Q${number}: title ${number}`,
    product: 'Microsoft Windows NT',
    appliesTo: ['Microsoft Windows NT Server version 4.0'],
    fileAttributes: rows.map((r) => ({ date: '1999-01-01', time: null, size: null, ...r })),
    ...extra,
  });
}

test('versions compare numerically part by part', () => {
  const sorted = ['4.0.1381.133', '4.0.1381.7', '4.0', '4.0.1381.13', '10.0', '9.99', '5.0.2195.10', '5.0.2195.9', '', '4.0.1381.7a', '4.00.1381.8'].sort(
    compareVersions,
  );
  assert.deepEqual(sorted, ['', '4.0', '4.0.1381.7', '4.0.1381.7a', '4.00.1381.8', '4.0.1381.13', '4.0.1381.133', '5.0.2195.9', '5.0.2195.10', '9.99', '10.0']);
  assert.ok(compareVersions('4.0.1381.133', '4.0.1381.7') > 0);
  // A 400-digit run neither throws nor loses the order of shorter parts.
  assert.ok(compareVersions(`1.${'9'.repeat(400)}`, '1.2') > 0);
});

test('dates compare as dates; unreadable dates come before readable ones', () => {
  assert.ok(compareDates('2001-02-01', '1999-12-31') > 0);
  assert.ok(compareDates('1999-12-31', '2000-01-01') < 0);
  assert.ok(compareDates('soon', '1990-01-01') < 0);
});

test('rows: newest first, then time, then version numerically; sizes are numbers', () => {
  const row = (r: Partial<FileRow>): FileRow => ({
    n: 1,
    name: 'a.dll',
    version: null,
    date: '2000-01-01',
    time: null,
    size: null,
    platform: null,
    extra: [],
    ...r,
  });
  const rows = [
    row({ n: 1, version: '4.0.1381.7', date: '1999-10-29' }),
    row({ n: 2, version: '4.0.1381.133', date: '1999-10-29' }),
    row({ n: 3, date: '2001-03-04' }),
    row({ n: 4, date: 'Oct 99' }),
    row({ n: 5, date: '1999-10-29', time: '13:15' }),
  ].sort(compareRows);
  assert.deepEqual(
    rows.map((r) => r.n),
    [3, 5, 2, 1, 4],
  );
});

test('one entry per slug, spellings merged, newest first; names without a slug are counted', () => {
  const index = buildFileIndex([
    article(100001, [
      { name: 'Rassrv.exe', date: '1999-10-29', size: 69904, platform: 'x86' },
      { name: '***', date: '1999-10-29' },
    ]),
    article(100002, [{ name: 'RASSRV.EXE', date: '2001-05-02', version: '4.0.1381.133', size: 70000 }]),
    article(100003, [{ name: 'rassrv.exe', date: '2000-01-01', version: '4.0.1381.7' }, { name: 'Other.dll' }]),
  ]);
  assert.deepEqual(
    index.files.map((f) => f.slug),
    ['other.dll', 'rassrv.exe'],
  );
  const rassrv = index.files[1]!;
  assert.deepEqual(
    rassrv.rows.map((r) => r.n),
    [100002, 100003, 100001],
  );
  assert.equal(rassrv.rows[2]!.size, 69904);
  assert.equal(typeof rassrv.rows[0]!.size, 'number');
  assert.equal(rassrv.names.length, 3);
  assert.equal(index.skipped, 1);
  assert.deepEqual(index.articles.get(100001)?.appliesTo, ['Microsoft Windows NT Server version 4.0']);
});

test('"mentioned in": whole file names with a known extension only', () => {
  const articles = [
    article(200001, [{ name: 'ntoskrnl.exe' }, { name: 'readme.txt' }]),
    article(200002, []),
    article(200003, []),
    article(200004, []),
    article(200005, []),
  ];
  const texts = new Map([
    ['Q200001', 'ntoskrnl.exe is mine'],
    ['Q200002', 'Replace C:\\WINNT\\System32\\NTOSKRNL.EXE, then restart.'],
    ['Q200003', 'myntoskrnl.exe and ntoskrnl.exe2 and ntoskrnl.exe.bak are other files'],
    ['Q200004', 'see readme.txt'],
    ['Q200005', '(ntoskrnl.exe).'],
  ]);
  const index = buildFileIndex(articles, texts);
  const nt = index.files.find((f) => f.slug === 'ntoskrnl.exe')!;
  assert.deepEqual(nt.mentions, [200002, 200005]);
  assert.deepEqual(index.files.find((f) => f.slug === 'readme.txt')!.mentions, []);
});

test('an article gives pages to at most MAX_FILE_NAMES_PER_ARTICLE names; the renderer links the same ones', () => {
  // The renderer shows at most MAX_TABLE_ROWS rows as a table: every name given a page must be among them.
  assert.ok(MAX_FILE_NAMES_PER_ARTICLE <= MAX_TABLE_ROWS);
  const count = MAX_FILE_NAMES_PER_ARTICLE + 50;
  const rows = Array.from({ length: count }, (_, i) => ({ name: `f${i}.dll` }));
  const index = buildFileIndex([article(300001, rows)]);
  assert.equal(index.files.length, MAX_FILE_NAMES_PER_ARTICLE);
  assert.equal(index.skipped, 50);

  const table = rows.map((r) => `\t10/29/99  01:15a  69,904 ${r.name}  x86`).join('\n');
  const md = `---\ntitle: "Q300001: many files"\n---\n\n{% raw %}\n\n\tArticle: Q300001\n\n\tDate      Time                 Size    File name     Platform\n\t-------------------------------------------------------------\n${table}\n\n{% endraw %}\n`;
  const parsed = parseArticle(md, 'Q300001.md');
  assert.equal(parsed.article?.fileAttributes.length, Math.min(count, MAX_TABLE_ROWS));
  const hrefs = new Set<string>();
  const walk = (node: { type: string; tagName?: string; properties?: Record<string, unknown>; children?: unknown[] }) => {
    if (node.type === 'element' && node.tagName === 'a') hrefs.add(String(node.properties?.['href']));
    for (const child of node.children ?? []) walk(child as typeof node);
  };
  walk(renderBody(parsed.body) as never);
  const filePages = [...hrefs].filter((h) => h.startsWith('/files/'));
  assert.equal(filePages.length, MAX_FILE_NAMES_PER_ARTICLE);
  assert.deepEqual(new Set(filePages), new Set(index.files.map((f) => `/files/${f.slug}/`)));
});

test("Q244717's table: Rassrv.exe rows, linked to /files/rassrv.exe/", () => {
  const md = readFileSync(path.join(REPO_ROOT, 'content', 'Q244717.md'), 'utf8');
  const parsed = parseArticle(md, 'Q244717.md');
  const index = buildFileIndex([parsed.article!]);
  assert.deepEqual(
    index.files.map((f) => [f.slug, f.name, f.rows.length]),
    [['rassrv.exe', 'Rassrv.exe', 2]],
  );
  const html = JSON.stringify(renderBody(parsed.body, { linkPrefix: '/kb-archive' }));
  assert.match(html, /"href":"\/kb-archive\/files\/rassrv\.exe\/"/);
});

test('hostile file names: slugs stay [a-z0-9.-], no prototype keys, long names cut, one page per slug', () => {
  const names = [
    '__proto__',
    'constructor.dll',
    '../../etc/passwd',
    '<img src=x onerror=alert(1)>.exe',
    'A'.repeat(10_000) + '.exe',
    'Ras Srv.EXE',
    'ras-srv.exe',
    '...',
    '\u0000.dll',
  ];
  const index = buildFileIndex([
    article(
      400001,
      names.map((name) => ({ name })),
    ),
  ]);
  for (const file of index.files) assert.match(file.slug, /^[a-z0-9](?:[a-z0-9.-]{0,98}[a-z0-9])?$/, file.slug);
  const slugs = index.files.map((f) => f.slug);
  assert.equal(new Set(slugs).size, slugs.length);
  assert.ok(slugs.includes('proto'));
  assert.ok(slugs.includes('etc-passwd'));
  // `Ras Srv.EXE` and `ras-srv.exe` give one slug: one page with both spellings.
  assert.deepEqual(index.files.find((f) => f.slug === 'ras-srv.exe')?.names.sort(), ['Ras Srv.EXE', 'ras-srv.exe']);
  // `...` has no slug: counted, not indexed.
  assert.equal(index.skipped, 1);
  assert.equal(Object.getPrototypeOf(index.articles), Map.prototype);
});

test('file pages from one render: the slug everywhere, the content once, outside scripts', () => {
  const template = '<title>kbtplfile0 (file)</title><script>self.__next_f.push([1,"[\\"kbtplfile0\\"]"])</script><div data-static="s1">kbtplfilebody0</div>';
  const page = fillFileTemplate(template, 'rassrv.exe', '<h1>Rassrv.exe $& $1</h1>');
  assert.equal(
    page,
    '<title>rassrv.exe (file)</title><script>self.__next_f.push([1,"[\\"rassrv.exe\\"]"])</script><div data-static="s1"><h1>Rassrv.exe $& $1</h1></div>',
  );
  assert.throws(() => fillFileTemplate(template, '../x', ''), /bad slug/);
  assert.throws(() => fillFileTemplate('<p>none</p>', 'a.dll', ''), /exactly once/);
  assert.throws(() => fillFileTemplate('<script>x="kbtplfilebody0"</script>', 'a.dll', ''), /inside a script/);
});

test('an article whose file table cannot be read is left out of the file index and named; the others are indexed', () => {
  const good = article(1, [{ name: 'a.dll' }, { name: 'b.dll' }]);
  // A value that is not what the schema says (as from a damaged cache): its slug cannot be made.
  const bad = article(2, [{ name: 'a.dll' }, { name: 42 as unknown as string }]);
  const index = buildFileIndex([good, bad, article(3, [{ name: 'a.dll' }])]);
  assert.deepEqual(index.failed, [bad.source]);
  const a = index.files.find((f) => f.slug === 'a.dll')!;
  assert.deepEqual(
    a.rows.map((r) => r.n),
    [1, 3],
    'none of the failed article rows is indexed, not even the ones before the failure',
  );
  assert.ok(!index.articles.has(2));
  assert.equal(index.skipped, 2);
});

test('updateMentions gives the index buildFileIndex builds when only some texts changed', () => {
  const articles = [
    article(200001, [{ name: 'ntoskrnl.exe' }, { name: 'Rassrv.exe' }]),
    article(200002, []),
    article(200003, []),
    article(200004, [{ name: 'hal.dll' }]),
    article(200005, []),
  ];
  const before = new Map([
    ['Q200001', 'ntoskrnl.exe is mine'],
    ['Q200002', 'Replace NTOSKRNL.EXE and hal.dll, then restart.'],
    ['Q200003', 'nothing here'],
    ['Q200004', 'rassrv.exe and ntoskrnl.exe'],
    ['Q200005', 'hal.dll'],
  ]);
  // Q200002 loses both mentions, Q200003 gains one (a new article in the index), Q200004 mentions another file.
  const after = new Map(before);
  after.set('Q200002', 'Replace nothing, then restart.');
  after.set('Q200003', 'Rassrv.exe stops');
  after.set('Q200004', 'ntoskrnl.exe only');
  const changed = articles.filter((a) => ['Q200002', 'Q200003', 'Q200004'].includes(a.id));
  const byNumber = (index: ReturnType<typeof buildFileIndex>) => ({ ...index, articles: [...index.articles.values()].sort((a, b) => a.n - b.n) });
  const updated = updateMentions(buildFileIndex(articles, before), changed, after);
  const fresh = buildFileIndex(articles, after);
  assert.deepEqual(byNumber(updated), byNumber(fresh));
  assert.deepEqual(fresh.files.find((f) => f.slug === 'rassrv.exe')!.mentions, [200003], 'the case under test: mentions moved');
  assert.ok(!updated.articles.has(200002), 'an article that mentions nothing any more is no longer in the index');
});
