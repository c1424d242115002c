/**
 * The data export (lib/content/data-export.ts): byte-identical for the same
 * archive (parsed afresh or from the cache, written twice), CSV quoting and
 * formula neutralizing, and gzip without time stamp.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { csvField, prepareLinkData, reproducibleGzip, reproducibleGzipOf } from '../lib/content/data-export';
import { loadCorpus } from '../lib/content/corpus';
import { REPO_ROOT } from '../bench/lib/corpus';

const NAMES = ['articles.jsonl.gz', 'citations.csv.gz', 'files.csv.gz'];

test('the same archive gives byte-identical data files', async () => {
  const a = mkdtempSync(path.join(tmpdir(), 'kb-data-a-'));
  const b = mkdtempSync(path.join(tmpdir(), 'kb-data-b-'));
  try {
    const content = path.join(REPO_ROOT, 'content');
    const fresh = await loadCorpus(content, { cacheDir: false, withText: true });
    const cached = await loadCorpus(content);
    const linesA = await prepareLinkData(fresh, a);
    await prepareLinkData(cached, b);
    assert.ok(
      linesA.some((l) => l.includes('data export:')),
      linesA.join('\n'),
    );
    for (const name of NAMES) {
      const x = readFileSync(path.join(a, name));
      const y = readFileSync(path.join(b, name));
      assert.ok(x.equals(y), name);
      assert.ok(gunzipSync(x).length > 0, name);
    }
    // The manifest (shipped, shown on /data/) is the same too.
    assert.equal(readFileSync(path.join(a, 'manifest.json'), 'utf8'), readFileSync(path.join(b, 'manifest.json'), 'utf8'));
    const manifest = JSON.parse(readFileSync(path.join(a, 'manifest.json'), 'utf8')) as { files: Array<{ name: string; bytes: number; rows: number }> };
    assert.deepEqual(
      manifest.files.map((f) => f.name),
      NAMES,
    );
    assert.equal(manifest.files[0]!.rows, fresh.articles.length);
    // A second run over the same folder keeps the files.
    const again = await prepareLinkData(cached, a);
    assert.ok(
      again.some((l) => l.includes('data export unchanged')),
      again.join('\n'),
    );
  } finally {
    rmSync(a, { recursive: true, force: true });
    rmSync(b, { recursive: true, force: true });
  }
});

test('CSV fields: RFC 4180 quoting; values that read as formulas get a leading quote', () => {
  assert.equal(csvField('Rassrv.exe'), 'Rassrv.exe');
  assert.equal(csvField('a,b'), '"a,b"');
  assert.equal(csvField('say "hi"'), '"say ""hi"""');
  assert.equal(csvField('line\nbreak'), '"line\nbreak"');
  assert.equal(csvField('=HYPERLINK("http://evil.example")'), `"'=HYPERLINK(""http://evil.example"")"`);
  assert.equal(csvField('+1'), "'+1");
  assert.equal(csvField('@SUM(A1)'), "'@SUM(A1)");
  assert.equal(csvField(69904), '69904');
  assert.equal(csvField(null), '');
});

test('gzip output depends on the bytes only', () => {
  const data = Buffer.from('kbview\n'.repeat(1000));
  const x = reproducibleGzip(data);
  assert.deepEqual([...x.subarray(4, 8)], [0, 0, 0, 0]); // mtime
  assert.equal(x[9], 255); // OS
  assert.ok(x.equals(reproducibleGzip(Buffer.from(data))));
  assert.ok(gunzipSync(x).equals(data));
});

test('gzip of pieces, compressed as they come, is the gzip of their concatenation', async () => {
  // ~3.5 MB of lines (several of the 1 MiB batches), multi-byte characters among them, varied so deflate has work.
  const lines: string[] = [];
  for (let i = 0; i < 40_000; i++) lines.push(`{"id":"Q${i * 7919}","title":"Ärger mit Überprüfung ${(i * 2654435761) % 1000003} — 日本 ${i % 97}"}\n`);
  const whole = Buffer.from(lines.join(''), 'utf8');
  const expected = reproducibleGzip(whole);
  for (const pieces of [lines, [lines.join('')], lines.join('').match(/[^]{1,3}/gu)!]) {
    const { gz, rawBytes } = await reproducibleGzipOf(pieces);
    assert.equal(rawBytes, whole.length);
    assert.ok(gz.equals(expected), `${pieces.length} pieces`);
  }
  assert.ok(gunzipSync(expected).equals(whole));
});

test('a body edit updates the file index mentions of that article only, and leaves the data files unwritten; a title edit writes them', async () => {
  const root = mkdtempSync(path.join(tmpdir(), 'kb-data-edit-'));
  try {
    const content = path.join(root, 'content');
    const data = path.join(root, 'data');
    cpSync(path.join(REPO_ROOT, 'content'), content, { recursive: true });
    const first = await prepareLinkData(await loadCorpus(content), data);
    assert.ok(
      first.some((l) => l.includes('data export:')),
      first.join('\n'),
    );
    const written = readFileSync(path.join(data, 'articles.jsonl.gz'));
    const writtenAt = statSync(path.join(data, 'articles.jsonl.gz')).mtimeMs;
    const file = path.join(content, 'Q244717.md');
    const edit = (change: (text: string) => string) => {
      const text = readFileSync(file, 'utf8');
      rmSync(file);
      writeFileSync(file, change(text));
    };

    edit((t) => t.replace('When a RAS client disconnects', 'When a RAS client (edited) disconnects'));
    const body = await prepareLinkData(await loadCorpus(content), data);
    assert.ok(
      body.some((l) => l.includes('file index: mentions of 1 changed articles updated')),
      body.join('\n'),
    );
    assert.ok(
      body.some((l) => l.includes('data export unchanged')),
      body.join('\n'),
    );
    assert.equal(statSync(path.join(data, 'articles.jsonl.gz')).mtimeMs, writtenAt, 'not written again');
    // A body edit that drops a file's mention (Q990005 names Rassrv.exe, in Q244717's table): files.csv changes, so
    // the files are made again.
    const mentioning = path.join(content, 'Q990005.md');
    const before = readFileSync(mentioning, 'utf8');
    assert.match(gunzipSync(readFileSync(path.join(data, 'files.csv.gz'))).toString(), /rassrv\.exe,Rassrv\.exe,mention,Q990005/);
    rmSync(mentioning);
    writeFileSync(mentioning, before.replace('Rassrv.exe is searched', 'a name is searched'));
    const mention = await prepareLinkData(await loadCorpus(content), data);
    assert.ok(
      mention.some((l) => l.includes('data export:')),
      mention.join('\n'),
    );
    assert.doesNotMatch(gunzipSync(readFileSync(path.join(data, 'files.csv.gz'))).toString(), /mention,Q990005/);

    edit((t) => t.replace('title: "Q244717: RAS Port', 'title: "Q244717: Retitled RAS Port'));
    const title = await prepareLinkData(await loadCorpus(content), data);
    assert.ok(
      title.some((l) => l.includes('data export:')),
      title.join('\n'),
    );
    assert.ok(!readFileSync(path.join(data, 'articles.jsonl.gz')).equals(written));
    assert.match(gunzipSync(readFileSync(path.join(data, 'articles.jsonl.gz'))).toString(), /Retitled RAS Port/);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
