/**
 * Builds the static search index for a content directory.
 *
 *   npx tsx scripts/build-search.ts [contentDir] [--out public/search]
 *
 * contentDir defaults to $KB_CONTENT_DIR or content/. The index goes to
 * public/search/ so that `next dev` serves it and `next build` copies it
 * into the export (out/search/).
 */
import { resolveContentDir } from '../lib/content/corpus';
import { buildSearch } from '../lib/build/search-index';
import { cliArgs } from '../lib/cli/args';

const USAGE = `usage: build-search [contentDir] [--out public/search] [--if-stale]
  contentDir   default: $KB_CONTENT_DIR or content/
  --out DIR    where the index goes (default public/search)
  --if-stale   do nothing when the index there was built from the same content directory`;

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = cliArgs(argv, {
    usage: USAGE,
    options: { out: { type: 'string' }, 'if-stale': { type: 'boolean' } },
    positionals: { max: 1 },
  });
  return buildSearch(positionals[0] ?? resolveContentDir(), values.out ?? 'public/search', console.log, values['if-stale'] === true);
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('build-search.ts')) {
  process.exitCode = await main(process.argv.slice(2));
}
