/**
 * A slow phone on the search page and in the header box, paired against a baseline export:
 *
 *   npx tsx bench/search-trace.ts SITE_DIR [--baseline DIR] [--query Q] [--runs N] [--dropdown] [--log]
 *                                 [--lighthouse BIN [--lh-runs N] [--lh-keep DIR]]
 *
 * Serves SITE_DIR (and the baseline, each with gzip, scripts/serve.ts) and, N times, alternating site and
 * baseline (site first, then baseline, then site…), loads `/search/?q=…` in Chromium under the bench's
 * slow-phone profile (CDP: 150 ms latency, 1.6 Mbit/s down, CPU ×4; 412×823): when the first result was
 * painted (whoever painted it: search/boot.js or React), first paint, DOMContentLoaded and load, and with
 * --log every request of the page with its start, end, bytes on the wire and priority (the worker's own
 * requests are not in it). With --dropdown, also the header box on the article page Q244717: "rassrv" typed
 * at 100 ms/key after the page has loaded, time from the first keystroke to a dropdown with results, and to
 * the dropdown for the whole word. With --lighthouse (a Lighthouse CLI, e.g. installed with
 * `npm install --prefix /tmp/lh lighthouse`), also Lighthouse's mobile defaults on `/search/?q=…` and the
 * article page, --lh-runs times each, alternating too: performance / accessibility / best practices / SEO,
 * CLS, LCP, TBT, and each run's long tasks (Lighthouse's `long-tasks` audit: start, duration at the simulated
 * CPU ×4, the script it is attributed to); --lh-keep DIR keeps each JSON report there. Prints each run, then the medians, with the load average before and after.
 *
 * Both sites should hold the same index (build both from the same corpus); the figures depend on the
 * machine's load (CPU ×4 is relative to the host): compare paired runs, not runs of different moments.
 */
import { mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { cliArgs, integerOption } from '../lib/cli/args';
import { emulateSlowPhone, PHONE_CONTEXT, slowPhoneDropdown, withPage } from './lib/browser';
import { LIGHTHOUSE_CATEGORIES, runLighthouse, type LighthouseRun } from './lib/lighthouse';
import { serveDir, type ServedSite } from './lib/server';
import { median } from './lib/measure';

const USAGE =
  'usage: npx tsx bench/search-trace.ts SITE_DIR [--baseline DIR] [--query Q] [--runs N] [--dropdown] [--log] [--lighthouse BIN [--lh-runs N] [--lh-keep DIR]]';
const { values: opts, positionals } = cliArgs(process.argv.slice(2), {
  usage: USAGE,
  options: {
    baseline: { type: 'string' },
    query: { type: 'string' },
    runs: { type: 'string' },
    dropdown: { type: 'boolean' },
    log: { type: 'boolean' },
    lighthouse: { type: 'string' },
    'lh-runs': { type: 'string' },
    'lh-keep': { type: 'string' },
  },
  positionals: { min: 1, max: 1 },
});
const siteDir = positionals[0]!;
const query = opts.query ?? 'rassrv';
const runs = integerOption(opts.runs, '--runs', USAGE, 1, 1, 50);
const lhRuns = integerOption(opts['lh-runs'], '--lh-runs', USAGE, 3, 1, 20);

interface Request {
  url: string;
  start: number;
  end?: number;
  bytes?: number;
  priority: string;
}

interface SearchPageRun {
  first: number;
  paint: number;
  dcl: number;
  load: number;
  early: boolean;
}

/** A fresh `/search/?q=…` on the slow phone. */
async function searchPage(server: ServedSite, label: string): Promise<SearchPageRun> {
  return withPage(
    async (page, info) => {
      const cdp = await emulateSlowPhone(page);
      const requests = new Map<string, Request>();
      let t0 = 0;
      cdp.on('Network.requestWillBeSent', (e: { requestId: string; timestamp: number; request: { url: string; initialPriority: string } }) => {
        t0 ||= e.timestamp;
        requests.set(e.requestId, { url: e.request.url.replace(server.origin, ''), start: e.timestamp, priority: e.request.initialPriority });
      });
      cdp.on('Network.loadingFinished', (e: { requestId: string; timestamp: number; encodedDataLength: number }) => {
        const r = requests.get(e.requestId);
        if (r) Object.assign(r, { end: e.timestamp, bytes: e.encodedDataLength });
      });
      await page.addInitScript(() => {
        const w = window as unknown as { __first: number };
        w.__first = 0;
        new MutationObserver(() => {
          if (!w.__first && document.querySelector('main [data-result]')) {
            w.__first = -1;
            requestAnimationFrame(() => (w.__first = performance.now()));
          }
        }).observe(document, { childList: true, subtree: true });
      });
      await page.goto(server.href(`search/?q=${encodeURIComponent(query)}`));
      await page.waitForFunction(() => (window as unknown as { __first: number }).__first > 0, undefined, { timeout: 60_000 });
      const times = await page.evaluate(() => {
        const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming;
        return {
          first: (window as unknown as { __first: number }).__first,
          paint: performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? NaN,
          dcl: nav.domContentLoadedEventEnd,
          load: nav.loadEventEnd,
          early: '__kbSearchBoot' in window,
        };
      });
      console.log(
        `  ${label}: /search/?q=${query} first result ${ms(times.first)} (${times.early ? 'painted by search/boot.js' : 'painted by React'}), first contentful paint ${ms(times.paint)}, DOMContentLoaded ${ms(times.dcl)}, load ${ms(times.load)}`,
      );
      if (opts.log) {
        for (const r of [...requests.values()].sort((a, b) => a.start - b.start)) {
          if (r.url.startsWith('data:')) continue;
          const end = r.end === undefined ? '     -' : ((r.end - t0) * 1000).toFixed(0).padStart(6);
          console.log(
            `    ${((r.start - t0) * 1000).toFixed(0).padStart(6)} → ${end}  ${String(r.bytes ?? '').padStart(7)}  ${r.priority.padEnd(8)} ${r.url.slice(0, 90)}`,
          );
        }
      }
      if (info.pageErrors.length > 0) console.log(`    page errors: ${info.pageErrors.map((e) => e.message).join('; ')}`);
      return times;
    },
    { context: PHONE_CONTEXT },
  );
}

interface DropdownRun {
  /** First keystroke → a dropdown with at least one article (for any text typed so far). */
  any: number;
  /** First keystroke → the dropdown for the whole word. */
  whole: number;
}

/** The header box on an article page: "rassrv" typed at 100 ms/key once the page has loaded. */
async function dropdown(server: ServedSite, label: string): Promise<DropdownRun> {
  return withPage(
    async (page) => {
      const { any, forText, whole } = await slowPhoneDropdown(page, server.href('kb/244/Q244717/'));
      console.log(`  ${label}: article page, "rassrv" at 100 ms/key → dropdown with results ${ms(any)} (for "${forText}"), for "rassrv" ${ms(whole)}`);
      return { any, whole };
    },
    { context: PHONE_CONTEXT },
  );
}

/** One Lighthouse run, printed with the load average (and its long tasks); null (and said) when it fails. */
async function lighthouse(bin: string, url: string, label: string): Promise<LighthouseRun | null> {
  try {
    const keep = opts['lh-keep'] ? path.join(opts['lh-keep'], `${label.replace(/[^A-Za-z0-9]+/g, '-')}.json`) : undefined;
    const run = await runLighthouse(bin, url, keep);
    console.log(`  ${label}: ${lhText(run)} (load average ${load()})`);
    for (const task of run.longTasks) console.log(`    long task at ${ms(task.start)}: ${ms(task.duration)} ${task.url}`);
    return run;
  } catch (error) {
    console.log(`  ${label}: Lighthouse failed: ${(error as Error).message.split('\n')[0]}`);
    return null;
  }
}

function lhText(r: Omit<LighthouseRun, 'longTasks'>): string {
  return `${r.scores.join(' / ')}, CLS ${r.cls.toFixed(3)}, LCP ${(r.lcp / 1000).toFixed(1)} s, TBT ${r.tbt.toFixed(0)} ms`;
}

function ms(x: number): string {
  return `${x.toFixed(0)} ms`;
}

const load = () =>
  os
    .loadavg()
    .map((x) => x.toFixed(1))
    .join(' ');

if (opts['lh-keep']) mkdirSync(opts['lh-keep'], { recursive: true });
const sites: Array<{ label: string; server: ServedSite; pages: SearchPageRun[]; drops: DropdownRun[] }> = [];
try {
  sites.push({ label: 'site', server: await serveDir(siteDir, { gzip: true }), pages: [], drops: [] });
  if (opts.baseline) sites.push({ label: 'baseline', server: await serveDir(opts.baseline, { gzip: true }), pages: [], drops: [] });
  console.log(`slow phone (CDP: 150 ms latency, 1.6 Mbit/s down, CPU ×4), ${runs} paired runs; load average before: ${load()}`);
  for (let run = 0; run < runs; run++) {
    for (const s of sites) s.pages.push(await searchPage(s.server, `run ${run + 1} ${s.label}`));
    if (opts.dropdown) for (const s of sites) s.drops.push(await dropdown(s.server, `run ${run + 1} ${s.label}`));
  }
  const lhPages = [
    { name: `/search/?q=${query}`, path: `search/?q=${encodeURIComponent(query)}` },
    { name: 'article Q244717', path: 'kb/244/Q244717/' },
  ];
  const lh = new Map<string, LighthouseRun[]>();
  if (opts.lighthouse) {
    console.log(`Lighthouse (mobile defaults: performance / accessibility / best practices / SEO), ${lhRuns} runs, alternating:`);
    for (let run = 0; run < lhRuns; run++)
      for (const page of lhPages)
        for (const s of sites) {
          const r = await lighthouse(opts.lighthouse, s.server.href(page.path), `run ${run + 1} ${s.label} ${page.name}`);
          const key = `${s.label} ${page.name}`;
          if (r) lh.set(key, [...(lh.get(key) ?? []), r]);
        }
  }
  console.log(`medians over ${runs} runs (load average after: ${load()}):`);
  for (const s of sites) {
    const early = s.pages.filter((p) => p.early).length;
    console.log(
      `  ${s.label}: first result ${ms(median(s.pages.map((p) => p.first)))} (all: ${s.pages.map((p) => p.first.toFixed(0)).join(', ')}; painted early in ${early}/${s.pages.length}), load ${ms(median(s.pages.map((p) => p.load)))}`,
    );
    if (s.drops.length > 0)
      console.log(
        `  ${s.label}: dropdown with results ${ms(median(s.drops.map((d) => d.any)))} (all: ${s.drops.map((d) => d.any).join(', ')}), for "rassrv" ${ms(median(s.drops.map((d) => d.whole)))} (all: ${s.drops.map((d) => d.whole).join(', ')})`,
      );
  }
  for (const [key, list] of lh) {
    const med = (f: (r: LighthouseRun) => number) => median(list.map(f));
    const all = list.map((r) => r.scores[0]).join(', ');
    console.log(
      `  Lighthouse ${key}: ${lhText({ scores: LIGHTHOUSE_CATEGORIES.map((_, i) => med((r) => r.scores[i]!)), cls: med((r) => r.cls), lcp: med((r) => r.lcp), tbt: med((r) => r.tbt) })} (performance of each run: ${all})`,
    );
  }
} finally {
  for (const s of sites) await s.server.close();
}
