/**
 * `kb build`: parse the content once (cached), then let Next.js export the
 * site into a staging directory beside out/, drop the files the deployed site
 * never requests, write the article pages, and swap the staging directory in.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { setPriority } from 'node:os';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { addArchiveDiagnostics, keptScanFile, loadCorpus, parseCacheFile, readCacheAhead } from '../content/corpus';
import { keepDevLists } from '../content/dev-paths';
import { turn } from '../content/slices';
import { copySources, sourceFilePath, sourcesMode } from '../content/sources';
import { progressReporter } from './progress';
import { applyCspToDir, refreshSearchManifestCopy } from './csp';
import { writeHostFiles } from './host-files';
import { buildSearchIndex, type IndexChanges } from '../search/build';
import { writeSearchBoot } from '../search/boot-bundle';
import { markSearchIndex, searchFingerprint, searchIndexCurrent, searchIndexStamp, searchSources, searchStateOptions } from './search-index';
import { archiveIndexes, preloadRenderer, writeArticlePages } from './article-pages';
import { collectNow, startHeapGuard } from '../content/heap-guard';
import {
  applyChanges,
  buildIdOf,
  canReuseExport,
  encodeRecordPages,
  codeDigest,
  forgetSiteRecord,
  forgetSpare,
  linkTreeAsync,
  newSiteId,
  nextInputDigests,
  nextInputsOf,
  readSiteRecord,
  readSpare,
  removeStaleSearchBuilds,
  removeTreeAsync,
  replaceFile,
  spareChanges,
  spareDirOf,
  stopLinking,
  syncDir,
  syncIndexChanges,
  writeSiteRecord,
  writeSpare,
  type SiteRecord,
} from './incremental';
import { storePath as fileIndexStorePath } from '../content/files-store';
import { FILE_TEMPLATE_SLUG } from '../file-page-template';
import { bodyCacheFor, tidyBodyCache } from './body-cache';
import { config, configEnv } from '../config';
import { articlesDigest, DATA_DIR, prepareLinkData } from '../content/data-export';
import { writeFilePages } from './file-pages';
import { NEXT_BIN, NEXT_DIAGNOSTICS_DIR } from '../next-internals';
import { timed } from './phases';
import { startBuild, type BuildStart, type PrepareRun } from './prepare-process';
import { errorLine, formatDiagnostic, printDiagnostics, summaryLine } from '../cli/print';
import { runnableWorkerModule, stopAllWorkers } from '../worker-pool';
import { runWorkersFromBundles } from './worker-bundle';

export interface BuildOptions {
  contentDir: string;
  outDir?: string;
  /** Its phase table and `kb prepare`, when started before this module was loaded (scripts/kb.ts, ./prepare-process.ts). */
  start?: BuildStart;
}

const require = createRequire(import.meta.url);

/**
 * Step one of `kb build`, run in a child process so that its memory (the whole
 * archive with its text, for the search index) is given back before Next.js
 * starts its export workers: parse (cached), report, build the search index.
 */
export async function prepareSite(contentDirInput: string): Promise<number> {
  // Started by `kb build` with a channel (./prepare-process.ts): it must not keep this process alive.
  process.channel?.unref();
  // Its workers (parse, search index) and the body hook run from bundles, not through tsx (./worker-bundle.ts).
  runWorkersFromBundles();
  // The garbage this process keeps bounded (lib/content/heap-guard.ts): V8 let it grow to several times the live heap.
  startHeapGuard();
  const contentDir = path.resolve(contentDirInput);
  // Left by an interrupted search index build: Next would copy it into the site.
  for (const name of removeStaleSearchBuilds(path.resolve('public')))
    console.log(`kbview: removed public/${name}/ (left by an interrupted search index build)`);
  // Each body parsed now is rendered and cached for the page writer (./body-cache.tsx): one parse per build.
  const bodyCache = bodyCacheFor(contentDir, config().cacheDir, config().basePath);
  const tidyStart = performance.now();
  const tidied = tidyBodyCache(bodyCache, contentDir);
  if (tidied)
    console.log(
      `kbview: body cache: ${tidied.kept} current bodies rewritten into one pack from ${tidied.packs}, ${(tidied.droppedBytes / 1e6).toFixed(1)} MB of replaced bodies dropped (${((performance.now() - tidyStart) / 1000).toFixed(1)} s)`,
    );
  const bodyHook = {
    module: (await runnableWorkerModule(new URL(import.meta.url.endsWith('.ts') ? './body-cache.tsx' : './body-cache.js', import.meta.url))).href,
    data: bodyCache,
  };
  // dropTexts: after a whole parse, the texts are read from the parse cache one at a time (file index, search index), not held.
  const corpus = await timed('parse', () => loadCorpus(contentDir, { bodyHook, onProgress: progressReporter('parse'), dropTexts: true, keepScan: true }));
  // The parse cache is complete: `kb build` may read the metadata from it now (./prepare-process.ts).
  if (process.send && process.connected) process.send('parsed');
  addArchiveDiagnostics(corpus);
  printDiagnostics(corpus.diagnostics, { base: contentDir, limit: 200, rest: 'kb check' });
  console.log(summaryLine(corpus.stats));
  // The articles' metadata as one digest, for the data export and Next's inputs alike.
  const metadata = articlesDigest(corpus.articles);
  for (const line of await timed('files and data', () => prepareLinkData(corpus, DATA_DIR, metadata))) console.log(line); // file index and public/data/ (lib/content/data-export.ts)
  if (corpus.articles.length === 0) {
    console.error(`kbview: no article could be read in ${contentDir}; nothing to build (articles are Q<number>.md or Q<number>/README.md files)`);
    return 1;
  }
  // What Next's pages read, for an incremental build to compare (./incremental.ts). The search index is not
  // part of it: `kb build` goes on with the pages (when Next is skipped) while the index is built.
  // Sent to `kb build` (./prepare-process.ts): a `kb prepare` run alone has no use for them.
  if (process.send && process.connected)
    process.send({ inputs: timed('inputs digest', () => nextInputDigests(contentDir, metadata, fileIndexStorePath(contentDir))) });
  // The search index goes to public/search/: `next build` copies it into the export and `next dev` serves it.
  // It is rebuilt when an article file (or the index builder) changed since it was built. Once it is complete (with
  // its stamp and the search page's early script), `kb build` is told (`search`), and goes on while the builder
  // saves its state for the next update.
  // With what an update changed in it (`kb build` copies those files only into a copy of the previous site).
  let told = false;
  const complete = (fingerprint?: string, changes: IndexChanges | null = null) => {
    if (told) return;
    if (fingerprint !== undefined) markSearchIndex('public/search', contentDir, fingerprint);
    // The search page's early script (lib/search/boot-bundle.ts): code, not content, so written every build.
    writeSearchBoot(path.resolve('public/search'), config());
    told = true;
    if (process.send && process.connected) process.send({ search: changes });
  };
  if (!config().skipSearch) {
    const fingerprint = searchFingerprint(corpus.files);
    if (searchIndexCurrent('public/search', contentDir, fingerprint)) {
      console.log('kbview: search index unchanged (no article file changed since it was built)');
    } else {
      // Only the published file of each number, its text read from the parse cache when needed (./search-index.ts).
      const { sources, close } = await timed('search texts', () => searchSources(corpus));
      // Why the index is built whole, when it could not be updated (the builder's progress lines are left out).
      const searchLog = (line: string) => {
        if (/building it whole|could not be saved|update steps/.test(line)) console.log(`kbview: ${line}`);
      };
      // A failure to mark the index is this step's failure, after the build (not a reason to build the index again).
      let failure: unknown = null;
      const onWritten = (changes: IndexChanges | null) => {
        try {
          complete(fingerprint, changes);
        } catch (error) {
          failure ??= error;
        }
      };
      const search = await timed('search index', async () => {
        try {
          // Updated in place when only some articles changed (lib/search/build.ts, its state in .cache).
          return await buildSearchIndex(sources, path.resolve('public/search'), {
            state: searchStateOptions(),
            log: searchLog,
            onWritten,
            collect: collectNow,
          });
        } finally {
          close();
        }
      });
      if (failure !== null) throw failure;
      complete(fingerprint);
      const how = search.incremental
        ? `updated: ${search.incremental.tokenized} articles re-indexed, ${search.incremental.written} files written`
        : 'built whole';
      console.log(
        `kbview: search index of ${search.docs} articles: ${search.files} files, ${(search.bytes / 1e6).toFixed(1)} MB written (${how}, ${(search.ms / 1000).toFixed(1)} s)`,
      );
    }
  }
  complete();
  return 0;
}

/**
 * `kb build`, atomically: the new site is written into a staging directory
 * beside `out/` (`out.staging/`: Next exports into it, and every later step
 * writes there), and swapped in only when it is complete. A build that fails,
 * is interrupted (Ctrl-C, `kill`) or loses a worker leaves the previous `out/`
 * as it was; a leftover staging directory is removed by the next build.
 */
export async function buildSite(options: BuildOptions): Promise<number> {
  // Its workers (page writer, file pages) run from bundles, not through tsx (./worker-bundle.ts).
  runWorkersFromBundles();
  const contentDir = path.resolve(options.contentDir);
  const outDir = path.resolve(options.outDir ?? 'out');
  const staging = stagingDirOf(outDir);
  const started = performance.now();
  // Wall time and peak memory of the process tree per phase (./phases.ts): a line each at the end, and .cache/kbview/phases.json;
  // and `kb prepare` with it (prepareSite), running from here on: the steps below do not touch what it writes.
  const { phases, prepare } = options.start ?? startBuild(contentDir);
  children.add(prepare.child);
  void prepare.done.then(() => children.delete(prepare.child));
  // The garbage this process keeps (the metadata read, the page writer's jobs) bounded, as in kb prepare.
  startHeapGuard();
  console.log(`kbview: building ${contentDir}`);
  // While it is there, the removal of earlier sites in the background waits (./trash-remover.mjs).
  const building = buildingMarkerOf(outDir);
  writeFileSync(building, `${process.pid}\n`);
  recoverOutDir(outDir);
  // Left by an earlier build: set aside for the removal in the background that this build starts as it ends
  // (finishRemovals; one of an earlier build may still be at work, paused while this one runs). A build never waits
  // for an earlier build's leftovers (a site of 74k files: ~40 s on 2 cores).
  discard(staging, outDir, true);
  discard(unusedDirOf(staging), outDir, true);
  let swapped = false;
  const stopWatching = onInterrupt(async (signal) => {
    // The steps are stopped first (at most 5 s), so that none writes into the staging directory once it is removed.
    const closed = [...children].map(
      (child) => new Promise((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve(null) : child.once('close', resolve))),
    );
    for (const child of children) child.kill('SIGTERM');
    await Promise.race([Promise.all(closed), new Promise((resolve) => setTimeout(resolve, 5000).unref())]);
    // So are this process's worker threads (the page writer's), which write into it until they are stopped.
    await stopAllWorkers();
    await stopLinking();
    rmSync(building, { force: true });
    try {
      discard(staging, outDir);
      removeTrashInBackground(outDir);
    } catch {
      // Not set aside: removed here (below).
    }
    rmSync(staging, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
    console.error(
      `kbview: build interrupted (${signal}); ${path.relative(process.cwd(), outDir) || outDir}/ is ${swapped ? 'the new site (its spare copy was not finished)' : 'unchanged'}`,
    );
    process.exit(signal === 'SIGINT' ? 130 : 143);
  });
  try {
    const result = await writeSite(contentDir, staging, outDir, started, prepare);
    if (result === null) {
      rmSync(staging, { recursive: true, force: true });
      await finishRemovals(outDir);
      console.error(`kbview: build failed; ${path.relative(process.cwd(), outDir) || outDir}/ is unchanged`);
      return 1;
    }
    // The records of what out/ and its spare copy hold (./incremental.ts) are removed before the swap and written
    // after it: interrupted in between, the next build finds none and builds everything.
    forgetSiteRecord(outDir);
    forgetSpare(outDir);
    // Made from the spare (or a copy) of the previous site by a few changes: the previous site becomes the spare,
    // which the next build brings up to date with this build's changes (SiteRecord.changed). Else it is removed.
    const keepPrevious = result.record !== null && result.record.base !== null;
    swapInto(staging, outDir, keepPrevious);
    swapped = true;
    let files = result.files;
    if (result.record && !keepPrevious) {
      // Exported whole: the spare is a hard-link copy of the new site, made now (while the previous site is removed)
      // rather than by the next build. The copy counts the site's files and bytes as it links them (a walk of the
      // site of its own took 1.0-1.5 s at 60k articles).
      const copying = timed('spare copy', () => linkTreeAsync(outDir, spareDirOf(outDir)));
      // The record's page list is made meanwhile (the copy runs in worker threads): 0.3-0.5 s at 60k articles.
      result.recordPages ??= encodeRecordPages(result.record.pages);
      const copied = await copying;
      files = { count: copied.files, bytes: copied.bytes };
      result.record.files = files;
    }
    if (result.record) writeSiteRecord(result.record, result.recordPages);
    if (keepPrevious) writeSpare(outDir, result.record!.base!);
    else if (result.record) {
      writeSpare(outDir, result.record.site);
      console.log(`kbview: spare copy of the site for the next build: ${files!.count} files linked into ${path.relative(process.cwd(), spareDirOf(outDir))}/`);
    }
    // What this build set aside while it ran is removed by now (it waits for it); the previous site, set aside at
    // the swap, is removed in the background: on a slow disk removing 75,000 files takes minutes, and the new site
    // is complete. The removal pauses while a next build runs, and goes on after it.
    if (await timed('removal', () => finishRemovals(outDir)))
      console.log(`kbview: the previous site is being removed in the background (${path.relative(process.cwd(), trashDirOf(outDir))}/)`);
    // Prepare's end (its phases are in the table): after the search index was complete, it saved the index builder's
    // state. Failing there leaves the new site whole; the next build builds the search index whole.
    if ((await result.prepared) !== 0) {
      console.error(
        `kbview: kb prepare failed after the search index was complete (the state for its next update may be missing); ${path.relative(process.cwd(), outDir) || outDir}/ is the new site`,
      );
      return 1;
    }
    phases.finish();
    const { count, bytes } = files ?? countFiles(outDir);
    console.log(
      `${result.summary}; ${count} files, ${(bytes / 1e6).toFixed(1)} MB in ${path.relative(process.cwd(), outDir) || outDir}/ (${((performance.now() - started) / 1000).toFixed(1)} s)`,
    );
    return 0;
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    await finishRemovals(outDir);
    console.error(errorLine(error instanceof Error ? error.message : String(error)));
    console.error(`kbview: build failed; ${path.relative(process.cwd(), outDir) || outDir}/ is ${swapped ? 'the new site' : 'unchanged'}`);
    return 1;
  } finally {
    stopWatching();
    rmSync(building, { force: true });
  }
}

/**
 * The largest metadata cache (the parse's `parsed.ndjson`, 68 MB at 60,335 articles) whose metadata and indexes are
 * made while Next builds; a larger archive's wait for Next's end (./build.ts `writeSite`).
 */
const EARLY_METADATA_MAX_BYTES = 160 * 1024 * 1024;

/** The size of the archive's metadata cache (0 when there is none). */
function metadataBytes(contentDir: string): number {
  return statSync(parseCacheFile(contentDir, config().cacheDir), { throwIfNoEntry: false })?.size ?? 0;
}

/** A file beside `outDir` that is there while `kb build` runs (its pid). */
export function buildingMarkerOf(outDir: string): string {
  return `${outDir}.building`;
}

/** Where `kb build` writes the new site before it replaces `outDir` (same parent, so the swap is a rename). */
export function stagingDirOf(outDir: string): string {
  return `${outDir}.staging`;
}

/** A hard-link copy of the previous site that was not needed (Next's inputs changed), while it is removed. */
function unusedDirOf(staging: string): string {
  return `${staging}.unused`;
}

/** The previous site while the swap runs (it exists only between two renames). */
function previousDirOf(outDir: string): string {
  return `${outDir}.previous`;
}

/**
 * Where directories wait to be removed (a previous site, an interrupted build's staging directory): beside
 * `outDir`, so that setting one aside is a rename on the same file system, and outside it, so that no host
 * serving `outDir` ever sees one.
 */
export function trashDirOf(outDir: string): string {
  return `${outDir}.trash`;
}

/**
 * Sets `dir` aside into the trash (a rename) and starts its removal in a worker thread (removeTreeAsync), which
 * the build waits for before it returns (finishRemovals); `later`: only set aside, for the removal in the
 * background that finishRemovals starts. False when there is no `dir`.
 */
export function discard(dir: string, outDir: string, later = false): boolean {
  const trash = trashDirOf(outDir);
  const target = path.join(trash, `${path.basename(dir)}-${process.pid}-${Date.now()}-${removals.length}`);
  for (let attempt = 0; ; attempt++) {
    if (!existsSync(dir)) return false;
    mkdirSync(trash, { recursive: true });
    try {
      renameSync(dir, target);
      if (!later) removals.push(removeTreeAsync(target));
      return true;
    } catch (error) {
      // A removal still running (removeTrashInBackground) may remove the trash folder between the two calls.
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || attempt >= 10) throw error;
    }
  }
}

/** The removals of trees set aside (discard) running in this build. */
const removals: Array<Promise<void>> = [];

/**
 * Waits for every removal started by this build, then removes the trash folder when it is empty, or starts
 * the removal of what is left in it (the previous site, set aside at the swap) in the background. True when
 * something is left to the background removal.
 */
async function finishRemovals(outDir: string): Promise<boolean> {
  // The build writes no more: a removal in the background need not wait for it (./trash-remover.mjs).
  rmSync(buildingMarkerOf(outDir), { force: true });
  while (removals.length > 0) await removals.shift();
  const trash = trashDirOf(outDir);
  try {
    rmdirSync(trash);
    return false;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return false;
    if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw error;
  }
  removeTrashInBackground(outDir);
  return true;
}

/**
 * Removes the trash in a detached process at the lowest CPU priority and, where `ionice` is installed, the idle
 * I/O class: the build does not wait for it, and it goes on when the build has exited. Interrupted, it leaves
 * part of the trash, which the next build's remover removes. A remover that finds another one at work on the same
 * trash leaves it to that one (./trash-remover.mjs).
 */
export function removeTrashInBackground(outDir: string): void {
  const trash = trashDirOf(outDir);
  if (!existsSync(trash)) return;
  // One remover at a time per trash folder (a lock of its own): ./trash-remover.mjs.
  const remover = fileURLToPath(new URL('./trash-remover.mjs', import.meta.url));
  const start = (command: string, args: string[]) => {
    const child = spawn(command, args, { detached: true, stdio: 'ignore', env: { ...process.env, NODE_OPTIONS: '' } });
    try {
      if (child.pid !== undefined) setPriority(child.pid, 19);
    } catch {
      // Not allowed here: it runs at the build's priority.
    }
    child.unref();
    return child;
  };
  // No `ionice` here (it fails to start): the same removal without it.
  // It waits while a build runs (the next one: this one has ended or is about to end).
  const args = [remover, trash, buildingMarkerOf(outDir)];
  start('ionice', ['-c', '3', process.execPath, ...args]).once('error', () => start(process.execPath, args).on('error', () => {}));
}

/** A build killed between the two renames of the swap left the previous site under `out.previous/`: put it back. */
function recoverOutDir(outDir: string): void {
  const previous = previousDirOf(outDir);
  if (!existsSync(outDir) && existsSync(previous)) renameSync(previous, outDir);
  else discard(previous, outDir, true);
}

/**
 * Replaces `outDir` with the complete site in `staging`: two renames; the old site becomes the spare
 * (`keepPrevious`, a third rename) or goes to the trash.
 */
function swapInto(staging: string, outDir: string, keepPrevious: boolean): void {
  const previous = previousDirOf(outDir);
  discard(previous, outDir);
  // Whatever holds the spare's place now is out of date (the spare in use was renamed into the staging directory).
  discard(spareDirOf(outDir), outDir, true);
  if (existsSync(outDir)) renameSync(outDir, previous);
  renameSync(staging, outDir);
  if (keepPrevious && existsSync(previous)) renameSync(previous, spareDirOf(outDir));
  else discard(previous, outDir, true);
}

/** Calls `handler` on SIGINT or SIGTERM until the returned function is called. */
function onInterrupt(handler: (signal: NodeJS.Signals) => Promise<void>): () => void {
  let handling = false;
  const listener = (signal: NodeJS.Signals) => {
    if (handling) return;
    handling = true;
    void handler(signal);
  };
  process.on('SIGINT', listener);
  process.on('SIGTERM', listener);
  return () => {
    process.off('SIGINT', listener);
    process.off('SIGTERM', listener);
  };
}

/**
 * Writes the whole site into `siteDir` (the staging directory): parse and
 * search index, `next build` (exporting into `siteDir`), then the steps after
 * it. Steps added after `next build` (host files, data exports) write into
 * `siteDir` too, never into `out/`. Returns the summary line, or null when a
 * step failed (its error is printed).
 */
async function writeSite(
  contentDir: string,
  siteDir: string,
  outDir: string,
  started: number,
  prepare: PrepareRun,
): Promise<{
  summary: string;
  files: { count: number; bytes: number } | null;
  record: SiteRecord | null;
  recordPages?: Buffer | undefined;
  /** `kb prepare`'s exit code: a site made from the previous one is swapped in while it saves the index builder's state. */
  prepared: Promise<number>;
} | null> {
  // Next renders every page but the articles', whose two templates it renders instead (lib/article-template.ts);
  // KB_ARTICLE_PAGES=next has Next render every article page itself (slower; the tests compare the two).
  const articlePages = config().articlePages ?? 'template';
  const preparing = {
    parsed: prepare.parsed,
    inputs: prepare.message.then(nextInputsOf),
    // public/search/ complete (prepare may still be saving the index builder's state), with what an update changed in
    // it: null when prepare failed first.
    search: prepare.searchReady.then(async (ready) => (ready !== null ? ready : (await prepare.done) === 0 ? { changes: null } : null)),
    done: prepare.done,
  };
  // Read while prepare starts (tens of MB at 60k articles). The record is of use while its site is there: without
  // it (out/ removed by hand), nothing can be reused, and every page whose digest matched was looked for in vain.
  const previous = articlePages === 'template' && existsSync(path.join(outDir, 'index.html')) ? readSiteRecord(outDir) : null;
  // Incremental (./incremental.ts): when what Next's pages read is what the previous out/ was built from,
  // the new site starts as the previous site's spare copy (out.spare/), brought up to date by the paths the
  // last build changed, instead of a new export. Without a spare that can be (an interrupted build, another
  // site), a hard-link copy of out/ is made in worker threads while prepare runs (removed again if prepare
  // finds that Next's inputs changed).
  // Another archive (a record naming another content folder) makes the previous site of no use: no copy of it,
  // and no early read of the metadata (which at 241k would hold ~0.6 GiB while prepare builds the search index).
  const sameCode = previous !== null && previous.inputs.code === codeDigest() && (previous.contentDir === undefined || previous.contentDir === contentDir);
  const spareDir = spareDirOf(outDir);
  const spareUpdate = sameCode ? spareChanges(readSpare(outDir), previous) : null;
  if (spareUpdate === null) {
    forgetSpare(outDir);
    discard(spareDir, outDir);
  }
  const startLinking = () =>
    timed('link copy', () => linkTreeAsync(outDir, siteDir).then((copy) => copy.files)).catch((error: unknown) => {
      console.error(errorLine(`the copy of the previous site failed (${error instanceof Error ? error.message : String(error)}); building without it`));
      return null;
    });
  let linking = sameCode && spareUpdate === null ? startLinking() : null;
  // When the previous site is likely to be reused (same code, a copy of it at hand), the metadata is read as soon
  // as prepare's parse cache is complete, while prepare goes on (file index, Next's inputs, search index); and the
  // page renderer is loaded meanwhile (a few pages are written in this thread, ./article-pages.ts).
  const likely = linking !== null || spareUpdate !== null;
  // (A failure to load is reported by the page writer, which loads it again.)
  if (likely) preloadRenderer().catch(() => {});
  // Every later load of the archive in this build (this process's metadata, Next's export workers) takes the files
  // prepare's scan found (../content/corpus.ts `keepScan`) rather than walking the archive again.
  const scanFile = keptScanFile(contentDir);
  // And the metadata cache as the previous build left it is read now, while prepare scans and parses the archive:
  // once the parse is done, only what it appended (the files parsed again) is read (a body edit at 60k articles:
  // 1.4 s of the 2.2 s metadata read came off its wait). Taken by the first read of the metadata.
  let ahead = likely ? turn().then(() => timed('metadata ahead', () => readCacheAhead(contentDir))) : null;
  const readMetadata = async () => {
    const read = await ahead?.catch(() => null);
    ahead = null;
    return timed('metadata', () => loadCorpus(contentDir, { fromScan: scanFile, ahead: read }));
  };
  let early = likely ? preparing.parsed.then((ok) => (ok ? readMetadata() : null)) : null;
  // And the archive-wide indexes the page writer reads, made from it at once, while prepare still makes Next's inputs
  // (a body edit at 60k: the indexes' 3 s began ~1 s after the metadata was read, when those inputs came).
  let earlyArchive = early?.then((read) => read && { corpus: read, archive: archiveIndexes(read) }) ?? null;
  // Not a failure of its own: awaited below (a failure there makes the page writer make them, and report it as before).
  earlyArchive?.catch(() => {});
  const inputs = await preparing.inputs;
  const nextBin = require.resolve(NEXT_BIN);
  const mayReuse = likely && canReuseExport(previous, inputs, outDir);
  if (!mayReuse && early) {
    // Not needed before `next build` is done: dropped (and collected, so that this process holds no archive while
    // Next runs); read again after it.
    void Promise.all([early, earlyArchive]).then(
      () => setTimeout(collectNow, 0),
      () => {},
    );
    early = null;
    earlyArchive = null;
    ahead = null;
  }
  let fromSpare: number | null = null;
  if (mayReuse && spareUpdate !== null) {
    // Its record goes first: a spare half brought up to date is never taken for a site.
    forgetSpare(outDir);
    try {
      const paths = spareUpdate;
      fromSpare = timed('spare update', () => applyChanges(outDir, spareDir, paths));
      renameSync(spareDir, siteDir);
    } catch (error) {
      console.error(
        errorLine(
          `the spare copy of the previous site could not be brought up to date (${error instanceof Error ? error.message : String(error)}); copying the site instead`,
        ),
      );
      fromSpare = null;
      discard(spareDir, outDir);
      discard(siteDir, outDir);
      linking = startLinking();
    }
  }
  const linked = fromSpare === null && linking ? await linking : null;
  const reused: SiteRecord | null = mayReuse && (fromSpare !== null || linked !== null) ? previous : null;
  const reuse = reused !== null;
  if (!reused) {
    // Not reused: set aside, and removed while Next builds.
    if (linking !== null) discard(siteDir, outDir);
    // Next copies public/search/ into its export: it runs once the index is built. A copy of the previous site
    // gets the index at the end (below), and its pages are written meanwhile.
    if ((await preparing.search) === null) return null;
    // And once prepare has exited (it saves the index builder's state after the index is complete: 1.5 s at 60k
    // articles, 8 s at 241k): its memory (the archive and the index, ~2 GiB at 241k) and Next's would add up.
    if ((await preparing.done) !== 0) return null;
    if (spareUpdate !== null) {
      // Next's inputs changed: the spare is of no use (this build exports the site whole); removed while Next runs.
      forgetSpare(outDir);
      discard(spareDir, outDir);
    }
  }
  let fileTemplate: string | null = null;
  if (reused) {
    const how = fromSpare !== null ? `its spare copy brought up to date: ${fromSpare} paths changed by the last build` : `${linked} files linked`;
    console.log(
      `kbview: next build skipped: code, configuration and article metadata are those of ${path.relative(process.cwd(), outDir) || outDir}/ (${how})`,
    );
    fileTemplate = reused.templates.file;
  } else {
    // KB_EXPORT_DIR: next.config.js makes it the export's destination (Next's own build files stay in .next/).
    // KB_BUILD_ID: the digest of the code and configuration (buildIdOf), so that the same inputs give the same bytes.
    const exportDir = path.relative(process.cwd(), siteDir);
    const buildId = inputs ? buildIdOf(inputs) : null;
    // Informational files Next keeps from build to build in its build folder (.next/: the export goes to exportDir)
    // and fails on when one was cut short by a killed build (lib/next-internals.ts NEXT_DIAGNOSTICS_DIR): each build
    // starts without them, and writes them again.
    rmSync(path.resolve('.next', NEXT_DIAGNOSTICS_DIR), { recursive: true, force: true });
    const building = timed('next build', () =>
      run(
        process.execPath,
        [nextBin, 'build'],
        { ...configEnv({ ...config(), contentDir, articlePages, exportDir, buildId, runner: 'kb', scanFile }), NEXT_TELEMETRY_DISABLED: '1' },
        started,
      ),
    );
    // While Next runs, the page writer's metadata and archive-wide indexes are made (they waited for it: 2.5–3.5 s at
    // 60k articles), unless the archive is so large that holding them beside Next's processes would raise the
    // build's peak (at 241k articles ~1 GiB more, over Next's 2.1 GiB).
    if (early === null && articlePages === 'template' && metadataBytes(contentDir) <= EARLY_METADATA_MAX_BYTES) {
      const read = turn().then(readMetadata);
      const made = read.then((corpus) => ({ corpus, archive: archiveIndexes(corpus) }));
      // Awaited after Next (below): a failure there has the page writer read and make them itself, and report it.
      made.catch(() => {});
      early = read;
      earlyArchive = made;
    }
    const code = await building;
    if (code !== 0) {
      console.error(`kbview: next build failed with exit code ${code}`);
      return null;
    }
    if (!existsSync(path.join(siteDir, 'index.html'))) {
      console.error(`kbview: next build did not export into ${exportDir}/`);
      return null;
    }
    const pruneStarted = performance.now();
    const removed = timed('prune', () => pruneExport(siteDir));
    console.log(`kbview: removed ${removed} RSC payload files the static site never requests (${((performance.now() - pruneStarted) / 1000).toFixed(1)} s)`);
    // One Content-Security-Policy for every page: Next's inline data becomes JSON blocks (lib/build/csp.ts);
    // the article pages written next get theirs as they are written.
    const csp = timed('csp', () => applyCspToDir(siteDir));
    for (const script of csp.unknownScripts.slice(0, 20)) console.error(errorLine(`inline script blocked by the Content-Security-Policy: ${script}`));
    console.log(`kbview: Content-Security-Policy added to ${csp.pages} pages (${(csp.ms / 1000).toFixed(1)} s)`);
    const fileTemplatePath = path.join(siteDir, 'files', FILE_TEMPLATE_SLUG, 'index.html');
    if (existsSync(fileTemplatePath)) fileTemplate = readFileSync(fileTemplatePath, 'utf8');
  }

  // The parse cache is warm now: this reads metadata only.
  const corpus = (await early) ?? (await readMetadata());
  const made = await earlyArchive?.catch(() => null);
  const archive = made?.corpus === corpus ? made.archive : undefined;
  const summary = summaryLine(corpus.stats);
  // Whether each article's source is shipped as "Original text" (lib/content/sources.ts):
  // resolved once, so that the pages and the copied files agree.
  const sources = sourcesMode(corpus.articles.length);
  let failed = 0;
  let record: SiteRecord | null = null;
  // A copy of the previous site: its recorded file count, plus what is written and removed below.
  const tally = reused?.files ? { ...reused.files } : null;
  const addToTally = (files: number, bytes: number) => {
    if (tally) {
      tally.count += files;
      tally.bytes += bytes;
    }
  };
  if (articlePages === 'template') {
    const incremental = inputs ? { shared: inputs.code, previousDir: previous ? outDir : null, previous: previous?.pages ?? null, linked: reuse } : undefined;
    const pages = await timed('page writer', () =>
      writeArticlePages(corpus, {
        outDir: siteDir,
        sources,
        onProgress: progressReporter('article pages'),
        ...(reused ? { templates: { article: reused.templates.article, missing: reused.templates.missing } } : {}),
        ...(incremental ? { incremental } : {}),
        ...(archive ? { archive } : {}),
      }),
    );
    failed = pages.failed;
    addToTally(pages.delta.files, pages.delta.bytes);
    if (inputs && fileTemplate !== null) {
      record = {
        format: inputs.format,
        outDir,
        site: newSiteId(),
        // Made from a copy of the previous site: what this build wrote and removed in it (completed below).
        base: reused ? reused.site : null,
        changed: reused ? [...pages.changed] : null,
        contentDir,
        inputs,
        search: searchIndexStamp(),
        templates: { ...pages.templateHtml, file: fileTemplate },
        pages: pages.record,
        files: { count: 0, bytes: 0 }, // below, once the site is complete
      };
    }
    // A page that fails is that article's problem, not the build's: reported with its file, the build goes on.
    printDiagnostics(pages.diagnostics, { base: contentDir, limit: 200 });
    console.log(
      `kbview: wrote ${pages.articles - pages.failed} article pages and ${pages.missing} not-in-archive pages` +
        `${incremental ? ` (${pages.reused} unchanged, from the previous site; ${pages.digested} pages' inputs digested)` : ''} (${(pages.ms / 1000).toFixed(1)} s)`,
    );
    // The first `npm run dev` on this archive then answers an unknown number's 404 at once (lib/content/dev-paths.ts).
    timed('dev lists', () => {
      try {
        keepDevLists(corpus.dir, corpus.articles, pages.missingNumbers);
      } catch (error) {
        console.log(`kbview: the lists for npm run dev were not kept (${error instanceof Error ? error.message : String(error)}); it reads the archive first`);
      }
    });
    // /files/<slug>/ from one render (lib/file-page-template.ts); they read the file index and the template, which Next's inputs cover.
    if (reuse) console.log('kbview: file pages unchanged (from the previous site)');
    else console.log(await timed('file pages', () => writeFilePages(corpus, siteDir)));
    // The listing pages from two renders per kind (./listing-pages.tsx); they read the articles' metadata, which Next's inputs cover.
    if (reuse) console.log('kbview: listing pages unchanged (from the previous site)');
    else {
      const { writeListingPages } = (await import(
        import.meta.url.endsWith('.ts') ? './listing-pages.tsx' : './listing-pages.js'
      )) as typeof import('./listing-pages');
      const listings = timed('listing pages', () => writeListingPages(pages.browse, siteDir));
      printDiagnostics(listings.diagnostics, { base: contentDir, limit: 50 });
      console.log(`kbview: wrote ${listings.pages} listing pages, ${(listings.bytes / 1e6).toFixed(1)} MB (${(listings.ms / 1000).toFixed(1)} s)`);
    }
  }
  if (sources === 'files') {
    const copied = timed('sources', () => copySources(contentDir, corpus.articles, siteDir));
    // Each source page is written again (listed whether or not it was: a path listed too many costs a link).
    if (record?.changed) for (const article of corpus.articles) record.changed.push(sourceFilePath(article).split('/').filter(Boolean).join('/'));
    addToTally(copied.files - copied.replaced.files, copied.bytes - copied.replaced.bytes);
    console.log(
      `kbview: KB_SOURCES=files: wrote ${copied.files} article source pages (.source.html) (${(copied.bytes / 1e6).toFixed(1)} MB) next to their pages`,
    );
    for (const f of copied.failed)
      console.error(formatDiagnostic({ file: f.source, severity: 'error', kind: 'source-page', message: `source page not written: ${f.message}` }, contentDir));
  } else {
    console.log('kbview: KB_SOURCES=none: article sources not shipped (see lib/content/sources.ts)');
  }
  // The record's page list as JSON, made while prepare ends its search index (a copy of the previous site waits for it
  // below); written after the swap.
  const recordPages = record && reused ? encodeRecordPages(record.pages) : undefined;
  if (reused) {
    const search = await preparing.search;
    if (search === null) return null;
    // The index is complete now: its stamp is this site's (read when the record was made, it could be the previous one's).
    if (record) record.search = searchIndexStamp();
    // public/search/ is what `next build` would have copied to search/ (where Next's search page is too): the files
    // an update changed, when the site holds the index it started from, else every file compared.
    if (reused.search !== searchIndexStamp()) {
      const synced = timed(
        'search sync',
        () =>
          syncIndexChanges(path.resolve('public', 'search'), path.join(siteDir, 'search'), search.changes) ??
          syncDir(path.resolve('public', 'search'), path.join(siteDir, 'search'), (rel) => rel.endsWith('.html')),
      );
      addToTally(synced.files, synced.bytes);
      if (record?.changed) for (const rel of synced.paths) record.changed.push(`search/${rel}`);
      console.log(`kbview: search index: ${synced.changed} files replaced or removed`);
      // The search page carries a copy of the manifest (./csp.ts): made that of the new index.
      const grown = refreshSearchManifestCopy(siteDir, replaceFile);
      if (grown !== null) {
        addToTally(0, grown);
        record?.changed?.push('search/index.html');
      }
    }
  }
  // Steps that add files to the site go here, into siteDir (as new files: in an incremental build, siteDir's
  // files are hard links to out/'s, ./incremental.ts). The host files read the configuration and the article
  // numbers, which Next's inputs cover: a copy of the previous site has them.
  if (reuse) console.log('kbview: host files unchanged (from the previous site)');
  else {
    const host = timed('host files', () => writeHostFiles(siteDir)); // .nojekyll, _headers, _redirects, nginx.conf (lib/build/host-files.ts)
    console.log(
      `kbview: host files ${host.files.join(', ')}: ${host.redirectRules} redirect rules for ${host.numbers} article numbers (${(host.ms / 1000).toFixed(1)} s)`,
    );
  }
  // The site's files: in a copy of the previous site, its recorded count and what this build wrote and removed
  // (the page writer, sources, search sync; nothing else writes into a copy); in a site exported whole, counted by
  // its spare copy (`build`); else counted here.
  const files = tally ?? (record ? null : countFiles(siteDir));
  if (record && files) record.files = files;
  // The site is complete: a site exported whole waited for prepare's end before Next ran (above); a copy of the previous
  // site is swapped in while prepare saves the index builder's state for the next update (0.8 s at 60k articles), and
  // the build waits for its end after the swap (buildSite).
  return {
    summary: `${summary}; ${corpus.articles.length - failed} articles rendered`,
    files,
    record,
    recordPages,
    prepared: preparing.done,
  };
}

/** The steps running now (stopped when the build is interrupted). */
const children = new Set<ChildProcess>();

/** Runs a step; Next's output gets each line prefixed with the seconds since the build started. */
function run(command: string, args: string[], env: NodeJS.ProcessEnv, started: number, stampLines = true): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: stampLines ? ['ignore', 'pipe', 'pipe'] : 'inherit', env });
    children.add(child);
    child.on('close', (code) => {
      children.delete(child);
      resolve(code ?? 1);
    });
    if (!stampLines) return;
    const stamp = (stream: NodeJS.WriteStream) => {
      let rest = '';
      return (chunk: Buffer) => {
        const lines = (rest + chunk.toString()).split('\n');
        rest = lines.pop() ?? '';
        for (const line of lines) stream.write(`[${((performance.now() - started) / 1000).toFixed(0).padStart(4)}s] ${line}\n`);
      };
    };
    child.stdout!.on('data', stamp(process.stdout));
    child.stderr!.on('data', stamp(process.stderr));
  });
}

/**
 * Pages link with plain `<a>`, so the browser never asks for the RSC payloads
 * (`*.txt` next to each page, `__next.*.txt` segments): remove them.
 */
export function pruneExport(outDir: string): number {
  let removed = 0;
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        if (entry.name === '_next') continue;
        walk(full);
      } else if (entry.name.endsWith('.txt') && entry.name !== 'robots.txt') {
        rmSync(full);
        removed++;
      }
    }
  };
  walk(outDir);
  return removed;
}

export function countFiles(dir: string): { count: number; bytes: number } {
  let count = 0;
  let bytes = 0;
  const walk = (d: string): void => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const full = path.join(d, entry.name);
      if (entry.isDirectory()) walk(full);
      else {
        count++;
        bytes += statSync(full).size;
      }
    }
  };
  walk(dir);
  return { count, bytes };
}
