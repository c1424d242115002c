/**
 * Where a slow phone's time goes on a fresh search page: `npx tsx bench/search-trace.ts SITE_DIR [query] [runs]`.
 *
 * Serves SITE_DIR (gzip, scripts/serve.ts) and loads `/search/?q=…` in Chromium under the bench's slow-phone
 * profile (CDP: 150 ms latency, 1.6 Mbit/s down, CPU ×4; 412×823): prints when the first result was painted
 * (whoever painted it: search/boot.js or React), first paint, DOMContentLoaded and load, and every request of
 * the page with its start, end, bytes on the wire and priority (the worker's own requests are not in it).
 */
import { emulateSlowPhone, withPage } from './lib/browser';
import { serveDir } from './lib/server';

const [siteDir, query = 'rassrv', runsText = '1'] = process.argv.slice(2);
if (!siteDir) {
  console.error('usage: npx tsx bench/search-trace.ts SITE_DIR [query] [runs]');
  process.exit(2);
}

interface Request {
  url: string;
  start: number;
  end?: number;
  bytes?: number;
  priority: string;
}

const server = await serveDir(siteDir, { gzip: true });
try {
  for (let run = 0; run < Number(runsText); run++) {
    await withPage(
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
            early: 'kbSearchBoot' in window || '__kbSearchBoot' in window,
          };
        });
        const ms = (x: number) => `${x.toFixed(0)} ms`;
        console.log(
          `run ${run + 1}: first result ${ms(times.first)} (${times.early ? 'painted by search/boot.js' : 'painted by React'}), first contentful paint ${ms(times.paint)}, DOMContentLoaded ${ms(times.dcl)}, load ${ms(times.load)}`,
        );
        for (const r of [...requests.values()].sort((a, b) => a.start - b.start)) {
          const end = r.end === undefined ? '     -' : ((r.end - t0) * 1000).toFixed(0).padStart(6);
          console.log(
            `  ${((r.start - t0) * 1000).toFixed(0).padStart(6)} → ${end}  ${String(r.bytes ?? '').padStart(7)}  ${r.priority.padEnd(8)} ${r.url.slice(0, 90)}`,
          );
        }
        if (info.pageErrors.length > 0) console.log(`  page errors: ${info.pageErrors.map((e) => e.message).join('; ')}`);
      },
      { context: { viewport: { width: 412, height: 823 }, deviceScaleFactor: 1.75, isMobile: true, hasTouch: true } },
    );
  }
} finally {
  await server.close();
}
