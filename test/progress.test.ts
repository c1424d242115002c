/**
 * lib/build/progress.ts: the progress line of long build steps, with a fake clock: in a log, one line
 * every 5 seconds of a 10-minute step (plus first and last), rate and ETA unknown until something is done,
 * durations in minutes once past a minute; on a terminal, one rewritten line.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { duration, progressReporter } from '../lib/build/progress';

function recorder(isTTY: boolean) {
  const written: string[] = [];
  let now = 0;
  const report = progressReporter('parse', { isTTY, write: (text: string) => (written.push(text), true) }, () => now);
  return { written, report, at: (ms: number) => (now = ms) };
}

test('in a log: the first line, one every 5 seconds, and the last; rate and ETA from what is done', () => {
  const { written, report, at } = recorder(false);
  report(0, 241_340);
  assert.deepEqual(written, ['parse: 0/241,340 (–/s, 0s, ETA –)\n']);
  // A call every 100 ms for 10 minutes, 400 articles a second.
  for (let ms = 100; ms < 600_000; ms += 100) {
    at(ms);
    report(Math.floor((ms / 1000) * 400), 241_340);
  }
  at(600_000);
  report(241_340, 241_340);
  report(241_340, 241_340);
  assert.equal(written.length, 1 + 119 + 1, `${written.length} lines`);
  assert.equal(written[1], 'parse: 2,000/241,340 (400/s, 5s, ETA 9m58s)\n');
  assert.equal(written[24], 'parse: 48,000/241,340 (400/s, 2m00s, ETA 8m03s)\n');
  assert.equal(written.at(-1), 'parse: 241,340/241,340 (402/s, 10m00s, done)\n');
});

test('on a terminal: one line rewritten at most twice a second, ended by the last', () => {
  const { written, report, at } = recorder(true);
  for (let ms = 0; ms <= 3000; ms += 100) {
    at(ms);
    report(ms, 3000);
  }
  assert.equal(written.length, 7, 'at 0, 0.5, 1, …, 3 s');
  assert.ok(written.every((line) => line.startsWith('\rparse: ')));
  assert.equal(written.at(-1), '\rparse: 3,000/3,000 (1,000/s, 3s, done)\u001b[K\n');
});

test('durations', () => {
  assert.deepEqual([0, 4.4, 59.4, 59.6, 65, 3599, 3600, 3725].map(duration), ['0s', '4s', '59s', '1m00s', '1m05s', '59m59s', '1h00m', '1h02m']);
});
