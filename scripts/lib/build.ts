/**
 * `kb build`: parse the content once (cached), then let Next.js export the
 * site into out/, then drop the files the deployed site never requests.
 */
import { spawn } from 'node:child_process';
import { readdirSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { loadCorpus } from '../../lib/content/corpus';
import { progressReporter } from './progress';

export interface BuildOptions {
  contentDir: string;
  outDir?: string;
}

const require = createRequire(import.meta.url);

export async function buildSite(options: BuildOptions): Promise<number> {
  const contentDir = path.resolve(options.contentDir);
  const started = performance.now();
  console.log(`kbview: building ${contentDir}`);
  const corpus = await loadCorpus(contentDir, { onProgress: progressReporter('parse') });
  const errors = corpus.diagnostics.filter((d) => d.severity === 'error');
  const shown = corpus.diagnostics.slice(0, 200);
  for (const d of shown) console.error(`${path.join(contentDir, d.file)}${d.line ? `:${d.line}` : ''}: ${d.severity}: ${d.message} [${d.kind}]`);
  if (corpus.diagnostics.length > shown.length) console.error(`… and ${corpus.diagnostics.length - shown.length} more diagnostics (run kb check for all)`);
  const s = corpus.stats;
  const summary = `kbview: ${s.files} files read, ${s.articles} articles to render, ${s.withWarnings} with warnings, ${s.withErrors} with errors, ${s.skipped} skipped`;
  console.log(summary);
  if (corpus.articles.length === 0) {
    console.error(`kbview: no article could be read in ${contentDir}; nothing to build (articles are Q<number>.md or Q<number>/README.md files)`);
    return 1;
  }

  const nextBin = require.resolve('next/dist/bin/next');
  const code = await run(process.execPath, [nextBin, 'build'], { ...process.env, KB_CONTENT_DIR: contentDir, NEXT_TELEMETRY_DISABLED: '1' });
  if (code !== 0) {
    console.error(`kbview: next build failed with exit code ${code}`);
    return code;
  }
  const outDir = path.resolve(options.outDir ?? 'out');
  const removed = pruneExport(outDir);
  const files = countFiles(outDir);
  console.log(`kbview: removed ${removed} RSC payload files the static site never requests`);
  console.log(`${summary}; ${corpus.articles.length} articles rendered; ${files.count} files, ${(files.bytes / 1e6).toFixed(1)} MB in ${path.relative(process.cwd(), outDir) || outDir}/ (${((performance.now() - started) / 1000).toFixed(1)} s)`);
  return errors.length > 0 && corpus.articles.length === 0 ? 1 : 0;
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: 'inherit', env });
    child.on('close', (code) => resolve(code ?? 1));
  });
}

/**
 * Pages link with plain `<a>`, so the browser never asks for the RSC payloads
 * (`*.txt` next to each page, `__next.*.txt` segments): remove them.
 */
export function pruneExport(outDir: string): number {
  let removed = 0;
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        if (entry.name === '_next') continue;
        walk(full);
      } else if (entry.name.endsWith('.txt') && entry.name !== 'robots.txt') {
        rmSync(full);
        removed++;
      }
    }
  };
  walk(outDir);
  return removed;
}

export function countFiles(dir: string): { count: number; bytes: number } {
  let count = 0;
  let bytes = 0;
  const walk = (d: string): void => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const full = path.join(d, entry.name);
      if (entry.isDirectory()) walk(full);
      else {
        count++;
        bytes += statSync(full).size;
      }
    }
  };
  walk(dir);
  return { count, bytes };
}
