// @ts-check
import { availableParallelism } from 'node:os';
import { PHASE_DEVELOPMENT_SERVER, PHASE_PRODUCTION_BUILD } from 'next/constants.js';
import { tsImport } from 'tsx/esm/api';

// Every KB_* setting, validated (lib/config); the loader reads the same configuration. Next loads this file as
// plain ESM, so lib/config (TypeScript) comes through tsx's scoped loader: nothing else in Next's process is
// transformed by it.
/** @type {typeof import('./lib/config/index')} */
const { loadConfig } = await tsImport('./lib/config/index.ts', import.meta.url);
/** @type {typeof import('./lib/config/runner')} */
const { assertKbRunner } = await tsImport('./lib/config/runner.ts', import.meta.url);

const kb = loadConfig();
const basePath = kb.basePath;

/** @type {import('next').NextConfig} */
const nextConfig = {
  output: 'export',
  // Tests run a dev server with its own build folder (under .cache/, outside the type check's view).
  // `kb build` has the export written into its staging directory (KB_EXPORT_DIR, lib/build/build.ts):
  // with `output: 'export'`, a custom distDir is the export's destination and Next's build files stay in .next/.
  ...(kb.exportDir ? { distDir: kb.exportDir } : kb.nextDistDir ? { distDir: kb.nextDistDir } : {}),
  // Article permalinks end in `/`; the export writes out/kb/244/Q244717/index.html.
  trailingSlash: true,
  basePath,
  images: { unoptimized: true },
  reactStrictMode: true,
  poweredByHeader: false,
  // `kb build` passes the digest of the pages' inputs (lib/build/incremental.ts): the same inputs, the same bytes.
  ...(kb.buildId ? { generateBuildId: () => kb.buildId } : {}),
  // A page's first render in an export worker loads the archive's metadata: at 241k articles on a loaded
  // 2-core machine the sitemap routes took over Next's default 60 s and were retried (BENCHMARKS.md, scale).
  staticPageGenerationTimeout: 600,
  // Links inside pages are plain <a href>, which Next does not prefix with basePath;
  // lib/config/public.ts reads this to prefix them itself (inlined into server and client code).
  env: { KB_BASE_PATH: basePath },
  // `npm test` type-checks the whole project (test/typecheck.test.ts); checking again in
  // every build costs ~7 s.
  typescript: { ignoreBuildErrors: true },
  // Next 16 runs its export workers with Node's source maps on (for readable prerender stack traces): every route
  // chunk's map is then read and parsed as the chunk loads, ~2 s of the workers' CPU at 60k articles
  // (BENCHMARKS.md "Session 14, lead"). A failing page is named by the export either way.
  enablePrerenderSourceMaps: false,
  // The parser's dependencies (unified, micromark, parse5, zod…: ~500 modules) are
  // loaded by Node as they are instead of being compiled into the server bundles:
  // `next dev` compiles the article route in ~1 s instead of ~3.5 s (2 cores).
  serverExternalPackages: [
    'decode-named-character-reference',
    'hast-util-to-jsx-runtime',
    'mdast-util-to-hast',
    'rehype-raw',
    'rehype-sanitize',
    'remark-frontmatter',
    'remark-parse',
    'remark-rehype',
    'unified',
    'vfile',
    'yaml',
    'zod',
  ],
  experimental: {
    // Next defaults to cores - 1 export workers: one on a 2-core machine. Use every core.
    cpus: Math.max(1, availableParallelism()),
    // Measuring every segment's gzip size for prefetch inlining hints cost ~30% of
    // each page's export time (bench: 28.9 s → 20.3 s for 2,000 pages); our pages
    // link with plain <a> and never prefetch segments.
    prefetchInlining: false,
  },
};

/**
 * `next dev` lists a route's pages (generateStaticParams) in a fresh worker for
 * each route it serves first: a worker thread starts in a fraction of the
 * second a child process takes (1.5 s → see BENCHMARKS.md, dev). Builds keep
 * Next's child processes.
 *
 * `next dev` runs without `output: 'export'`: with it, Next refuses any article
 * its route does not list, so the route had to list the whole archive for
 * every request (BENCHMARKS.md "s5-mem"); without it, the article route lists
 * none in development and answers 404 itself for what the export does not hold
 * (lib/content `articleRoutePermalinks`). Every other route keeps its list and
 * `dynamicParams = false`, which `next dev` enforces. `next build` is unchanged.
 *
 * @param {string} phase
 * @returns {import('next').NextConfig}
 */
export default function config(phase) {
  assertKbRunner(kb, phase === PHASE_DEVELOPMENT_SERVER ? 'dev' : phase === PHASE_PRODUCTION_BUILD ? 'build' : 'other');
  if (phase !== PHASE_DEVELOPMENT_SERVER) return nextConfig;
  const { output: _export, ...devConfig } = nextConfig;
  return {
    ...devConfig,
    // Article pages come from app/kb-dev/page.dev.tsx, the article route without its dynamic segments: Next lists a
    // dynamic route's pages in a fresh worker before its first render (~1.2 s on 2 cores, BENCHMARKS.md "Session 25").
    pageExtensions: ['dev.tsx', 'tsx', 'ts', 'jsx', 'js'],
    rewrites: async () => ({
      beforeFiles: [{ source: '/kb/:bucket/:id/', destination: '/kb-dev/?bucket=:bucket&id=:id' }],
      afterFiles: [],
      fallback: [],
    }),
    experimental: { ...devConfig.experimental, workerThreads: true },
  };
}
