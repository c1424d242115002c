/**
 * `npx tsx bench/synthetic.ts [--scale 4] [source]`: generates (once) the synthetic
 * archive of `scale` × the real corpus into `.cache/synthetic/x<scale>/` (bench/lib/synthetic.ts)
 * and prints its directory.
 */
import path from 'node:path';
import { corpusDir } from './lib/corpus';
import { generateSynthetic } from './lib/synthetic';

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
  const args = process.argv.slice(2);
  const i = args.indexOf('--scale');
  const scale = i >= 0 ? Number(args[i + 1]) : 4;
  const rest = args.filter((_, j) => j !== i && j !== i + 1);
  console.log(await ensureSynthetic(scale, rest[0] ? path.resolve(rest[0]) : undefined));
}
