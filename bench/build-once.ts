/** One measured `kb build` of a content directory (wall time, peak RSS of the process tree, output). */
import path from 'node:path';
import { measure, gib, mb, sec } from './lib/measure';
import { countFiles } from '../lib/build/build';
import { cliArgs } from '../lib/cli/args';

const [dir] = cliArgs(process.argv.slice(2), {
  usage: 'usage: tsx bench/build-once.ts [contentDir=content]',
  options: {},
  positionals: { max: 1 },
}).positionals;
const content = path.resolve(dir ?? 'content');
const result = await measure(path.resolve('node_modules/.bin/tsx'), ['scripts/kb.ts', 'build'], {
  env: { ...process.env, KB_CONTENT_DIR: content },
  echo: true,
});
const out = countFiles('out');
console.log(`\nbuild-once: exit ${result.code}, ${sec(result.ms)}, peak RSS ${gib(result.peakRssBytes)}, out/ ${out.count} files, ${mb(out.bytes)}`);
