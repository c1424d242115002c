/**
 * A 5,000-article subset of the real archive builds into a complete site:
 * every article page and every not-in-archive page is there, a sample of pages
 * holds what its article says, and the output stays within the per-article
 * file and size budgets. Catches scale regressions early (the full-corpus
 * figures are `npm run bench`'s job).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { corpusDir, corpusSkipReason, corpusSubset, REPO_ROOT } from '../bench/lib/corpus';
import { builtSite } from './helpers/site';
import { loadCorpus } from '../lib/content/corpus';
import { buildLinkGraph } from '../lib/content/graph';

const SIZE = 5000;

function walk(dir: string, out: string[] = []): string[] {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) walk(full, out);
    else out.push(full);
  }
  return out;
}

/** The page's text with the entities React writes decoded. */
const decode = (html: string): string =>
  html
    .replace(/<!-- -->/g, '')
    .replace(/&(lt|gt|quot|#x27|#39|nbsp|amp);/g, (_, e: string) => ({ lt: '<', gt: '>', quot: '"', '#x27': "'", '#39': "'", nbsp: '\u00a0', amp: '&' })[e]!);

test(`a ${SIZE}-article subset of the archive builds completely`, { skip: corpusSkipReason(), timeout: 20 * 60_000 }, async () => {
  const content = corpusSubset(await corpusDir(), SIZE, path.join(REPO_ROOT, '.cache', 'corpus-subset', String(SIZE)));
  const corpus = await loadCorpus(content);
  assert.equal(corpus.articles.length, SIZE);
  const graph = buildLinkGraph(corpus.articles);
  const out = await builtSite({ contentDir: content });

  // Every article and every not-in-archive page is there.
  const missingPages = [...corpus.articles, ...graph.missing].filter((a) => !existsSync(path.join(out, a.permalink, 'index.html')));
  assert.deepEqual(missingPages.map((a) => a.permalink).slice(0, 10), [], 'pages missing from out/');

  // A sample of pages holds its article: title, product, body text, links to what it cites.
  const sample = corpus.articles.filter((_, i) => i % 97 === 0);
  for (const article of sample) {
    const html = readFileSync(path.join(out, article.permalink, 'index.html'), 'utf8');
    const text = decode(html);
    assert.ok(text.includes(article.title), `${article.id}: title missing`);
    if (article.product) assert.ok(text.includes(article.product), `${article.id}: product missing`);
    for (const section of article.sections) assert.ok(html.includes(`id="${section.id}"`), `${article.id}: section #${section.id} missing`);
    for (const ref of article.references.slice(0, 5))
      assert.ok(
        html.includes(
          `/kb/${String(Number(ref.slice(1)))
            .padStart(6, '0')
            .slice(0, 3)}/${ref}/`,
        ),
        `${article.id}: no link to ${ref}`,
      );
  }

  // Budgets: no page over 500 KB (the bulk downloads of data/ aside), at most 2.2 files per article, no RSC payloads left.
  const files = walk(out);
  const large = files.filter((f) => statSync(f).size > 500 * 1024 && !path.relative(out, f).startsWith(`data${path.sep}`)).map((f) => path.relative(out, f));
  assert.deepEqual(large, [], 'files over 500 KB');
  // Article sources ("Original text", Q….source.html next to each page) are shipped only for archives under
  // 10,000 articles (lib/content/sources.ts): not counted here, where the full archive has none.
  const pages = files.filter((f) => !f.endsWith('.source.html'));
  assert.ok(pages.length <= 2.2 * SIZE, `${pages.length} files (sources aside) for ${SIZE} articles`);
  const payloads = files.filter((f) => f.endsWith('.txt') && !f.endsWith('robots.txt'));
  assert.deepEqual(payloads.slice(0, 5), [], 'RSC payload files left in out/');
});
