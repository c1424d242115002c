/**
 * The worker pool (lib/worker-pool.ts): a job over the per-file limit gets
 * its worker stopped and is reported while the others finish; a worker that
 * throws or exits ends the run with an error naming the job it held, instead
 * of a hang, or (with `onCrash`) fails that job alone and the run goes on.
 */
import { test } from 'node:test';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import assert from 'node:assert/strict';
import { fileTimeoutMs, JobFeed, pauser, runInWorkers, sharedJobs, WorkerCrash } from '../lib/worker-pool';
import { loadConfig } from '../lib/config';

const MODULE = new URL('./fixtures/worker/jobs-worker.ts', import.meta.url);

function run(
  jobs: Array<number | string> | JobFeed<number | string>,
  timeoutMs = 60_000,
  workers = 2,
  onCrash?: (job: number | string, reason: string) => string,
) {
  const results: string[] = [];
  const promise = runInWorkers<number | string, string | number>({
    module: MODULE,
    workerData: { factor: 2 },
    workers,
    jobs,
    chunk: 3,
    label: (job) => `file-${job}`,
    onTimeout: (job) => `timeout ${job}`,
    onCrash,
    timeoutMs,
    onResults: (batch) => {
      for (const r of batch) results.push(String(r));
    },
  });
  return { results, promise };
}

test('every job is answered once, in workers', async () => {
  const jobs = Array.from({ length: 20 }, (_, i) => i);
  const { results, promise } = run(jobs);
  await promise;
  assert.deepEqual(
    results.map(Number).sort((a, b) => a - b),
    jobs.map((j) => j * 2),
  );
});

/** Resolves once `ready()` holds (checked every 20 ms); rejects after `ms`. */
async function until(ready: () => boolean, what: string, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (!ready()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

test('a feed: its chunks run while jobs are still being added; every job is answered once when it ends', async () => {
  const feed = new JobFeed<number | string>();
  const { results, promise } = run(feed);
  let settled = false;
  void promise.then(() => (settled = true));
  // One whole chunk (3 jobs): sent to a worker before the feed ends.
  for (const job of [1, 2, 3]) feed.push(job);
  await until(() => results.length === 3, 'the first chunk of a feed that has not ended');
  // Two jobs, less than a chunk: they wait for more jobs or for the end.
  feed.push(4);
  feed.push(5);
  await new Promise((resolve) => setTimeout(resolve, 300));
  assert.equal(results.length, 3);
  assert.equal(settled, false, 'the run ended before its feed');
  for (let job = 6; job <= 11; job++) feed.push(job);
  feed.end();
  await promise;
  assert.deepEqual(
    results.map(Number).sort((a, b) => a - b),
    Array.from({ length: 11 }, (_, i) => (i + 1) * 2),
  );
  // A feed that ends with no job: the run ends, with no result.
  const empty = new JobFeed<number | string>();
  const none = run(empty);
  empty.end();
  await none.promise;
  assert.deepEqual(none.results, []);
  // A worker that crashes on a fed job ends the run with an error naming it.
  const bad = new JobFeed<number | string>();
  const crashing = run(bad);
  for (const job of [1, 'exit', 3, 4]) bad.push(job);
  await assert.rejects(crashing.promise, (error: unknown) => error instanceof WorkerCrash && error.file === 'file-exit');
  bad.end();
});

test('a feed that starts its workers at once: they start before any job, take the jobs fed later, and stop when it ends', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kbview-pool-'));
  try {
    const started = (name: string) => readFileSync(path.join(dir, name), { encoding: 'utf8', flag: 'a+' }).split('\n').filter(Boolean).length;
    const pool = (feed: JobFeed<number>, name: string, results: number[]) =>
      runInWorkers<number, number>({
        module: MODULE,
        workerData: { factor: 3, startedFile: path.join(dir, name) },
        workers: 2,
        jobs: feed,
        chunk: 2,
        label: String,
        onTimeout: () => -1,
        onResults: (batch) => results.push(...batch),
      });
    const results: number[] = [];
    const early = new JobFeed<number>({ startWorkers: true });
    const run = pool(early, 'early', results);
    await until(() => started('early') === 2, 'both workers started with no job fed');
    for (const job of [1, 2, 3, 4, 5]) early.push(job);
    early.end();
    await run;
    assert.deepEqual(
      results.sort((a, b) => a - b),
      [3, 6, 9, 12, 15],
    );
    // Started, then no job at all: the run ends (its workers stopped).
    const none = new JobFeed<number>({ startWorkers: true });
    const idle = pool(none, 'none', []);
    await until(() => started('none') === 2, 'the workers of a feed with no job yet');
    none.end();
    await idle;
    // By default a feed starts no worker before its first chunk.
    const lazy = new JobFeed<number>();
    const later = pool(lazy, 'lazy', []);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    assert.equal(started('lazy'), 0);
    lazy.end();
    await later;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a thread busy with a long step that pauses (pauser) keeps its pool fed: every job is answered during the step', async () => {
  const results: string[] = [];
  const shared = sharedJobs<{ tag: number }, string>(
    [1, 2, 3].map((tag) => ({ tag })),
    {
      module: MODULE,
      workerData: { factor: 1 },
      chunk: 1,
      label: (job) => `tag-${job.tag}`,
      onTimeout: () => 'timeout',
      onResults: (batch) => results.push(...batch),
    },
  );
  // Started, and then this thread busy at once (as lib/search/build.ts writes its shards): the pool's start, and each
  // next job, wait for a turn of the event loop, which only the pauses give.
  assert.equal(shared.add(1), true);
  const done = shared.done();
  const pause = pauser(10);
  const stop = performance.now() + 20_000;
  while (results.length < 3 && performance.now() < stop) {
    const end = performance.now() + 2;
    while (performance.now() < end);
    await pause();
  }
  assert.equal(results.length, 3, 'the jobs answered while the step ran (without its pauses: none before its end)');
  await done;
});

test('shared jobs: a pool added later takes the jobs not started yet, in order, while the first is busy; each answered once', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kbview-pool-'));
  try {
    const gate = path.join(dir, 'gate');
    const results: string[] = [];
    type Job = { gate: string } | { tag: number };
    const jobs: Job[] = [{ gate }, { tag: 1 }, { tag: 2 }, { tag: 3 }, { tag: 4 }];
    const shared = sharedJobs<Job, string>(jobs, {
      module: MODULE,
      workerData: { factor: 1 },
      chunk: 1,
      label: (job) => ('tag' in job ? `tag-${job.tag}` : 'gate'),
      onTimeout: () => 'timeout',
      onResults: (batch) => results.push(...batch),
    });
    // One thread: it takes the gate, and waits there.
    assert.equal(shared.add(1), true);
    const done = shared.done();
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(results.length, 0);
    // A thread more: it takes the other jobs, in order, while the first waits.
    assert.equal(shared.add(1), true);
    await until(() => results.length === 4, 'the jobs after the gate answered by the thread added');
    const threads = new Set(results.map((r) => r.split(' by ')[1]));
    assert.equal(threads.size, 1);
    assert.deepEqual(
      results.map((r) => r.split(' by ')[0]),
      ['tag 1', 'tag 2', 'tag 3', 'tag 4'],
    );
    // No job left: no pool more.
    assert.equal(shared.add(1), false);
    writeFileSync(gate, '');
    await done;
    assert.equal(results.length, 5);
    assert.equal(results[4]!.split(' by ')[0], 'gate');
    assert.ok(!threads.has(results[4]!.split(' by ')[1]), 'the gate was answered by the first thread');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a job over the limit is stopped and reported; the rest of its chunk and the other jobs still run', async () => {
  const { results, promise } = run([1, 2, 'hang', 4, 5, 6, 7], 1500, 1);
  await promise;
  assert.deepEqual([...results].sort(), ['10', '12', '14', '2', '4', '8', 'timeout hang'].sort());
});

test('a worker that throws or exits ends the run with an error naming the job it held', async () => {
  for (const bad of ['throw', 'exit']) {
    const { promise } = run([1, 2, 3, 4, bad, 6, 7, 8], 60_000, 2);
    await assert.rejects(promise, (error: unknown) => {
      assert.ok(error instanceof WorkerCrash, String(error));
      assert.equal(error.file, `file-${bad}`);
      return true;
    });
  }
});

test('with onCrash, a worker that calls process.exit (or throws) mid-job fails that job with a message naming it; the pool goes on', async () => {
  const crashes: string[] = [];
  // One worker, chunks of 3: the crash is in the middle of the second chunk, jobs before and after it in that chunk
  // and the later chunks must still be answered, by a new worker.
  const { results, promise } = run([1, 2, 3, 4, 'exit', 6, 7, 'throw', 9], 60_000, 1, (job, reason) => {
    crashes.push(reason);
    return `crashed ${job}`;
  });
  await promise;
  assert.deepEqual([...results].sort(), ['2', '4', '6', '8', '12', '14', '18', 'crashed exit', 'crashed throw'].sort());
  assert.equal(crashes.length, 2);
  assert.match(crashes[0]!, /crashed while processing file-exit: the worker exited \(code 3\)/);
  assert.match(crashes[1]!, /crashed while processing file-throw: bad job/);
});

test("transfer: a job's buffers are moved to its worker (empty here afterwards), not copied; only for chunks of one job with onCrash", async () => {
  type Job = { values: Int32Array };
  const pool = (jobs: Job[], options: { transfer?: (job: Job) => ArrayBuffer[]; chunk?: number; onCrash?: boolean }) => {
    const results: string[] = [];
    const promise = runInWorkers<Job, string>({
      module: MODULE,
      workerData: { factor: 2 },
      workers: 2,
      jobs,
      chunk: options.chunk ?? 1,
      label: () => 'values',
      onTimeout: () => 'timeout',
      ...(options.onCrash === false ? {} : { onCrash: (_job: Job, reason: string) => `crashed: ${reason}` }),
      ...(options.transfer ? { transfer: options.transfer } : {}),
      onResults: (batch) => results.push(...batch),
    });
    return { results, promise };
  };
  const make = () => Array.from({ length: 5 }, (_, i) => ({ values: Int32Array.from({ length: 1000 }, (_, k) => i * k) }));
  const sums = make().map(({ values }) => `sum ${values.reduce((a, b) => a + b, 0)} of 4000 bytes`);

  const moved = make();
  const transferred = pool(moved, { transfer: (job) => [job.values.buffer as ArrayBuffer] });
  await transferred.promise;
  assert.deepEqual([...transferred.results].sort(), [...sums].sort());
  assert.deepEqual(
    moved.map((job) => job.values.byteLength),
    [0, 0, 0, 0, 0],
  );

  const copied = make();
  const plain = pool(copied, {});
  await plain.promise;
  assert.deepEqual([...plain.results].sort(), [...sums].sort());
  assert.deepEqual(
    copied.map((job) => job.values.byteLength),
    [4000, 4000, 4000, 4000, 4000],
  );

  // A job sent twice would go without its buffers: chunks of several jobs (re-sent after a crash) or no onCrash refused.
  await assert.rejects(pool(make(), { transfer: (job) => [job.values.buffer as ArrayBuffer], chunk: 2 }).promise, /transfer/);
  await assert.rejects(pool(make(), { transfer: (job) => [job.values.buffer as ArrayBuffer], onCrash: false }).promise, /transfer/);
});

test('KB_FILE_TIMEOUT sets the per-file limit (seconds), 30 s by default', () => {
  assert.equal(fileTimeoutMs(loadConfig({})), 30_000);
  assert.equal(fileTimeoutMs(loadConfig({ KB_FILE_TIMEOUT: '5' })), 5000);
  assert.throws(() => loadConfig({ KB_FILE_TIMEOUT: 'x' }), /KB_FILE_TIMEOUT must be a number of seconds greater than 0; got "x"/);
  assert.throws(() => loadConfig({ KB_FILE_TIMEOUT: '-1' }), /KB_FILE_TIMEOUT/);
});
