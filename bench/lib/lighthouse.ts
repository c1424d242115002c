/**
 * One Lighthouse run (mobile defaults, Debian's Chromium) on a URL of a served site, for the search
 * benches (bench/search.ts, bench/search-trace.ts). Lighthouse itself is not a dependency: its binary is
 * given (`--lighthouse BIN`).
 */
import { execFile } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { chromiumPath } from './browser';

export const LIGHTHOUSE_CATEGORIES = ['performance', 'accessibility', 'best-practices', 'seo'] as const;

export interface LighthouseRun {
  /** Scores 0–100, in the order of LIGHTHOUSE_CATEGORIES. */
  scores: number[];
  cls: number;
  lcp: number;
  tbt: number;
  /** The `long-tasks` audit's rows: start and duration in ms (at the simulated CPU slowdown), the script or 'Unattributable'. */
  longTasks: Array<{ url: string; start: number; duration: number }>;
}

/** Runs Lighthouse on `url`; throws when it fails or gives no report. `keep`: a path to keep the JSON report at. */
export async function runLighthouse(bin: string, url: string, keep?: string): Promise<LighthouseRun> {
  const out = path.join(os.tmpdir(), `kbview-lh-${process.pid}.json`);
  try {
    // Asynchronously: the site is served by this process, which must keep answering.
    await promisify(execFile)(
      bin,
      [
        url,
        '--quiet',
        '--output=json',
        `--output-path=${out}`,
        `--only-categories=${LIGHTHOUSE_CATEGORIES.join(',')}`,
        '--chrome-flags=--headless=new --no-sandbox --disable-gpu',
      ],
      { env: { ...process.env, CHROME_PATH: chromiumPath() }, timeout: 420_000 },
    );
    const text = readFileSync(out, 'utf8');
    if (keep) writeFileSync(keep, text);
    const report = JSON.parse(text) as {
      categories: Record<string, { score: number | null }>;
      audits: Record<string, { numericValue?: number; details?: { items?: Array<{ url?: string; startTime?: number; duration?: number }> } }>;
    };
    return {
      scores: LIGHTHOUSE_CATEGORIES.map((c) => Math.round((report.categories[c]?.score ?? 0) * 100)),
      cls: report.audits['cumulative-layout-shift']?.numericValue ?? NaN,
      lcp: report.audits['largest-contentful-paint']?.numericValue ?? NaN,
      tbt: report.audits['total-blocking-time']?.numericValue ?? NaN,
      longTasks: (report.audits['long-tasks']?.details?.items ?? []).map((t) => ({
        url: (t.url ?? '').replace(/^https?:\/\/[^/]+/, ''),
        start: t.startTime ?? NaN,
        duration: t.duration ?? NaN,
      })),
    };
  } finally {
    rmSync(out, { force: true });
  }
}
