/**
 * Runs a command and measures it: wall time, and the peak resident memory of
 * the whole process tree (sampled from /proc every 100 ms; Next.js runs its
 * page workers as child processes, which `time -v` would miss).
 */
import { spawn } from 'node:child_process';
import { treeRss } from '../../lib/build/phases';

export interface Measured {
  code: number;
  ms: number;
  peakRssBytes: number;
  stdout: string;
  stderr: string;
}

export function measure(command: string, args: string[], options: { env?: NodeJS.ProcessEnv; cwd?: string; echo?: boolean } = {}): Promise<Measured> {
  return new Promise((resolve) => {
    const started = performance.now();
    const child = spawn(command, args, { env: options.env ?? process.env, cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let peak = 0;
    let stdout = '';
    let stderr = '';
    const timer = setInterval(() => {
      if (child.pid) peak = Math.max(peak, treeRss(child.pid));
    }, 100);
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk;
      if (options.echo) process.stdout.write(chunk);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk;
      if (options.echo) process.stderr.write(chunk);
    });
    child.on('close', (code) => {
      clearInterval(timer);
      resolve({ code: code ?? 1, ms: performance.now() - started, peakRssBytes: peak, stdout, stderr });
    });
  });
}

export const gib = (bytes: number): string => `${(bytes / 2 ** 30).toFixed(2)} GiB`;
export const mb = (bytes: number): string => `${(bytes / 1e6).toFixed(1)} MB`;
export const sec = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

/** The median (of an even count: the mean of the two middle values). */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}
