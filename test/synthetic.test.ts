/**
 * The synthetic N× archive of the scale bench (bench/lib/synthetic.ts), on a small
 * archive: deterministic, numbers in range and in blocks of their own, citations
 * mirrored inside each copy, titles varied, and a duplicate number stays a
 * duplicate in every copy, reported as in the small archive.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { generateSynthetic, mapNumber, numbersIn, planNumbers } from '../bench/lib/synthetic';
import { loadCorpus } from '../lib/content/corpus';
import { buildLinkGraph } from '../lib/content/graph';
import { MAX_ARTICLE_NUMBER } from '../lib/kb-number';

function articleText(n: number, title: string, body: string): string {
  const bucket = String(n).padStart(6, '0').slice(0, 3);
  return [
    '---',
    'layout: page',
    `title: "Q${n}: ${title}"`,
    `permalink: /kb/${bucket}/Q${n}/`,
    '---',
    '',
    `## Q${n}: ${title}`,
    '',
    '{% raw %}',
    '',
    `\tArticle: Q${n}`,
    '\tProduct(s): Microsoft Windows NT',
    '\tKeyword(s): kbbug',
    '\tLast Modified: 08-MAY-2002',
    '\t',
    '\tSYMPTOMS',
    '\t========',
    '\t',
    ...body.split('\n').map((line) => `\t${line}`),
    '',
    '{% endraw %}',
    '',
  ].join('\n');
}

function write(root: string, rel: string, text: string): void {
  mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
  writeFileSync(path.join(root, rel), text);
}

function smallArchive(): string {
  const root = mkdtempSync(path.join(tmpdir(), 'kb-synth-src-'));
  write(root, '100/Q100001/README.md', articleText(100001, 'Printer Stops', 'See Q100002 and q100003, and the missing Q100999.'));
  write(root, '100/Q100002/README.md', articleText(100002, 'Spooler Fails', 'Cites Q100001.'));
  write(root, '100/Q100003/README.md', articleText(100003, 'Fax Errors', 'Nothing cited.'));
  write(root, '250/Q250000/README.md', articleText(250000, 'Setup Hangs', 'See Q100001.'));
  // A second file with number 100002: a duplicate, as the bad input of the issue.
  write(root, 'extra/Q100002.md', articleText(100002, 'Spooler Fails Again', 'Cites Q250000.'));
  return root;
}

function listFiles(dir: string, rel = ''): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(path.join(dir, rel), { withFileTypes: true })) {
    const r = path.join(rel, entry.name);
    if (entry.isDirectory()) out.push(...listFiles(dir, r));
    else out.push(r);
  }
  return out.sort();
}

function digest(dir: string): string {
  const hash = createHash('sha256');
  for (const file of listFiles(dir))
    hash
      .update(file)
      .update('\0')
      .update(readFileSync(path.join(dir, file)))
      .update('\0');
  return hash.digest('hex');
}

test('number plan: copies in blocks above the archive, order kept, refused when out of range', () => {
  const plan = planNumbers([100001, 100999, 250000, 100002], 3);
  assert.deepEqual(plan.universe, [100001, 100002, 100999, 250000]);
  assert.deepEqual(plan.bases, [260000, 270000, 280000]);
  assert.equal(mapNumber(plan, 1, 100001), 260000);
  assert.equal(mapNumber(plan, 3, 250000), 280003);
  assert.throws(() => planNumbers([990001, 995000], 2), /above 999999/);
  assert.deepEqual(numbersIn('Q1234 Q012345 q100001 xQ100002 Q1000000 Q000000'), [12345, 100001]);
});

test('synthetic 4× archive of a small archive: deterministic, in range, mirrored, duplicates kept', async () => {
  const source = smallArchive();
  const out = mkdtempSync(path.join(tmpdir(), 'kb-synth-out-'));
  const a = generateSynthetic(source, path.join(out, 'a'), 4);
  const b = generateSynthetic(source, path.join(out, 'b'), 4);
  assert.equal(a.articles, 20);
  assert.equal(a.generated, true);
  assert.equal(digest(a.dir), digest(b.dir), 'two runs give the same bytes');
  assert.equal(generateSynthetic(source, a.dir, 4).generated, false, 'a complete archive is reused');

  const small = await loadCorpus(source, { cacheDir: false, workers: 0 });
  const big = await loadCorpus(a.dir, { cacheDir: false, workers: 0 });
  assert.equal(small.stats.files, 5);
  assert.equal(big.stats.files, 20);
  assert.equal(big.articles.length, 4 * small.articles.length);
  const ids = big.articles.map((x) => x.number);
  assert.equal(new Set(ids).size, ids.length);
  for (const n of ids) assert.ok(n >= 1 && n <= MAX_ARTICLE_NUMBER, `${n} in range`);

  // The duplicate is a duplicate in each copy, reported and skipped as in the small archive.
  const dups = (c: typeof small) => c.diagnostics.filter((d) => d.kind === 'duplicate-id');
  assert.ok(dups(small).length > 0);
  assert.equal(dups(big).length, 4 * dups(small).length);
  assert.equal(big.stats.skipped, 4 * small.stats.skipped);

  const plan = planNumbers([100001, 100002, 100003, 100999, 250000], 3);
  const smallGraph = buildLinkGraph(small.articles);
  const bigGraph = buildLinkGraph(big.articles);
  const byNumber = new Map(big.articles.map((x) => [x.number, x]));
  for (let copy = 1; copy <= 3; copy++) {
    for (const original of small.articles) {
      const twin = byNumber.get(mapNumber(plan, copy, original.number));
      assert.ok(twin, `copy ${copy} of ${original.id}`);
      // Citations point inside the same copy.
      assert.deepEqual(
        twin.references,
        original.references.map((r) => `Q${mapNumber(plan, copy, Number(r.slice(1)))}`),
      );
      // The title is varied but keeps the original's words; the permalink is canonical.
      assert.notEqual(twin.title, original.title);
      assert.match(twin.title, new RegExp(`^${original.title} \\([A-Z][a-z-]+\\)$`));
      assert.equal(twin.permalink, `/kb/${String(twin.number).slice(0, 3)}/${twin.id}/`);
      assert.equal(twin.product, original.product);
    }
  }
  // Missing (cited, not present) numbers are mirrored too: 4× as many not-in-archive pages.
  // (Q100002's two files, 100/Q100002/README.md and extra/Q100002.md, both claim its canonical place: both are refused, and as it is cited it is missing too.)
  assert.deepEqual(
    smallGraph.missing.map((m) => m.id),
    ['Q100002', 'Q100999'],
  );
  assert.equal(bigGraph.missing.length, 4 * smallGraph.missing.length);
  // No diagnostic but the duplicates' (no bad permalink, no id mismatch from the renumbering).
  assert.deepEqual(new Set(big.diagnostics.map((d) => d.kind)), new Set(small.diagnostics.map((d) => d.kind)));
  assert.equal(big.diagnostics.length, 4 * small.diagnostics.length);
});

test('a link to a shared archive whose marker does not match is refused, never removed or written through', () => {
  const source = smallArchive();
  const out = mkdtempSync(path.join(tmpdir(), 'kb-synth-link-'));
  const shared = generateSynthetic(source, path.join(out, 'shared'), 2);
  const link = path.join(out, 'x4');
  symlinkSync(shared.dir, link);
  const before = digest(shared.dir);
  // The same archive through the link: reused.
  assert.equal(generateSynthetic(source, link, 2).generated, false);
  // Another scale (a different marker): refused, and the shared copy and the link are left as they were.
  assert.throws(() => generateSynthetic(source, link, 3), /is a link to .* not regenerated/);
  assert.ok(lstatSync(link).isSymbolicLink());
  assert.equal(digest(shared.dir), before);
  assert.equal(existsSync(`${link}.partial`), false);
});
