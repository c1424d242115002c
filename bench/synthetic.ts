/**
 * `npx tsx bench/synthetic.ts [--scale 4] [source]`: generates (once) the synthetic
 * archive of `scale` × the real corpus into `.cache/synthetic/x<scale>/` (bench/lib/synthetic.ts)
 * and prints its directory.
 */
import path from 'node:path';
import { corpusDir } from './lib/corpus';
import { generateSynthetic } from './lib/synthetic';
import { cliArgs, integerOption } from '../lib/cli/args';

export function syntheticDir(scale: number): string {
  return path.resolve('.cache/synthetic', `x${scale}`);
}

export async function ensureSynthetic(scale: number, source?: string): Promise<string> {
  const from = source ?? (await corpusDir());
  const result = generateSynthetic(from, syntheticDir(scale), scale, (done, total) => console.error(`synthetic: ${done}/${total} articles`));
  console.error(
    `synthetic: ${result.articles} article files in ${result.dir} (${result.generated ? 'generated' : 'reused'}, ${(result.ms / 1000).toFixed(1)} s)`,
  );
  return result.dir;
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('bench/synthetic.ts')) {
  const usage = 'usage: npx tsx bench/synthetic.ts [--scale 4] [source]';
  const [scale, source] = cliArgs(
    process.argv.slice(2),
    { usage, options: { scale: { type: 'string' } }, positionals: { max: 1 } },
    ({ values, positionals }) => [integerOption(values.scale, '--scale', usage, 4, 1, 1000), positionals[0]] as const,
  );
  console.log(await ensureSynthetic(scale, source ? path.resolve(source) : undefined));
}
