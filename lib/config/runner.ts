/**
 * Plain `next build` / `next dev` would make an incomplete site: `kb build`
 * (`npm run build`) parses the archive, builds the search index and writes
 * the article and file pages and the CSP after Next's export
 * (lib/build/build.ts), and `npm run dev` warms the dev server and builds
 * the search index (scripts/dev.ts). Both start Next with `KB_RUNNER=kb`;
 * next.config calls this so that Next started any other way stops at once
 * with a message saying what to run instead.
 */
import type { Config } from './index';

export function assertKbRunner(config: Pick<Config, 'runner'>, command: 'build' | 'dev' | 'other'): void {
  if (config.runner === 'kb' || command === 'other') return;
  const instead = command === 'dev' ? 'npm run dev' : 'npm run build';
  throw new Error(
    `kbview: run \`${instead}\`, not \`next ${command}\`: plain \`next ${command}\` does not produce the complete site ` +
      `(${command === 'dev' ? 'no warm-up, no search index' : 'no article or file pages, search index or CSP'}). ` +
      `(\`${instead}\` starts Next with KB_RUNNER=kb.)`,
  );
}
