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

async function main(argv: string[]): Promise<number> {
  let out = 'public/search';
  let ifStale = false;
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--out') out = argv[++i] ?? out;
    else if (argv[i] === '--if-stale') ifStale = true;
    else if (argv[i] === '-h' || argv[i] === '--help') {
      console.log('usage: build-search [contentDir] [--out public/search] [--if-stale]');
      return 0;
    } else rest.push(argv[i]!);
  }
  return buildSearch(rest[0] ?? resolveContentDir(), out, console.log, ifStale);
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('build-search.ts')) {
  process.exitCode = await main(process.argv.slice(2));
}
