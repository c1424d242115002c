/**
 * `npm run dev` (scripts/dev.ts → next dev) serves article pages before the
 * archive has loaded: it says `kbview: ready` once the article route is
 * compiled, then serves articles found by name alone, in both layouts
 * (`Q990001.md` anywhere, `kb/990/Q990950/README.md`), at their permalinks.
 * Without listing them to Next (next.config.js: no `output: 'export'` in
 * development), yet only the pages the export has: anything else is a 404.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../bench/lib/server';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
let child: ChildProcess;
let origin: string;
let content: string;
let log = '';

before(async () => {
  content = mkdtempSync(path.join(tmpdir(), 'kbview-dev-'));
  cpSync(path.join(REPO_ROOT, 'content'), path.join(content, 'sub', 'dir'), { recursive: true });
  mkdirSync(path.join(content, 'kb', '990', 'Q990950'), { recursive: true });
  const seed = readFileSync(path.join(REPO_ROOT, 'content', 'Q990002.md'), 'utf8');
  writeFileSync(path.join(content, 'kb', '990', 'Q990950', 'README.md'), seed.replaceAll('Q990002', 'Q990950'));
  const port = await freePort();
  origin = `http://localhost:${port}`;
  // Its own build folder: .next/ may be in use (a build, another dev server) and is type-checked;
  // no search index: it would replace the project's public/search/ with this content's.
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    KB_CONTENT_DIR: content,
    KB_NEXT_DIST_DIR: '.cache/test-dev-next',
    KB_SKIP_SEARCH: '1',
    NEXT_TELEMETRY_DISABLED: '1',
  };
  delete env['KB_BASE_PATH'];
  delete env['NODE_OPTIONS'];
  child = spawn(
    process.execPath,
    [path.join(REPO_ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'), 'scripts/dev.ts', '--port', String(port), '--hostname', 'localhost'],
    { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true },
  );
  child.stdout!.on('data', (c: Buffer) => (log += c));
  child.stderr!.on('data', (c: Buffer) => (log += c));
  const started = Date.now();
  while (!/kbview: (ready|could not warm)/.test(log)) {
    if (Date.now() - started > 180_000 || child.exitCode !== null) throw new Error(`npm run dev did not get ready:\n${log}`);
    await new Promise((r) => setTimeout(r, 100));
  }
});

after(() => {
  try {
    process.kill(-child.pid!, 'SIGKILL');
  } catch {
    // Already gone.
  }
  rmSync(content, { recursive: true, force: true });
});

test('npm run dev says it is ready once the article route is compiled', () => {
  assert.match(log, /kbview: ready in [\d.]+ s \(article route compiled\): http:\/\/localhost:\d+\//);
});

test('articles in either layout are served at their permalinks, with their text', async () => {
  for (const [permalink, title] of [
    ['/kb/244/Q244717/', 'RAS Port Becomes Unavailable'],
    ['/kb/990/Q990001/', 'Add an Article to a kbview Archive'],
    ['/kb/990/Q990950/', 'Q990950'],
  ] as const) {
    const response = await fetch(`${origin}${permalink}`);
    const html = await response.text();
    assert.equal(response.status, 200, `${permalink}: ${html.slice(0, 300)}`);
    assert.ok(html.includes(title), `${permalink} shows ${title}`);
    assert.match(html, /class="kb-body"/);
  }
});

test("the article route has exactly the export's pages: a missing article cited by one is served, anything else is a 404", async () => {
  const missing = await fetch(`${origin}/kb/990/Q990999/`);
  const missingHtml = await missing.text();
  assert.equal(missing.status, 200, missingHtml.slice(0, 300));
  assert.match(missingHtml, /<title>[^<]*Q990999/);
  assert.doesNotMatch(missingHtml, /class="kb-body"/);
  for (const permalink of [
    '/kb/990/Q990990/', // neither in the archive nor cited
    '/kb/244/Q990001/', // an article, in another bucket
    '/kb/991/Q990999/', // a missing article, in another bucket
    '/kb/990/Q990001x/',
    '/kb/990/990001/',
  ]) {
    const response = await fetch(`${origin}${permalink}`);
    const html = await response.text();
    assert.equal(response.status, 404, `${permalink}: ${html.slice(0, 300)}`);
    assert.match(html, /<title>Page not found/, permalink);
  }
  // Next did not list the route's pages: its request log shows no params run for an article.
  assert.doesNotMatch(log, /GET \/kb\/\d+\/Q\d+\/ \d+ in [^\n]*generate-params/);
});
