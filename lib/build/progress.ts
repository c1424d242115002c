/** A progress line for long steps: done / total, rate, ETA. Writes to stderr, at most twice a second. */
export function progressReporter(label: string, stream: NodeJS.WriteStream = process.stderr) {
  const start = performance.now();
  let last = 0;
  let started = false;
  return (done: number, total: number): void => {
    const now = performance.now();
    if (done < total && now - last < 500) return;
    last = now;
    const seconds = (now - start) / 1000;
    const rate = seconds > 0 ? done / seconds : 0;
    const eta = rate > 0 ? (total - done) / rate : 0;
    const line = `${label}: ${done.toLocaleString('en-US')}/${total.toLocaleString('en-US')} (${rate.toFixed(0)}/s, ETA ${eta.toFixed(0)}s)`;
    if (stream.isTTY) stream.write(`\r${line}\u001b[K${done >= total ? '\n' : ''}`);
    else if (done >= total || !started || Math.floor(seconds) % 5 === 0) stream.write(`${line}\n`);
    started = true;
  };
}
