/**
 * `kb prepare` as `kb build`'s child process (lib/build/build.ts): started before the build's own modules are
 * loaded (scripts/kb.ts; ~1 s of the markdown, React and Next modules), so that its parse starts that much
 * earlier. Light on purpose: this module and what it imports load in a fraction of that.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { config, configEnv } from '../config';
import { startPhases, type PhaseCollector } from './phases';
import { bundledWorkerModule, currentBundle } from './worker-bundle';
import { isTypeScript } from '../worker-pool';
import type { IndexChanges } from '../search/build';

export interface PrepareRun {
  child: ChildProcess;
  /** Settles once its parse cache is complete (true), or when it ended first (false). */
  parsed: Promise<boolean>;
  /** The first other message it sends (the digests of Next's inputs, before its search index), or null when it ends without. */
  message: Promise<unknown>;
  /**
   * Settles once public/search/ is complete (the index, its stamp and the search page's script are written; it may
   * still be saving the index builder's state), with what an update changed in it (lib/search/build.ts
   * `IndexChanges`; null: built whole or not built); null when it ended first. Its exit code is `done`'s.
   */
  searchReady: Promise<{ changes: IndexChanges | null } | null>;
  /** Its exit code. */
  done: Promise<number>;
}

/** A build's start: its phase table (lib/build/phases.ts), and its `kb prepare` running with that table. */
export interface BuildStart {
  phases: PhaseCollector;
  prepare: PrepareRun;
}

/** Starts the phase table and `kb prepare <contentDir>` (absolute) with the process's configuration. */
export function startBuild(contentDir: string): BuildStart {
  const phases = startPhases();
  return { phases, prepare: startPrepare(contentDir, configEnv({ ...config(), phasesFile: phases.file })) };
}

/** Runs `kb prepare` (this process's script, `prepare` command) with a channel. */
export function startPrepare(contentDir: string, env: NodeJS.ProcessEnv): PrepareRun {
  const script = process.argv[1]!;
  const command = prepareCommand(script, process.execArgv);
  const child = spawn(process.execPath, [...command, 'prepare', contentDir], {
    stdio: ['inherit', 'inherit', 'inherit', 'ipc'],
    // The bundle's imports of React come before its first module's code (lib/cli/production-react.ts): the
    // production build is chosen here, as this process chose it.
    env: env.NODE_ENV === undefined ? { ...env, NODE_ENV: 'production' } : env,
  });
  // Started as this process was (no current bundle of its script): the bundle is made now, while this prepare runs,
  // for the next build's.
  if (command[command.length - 1] === script && isTypeScript(pathToFileURL(script))) void bundledWorkerModule(pathToFileURL(script));
  let cached: (ok: boolean) => void = () => {};
  let received: (message: unknown) => void = () => {};
  let searched: (ready: { changes: IndexChanges | null } | null) => void = () => {};
  const parsed = new Promise<boolean>((resolve) => (cached = resolve));
  const message = new Promise<unknown>((resolve) => (received = resolve));
  const searchReady = new Promise<{ changes: IndexChanges | null } | null>((resolve) => (searched = resolve));
  child.on('message', (m) => {
    if (m === 'parsed') cached(true);
    else if (typeof m === 'object' && m !== null && Object.hasOwn(m, 'search')) searched({ changes: indexChangesOf((m as { search: unknown }).search) });
    else received(m);
  });
  const done = new Promise<number>((resolve) =>
    child.on('close', (code) => {
      cached(false);
      received(null);
      searched(null);
      resolve(code ?? 1);
    }),
  );
  return { child, parsed, message, searchReady, done };
}

/**
 * How `kb prepare` is started: from the bundle of this process's script (`kb build`'s; startPrepare makes it)
 * when one is current, without tsx's loader (Node options other than `--import tsx` kept); else as this
 * process was started. Through tsx, the prepare process spent ~1.5 s of its start in the loader (one look-up in
 * its cache per module, on a thread of its own) before its parse began, on the critical path of every build.
 */
export function prepareCommand(script: string, execArgv: readonly string[]): string[] {
  const bundle = isTypeScript(pathToFileURL(script)) ? currentBundle(pathToFileURL(script)) : null;
  if (bundle === null) return [...execArgv, script];
  const kept: string[] = [];
  for (let i = 0; i < execArgv.length; i++) {
    if (execArgv[i] === '--import' && execArgv[i + 1] === 'tsx') i++;
    else if (execArgv[i] !== '--import=tsx') kept.push(execArgv[i]!);
  }
  return [...kept, fileURLToPath(bundle)];
}

/** The changes of a `search` message, checked (null when it holds none, or something else). */
function indexChangesOf(value: unknown): IndexChanges | null {
  if (typeof value !== 'object' || value === null) return null;
  const { from, to, written, removed } = value as Partial<Record<keyof IndexChanges, unknown>>;
  const names = (list: unknown): list is string[] => Array.isArray(list) && list.every((name) => typeof name === 'string');
  return typeof from === 'string' && typeof to === 'string' && names(written) && names(removed) ? { from, to, written, removed } : null;
}
