/**
 * Incremental `kb build` (scripts/lib/incremental.ts), on a copy of the project and of content/:
 * after an article's body is edited, the rebuild skips `next build` and writes only that
 * article's page; its out/ is byte for byte the out/ of the same build with every page
 * written, and of a clean build of the edited content but for the order in which Next
 * streamed each page's RSC rows (which differs between any two clean builds). A title edit
 * changes metadata, so Next runs again.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from './helpers/corpus';

const SOURCES = ['app', 'components', 'lib', 'scripts', 'public', 'next.config.ts', 'tsconfig.json', 'package.json', 'postcss.config.mjs'];

function listFiles(dir: string, rel = ''): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(path.join(dir, rel), { withFileTypes: true })) {
    const r = path.join(rel, entry.name);
    if (entry.isDirectory()) out.push(...listFiles(dir, r));
    else out.push(r);
  }
  return out.sort();
}

function build(project: string, content: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const env: NodeJS.ProcessEnv = { ...process.env, KB_CONTENT_DIR: content, NEXT_TELEMETRY_DISABLED: '1' };
    for (const key of ['KB_BASE_PATH', 'KB_SITE_URL', 'KB_SKIP_SEARCH', 'KB_ARTICLE_PAGES', 'KB_INCREMENTAL', 'KB_PHASES_FILE', 'NODE_OPTIONS']) delete env[key];
    const child = spawn(path.join(REPO_ROOT, 'node_modules', '.bin', 'tsx'), ['scripts/kb.ts', 'build'], { cwd: project, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c));
    child.stderr.on('data', (c: Buffer) => (output += c));
    child.on('close', (code) => (code === 0 ? resolve(output) : reject(new Error(`kb build failed (${code}):\n${output.slice(-4000)}`))));
  });
}

const KBVIEW_SCRIPT = /_next\/static\/kbview\/(article|missing)-[0-9a-f]+\.js/g;

/** A page or payload script with what depends on Next's streaming order taken out (see below). */
function canonical(text: string): string {
  return text
    .replace(/<meta http-equiv="Content-Security-Policy"[^>]*>/, '')
    .replace(KBVIEW_SCRIPT, '_next/static/kbview/$1.js')
    .split(/\\n|\n|\(\[1,"|"\]\)<\/script>/)
    .sort()
    .join('\n');
}

/** Both trees hold the same files (kbview payload scripts by kind) and `same` holds for each pair. */
function assertSameTree(a: string, b: string, same: (x: Buffer, y: Buffer, file: string) => boolean, how: string): void {
  const named = (dir: string) => new Map(listFiles(dir).map((f) => [f.replace(KBVIEW_SCRIPT, '_next/static/kbview/$1.js'), f]));
  const left = named(a);
  const right = named(b);
  assert.deepEqual([...left.keys()], [...right.keys()]);
  const differ = [...left].filter(([key, file]) => !same(readFileSync(path.join(a, file)), readFileSync(path.join(b, right.get(key)!)), file)).map(([key]) => key);
  assert.deepEqual(differ, [], `every file ${how}`);
}

/** Replaces the text of an article file (a new file: content/ of the repository is never written). */
function edit(file: string, change: (text: string) => string): void {
  const text = readFileSync(file, 'utf8');
  const changed = change(text);
  assert.notEqual(changed, text);
  rmSync(file);
  writeFileSync(file, changed);
}

test('a body edit rebuilds one page without next build, byte-identical to a clean build; a title edit runs Next', { timeout: 40 * 60_000 }, async () => {
  const base = path.join(REPO_ROOT, '.cache', 'test-incremental');
  mkdirSync(base, { recursive: true });
  const project = mkdtempSync(path.join(base, 'p-'));
  try {
    for (const source of SOURCES) {
      cpSync(path.join(REPO_ROOT, source), path.join(project, source), { recursive: true, filter: (src) => !src.endsWith(`${path.sep}public${path.sep}search`) });
    }
    symlinkSync(path.join(REPO_ROOT, 'node_modules'), path.join(project, 'node_modules'), 'dir');
    const content = path.join(project, 'kb-content');
    cpSync(path.join(REPO_ROOT, 'content'), content, { recursive: true });
    const total = listFiles(content).filter((f) => f.endsWith('.md')).length;

    const first = await build(project, content);
    assert.doesNotMatch(first, /next build skipped/);
    const page = path.join(project, 'out', 'kb', '244', 'Q244717', 'index.html');
    assert.doesNotMatch(readFileSync(page, 'utf8'), /Edited for the incremental test/);

    // A body edit: words in a paragraph, no title, header field, heading or citation.
    edit(path.join(content, 'Q244717.md'), (t) => t.replace('When a RAS client disconnects', 'When a RAS client (Edited for the incremental test) disconnects'));
    const second = await build(project, content);
    assert.match(second, /next build skipped/);
    const unchanged = /\((\d+) unchanged, left as they were\)/.exec(second);
    assert.ok(unchanged, second.slice(-2000));
    const written = /wrote (\d+) article pages and (\d+) not-in-archive pages/.exec(second)!;
    assert.equal(Number(unchanged[1]), Number(written[1]) + Number(written[2]) - 1, 'one page written');
    assert.match(readFileSync(page, 'utf8'), /Edited for the incremental test/);
    const incremental = path.join(project, 'out-incremental');
    cpSync(path.join(project, 'out'), incremental, { recursive: true });

    // The same build, every page written (no page record): byte for byte what the incremental one wrote.
    rmSync(path.join(project, '.cache', 'kbview', 'incremental', 'pages.tsv'));
    const rewrite = await build(project, content);
    assert.match(rewrite, /next build skipped/);
    assert.doesNotMatch(rewrite, /unchanged, left as they were/);
    assertSameTree(incremental, path.join(project, 'out'), (a, b) => a.equals(b), 'byte for byte');

    // A clean build of the same content. Two clean builds differ in one thing only: the order in
    // which Next streamed the RSC rows of a page (timing-dependent), hence the CSP hashes of its
    // inline scripts and the name of the template payload scripts. Everything else is compared
    // byte for byte; those files with the rows sorted, the CSP and script names left out.
    for (const dir of ['out', '.next', '.cache', path.join('public', 'search')]) rmSync(path.join(project, dir), { recursive: true, force: true });
    const clean = await build(project, content);
    assert.doesNotMatch(clean, /next build skipped/);
    assert.ok(listFiles(path.join(project, 'out')).length > total);
    const loose = new Set<string>();
    assertSameTree(incremental, path.join(project, 'out'), (a, b, file) => {
      if (a.equals(b)) return true;
      if (!/\.(html|js)$/.test(file)) return false;
      loose.add(file);
      return canonical(a.toString('utf8')) === canonical(b.toString('utf8'));
    }, 'the same but for the order of RSC rows');
    for (const file of loose) assert.match(file, /(^|\/)index\.html$|^404\.html$|^_next\/static\/kbview\//, `${file} differs`);

    // A title edit changes what the listings show: Next runs again.
    edit(path.join(content, 'Q244717.md'), (t) => t.replaceAll('RAS Port Becomes Unavailable', 'RAS Port Becomes Unusable'));
    const third = await build(project, content);
    assert.doesNotMatch(third, /next build skipped/);
    assert.match(readFileSync(page, 'utf8'), /RAS Port Becomes Unusable/);
    assert.ok(existsSync(path.join(project, 'out', 'index.html')));
  } finally {
    rmSync(project, { recursive: true, force: true });
  }
});
