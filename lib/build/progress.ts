/**
 * A progress line for long steps: done / total, rate, time so far, ETA, to stderr. On a terminal the line
 * is rewritten at most twice a second; in a log (CI, `> build.log`) a line is written every 5 seconds
 * of the step, plus the first and the last, so a 10-minute step leaves ~120 lines, not thousands.
 * Until something is done the rate and ETA are unknown (`–`), never a made-up `ETA 0s`.
 */
export function progressReporter(
  label: string,
  stream: Pick<NodeJS.WriteStream, 'write' | 'isTTY'> = process.stderr,
  clock: () => number = () => performance.now(),
) {
  const start = clock();
  let last = -Infinity;
  let lastPeriod = -1;
  let ended = false;
  return (done: number, total: number): void => {
    const now = clock();
    const finished = done >= total;
    // The last line once, however often the end is reported.
    if (finished ? ended : now - last < 500) return;
    ended = finished;
    last = now;
    const seconds = (now - start) / 1000;
    const rate = seconds > 0 && done > 0 ? done / seconds : 0;
    const speed = rate > 0 ? `${Math.round(rate).toLocaleString('en-US')}/s` : '–/s';
    const eta = finished ? 'done' : rate > 0 ? `ETA ${duration((total - done) / rate)}` : 'ETA –';
    const line = `${label}: ${done.toLocaleString('en-US')}/${total.toLocaleString('en-US')} (${speed}, ${duration(seconds)}, ${eta})`;
    if (stream.isTTY) {
      stream.write(`\r${line}\u001b[K${finished ? '\n' : ''}`);
      return;
    }
    const period = Math.floor(seconds / 5);
    if (finished || period !== lastPeriod) {
      stream.write(`${line}\n`);
      lastPeriod = period;
    }
  };
}

/** `42s`, `7m05s`, `1h02m`: short enough for a progress line, exact enough for minutes-long steps. */
export function duration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}
