/**
 * Parser fixtures: each test/fixtures/parser/<case>/input.md is parsed and its
 * `article` and `diagnostics` must deep-equal <case>/expected.json.
 *
 *   UPDATE_FIXTURES=1 npx tsx --test test/parser.test.ts   rewrites expected.json
 *
 * (Read a rewritten expected.json before committing it: it is the spec.)
 * The inputs are invented articles in the archive's format (numbers Q9901xx),
 * except q244717, the seed article.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { articleSchema, parseArticle } from '../lib/markdown/index';
import { updateFixtures } from '../bench/lib/ci';

const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'parser');
// UPDATE_FIXTURES=1 rewrites the expected outputs; refused under CI (bench/lib/ci.ts).
const UPDATE = updateFixtures();
const CASES = readdirSync(FIXTURES, { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name)
  .sort();

function parseCase(name: string) {
  const input = readFileSync(path.join(FIXTURES, name, 'input.md'), 'utf8');
  return parseArticle(input, `${name}/input.md`);
}

test('the fixture set holds the required cases', () => {
  for (const name of ['q244717', 'old-style', 'title-entities', 'hex-escapes', 'file-table-version', 'file-table-ampm']) {
    assert.ok(CASES.includes(name), `missing fixture ${name}`);
  }
});

for (const name of CASES) {
  test(`fixture ${name}`, () => {
    const { article, diagnostics } = parseCase(name);
    // Through JSON, as expected.json stores it (drops undefined properties).
    const actual = JSON.parse(JSON.stringify({ article, diagnostics })) as unknown;
    const file = path.join(FIXTURES, name, 'expected.json');
    if (UPDATE) {
      writeFileSync(file, `${JSON.stringify(actual, null, 2)}\n`);
      return;
    }
    assert.ok(existsSync(file), `${file} is missing: run with UPDATE_FIXTURES=1 and review it`);
    assert.deepEqual(actual, JSON.parse(readFileSync(file, 'utf8')));
    if (article) assert.ok(articleSchema.safeParse(article).success, 'article matches the schema');
  });
}

test('Q244717 is parsed field by field', () => {
  const { article, diagnostics } = parseCase('q244717');
  assert.deepEqual(diagnostics, []);
  assert.ok(article);
  assert.equal(article.id, 'Q244717');
  assert.equal(article.number, 244717);
  assert.equal(article.title, 'RAS Port Becomes Unavailable in Windows NT 4.0 Terminal Server');
  assert.equal(article.permalink, '/kb/244/Q244717/');
  assert.equal(article.product, 'Microsoft Windows NT');
  assert.deepEqual(article.versions, [
    { platform: 'winnt', version: '4.0 SP4' },
    { platform: 'winnt', version: '4.0 SP5' },
  ]);
  assert.equal(article.versionsRaw, 'winnt:4.0 SP4,4.0 SP5');
  assert.deepEqual(article.operatingSystems, []);
  // From the footer: the header line lost a space (`kbuikbfixlist`).
  assert.deepEqual(article.keywords, ['kbenv', 'kbnetwork', 'kbui', 'kbfixlist']);
  assert.deepEqual(article.technology, [
    'kbWinNTsearch',
    'kbWinNT400search',
    'kbWinNTSsearch',
    'kbWinNTS400search',
    'kbNTTermServ400sp4',
    'kbNTTermServ400sp5',
    'kbNTTermServSearch',
  ]);
  assert.deepEqual(article.hardware, ['ALPHA', 'x86']);
  assert.deepEqual(article.issueType, ['kbbug']);
  assert.deepEqual(article.solutionType, ['kbfix']);
  assert.deepEqual(article.queryWords, []);
  assert.equal(article.lastModified, '2002-05-08');
  assert.deepEqual(article.appliesTo, ['Microsoft Windows NT Server versions 4.0 SP4, 4.0 SP5, Terminal Server Edition']);
  assert.deepEqual(article.sections, [
    { id: 'symptoms', title: 'SYMPTOMS', level: 2 },
    { id: 'cause', title: 'CAUSE', level: 2 },
    { id: 'resolution', title: 'RESOLUTION', level: 2 },
    { id: 'status', title: 'STATUS', level: 2 },
    { id: 'more-information', title: 'MORE INFORMATION', level: 2 },
  ]);
  assert.deepEqual(article.fileAttributes, [
    { date: '1999-10-29', time: '01:15', size: 69904, name: 'Rassrv.exe', platform: 'x86' },
    { date: '1999-10-29', time: '01:22', size: 123664, name: 'Rassrv.exe', platform: 'Alpha' },
  ]);
  assert.deepEqual(article.references, ['Q238171']);
  assert.deepEqual(article.referenceTitles, [{ id: 'Q238171', title: 'RAS Port Becomes Unavailable in Windows NT 4.0' }]);
  assert.equal(article.source, 'q244717/input.md');
});

test('the seed fixture is the seed article', () => {
  const seed = path.join(FIXTURES, '..', '..', '..', 'content', 'Q244717.md');
  if (!existsSync(seed)) return;
  assert.equal(readFileSync(path.join(FIXTURES, 'q244717', 'input.md'), 'utf8'), readFileSync(seed, 'utf8'));
});
