/**
 * Issue 13's rules one by one, on small inputs: own-key lookups, one number
 * rule, the duplicate rule, one front-matter reader, the per-article limits,
 * and renderBody telling of every fallback.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { explainKeyword } from '../lib/keywords';
import { normalizeId, parseArticle, renderBody, type Diagnostic } from '../lib/markdown/index';
import { readFrontMatter } from '../lib/markdown/document';
import { MAX_LINKS } from '../lib/markdown/links';
import { duplicateWinner, isCanonicalPlace } from '../lib/content/duplicates';
import { Slugger } from '../lib/content/browse-index';
import { buildLinkGraph, MAX_MISSING_PER_ARTICLE } from '../lib/content/graph';
import { article } from '../bench/lib/hostile-content';

test('keywords named like Object.prototype properties have no explanation (never a function or an object)', () => {
  for (const k of ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', 'kbgrpdsconstructor', 'kbos__proto__', 'kbgrpds__proto__']) {
    assert.equal(explainKeyword(k), null, k);
  }
  assert.match(explainKeyword('kbbug') ?? '', /^Bug/);
  assert.match(explainKeyword('kbgrpdsvb') ?? '', /Visual Basic/);
});

test('header and footer fields named like prototype properties are no fields', () => {
  const text = article(
    'Q990801',
    'T',
    'Body.\n\n======================================================================\nKeywords          : kbbug\nconstructor       : x',
  ).replace('Keyword(s): kbhostile', 'Keyword(s): kbhostile\n\tconstructor: x\n\t__proto__: y');
  const { article: a } = parseArticle(text, 'Q990801.md');
  assert.ok(a);
  assert.deepEqual(a.keywords, ['kbbug']);
  assert.ok(!Object.hasOwn(a, 'function Object() { [native code] }'));
});

test('one number rule: Q0, Q00000 and seven significant digits are no article numbers', () => {
  assert.equal(normalizeId('050552'), 'Q50552');
  for (const digits of ['0', '00000', '000000', '1234567', '0000000']) assert.equal(normalizeId(digits), null, digits);
  const { article: a } = parseArticle(article('Q990802', 'T', 'See Q00000, Q000000, Q1234567, Q0000001 and Q050552.'), 'Q990802.md');
  assert.deepEqual(a?.references, ['Q50552']);
  const body = JSON.stringify(renderBody(parseArticle(article('Q990802', 'T', 'See Q00000 and Q050552.'), 'Q990802.md').body));
  assert.doesNotMatch(body, /\/Q0\//);
  assert.match(body, /\/kb\/050\/Q50552\//);
  // A title or Article line naming no article: no article.
  assert.equal(parseArticle(article('Q0', 'T', 'x'), 'Q0.md').article, null);
});

test('duplicates: the canonical place wins, else none', () => {
  assert.ok(isCanonicalPlace('Q244717', 'kb/244/Q244717/README.md'));
  assert.ok(isCanonicalPlace('Q244717', '244/Q244717/README.md'));
  assert.ok(isCanonicalPlace('Q244717', 'any/where/Q244717.md'));
  assert.ok(!isCanonicalPlace('Q244717', 'Q0244717.md'));
  assert.ok(!isCanonicalPlace('Q244717', 'kb/245/Q244717/README.md'));
  assert.ok(!isCanonicalPlace('Q244717', 'aQ244717.md'));
  assert.equal(duplicateWinner('Q244717', ['aaa/Q0244717.md', 'kb/244/Q244717/README.md']), 1);
  assert.equal(duplicateWinner('Q244717', ['a/Q244717.md', 'b/Q244717.md']), null);
  assert.equal(duplicateWinner('Q244717', ['a/Q0244717.md', 'Q990001.md']), null);
});

test('the front matter has one reader: a raw tag in a title, a fence with blanks, no fence', () => {
  const read = (text: string) => {
    const diagnostics: Diagnostic[] = [];
    return { ...readFrontMatter(text, 'x.md', diagnostics), kinds: diagnostics.map((d) => d.kind) };
  };
  const withRaw = read('---\ntitle: "Q1: a {% raw %} b"\n---\n{% raw %}\nx\n{% endraw %}\n');
  assert.deepEqual([withRaw.data?.['title'], withRaw.kinds], ['Q1: a {% raw %} b', []]);
  assert.equal(withRaw.end, '---\ntitle: "Q1: a {% raw %} b"\n---\n'.length);
  const blanks = read('---\ntitle: t\n---   \n*a_*a_\n');
  assert.deepEqual([blanks.data?.['title'], blanks.end, blanks.kinds], ['t', '---\ntitle: t\n---   \n'.length, []]);
  const open = read('---\ntitle: t\nkeywords: k\n{% raw %}\n---\n');
  assert.deepEqual([open.data?.['title'], open.kinds], ['t', ['unterminated-front-matter']]);
  assert.equal(
    parseArticle('---\ntitle: "Q990803: A {% raw %} B"\n---\n{% raw %}\n\tArticle: Q990803\n{% endraw %}\n', 'Q990803.md').article?.title,
    'A {% raw %} B',
  );
});

test('limits are reported: links, blocks, tables, lists, missing pages', () => {
  const fallbacks: string[] = [];
  const many = parseArticle(article('Q990804', 'T', 'Q123456 '.repeat(MAX_LINKS + 10)), 'Q990804.md');
  const hast = renderBody(many.body, { onFallback: (kind) => fallbacks.push(kind) });
  assert.deepEqual(fallbacks, ['link-limit']);
  assert.equal((JSON.stringify(hast).match(/"tagName":"a"/g) ?? []).length, MAX_LINKS);

  const blocks = parseArticle(article('Q990805', 'T', Array.from({ length: 6000 }, (_, i) => `w${i}`).join('\n\n')), 'Q990805.md');
  assert.ok(blocks.diagnostics.some((d) => d.kind === 'block-limit' && d.line));
  assert.match(JSON.stringify(blocks.body.blocks.at(-1)), /w5999/);

  const kws = parseArticle(
    article('Q990806', 'T', 'x').replace('Keyword(s): kbhostile', `Keyword(s): ${Array.from({ length: 80 }, (_, i) => `k${i}`).join(' ')}`),
    'Q990806.md',
  );
  assert.equal(kws.article?.keywords.length, 64);
  assert.ok(kws.diagnostics.some((d) => d.kind === 'list-limit'));

  const refs = Array.from({ length: MAX_MISSING_PER_ARTICLE + 20 }, (_, i) => `Q${800000 + i}`);
  const cites = parseArticle(article('Q990807', 'T', refs.join(' ')), 'Q990807.md').article!;
  const graph = buildLinkGraph([cites]);
  assert.equal(graph.missing.length, MAX_MISSING_PER_ARTICLE);
  assert.equal(graph.diagnostics[0]?.kind, 'missing-page-limit');
});

test('renderBody reports nesting it flattens, and its plain-text fallback keeps the KB text', () => {
  const deep = `---\ntitle: "Q990808: T"\n---\n\n${'> '.repeat(8)}${'- '.repeat(30)}x\n\n{% raw %}\n\tArticle: Q990808\n\tKept text.\n{% endraw %}\n`;
  const kinds: string[] = [];
  const hast = renderBody(parseArticle(deep, 'Q990808.md').body, { onFallback: (kind) => kinds.push(kind) });
  assert.match(JSON.stringify(hast), /Kept text/);
  for (const kind of kinds) assert.ok(['deep-nesting'].includes(kind), kind);
});

test('Slugger: ten thousand values with one slug get distinct slugs in linear time (counted probes)', () => {
  const slugger = new Slugger([]);
  const seen = new Set<string>();
  for (let i = 0; i < 10_000; i++) seen.add(slugger.slug('%%%'));
  assert.equal(seen.size, 10_000);
  assert.ok(seen.has('x') && seen.has('x-10000'));
});

test('only the published file of a number reaches file readers such as the search index', async () => {
  const { mkdtempSync, mkdirSync, writeFileSync, rmSync } = await import('node:fs');
  const os = await import('node:os');
  const path = await import('node:path');
  const { loadCorpus, publishedFiles } = await import('../lib/content/corpus');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kbview-published-'));
  try {
    mkdirSync(path.join(dir, 'kb', '990', 'Q990810'), { recursive: true });
    mkdirSync(path.join(dir, 'aaa'));
    mkdirSync(path.join(dir, 'b'));
    writeFileSync(path.join(dir, 'kb', '990', 'Q990810', 'README.md'), article('Q990810', 'Canonical', 'x'));
    writeFileSync(path.join(dir, 'aaa', 'Q0990810.md'), article('Q990810', 'Stray', 'x'));
    writeFileSync(path.join(dir, 'aaa', 'Q990811.md'), article('Q990811', 'Pair A', 'x'));
    writeFileSync(path.join(dir, 'b', 'Q990811.md'), article('Q990811', 'Pair B', 'x'));
    const corpus = await loadCorpus(dir, { cacheDir: false });
    assert.deepEqual(
      corpus.files
        .filter((f) => f.article)
        .map((f) => f.article!.title)
        .sort(),
      ['Canonical', 'Pair A', 'Pair B', 'Stray'],
    );
    assert.deepEqual(
      publishedFiles(corpus).map((f) => f.article!.title),
      ['Canonical'],
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
