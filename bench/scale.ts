/**
 * `npm run bench -- --scale N [--no-1x] [--only-1x] [--no-hugo] [--no-edit]`: the scale bench.
 *
 * In one run: the real archive (1×, hard-linked into `.cache/synthetic/x1`) and the
 * synthetic N× archive (bench/lib/synthetic.ts, `.cache/synthetic/x<N>`), each built
 * cold (parse cache and `.next/` removed) with `kb build`, with the build's own phase
 * table (lib/build/phases.ts); incremental rebuilds of the 1× archive (lib/build/incremental.ts)
 * after one article body is edited (three times in a row), then a title, then a new article is added (`--only-1x`:
 * without the N× archive); and bare Hugo (Debian's `hugo`, skipped with a note when absent) on the same
 * articles as leaf bundles with minimal templates, timed the same way. Figures and
 * ratios go to stdout and to BENCHMARKS.md.
 */
import { execFileSync } from 'node:child_process';
import { appendFileSync, existsSync, linkSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import path from 'node:path';
import { scanContent } from '../lib/content/scan';
import { permalinkOfNumber } from '../lib/kb-number';
import { cacheFolder } from '../lib/content/corpus';
import { countFiles } from '../lib/build/build';
import { WORKER_BUNDLE_DIR } from '../lib/build/worker-bundle';
import { readPhaseTable, type PhaseRecord } from '../lib/build/phases';
import { measure, median, gib, mb, sec, type Measured } from './lib/measure';
import { ensureSynthetic } from './synthetic';

const root = process.cwd();
const out: string[] = [];
const say = (line: string): void => {
  console.log(line);
  out.push(line);
};

interface BuildFigures {
  label: string;
  articles: number;
  result: Measured;
  phases: PhaseRecord[];
  files: number;
  bytes: number;
}

/**
 * Where the bench moves what a timed run would otherwise start by deleting (earlier sites, caches, Hugo's folders),
 * to remove it once every run is timed. On ext4 without a journal (this project's machines: no /proc/fs/jbd2 entry),
 * the kernel, to give a new file or folder an inode, passes over each inode freed in the last 60 s (360 s while the
 * block of the inode table holding it is not yet written back: fs/ext4/ialloc.c `find_inode_bit`,
 * `recently_deleted`): `perf` of a loop making 30,000 folders with a file each right after the removal of as many
 * showed ~56 % of the time there, and the loop took 9.9–31 s against 3.4 s with nothing removed in the minutes before
 * (1.0 s on tmpfs). A timed build that followed the bench's own removal of the previous `out/` (74k–286k files) and
 * caches paid that on each of its ~140,000 new files and folders (the page writer's `mkdir` and `writeFile`: 28 of
 * its 54 s in a profile), and Hugo, timed after other removals, paid it in turn.
 */
const SET_ASIDE = path.join(root, '.cache/bench/set-aside');
/** How long the kernel may take an inode for recently freed (`SET_ASIDE`). */
const RECENTLY_FREED_MS = 6 * 60_000;
let setAsideCount = 0;

/** Moves `target` into SET_ASIDE (the same file system: a rename), when it is there. */
function setAside(target: string): void {
  if (!existsSync(target)) return;
  mkdirSync(SET_ASIDE, { recursive: true });
  renameSync(target, path.join(SET_ASIDE, `${process.pid}-${setAsideCount++}-${path.basename(target)}`));
}

/**
 * What an interrupted run set aside: removed, then the bench waits until the kernel no longer counts those inodes as
 * recently freed (`SET_ASIDE`), so that no timed run follows a removal.
 */
async function removeLeftovers(): Promise<void> {
  if (!existsSync(SET_ASIDE)) return;
  rmSync(SET_ASIDE, { recursive: true, force: true });
  execFileSync('sync');
  say(`(removed what an earlier run set aside in ${path.relative(root, SET_ASIDE)}/; waiting ${RECENTLY_FREED_MS / 60_000} min before the first timed run)`);
  await new Promise((resolve) => setTimeout(resolve, RECENTLY_FREED_MS));
}

function load(): string {
  const [one, five, fifteen] = loadavg();
  return `load average ${one!.toFixed(1)} / ${five!.toFixed(1)} / ${fifteen!.toFixed(1)}`;
}

/** The phase table of the last `kb build` run from this folder (lib/build/phases.ts). */
export function readPhases(): PhaseRecord[] {
  try {
    return readPhaseTable(root);
  } catch {
    return [];
  }
}

export function phaseTable(builds: BuildFigures[]): string {
  const names: string[] = [];
  for (const b of builds) for (const p of b.phases) if (!names.includes(p.name)) names.push(p.name);
  const head = `| phase | ${builds.map((b) => `${b.label}: wall | peak`).join(' | ')} |`;
  const rule = `|---|${builds.map(() => '---|---').join('|')}|`;
  const body = names.map((name) => {
    const cells = builds.map((b) => {
      const p = b.phases.find((x) => x.name === name);
      return p ? `${sec(p.ms)} | ${gib(p.peakRssBytes)}` : '– | –';
    });
    return `| ${name} | ${cells.join(' | ')} |`;
  });
  const total = `| **whole build** | ${builds.map((b) => `${sec(b.result.ms)} | ${gib(b.result.peakRssBytes)}`).join(' | ')} |`;
  return [head, rule, ...body, total].join('\n');
}

async function build(label: string, content: string, cold: boolean, env: NodeJS.ProcessEnv, waitRemoval = true): Promise<BuildFigures> {
  if (cold) {
    // Set aside, not removed (SET_ASIDE): removed files would slow every file the build makes.
    setAside(cacheFolder(content, path.join(root, '.cache/kbview')));
    setAside(path.join(root, '.next'));
    setAside(path.join(root, 'public/search'));
    // The search boot script's bundle (lib/search/boot-bundle.ts) is made again too, and the workers' bundles
    // (lib/build/worker-bundle.ts).
    setAside(path.join(root, '.cache/kbview/search-boot'));
    setAside(WORKER_BUNDLE_DIR);
    // And no previous site: a build of another archive into the same out/ would still take the pages whose digests
    // match from it (the 4× build took 3,549 from the 1× site), and remove it at the end.
    for (const dir of ['out', 'out.spare', 'out.trash']) setAside(path.join(root, dir));
  }
  const sources = scanContent(content).files;
  const articles = sources.length;
  if (cold) warmArticles(content, sources);
  say(`\n== kb build, ${label} (${articles} article files, ${cold ? 'cold' : 'cached'}; ${load()})`);
  // As `npm run build` runs it (package.json).
  const result = await measure(process.execPath, ['--import', 'tsx', 'scripts/kb.ts', 'build'], { env: { ...env, KB_CONTENT_DIR: content }, echo: true });
  if (result.code !== 0) {
    say(`kb build ${label} failed with exit code ${result.code} after ${sec(result.ms)} (peak ${gib(result.peakRssBytes)}): ${result.stderr.slice(-600)}`);
  }
  // A build leaves the previous site's removal to a detached process (lib/build/build.ts): waited for here, outside
  // the build's time, so that it does not run into the next build's (unless `waitRemoval` is false: a user's next
  // build right after this one).
  const removing = performance.now();
  while (waitRemoval && existsSync(path.join(root, 'out.trash'))) await new Promise((resolve) => setTimeout(resolve, 200));
  if (performance.now() - removing > 500) say(`(the previous site's removal in the background took ${sec(performance.now() - removing)} more)`);
  const files = existsSync(path.join(root, 'out')) ? countFiles(path.join(root, 'out')) : { count: 0, bytes: 0 };
  const figures = { label, articles, result, phases: result.code === 0 ? readPhases() : [], files: files.count, bytes: files.bytes };
  say(`${label}: ${sec(result.ms)}, peak RSS ${gib(result.peakRssBytes)}, out/ ${files.count} files, ${mb(files.bytes)}`);
  return figures;
}

/** Replaces a file by a new one (write + rename): a hard link to a shared copy is never written through. */
function replaceFile(file: string, text: string): void {
  const tmp = `${file}.bench-tmp`;
  writeFileSync(tmp, text, 'latin1');
  renameSync(tmp, file);
}

/**
 * Reads every article file once, untimed, right before a timed cold build (ours and Hugo's): both start with the
 * articles in the page cache. Else the first build of a run read them from disk (the kernel had reclaimed them: its
 * parse took 40.9 s, 5.5 core-seconds waiting for the disk, against 27.4 s right after) and Hugo, run after it on
 * the same files, found them in memory. Says how long the reading took.
 */
function warmArticles(content: string, sources: readonly string[]): void {
  const started = performance.now();
  let bytes = 0;
  for (const file of sources) bytes += readFileSync(path.join(content, file)).length;
  // And what earlier steps left to write (a removed site's 150,000 entries) is written before the clock starts.
  execFileSync('sync');
  say(`(article files read before the timed build, ${mb(bytes)} in ${sec(performance.now() - started)}: in the page cache for ours and Hugo's alike)`);
}

/** The same articles as Hugo leaf bundles (`<dir>/Q<n>/index.md`, hard links to the articles) plus minimal templates. */
function hugoSite(content: string, sources: readonly string[], dir: string): number {
  setAside(dir);
  mkdirSync(path.join(dir, 'layouts', '_default'), { recursive: true });
  writeFileSync(
    path.join(dir, 'config.toml'),
    [
      'baseURL = "http://localhost/"',
      'disableKinds = ["taxonomy", "term", "RSS", "sitemap", "robotsTXT", "404"]',
      'disablePathToLower = true',
      '[markup.goldmark.renderer]',
      'unsafe = false',
      '',
    ].join('\n'),
  );
  const page = '<!doctype html><html><head><title>{{ .Title }}</title></head><body><h1>{{ .Title }}</h1>{{ .Content }}</body></html>\n';
  writeFileSync(path.join(dir, 'layouts', '_default', 'single.html'), page);
  writeFileSync(path.join(dir, 'layouts', '_default', 'page.html'), page);
  writeFileSync(
    path.join(dir, 'layouts', '_default', 'list.html'),
    '<!doctype html><html><head><title>{{ .Title }}</title></head><body><h1>{{ .Title }}</h1></body></html>\n',
  );
  const made = new Set<string>();
  let n = 0;
  for (const file of sources) {
    const bundle = /(^|\/)README\.md$/i.test(file) ? path.dirname(file) : file.replace(/\.md$/i, '');
    const target = path.join(dir, 'content', bundle, 'index.md');
    if (made.has(target)) continue;
    made.add(target);
    mkdirSync(path.dirname(target), { recursive: true });
    linkSync(path.join(content, file), target);
    n++;
  }
  return n;
}

export async function hugo(label: string, content: string): Promise<{ label: string; result: Measured; files: number; bytes: number } | string> {
  if (!existsSync('/usr/bin/hugo')) return 'hugo not installed (apt-get install -y hugo): Hugo baseline skipped';
  const dir = path.join(root, '.cache/bench/hugo', label);
  const sources = scanContent(content).files;
  const bundles = hugoSite(content, sources, dir);
  warmArticles(content, sources);
  say(`\n== bare Hugo, ${label}: ${bundles} leaf bundles (${load()})`);
  const result = await measure('/usr/bin/hugo', ['--quiet', '-s', dir, '-d', path.join(dir, 'public')], {});
  if (result.code !== 0) return `hugo ${label} failed (${result.code}): ${result.stderr.slice(-400)}`;
  const files = countFiles(path.join(dir, 'public'));
  say(`hugo ${label}: ${sec(result.ms)}, peak RSS ${gib(result.peakRssBytes)}, ${files.count} files, ${mb(files.bytes)}`);
  setAside(dir);
  return { label, result, files: files.count, bytes: files.bytes };
}

/**
 * `pairs`: cold 1× builds, each followed by bare Hugo's run on the same archive (`--pairs N`, default 1); the 1×
 * ratio is then also taken of the medians. On this machine one cold build's time moves by a third from one run to the
 * next, and Hugo's as much, independently (2026-12-04, the same code: ours 84.4, 108.2, 113.4 s; Hugo's 23.3–38.5 s):
 * one pair says little.
 */
export async function scaleBench(scale: number, args: string[], pairs = 1): Promise<void> {
  const env = { ...process.env, NEXT_TELEMETRY_DISABLED: '1' };
  say(`kbview scale bench: 1× and ${scale}× archives; machine ${availableParallelism()} cores, Node ${process.version}, ${load()}`);
  await removeLeftovers();
  const one = await ensureSynthetic(1);
  const big = await ensureSynthetic(scale);
  const rows: string[] = [];
  const builds: BuildFigures[] = [];
  const hugos: Array<{ label: string; result: Measured; files: number; bytes: number }> = [];
  const notes: string[] = [];
  // Bare Hugo on the same articles right after our cold build of them, not minutes later: this machine's speed drifts
  // (two cold 1× builds of the same code a quarter of an hour apart: 84.4 and 108.2 s, every phase slower), and the
  // ratio compares the two. Each phase of ours before took ~20 min more than Hugo's 1× run, which came after the 4× build.
  const baseline = async (label: string, content: string) => {
    if (args.includes('--no-hugo')) return;
    const h = await hugo(label, content);
    if (typeof h === 'string') notes.push(h);
    else hugos.push(h);
  };

  if (!args.includes('--no-1x')) {
    const b1 = await build('1×', one, true, env);
    builds.push(b1);
    await baseline('1×', one);
    for (let pair = 2; pair <= pairs; pair++) {
      builds.push(await build(`1× (pair ${pair})`, one, true, env));
      await baseline(`1× (pair ${pair})`, one);
    }
    if (!args.includes('--no-edit') && b1.result.code === 0) {
      // One article body edited (a copy of the file replaces it: the corpus it links to is never written).
      const files = scanContent(one).files;
      const file = files.find((f) => /Q244717/.test(f)) ?? files[0]!;
      const full = path.join(one, file);
      const before = readFileSync(full, 'latin1');
      // A new article: the edited one under a number the archive does not use, in the same folder.
      let added = 999_999;
      // Articles are Q<n>.md files or Q<n>/README.md folders: the number is the last Q<n> of the path.
      const numberOf = (f: string) => /Q(\d+)(?:\.md|\/README\.md)$/i.exec(f)?.[1];
      const used = new Set(files.map(numberOf));
      while (used.has(String(added))) added--;
      const folder = /README\.md$/i.test(file) ? path.dirname(path.dirname(full)) : path.dirname(full);
      const addedFile = path.join(folder, `Q${added}.md`);
      const id = `Q${numberOf(file)}`;
      try {
        // Words added to the first paragraph after the first heading underline: body text, no metadata. Three
        // edits in a row, each rebuilt (the target holds for every one: the later ones bring the spare copy of the
        // site up to date, lib/build/incremental.ts).
        let edited = before;
        for (const n of [1, 2, 3]) {
          edited = before.replace(/(\n\t=+\n\t?\n\t)/, `$1Edited for the rebuild bench (${n}). `);
          replaceFile(full, edited);
          const edit = await build(`1× after a body edit (${n} of 3)`, one, false, env);
          builds.push(edit);
          rows.push(
            `| incremental rebuild after one body edit (${n} of 3 in a row), 1× | ${sec(edit.result.ms)}, peak ${gib(edit.result.peakRssBytes)} | cold ${sec(b1.result.ms)} | ${(edit.result.ms / b1.result.ms).toFixed(2)} | ≤ 15 s and ≤ 0.15 × cold |`,
          );
        }
        // A title edit: metadata, so Next renders its pages again; article pages whose inputs did not change are kept.
        const titled = edited.replace(/^(title: "Q\d+: )/m, '$1Retitled: ');
        replaceFile(full, titled);
        const title = await build('1× after a title edit', one, false, env, false);
        builds.push(title);
        rows.push(
          `| incremental rebuild after one title edit, 1× | ${sec(title.result.ms)}, peak ${gib(title.result.peakRssBytes)} | cold ${sec(b1.result.ms)} | ${(title.result.ms / b1.result.ms).toFixed(2)} | (runs next build) |`,
        );
        // A body edit rebuilt at once, as a user would: the title edit's previous site (~150,000 entries with the old
        // spare) is still being removed in the background, which the build neither waits for nor shares the disk with.
        const retitled = titled.replace(/(\n\t=+\n\t?\n\t)/, '$1Edited right after the title edit. ');
        replaceFile(full, retitled);
        const after = await build('1× after a body edit right after the title edit', one, false, env);
        builds.push(after);
        rows.push(
          `| incremental rebuild after one body edit, right after the title edit's build, 1× | ${sec(after.result.ms)}, peak ${gib(after.result.peakRssBytes)} | cold ${sec(b1.result.ms)} | ${(after.result.ms / b1.result.ms).toFixed(2)} | ≤ 15 s and ≤ 0.15 × cold |`,
        );
        const permalink = /^permalink: (\S+)/m.exec(titled)?.[1] ?? '';
        writeFileSync(addedFile, titled.replace(permalink, permalinkOfNumber(added)).replaceAll(id, `Q${added}`), 'latin1');
        const add = await build('1× after a new article', one, false, env);
        builds.push(add);
        rows.push(
          `| incremental rebuild after a new article, 1× | ${sec(add.result.ms)}, peak ${gib(add.result.peakRssBytes)} | cold ${sec(b1.result.ms)} | ${(add.result.ms / b1.result.ms).toFixed(2)} | (runs next build) |`,
        );
      } finally {
        replaceFile(full, before);
        rmSync(addedFile, { force: true });
      }
    }
  }
  const bN = args.includes('--only-1x') ? null : await build(`${scale}×`, big, true, env);
  if (bN) builds.push(bN);

  // (At --scale 1 the second build is of the same archive: Hugo's run after the first is its baseline.)
  if (bN && scale !== 1) await baseline(`${scale}×`, big);
  const b1 = builds.find((b) => b.label === '1×');
  const h1 = hugos.find((h) => h.label === '1×');

  if (b1)
    rows.unshift(
      `| cold build, 1× | ${sec(b1.result.ms)}, peak ${gib(b1.result.peakRssBytes)}, ${b1.files} files, ${mb(b1.bytes)} | ${h1 ? `bare Hugo ${sec(h1.result.ms)}, peak ${gib(h1.result.peakRssBytes)}` : ''} | ${h1 ? (b1.result.ms / h1.result.ms).toFixed(2) : ''} | ≤ 3.5 × Hugo |`,
    );
  // With more than one pair: the ratio of the medians, each pair's figures listed.
  const ours1 = builds.filter((b) => b.label === '1×' || b.label.startsWith('1× (pair '));
  const hugo1 = hugos.filter((h) => h.label === '1×' || h.label.startsWith('1× (pair '));
  if (ours1.length > 1 && hugo1.length === ours1.length) {
    const ours = median(ours1.map((b) => b.result.ms));
    const theirs = median(hugo1.map((h) => h.result.ms));
    rows.splice(
      1,
      0,
      `| cold build, 1×: median of ${ours1.length} pairs (ours, then Hugo's) | ${sec(ours)} (${ours1.map((b) => sec(b.result.ms)).join(', ')}) | bare Hugo ${sec(theirs)} (${hugo1.map((h) => sec(h.result.ms)).join(', ')}) | ${(ours / theirs).toFixed(2)} (pairs ${ours1.map((b, i) => (b.result.ms / hugo1[i]!.result.ms).toFixed(2)).join(', ')}) | ≤ 3.5 × Hugo |`,
    );
  }
  const hN = hugos.find((h) => h.label === `${scale}×`);
  if (bN)
    rows.push(
      `| cold build, ${scale}× | ${bN.result.code === 0 ? '' : `FAILED (exit ${bN.result.code}) after `}${sec(bN.result.ms)}, peak ${gib(bN.result.peakRssBytes)}, ${bN.files} files, ${mb(bN.bytes)} | ${hN ? `bare Hugo ${sec(hN.result.ms)}, peak ${gib(hN.result.peakRssBytes)}` : ''} | ${hN ? (bN.result.ms / hN.result.ms).toFixed(2) : ''} | ≤ 2.5 GiB; ≤ 290,000 files, ≤ 3.3 GB |`,
    );
  if (b1 && bN && bN.result.code === 0) rows.push(`| cold build ${scale}× / 1× | ${(bN.result.ms / b1.result.ms).toFixed(2)} | | | ≤ 4.2 |`);
  if (h1 && hN && bN) rows.push(`| bare Hugo ${scale}× / 1× | ${(hN.result.ms / h1.result.ms).toFixed(2)} | | | |`);

  const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
  const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { encoding: 'utf8' }).trim() ? ' (uncommitted changes)' : '';
  const date = new Date().toISOString().replace('T', ' ').slice(0, 16);
  const section = [
    '',
    `### ${date} UTC, commit ${commit}${dirty}: scale bench, 1× and ${scale}× (${builds.map((b) => `${b.label} ${b.articles}`).join(', ')} article files)`,
    '',
    `Machine: ${process.platform} ${process.arch}, ${availableParallelism()} cores, Node ${process.version}; at the end: ${load()}. Command: \`npm run bench -- ${args.join(' ')}\`.`,
    '',
    '| measure | ours | baseline | ratio | target |',
    '|---|---|---|---|---|',
    ...rows,
    '',
    "Phases (`kb build`'s own table, lib/build/phases.ts; peak = resident memory of the whole process tree while the phase ran; home, index pages and sitemaps are rendered by Next inside `next build`, listing pages by `listing pages` from its templates):",
    '',
    phaseTable(builds),
    ...(notes.length ? ['', ...notes.map((n) => `Note: ${n}`)] : []),
    '',
  ].join('\n');
  console.log(section);
  appendFileSync(path.join(root, 'BENCHMARKS.md'), section);
  console.log('\nwrote BENCHMARKS.md');
  // Every run is timed: what was set aside goes now.
  rmSync(SET_ASIDE, { recursive: true, force: true });
}
