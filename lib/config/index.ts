/**
 * kbview's configuration: every `KB_*` setting, read from the environment once,
 * validated with zod, typed. Nothing else in the project reads `process.env`
 * for a KB setting: build steps, the dev server, the static server and
 * next.config receive a `Config` (or the environment this module writes for a
 * child process, `configEnv`).
 *
 * Errors name the variable and the accepted values:
 *     KB_SOURCES must be one of files, none, auto; got "yes"
 *
 * The browser never loads this module (it uses zod): client code gets the base
 * path from `./public.ts`, which Next inlines at build time.
 */
import path from 'node:path';
import { z } from 'zod';

export const DEFAULT_SITE_URL = 'http://localhost:3000';
export const DEFAULT_CACHE_DIR = path.join('.cache', 'kbview');
export const DEFAULT_FILE_TIMEOUT_S = 30;
export const DEFAULT_PORT = 3000;

/** `archive/` → `/archive`; '' for the root. Throws on anything but `/segment/segment`. */
export function normalizeBasePath(raw: string | undefined): string {
  const value = (raw ?? '').trim().replace(/\/+$/, '');
  if (value === '') return '';
  const withSlash = value.startsWith('/') ? value : `/${value}`;
  if (!/^(\/[A-Za-z0-9._~-]+)+$/.test(withSlash) || withSlash.split('/').some((s) => s === '.' || s === '..')) {
    throw new ConfigError('KB_BASE_PATH', 'a path such as /kb-archive (letters, digits, . _ ~ -; no . or .. segments)', raw);
  }
  return withSlash;
}

/** `https://example.org` (origin plus path, no trailing slash). */
export function normalizeSiteUrl(raw: string | undefined): string {
  const value = (raw ?? '').trim() || DEFAULT_SITE_URL;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError('KB_SITE_URL', 'an absolute http(s) URL such as https://example.org', raw);
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.search || url.hash || url.username || url.password) {
    throw new ConfigError('KB_SITE_URL', 'a plain http(s) URL such as https://example.org (no query, fragment or credentials)', raw);
  }
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    accepted: string,
    got: string | undefined,
  ) {
    super(`${variable} must be ${accepted}; got ${JSON.stringify(got)}`);
    this.name = 'ConfigError';
  }
}

const choice = <T extends string, F extends T | null>(variable: string, values: readonly [T, ...T[]], fallback: F) =>
  z
    .string()
    .optional()
    .transform((raw, ctx): T | F => {
      const value = (raw ?? '').trim().toLowerCase();
      if (value === '') return fallback;
      if ((values as readonly string[]).includes(value)) return value as T;
      ctx.addIssue({ code: 'custom', message: new ConfigError(variable, `one of ${values.join(', ')}`, raw).message });
      return z.NEVER;
    });

const flag = (variable: string) =>
  z
    .string()
    .optional()
    .transform((raw, ctx): boolean => {
      const value = (raw ?? '').trim().toLowerCase();
      if (value === '' || value === '0' || value === 'false') return false;
      if (value === '1' || value === 'true') return true;
      ctx.addIssue({ code: 'custom', message: new ConfigError(variable, '1 or 0', raw).message });
      return z.NEVER;
    });

const wrap = <T>(variable: string, fn: (raw: string | undefined) => T) =>
  z
    .string()
    .optional()
    .transform((raw, ctx): T => {
      try {
        return fn(raw);
      } catch (error) {
        ctx.addIssue({ code: 'custom', message: error instanceof Error ? error.message : `${variable}: ${String(error)}` });
        return z.NEVER;
      }
    });

const seconds = (variable: string, fallback: number) =>
  wrap(variable, (raw) => {
    const value = (raw ?? '').trim();
    if (value === '') return fallback;
    const n = Number(value);
    if (!Number.isFinite(n) || n <= 0) throw new ConfigError(variable, 'a number of seconds greater than 0', raw);
    return n;
  });

const optionalPath = z
  .string()
  .optional()
  .transform((raw) => (raw && raw.trim() ? raw.trim() : null));

const EnvSchema = z.object({
  KB_CONTENT_DIR: optionalPath,
  KB_BASE_PATH: wrap('KB_BASE_PATH', normalizeBasePath),
  KB_SITE_URL: wrap('KB_SITE_URL', normalizeSiteUrl),
  KB_SOURCES: choice('KB_SOURCES', ['files', 'none', 'auto'], 'auto'),
  KB_ARTICLE_PAGES: choice('KB_ARTICLE_PAGES', ['template', 'next'], null),
  KB_REDIRECTS: choice('KB_REDIRECTS', ['auto', 'all', 'none'], 'auto'),
  KB_SKIP_SEARCH: flag('KB_SKIP_SEARCH'),
  KB_CACHE_DIR: optionalPath,
  KB_FILE_TIMEOUT: seconds('KB_FILE_TIMEOUT', DEFAULT_FILE_TIMEOUT_S),
  KB_NEXT_DIST_DIR: optionalPath,
  KB_EXPORT_DIR: optionalPath,
  KB_BUILD_ID: optionalPath,
  KB_PHASES_FILE: optionalPath,
  KB_SCAN_FILE: optionalPath,
  KB_RUNNER: choice('KB_RUNNER', ['kb', 'none'], 'none'),
  KB_TEST_WORKER_FAULT: wrap('KB_TEST_WORKER_FAULT', (raw) => {
    const value = (raw ?? '').trim();
    if (value === '') return null;
    const match = /^(crash|hang):(.+)$/s.exec(value);
    if (!match) throw new ConfigError('KB_TEST_WORKER_FAULT', 'crash:<job> or hang:<job>', raw);
    return { kind: match[1] as 'crash' | 'hang', job: match[2]! };
  }),
  KB_TEST_ARTICLE_FAULT: wrap('KB_TEST_ARTICLE_FAULT', (raw) => {
    const value = (raw ?? '').trim();
    if (value === '') return null;
    const match = /^(listing|render):(.+)$/s.exec(value);
    if (!match) throw new ConfigError('KB_TEST_ARTICLE_FAULT', 'listing:<source> or render:<source>', raw);
    return { step: match[1] as 'listing' | 'render', source: match[2]! };
  }),
  PORT: wrap('PORT', (raw) => {
    const value = (raw ?? '').trim();
    if (value === '') return DEFAULT_PORT;
    const n = Number(value);
    if (!/^\d+$/.test(value) || n > 65535) throw new ConfigError('PORT', 'a port number from 0 to 65535', raw);
    return n;
  }),
});

export interface Config {
  /** Where the articles are (absolute). `KB_CONTENT_DIR`, default `content/`. */
  contentDir: string;
  /** `/kb-archive` or ''. `KB_BASE_PATH`. */
  basePath: string;
  /** Public address of the host, without the base path. `KB_SITE_URL`, default http://localhost:3000. */
  siteUrl: string;
  /** Whether article sources are shipped (`auto`: under 10,000 articles). `KB_SOURCES`. */
  sources: 'files' | 'none' | 'auto';
  /**
   * Who writes article pages: kbview's page writer from Next's template, or Next itself. `KB_ARTICLE_PAGES`.
   * Unset (null): `kb build` uses the template (and sets it for its `next build`); plain `next dev` / `next build` render every article.
   */
  articlePages: 'template' | 'next' | null;
  /** `_redirects` rules for old KB paths. `KB_REDIRECTS`. */
  redirects: 'auto' | 'all' | 'none';
  /** Keep the search index as it is. `KB_SKIP_SEARCH=1`. */
  skipSearch: boolean;
  /** Parse, body and page caches (absolute). `KB_CACHE_DIR`, default `.cache/kbview`. */
  cacheDir: string;
  /** A worker holding one file longer than this is stopped and the file reported. `KB_FILE_TIMEOUT` (seconds). */
  fileTimeoutMs: number;
  /** Next's build folder, when not `.next` (tests and the build's staging export). */
  nextDistDir: string | null;
  exportDir: string | null;
  /** Next's build id (`kb build` gives the digest of the code and configuration, lib/build/incremental.ts); null: Next's own. `KB_BUILD_ID`. */
  buildId: string | null;
  /** Where `kb build` writes its phase table (bench). */
  phasesFile: string | null;
  /**
   * Set by `kb build` for its `next build`: the scan of the archive its `kb prepare` kept (lib/content/corpus.ts
   * `keepScan`), which the export workers read instead of walking the archive again. `KB_SCAN_FILE`.
   */
  scanFile: string | null;
  /** `kb` when `npm run build` / `npm run dev` started Next (they set `KB_RUNNER=kb`); plain `next build` / `next dev` refuse to run without it (lib/config/runner.ts). */
  runner: 'kb' | 'none';
  /** Tests only: a worker crashes or hangs on this job (lib/worker-pool.ts). `KB_TEST_WORKER_FAULT=crash:<job>` or `hang:<job>`. */
  testWorkerFault: { kind: 'crash' | 'hang'; job: string } | null;
  /**
   * Tests only: one article's listing entry (lib/content/listing-entry.ts) or body render (lib/build/body-cache.tsx)
   * throws. `KB_TEST_ARTICLE_FAULT=listing:<source>` or `render:<source>` (the file's path in the content directory).
   */
  testArticleFault: { step: 'listing' | 'render'; source: string } | null;
  /** `npm start`'s port unless `--port` is given. `PORT`, default 3000. */
  port: number;
}

type Env = Readonly<Record<string, string | undefined>>;

/** Reads and validates the configuration; throws one error listing every bad variable. */
export function loadConfig(env: Env = process.env, cwd: string = process.cwd()): Config {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) throw new Error(`kbview: invalid configuration:\n${parsed.error.issues.map((i) => `  ${i.message}`).join('\n')}`);
  const e = parsed.data;
  return {
    contentDir: path.resolve(cwd, e.KB_CONTENT_DIR ?? 'content'),
    basePath: e.KB_BASE_PATH,
    siteUrl: e.KB_SITE_URL,
    sources: e.KB_SOURCES,
    articlePages: e.KB_ARTICLE_PAGES,
    redirects: e.KB_REDIRECTS,
    skipSearch: e.KB_SKIP_SEARCH,
    cacheDir: path.resolve(cwd, e.KB_CACHE_DIR ?? DEFAULT_CACHE_DIR),
    fileTimeoutMs: e.KB_FILE_TIMEOUT * 1000,
    nextDistDir: e.KB_NEXT_DIST_DIR,
    exportDir: e.KB_EXPORT_DIR,
    buildId: e.KB_BUILD_ID,
    phasesFile: e.KB_PHASES_FILE,
    scanFile: e.KB_SCAN_FILE && path.resolve(cwd, e.KB_SCAN_FILE),
    runner: e.KB_RUNNER,
    testWorkerFault: e.KB_TEST_WORKER_FAULT,
    testArticleFault: e.KB_TEST_ARTICLE_FAULT,
    port: e.PORT,
  };
}

let current: Config | null = null;

/** The process's configuration, read on first use. */
export function config(): Config {
  current ??= loadConfig();
  return current;
}

/** The content directory: `dir` if given, else the configured one (`KB_CONTENT_DIR` or `content/`), absolute. */
export function resolveContentDir(dir?: string): string {
  return dir && dir.trim() ? path.resolve(dir) : config().contentDir;
}

/** The environment a child process (next build, a worker) needs to see the same configuration. */
export function configEnv(c: Config, base: Env = process.env): NodeJS.ProcessEnv {
  const env = Object.create(null) as NodeJS.ProcessEnv;
  for (const [k, v] of Object.entries(base)) if (v !== undefined) env[k] = v;
  const set = (k: string, v: string | null) => {
    if (v === null) delete env[k];
    else env[k] = v;
  };
  set('KB_CONTENT_DIR', c.contentDir);
  set('KB_BASE_PATH', c.basePath);
  set('KB_SITE_URL', c.siteUrl);
  set('KB_SOURCES', c.sources);
  set('KB_ARTICLE_PAGES', c.articlePages);
  set('KB_REDIRECTS', c.redirects);
  set('KB_SKIP_SEARCH', c.skipSearch ? '1' : '0');
  set('KB_CACHE_DIR', c.cacheDir);
  set('KB_FILE_TIMEOUT', String(c.fileTimeoutMs / 1000));
  set('KB_NEXT_DIST_DIR', c.nextDistDir);
  set('KB_EXPORT_DIR', c.exportDir);
  set('KB_BUILD_ID', c.buildId);
  set('KB_TEST_WORKER_FAULT', c.testWorkerFault && `${c.testWorkerFault.kind}:${c.testWorkerFault.job}`);
  set('KB_TEST_ARTICLE_FAULT', c.testArticleFault && `${c.testArticleFault.step}:${c.testArticleFault.source}`);
  set('PORT', String(c.port));
  set('KB_PHASES_FILE', c.phasesFile);
  set('KB_SCAN_FILE', c.scanFile);
  set('KB_RUNNER', c.runner === 'kb' ? 'kb' : null);
  return env;
}

/**
 * What a browser bundle kbview makes itself (lib/search/boot-bundle.ts, with esbuild) inlines for
 * ./public.ts, as Next inlines next.config's `env` into its own bundles: the base path.
 */
export function clientDefines(c: Pick<Config, 'basePath'>): Record<string, string> {
  return clientDefinesReading(JSON.stringify(c.basePath));
}

/**
 * The same for a bundle whose text is the same for every configuration (the search page's inline early
 * script, allowed by hash): the base path is the JavaScript expression `basePath`, read as it runs.
 */
export function clientDefinesReading(basePath: string): Record<string, string> {
  return { 'process.env.KB_BASE_PATH': basePath };
}
