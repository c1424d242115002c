/**
 * Launch Debian's Chromium with playwright-core.
 *
 *   await withPage(async (page, info) => {
 *     await page.goto(site.href('kb/244/Q244717/'));
 *     assert.deepEqual(info.pageErrors, []);
 *   });
 *
 * Each page's context lets requests reach loopback addresses only (the tests
 * have no network and must never try one); anything else is aborted and listed
 * in `info.blockedRequests`. A missing Chromium makes the test fail with a
 * message saying how to install it.
 */
import { chromium, type Browser, type BrowserContext, type CDPSession, type BrowserContextOptions, type Page } from 'playwright-core';
import { CHROMIUM_ARGS, chromiumMissingMessage, chromiumPath, isExecutable } from '../../lib/chromium';

export { CHROMIUM_ARGS, chromiumPath };

export async function launchBrowser(): Promise<Browser> {
  const executablePath = chromiumPath();
  if (!isExecutable(executablePath)) throw new Error(chromiumMissingMessage(executablePath));
  return chromium.launch({
    executablePath,
    headless: true,
    args: [...CHROMIUM_ARGS],
    timeout: 60_000,
  });
}

export async function withBrowser<T>(fn: (browser: Browser) => Promise<T>): Promise<T> {
  const browser = await launchBrowser();
  try {
    return await fn(browser);
  } finally {
    await browser.close();
  }
}

export interface PageInfo {
  context: BrowserContext;
  /** Uncaught exceptions thrown in the page. */
  pageErrors: Error[];
  /** `console.error` messages (text). */
  consoleErrors: string[];
  /** Requests aborted because they left the loopback interface. */
  blockedRequests: string[];
  /** Responses with status >= 400 (url and status). */
  failedResponses: { url: string; status: number }[];
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

function isLoopback(url: string): boolean {
  try {
    const u = new URL(url);
    if (u.protocol === 'data:' || u.protocol === 'blob:' || u.protocol === 'about:') return true;
    return LOOPBACK_HOSTS.has(u.hostname) || /^127\.\d+\.\d+\.\d+$/.test(u.hostname);
  } catch {
    return false;
  }
}

/** Set up a new context with the loopback-only guard and error collection. */
export async function newGuardedPage(browser: Browser, contextOptions: BrowserContextOptions = {}): Promise<{ page: Page; info: PageInfo }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, ...contextOptions });
  const info: PageInfo = { context, pageErrors: [], consoleErrors: [], blockedRequests: [], failedResponses: [] };
  await context.route(
    (url) => !isLoopback(url.href),
    (route) => {
      info.blockedRequests.push(route.request().url());
      return route.abort('blockedbyclient');
    },
  );
  const page = await context.newPage();
  page.setDefaultTimeout(30_000);
  page.on('pageerror', (err) => info.pageErrors.push(err));
  page.on('console', (msg) => {
    if (msg.type() === 'error') info.consoleErrors.push(msg.text());
  });
  page.on('response', (res) => {
    if (res.status() >= 400) info.failedResponses.push({ url: res.url(), status: res.status() });
  });
  return { page, info };
}

/**
 * Run `fn` with a fresh page in a fresh browser, closing both afterwards.
 * Pass `browser` to reuse one launched by `launchBrowser()` (e.g. in before/after hooks).
 */
export async function withPage<T>(
  fn: (page: Page, info: PageInfo) => Promise<T>,
  opts: { browser?: Browser; context?: BrowserContextOptions } = {},
): Promise<T> {
  const run = async (browser: Browser): Promise<T> => {
    const { page, info } = await newGuardedPage(browser, opts.context);
    try {
      return await fn(page, info);
    } finally {
      await info.context.close();
    }
  };
  return opts.browser ? run(opts.browser) : withBrowser(run);
}

/**
 * The slow-phone profile of the search bench (issue #11): 150 ms latency, 1.6 Mbit/s down, 750 kbit/s up,
 * CPU slowed ×4, through Chromium's DevTools protocol. Returns the page's CDP session (network events on).
 */
export async function emulateSlowPhone(page: Page): Promise<CDPSession> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.emulateNetworkConditions', {
    offline: false,
    latency: 150,
    downloadThroughput: (1.6 * 1024 * 1024) / 8,
    uploadThroughput: (750 * 1024) / 8,
  });
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: 4 });
  return cdp;
}

/** The phone the slow-phone figures are taken on (a browser context's options). */
export const PHONE_CONTEXT: BrowserContextOptions = { viewport: { width: 412, height: 823 }, deviceScaleFactor: 1.75, isMobile: true, hasTouch: true };

/**
 * The header box on the slow phone: `articleUrl` loaded, then "rassrv" typed at 100 ms/key. `any`: ms from
 * the first keystroke to a dropdown with results (for `forText`, the text it answers); `whole`: to the
 * dropdown for "rassrv" itself.
 */
export async function slowPhoneDropdown(page: Page, articleUrl: string): Promise<{ any: number; forText: string; whole: number }> {
  await emulateSlowPhone(page);
  await page.goto(articleUrl);
  await page.waitForLoadState('load');
  await page.waitForTimeout(500);
  await page.locator('input[data-site-search]').focus();
  const t0 = Date.now();
  const typing = page.keyboard.type('rassrv', { delay: 100 });
  await page.locator('[data-search-popup] [role=option][data-option=hit]').first().waitFor({ timeout: 60_000 });
  const any = Date.now() - t0;
  const forText = (await page.locator('[data-search-popup]').getAttribute('data-for')) ?? '';
  await typing;
  if (forText !== 'rassrv')
    await page.waitForFunction(() => document.querySelector('[data-search-popup]')?.getAttribute('data-for') === 'rassrv', undefined, { timeout: 60_000 });
  return { any, forText, whole: forText === 'rassrv' ? any : Date.now() - t0 };
}
