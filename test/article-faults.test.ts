/**
 * One article whose listing entry or body render throws (fault injected with
 * KB_TEST_ARTICLE_FAULT, lib/config) is reported at that article, and the rest
 * is built: `kb check` renders every body as the page writer does and exits 1
 * on either failure; `kb build` exits 0 and lists the article by its number
 * only, as plain text, on every listing (home, /products/, /keywords/,
 * /years/, /numbers/, sitemaps), while its own page is still written.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from '../bench/lib/corpus';
import { builtSite } from './helpers/site-build';
import { filesUnder } from './helpers/files';

const TMP = mkdtempSync(path.join(tmpdir(), 'kb-faults-'));
after(() => rmSync(TMP, { recursive: true, force: true }));

/** A copy of content/ and an empty cache folder of its own. */
function contentCopy(name: string): { dir: string; cache: string } {
  const dir = path.join(TMP, name, 'content');
  cpSync(path.join(REPO_ROOT, 'content'), dir, { recursive: true });
  return { dir, cache: path.join(TMP, name, 'cache') };
}

function kb(args: string[], env: Record<string, string>): { code: number | null; out: string } {
  const run = spawnSync(path.join(REPO_ROOT, 'node_modules', '.bin', 'tsx'), ['scripts/kb.ts', ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, KB_TEST_ARTICLE_FAULT: '', ...env },
    encoding: 'utf8',
  });
  return { code: run.status, out: `${run.stdout}${run.stderr}` };
}

test('kb check renders every body: a body that fails to render is an error (exit 1), even when its parse was cached without a render', () => {
  const { dir, cache } = contentCopy('render');
  // `kb parse` fills the parse cache without rendering anything.
  assert.equal(kb(['parse', dir], { KB_CACHE_DIR: cache }).code, 0);
  const failing = kb(['check', dir], { KB_CACHE_DIR: cache, KB_TEST_ARTICLE_FAULT: 'render:Q990002.md' });
  assert.equal(failing.code, 1, failing.out);
  assert.match(failing.out, /Q990002\.md:1: error: the body could not be rendered \(test fault \(KB_TEST_ARTICLE_FAULT\)\)[^\n]*\[render-failed\]/);
  assert.match(failing.out, /8 articles, 0 with warnings, 1 with errors, 0 skipped/);
  // The failure is not cached: once the body renders, the file passes.
  const passing = kb(['check', dir], { KB_CACHE_DIR: cache });
  assert.equal(passing.code, 0, passing.out);
  assert.doesNotMatch(passing.out, /render-failed/);
  // Rendered now (and cached in the body cache): no file is parsed again.
  assert.match(kb(['check', dir], { KB_CACHE_DIR: cache }).out, /\(0 parsed, 8 from cache/);
});

test('kb check: an article whose listing entry throws is an error at its file (exit 1); the others are listed', () => {
  const { dir, cache } = contentCopy('listing');
  const run = kb(['check', dir], { KB_CACHE_DIR: cache, KB_TEST_ARTICLE_FAULT: 'listing:Q990003.md' });
  assert.equal(run.code, 1, run.out);
  assert.match(run.out, /Q990003\.md:1: error: the article's metadata [^\n]*could not be listed[^\n]*\[listing-failed\]/);
  assert.equal(run.out.match(/\[listing-failed\]/g)?.length, 1);
  assert.match(run.out, /1 with errors/);
});

test('kb build: an article whose listing entry throws is listed by its number only; the build exits 0 and its page is written', async () => {
  const out = await builtSite({ search: false, articleFault: 'listing:Q990001.md' });
  const log = readFileSync(path.join(path.dirname(out), 'build.log'), 'utf8');
  assert.match(log, /Q990001\.md:1: error: [^\n]*could not be listed[^\n]*\[listing-failed\]/);
  const read = (p: string) => readFileSync(path.join(out, p), 'utf8');
  // Its own page is there, with its title.
  assert.match(read('kb/990/Q990001/index.html'), /HOWTO: Add an Article to a kbview Archive/);
  // Every listing that lists it shows its number as the row's text, without its title, product or date.
  const range = read('numbers/990000-990999/index.html');
  assert.match(range, /<li><span>Q990001<\/span><a href="\/kb\/990\/Q990001\/">Q990001<\/a><\/li>/);
  assert.match(range, /<li><span>Q990002<\/span><a href="\/kb\/990\/Q990002\/">[^<]+<\/a><small>/, 'the other rows are as usual');
  const pages = filesUnder(out).filter((f) => f.endsWith('.html') && !f.startsWith('kb/'));
  const titled = pages.filter((f) => read(f).includes('Add an Article to a kbview Archive'));
  assert.deepEqual(titled, [], 'no listing shows its title');
  const sitemaps = filesUnder(out).filter((f) => f.startsWith('sitemaps/'));
  assert.ok(
    sitemaps.some((f) => read(f).includes('/kb/990/Q990001/')),
    'its page is in the sitemap',
  );
});
