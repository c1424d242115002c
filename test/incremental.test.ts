/**
 * Incremental `kb build` (lib/build/incremental.ts), in a copy of the project and of content/.
 * After each kind of change (body edit, title edit, new article, new citation, deleted article)
 * the incremental build's out/ is the out/ of a clean build of the same content, file for file,
 * byte for byte, but for one documented residual difference (`RESIDUAL` below). A body edit skips
 * `next build` and writes exactly one page, as new files (the previous out/, hard-linked into the
 * new site, never changes); a change of the code rebuilds every page.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { appendFileSync, cpSync, existsSync, linkSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const ROOT = path.join(REPO_ROOT, '.cache', 'test-incremental', String(process.pid));
const CONTENT = path.join(ROOT, 'kb-content');
const OUT = path.join(ROOT, 'out');
const SOURCES = ['app', 'components', 'lib', 'scripts', 'public', 'next.config.ts', 'tsconfig.json', 'package.json', 'postcss.config.mjs'];

function listFiles(dir: string, rel = ''): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(path.join(dir, rel), { withFileTypes: true })) {
    const child = rel ? `${rel}/${entry.name}` : entry.name;
    if (entry.isDirectory()) for (const f of listFiles(dir, child)) out.push(f);
    else out.push(child);
  }
  return out.sort();
}

function build(): Promise<string> {
  return new Promise((resolve, reject) => {
    const env: NodeJS.ProcessEnv = { ...process.env, KB_CONTENT_DIR: CONTENT, NEXT_TELEMETRY_DISABLED: '1' };
    for (const key of Object.keys(env)) if (key.startsWith('KB_') && key !== 'KB_CONTENT_DIR') delete env[key];
    delete env['NODE_OPTIONS'];
    const child = spawn(path.join(REPO_ROOT, 'node_modules', '.bin', 'tsx'), ['scripts/kb.ts', 'build'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c));
    child.stderr.on('data', (c: Buffer) => (output += c));
    child.on('close', (code) => {
      appendFileSync(path.join(ROOT, 'builds.log'), `${output}\n----\n`);
      if (code === 0) resolve(output);
      else reject(new Error(`kb build failed (${code}):\n${output.slice(-4000)}`));
    });
  });
}

/** Everything a clean build starts without: the site, its record and every cache. */
function clean(): void {
  for (const dir of ['out', '.next', '.cache', path.join('public', 'search'), path.join('public', 'data')])
    rmSync(path.join(ROOT, dir), { recursive: true, force: true });
}

/** Pages written and pages taken from the previous site, from the build's log. */
function pageCounts(output: string): { pages: number; reused: number } {
  const m = /wrote (\d+) article pages and (\d+) not-in-archive pages \((\d+) unchanged, from the previous site\)/.exec(output);
  assert.ok(m, output.slice(-3000));
  return { pages: Number(m[1]) + Number(m[2]), reused: Number(m[3]) };
}

/**
 * The one difference between two clean builds that kbview does not remove: Next streams a page's
 * metadata (`<title>`, `<meta>`, `<link rel="search">`…) and the RSC rows around it in an order that
 * depends on timing, so in any page Next renders (listings, home, file index, and the templates of
 * the article and file pages) where one `<link>` lands in the head and where a few payload rows
 * land in the inline payload can differ from build to build; the templates' payload scripts
 * (`_next/static/kbview/<kind>-<hash>.js`) are named by their content. Build ids, `<Static>` keys
 * and payload chunking are made stable (KB_BUILD_ID, lib/build/static-keys.ts). So every file is
 * compared byte for byte, and an HTML page or payload script that differs is compared again with
 * its elements and payload rows sorted and the payload script names without their hash.
 */
const KBVIEW_SCRIPT = /_next\/static\/kbview\/(article|missing)-[0-9a-f]+\.js/g;
const RESIDUAL = /\.html$|^_next\/static\/kbview\//;
const canonical = (text: string): string =>
  text
    .replace(KBVIEW_SCRIPT, '_next/static/kbview/$1.js')
    .split(/(?=<)|\\n/)
    .sort()
    .join('\n');

function assertSameSite(incremental: string, clean: string, what: string): void {
  const named = (dir: string) => new Map(listFiles(dir).map((f) => [f.replace(KBVIEW_SCRIPT, '_next/static/kbview/$1.js'), f]));
  const left = named(incremental);
  const right = named(clean);
  assert.deepEqual([...left.keys()], [...right.keys()], `${what}: the same files`);
  const differ: string[] = [];
  let loose = 0;
  for (const [key, file] of left) {
    const a = readFileSync(path.join(incremental, file));
    const b = readFileSync(path.join(clean, right.get(key)!));
    if (a.equals(b)) continue;
    loose++;
    if (RESIDUAL.test(key) && canonical(a.toString('utf8')) === canonical(b.toString('utf8'))) continue;
    differ.push(file);
  }
  assert.deepEqual(differ, [], `${what}: every file as a clean build writes it`);
  console.log(`# ${what}: ${left.size} files, ${left.size - loose} byte for byte, ${loose} equal with elements and rows sorted`);
}

/** Replaces an article file (a new file, as an editor saving it would; content/ of the repository is never written). */
function edit(name: string, change: (text: string) => string): void {
  const file = path.join(CONTENT, name);
  const text = readFileSync(file, 'utf8');
  const changed = change(text);
  assert.notEqual(changed, text, `${name} changed`);
  rmSync(file);
  writeFileSync(file, changed);
}

/** The incremental build of the change, then a clean build of the same content: the same site. */
async function changeAndCompare(what: string, change: () => void): Promise<string> {
  change();
  const output = await build();
  const incremental = path.join(ROOT, 'out-incremental');
  rmSync(incremental, { recursive: true, force: true });
  renameSync(OUT, incremental);
  clean();
  await build();
  assertSameSite(incremental, OUT, what);
  rmSync(incremental, { recursive: true, force: true });
  return output;
}

test(
  'incremental builds equal clean builds after each kind of change; a body edit writes one page; a code change rebuilds all',
  { timeout: 60 * 60_000 },
  async () => {
    rmSync(ROOT, { recursive: true, force: true });
    mkdirSync(ROOT, { recursive: true });
    try {
      for (const source of SOURCES) {
        const from = path.join(REPO_ROOT, source);
        if (existsSync(from))
          cpSync(from, path.join(ROOT, source), { recursive: true, filter: (src) => !src.startsWith(path.join(REPO_ROOT, 'public', 'search')) });
      }
      symlinkSync(path.join(REPO_ROOT, 'node_modules'), path.join(ROOT, 'node_modules'), 'dir');
      cpSync(path.join(REPO_ROOT, 'content'), CONTENT, { recursive: true });
      clean();
      const first = await build();
      assert.doesNotMatch(first, /next build skipped/);
      const total = pageCounts(first).pages;
      assert.equal(pageCounts(first).reused, 0);

      // A body edit: words in a paragraph (no title, header field, heading or citation).
      const page = path.join(OUT, 'kb', '244', 'Q244717', 'index.html');
      const before = readFileSync(page);
      const oldPage = path.join(ROOT, 'old-page.html');
      linkSync(page, oldPage); // the previous site's file itself: it must keep its bytes
      const body = await changeAndCompare('body edit', () =>
        edit('Q244717.md', (t) => t.replace('When a RAS client disconnects', 'When a RAS client (edited for the incremental test) disconnects')),
      );
      assert.match(body, /next build skipped/);
      assert.deepEqual(pageCounts(body), { pages: total, reused: total - 1 }, 'exactly one page written');
      assert.ok(readFileSync(oldPage).equals(before), 'the previous site was not written through a hard link');
      assert.match(readFileSync(page, 'utf8'), /edited for the incremental test/);

      // A title edit: Next's listings change, and the pages that show the title (citing articles, neighbours).
      const title = await changeAndCompare('title edit', () =>
        edit('Q244717.md', (t) => t.replaceAll('RAS Port Becomes Unavailable', 'RAS Port Becomes Unusable')),
      );
      assert.doesNotMatch(title, /next build skipped/);
      assert.ok(pageCounts(title).reused > 0 && pageCounts(title).reused < total, title.slice(-2000));

      // A new article, citing one that is in the archive.
      const added = await changeAndCompare('new article', () =>
        writeFileSync(
          path.join(CONTENT, 'Q990010.md'),
          readFileSync(path.join(CONTENT, 'Q990002.md'), 'utf8')
            .replaceAll('Q990002', 'Q990010')
            .replaceAll('How kbview Links Article Numbers', 'A New Article for the Incremental Test'),
        ),
      );
      assert.doesNotMatch(added, /next build skipped/);
      assert.ok(existsSync(path.join(OUT, 'kb', '990', 'Q990010', 'index.html')));

      // A new citation in a body: a backlink and cited-by entry appear.
      const cited = await changeAndCompare('new citation', () =>
        edit('Q990006.md', (t) => t.replace('{% endraw %}', '\tSee also Q990004 for more.\n{% endraw %}')),
      );
      assert.doesNotMatch(cited, /next build skipped/);

      // A deleted article: its page goes (or becomes a not-in-archive page, when cited).
      const deleted = await changeAndCompare('deleted article', () => rmSync(path.join(CONTENT, 'Q990010.md')));
      assert.doesNotMatch(deleted, /next build skipped/);
      assert.ok(!existsSync(path.join(OUT, 'kb', '990', 'Q990010', 'index.html')));

      // A change of the code: everything is built again.
      appendFileSync(path.join(ROOT, 'lib', 'site.ts'), '\n// changed by test/incremental.test.ts\n');
      const code = await build();
      assert.doesNotMatch(code, /next build skipped/);
      assert.equal(pageCounts(code).reused, 0);
    } finally {
      rmSync(ROOT, { recursive: true, force: true });
    }
  },
);
