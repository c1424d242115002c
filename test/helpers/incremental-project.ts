/**
 * A copy of the project and of content/ for the incremental build tests
 * (test/incremental*.test.ts): `kb build` runs there; clean builds; two sites compared.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { appendFileSync, cpSync, existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { siteRecordFile } from '../../lib/build/incremental';
import { PROJECT_SOURCES } from '../../lib/build/source-hash';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
/** The project's files (lib/build/source-hash.ts: the list the code digest reads). */
const SOURCES = PROJECT_SOURCES;

/** The project copy of the test file running (setupProject). */
export let ROOT = '';
export let CONTENT = '';
export let OUT = '';

/** Copies the project (sources and content/; node_modules linked) into .cache/test-incremental/<name>-<pid>/. */
export function setupProject(name: string): void {
  ROOT = path.join(REPO_ROOT, '.cache', 'test-incremental', `${name}-${process.pid}`);
  CONTENT = path.join(ROOT, 'kb-content');
  OUT = path.join(ROOT, 'out');
  rmSync(ROOT, { recursive: true, force: true });
  mkdirSync(ROOT, { recursive: true });
  for (const source of SOURCES) {
    const from = path.join(REPO_ROOT, source);
    if (existsSync(from))
      cpSync(from, path.join(ROOT, source), { recursive: true, filter: (src) => !src.startsWith(path.join(REPO_ROOT, 'public', 'search')) });
  }
  symlinkSync(path.join(REPO_ROOT, 'node_modules'), path.join(ROOT, 'node_modules'), 'dir');
  cpSync(path.join(REPO_ROOT, 'content'), CONTENT, { recursive: true });
  clean();
}

export function removeProject(): void {
  rmSync(ROOT, { recursive: true, force: true });
}

export function listFiles(dir: string, rel = ''): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(path.join(dir, rel), { withFileTypes: true })) {
    const child = rel ? `${rel}/${entry.name}` : entry.name;
    if (entry.isDirectory()) for (const f of listFiles(dir, child)) out.push(f);
    else out.push(child);
  }
  return out.sort();
}

/** test/helpers/hold-prepare.mjs: the build's prepare step, its work done, stays alive until killed (startBuild). */
const HOLD_PREPARE = pathToFileURL(path.join(REPO_ROOT, 'test', 'helpers', 'hold-prepare.mjs')).href;

/** `kb build` in the project copy; `holdPrepare`: its prepare step never ends (the build never reaches its swap). */
/** The file holding the record of the project copy's out/ (lib/build/incremental.ts, in the copy's cache). */
export function recordFile(): string {
  return path.join(ROOT, '.cache', 'kbview', 'incremental', path.basename(siteRecordFile(OUT)));
}

export function startBuild(options: { holdPrepare?: boolean } = {}): { child: ChildProcess; output: () => string; done: Promise<number | null> } {
  const env: NodeJS.ProcessEnv = { ...process.env, KB_CONTENT_DIR: CONTENT, NEXT_TELEMETRY_DISABLED: '1' };
  for (const key of Object.keys(env)) if (key.startsWith('KB_') && key !== 'KB_CONTENT_DIR') delete env[key];
  delete env['NODE_OPTIONS'];
  // `node --import tsx`, not the `tsx` command: the signal a test sends reaches kb build itself (the tsx command
  // relays it, and kills its child outright when the child's thread is busy for more than 60 ms).
  const hold = options.holdPrepare ? ['--import', HOLD_PREPARE] : [];
  const child = spawn(process.execPath, ['--import', 'tsx', ...hold, 'scripts/kb.ts', 'build'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (c: Buffer) => (output += c));
  child.stderr!.on('data', (c: Buffer) => (output += c));
  const done = new Promise<number | null>((resolve) =>
    child.on('close', (code) => {
      appendFileSync(path.join(ROOT, 'builds.log'), `${output}\n----\n`);
      resolve(code);
    }),
  );
  return { child, output: () => output, done };
}

export async function build(): Promise<string> {
  const run = startBuild();
  const code = await run.done;
  if (code !== 0) throw new Error(`kb build failed (${code}):\n${run.output().slice(-4000)}`);
  return run.output();
}

/** Every file of a site with a hash of its bytes. */
export function snapshot(dir: string): string[] {
  return listFiles(dir).map(
    (f) =>
      `${f} ${createHash('sha1')
        .update(readFileSync(path.join(dir, f)))
        .digest('hex')}`,
  );
}

/** Everything a clean build starts without: the site, its record and every cache. */
export function clean(): void {
  for (const dir of ['out', 'out.spare', '.next', '.cache', path.join('public', 'search'), path.join('public', 'data')])
    rmSync(path.join(ROOT, dir), { recursive: true, force: true });
}

/** Pages written and pages taken from the previous site, from the build's log. */
export function pageCounts(output: string): { pages: number; reused: number } {
  const m = /wrote (\d+) article pages and (\d+) not-in-archive pages \((\d+) unchanged, from the previous site; \d+ pages' inputs digested\)/.exec(output);
  assert.ok(m, output.slice(-3000));
  return { pages: Number(m[1]) + Number(m[2]), reused: Number(m[3]) };
}

/** Pages whose inputs the page writer computed and digested (the others were spared by their recorded dependencies). */
export function pagesDigested(output: string): number {
  const m = /; (\d+) pages' inputs digested\)/.exec(output);
  assert.ok(m, output.slice(-3000));
  return Number(m[1]);
}

/** The record of out/ (lib/build/incremental.ts `SiteRecord`): each page's digest and dependencies, each article's terms. */
export function siteRecord(): {
  files: { count: number; bytes: number };
  pages: { pages: Record<string, { digest: string; deps: string[] }>; articles: Record<string, { terms: string[] }> };
} {
  return JSON.parse(readFileSync(recordFile(), 'utf8'));
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

export function assertSameSite(incremental: string, clean: string, what: string): void {
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
export function edit(name: string, change: (text: string) => string): void {
  const file = path.join(CONTENT, name);
  const text = readFileSync(file, 'utf8');
  const changed = change(text);
  assert.notEqual(changed, text, `${name} changed`);
  rmSync(file);
  writeFileSync(file, changed);
}

/**
 * A copy of out/ as it is now (a clean build's, to compare a later incremental build of the same content
 * with: changeAndCompare's `{ cleanSite }`), in the project copy; a copy, not links: the spare of a later
 * build is the site before it, written again.
 */
export function keepSite(name: string): string {
  const dir = path.join(ROOT, name);
  rmSync(dir, { recursive: true, force: true });
  cpSync(OUT, dir, { recursive: true });
  return dir;
}

/**
 * The incremental build of the change (`check` looks at its out/ and log), then a clean build of the same
 * content: the same site. `skip-clean`: the clean build is left out (so that the next build is incremental too).
 * `{ cleanSite }`: the content is that of a clean build made earlier (its out/ kept by keepSite): the incremental
 * out/ is compared with it, and kept (the next build is incremental too), instead of building it again.
 */
export async function changeAndCompare(
  what: string,
  change: () => void,
  check: (output: string) => void = () => {},
  mode: 'clean' | 'skip-clean' | { cleanSite: string } = 'clean',
): Promise<string> {
  change();
  const output = await build();
  check(output);
  // The file count and bytes the incremental build recorded (the previous record and what it wrote) are out/'s.
  const files = listFiles(OUT);
  const bytes = files.reduce((sum, f) => sum + statSync(path.join(OUT, f)).size, 0);
  assert.deepEqual(siteRecord().files, { count: files.length, bytes }, `${what}: the recorded file count and bytes are out/'s`);
  assert.match(output, new RegExp(`; ${files.length} files, `), `${what}: the reported file count is out/'s`);
  if (mode === 'skip-clean') return output;
  if (typeof mode === 'object') {
    assertSameSite(OUT, mode.cleanSite, what);
    return output;
  }
  const incremental = path.join(ROOT, 'out-incremental');
  rmSync(incremental, { recursive: true, force: true });
  renameSync(OUT, incremental);
  clean();
  await build();
  assertSameSite(incremental, OUT, what);
  rmSync(incremental, { recursive: true, force: true });
  return output;
}
