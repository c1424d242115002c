// @ts-check
/**
 * Removes a build's trash folder (`out.trash/`, lib/build/build.ts `removeTrashInBackground`): run by node itself
 * (plain JavaScript, no tsx), detached, at the lowest priority: `node trash-remover.mjs <trash folder> <busy marker>`.
 *
 * One remover per trash folder at a time. Each build starts one (for what earlier builds left, and for what it set
 * aside itself), and removals of a 74k-file site take longer than a rebuild: without a lock, every rebuild in a row
 * added one more process removing the same tree, each slowing the builds that ran beside them. The lock is a folder
 * in the system's temporary folder, named after the trash's path (`lockOf`), holding its remover's pid: never
 * beside out/, where a remover would then create entries in a folder someone may be removing. A remover that finds
 * a live one leaves the work to it. Its holder looks at the trash again after it lets the lock go, so that what a build set aside while it held
 * the lock is never left behind. A lock whose process is gone (or older than an hour, a pid used again) is taken over.
 * While a build runs (its marker `out.building` is there), the removal waits: it runs between builds.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const STALE_MS = 60 * 60 * 1000;

/** @param {number} pid */
function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return /** @type {NodeJS.ErrnoException} */ (error).code === 'EPERM';
  }
}

/** @param {string} lock */
function acquire(lock) {
  try {
    mkdirSync(lock);
  } catch (error) {
    if (/** @type {NodeJS.ErrnoException} */ (error).code !== 'EEXIST') return false;
    const pidFile = path.join(lock, 'pid');
    let age = 0;
    let pid = 0;
    try {
      age = Date.now() - statSync(existsSync(pidFile) ? pidFile : lock).mtimeMs;
      pid = existsSync(pidFile) ? Number(readFileSync(pidFile, 'utf8')) : 0;
    } catch {
      return false; // let go of while it was read: its holder may still run; the next build starts another
    }
    // A lock without its pid yet is being taken (a minute is plenty to write it).
    const held = pid > 0 ? Number.isSafeInteger(pid) && alive(pid) && age < STALE_MS : age < 60_000;
    if (held) return false;
  }
  writeFileSync(path.join(lock, 'pid'), String(process.pid));
  return true;
}

/** A build at work (its marker is there): the removal waits for its end, up to `MAX_PAUSE_MS` in all (a marker a killed build left). */
const MAX_PAUSE_MS = 10 * 60 * 1000;
const pause = new Int32Array(new SharedArrayBuffer(4));

/**
 * Removes `dir` a folder of a few hundred entries at a time (down `depth` levels: trash, site, kb/, kb/244/),
 * waiting between two pieces while `busy` is there. Unlinking a site's 74k files is disk-bound (~20 s here): done
 * beside a build, it made every step of that build slower (a body edit's rebuild 20 s instead of 15 s).
 * @param {string} dir
 * @param {number} depth
 * @param {{ busy: string | null, paused: number }} wait
 */
function removeInPieces(dir, depth, wait) {
  while (wait.busy !== null && wait.paused < MAX_PAUSE_MS && existsSync(wait.busy)) {
    Atomics.wait(pause, 0, 0, 250);
    wait.paused += 250;
  }
  if (depth > 0) {
    let entries = null;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      // Not a folder, or gone: rmSync below.
    }
    if (entries !== null) {
      for (const entry of entries) {
        if (entry.isDirectory()) removeInPieces(path.join(dir, entry.name), depth - 1, wait);
        else rmSync(path.join(dir, entry.name), { force: true });
      }
    }
  }
  rmSync(dir, { recursive: true, force: true });
}

/**
 * The lock of the removal of `trash` (a folder in the system's temporary folder).
 * @param {string} trash
 */
export function lockOf(trash) {
  const key = createHash('sha256').update(path.resolve(trash)).digest('hex').slice(0, 24);
  return path.join(os.tmpdir(), `kbview-trash-${key}.lock`);
}

/**
 * Removes `trash` unless another remover holds its lock; true when this one removed it. While `busy` is there (the
 * marker of a build at work), it waits.
 * @param {string} trash
 * @param {string | null} [busy]
 */
export function removeTrash(trash, busy = null) {
  const lock = lockOf(trash);
  const wait = { busy, paused: 0 };
  let removed = false;
  for (let round = 0; round < 10 && existsSync(trash); round++) {
    if (!acquire(lock)) break;
    try {
      for (let attempt = 0; attempt < 5; attempt++) {
        try {
          removeInPieces(trash, 3, wait);
          removed = true;
          break;
        } catch {
          // An entry set aside or removed meanwhile: once more.
        }
      }
    } finally {
      rmSync(lock, { recursive: true, force: true });
    }
  }
  return removed;
}

// `node trash-remover.mjs <trash> [<busy>]`
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url) && process.argv[2]) {
  removeTrash(path.resolve(process.argv[2]), process.argv[3] ? path.resolve(process.argv[3]) : null);
}
