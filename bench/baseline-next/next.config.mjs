// Baseline: a stock Next.js static export of trivial pages at the same permalinks as the archive.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
export default {
  output: 'export',
  trailingSlash: true,
  images: { unoptimized: true },
  distDir: process.env.BASELINE_DIST ?? '.next',
  turbopack: { root: path.resolve(here, process.env.BASELINE_ROOT ?? '../../..') },
  experimental: { cpus: 2 },
};
