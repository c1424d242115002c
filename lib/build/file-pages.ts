/**
 * `kb build` writes the file pages (`/files/<slug>/`) from one Next render of
 * the route (lib/file-page-template.ts), in worker threads
 * (./file-pages-worker.tsx): Next's own pipeline costs ~10 ms a page on two
 * cores, 1,777 pages for the full archive.
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { config } from '../config';
import type { Corpus } from '../content/corpus';
import type { FileArticle, FileEntry, FileIndex } from '../content/files';
import { readFileIndex } from '../content/files-store';
import { FILE_TEMPLATE_SLUG } from '../file-page-template';
import { runInWorkers } from '../worker-pool';

export interface FilePageJob {
  file: FileEntry;
  articles: FileArticle[];
}

export interface FilePageSetup {
  outDir: string;
  template: string;
  basePath: string;
}

/** A file page job in reports: its page. */
export function fileJobLabel(job: FilePageJob): string {
  return `/files/${job.file.slug}/`;
}

export type FilePageResult = { ok: true } | { ok: false; error: string };

/** Writes every file page; returns a line for the build log. Pages that cannot be written are reported and left out. */
export async function writeFilePages(corpus: Corpus, outDir: string): Promise<string> {
  const started = performance.now();
  const dir = path.join(outDir, 'files', FILE_TEMPLATE_SLUG);
  const file = path.join(dir, 'index.html');
  if (!existsSync(file)) throw new Error(`kbview: the file page template ${path.relative(process.cwd(), file)} was not exported`);
  const template = readFileSync(file, 'utf8');
  rmSync(dir, { recursive: true, force: true });
  const index = readFileIndex(corpus.dir, corpus.files, corpus.articles);
  const pages = await writeFilePagesFrom(template, index, outDir);
  return `kbview: wrote ${pages} file pages (${((performance.now() - started) / 1000).toFixed(1)} s)`;
}

/** Writes the pages of `index` from the template page's HTML (bench/links.ts calls it too); returns how many. */
export async function writeFilePagesFrom(template: string, index: Pick<FileIndex, 'files' | 'articles'>, outDir: string): Promise<number> {
  const jobs: FilePageJob[] = index.files.map((f) => ({
    file: f,
    articles: [...new Set([...f.rows.map((r) => r.n), ...f.mentions])].flatMap((n) => index.articles.get(n) ?? []),
  }));
  // The workers see the same configuration (runInWorkers gives them configEnv(config())): lib/site.ts's base path too.
  const errors: string[] = [];
  const setup: FilePageSetup = { outDir, template, basePath: config().basePath };
  await runInWorkers<FilePageJob, FilePageResult>({
    module: new URL(import.meta.url.endsWith('.ts') ? './file-pages-worker.tsx' : './file-pages-worker.js', import.meta.url),
    workerData: setup,
    workers: Math.min(2, availableParallelism()),
    jobs,
    chunk: 50,
    label: fileJobLabel,
    onTimeout: (job, ms) => ({ ok: false, error: `file page ${job.file.slug}: stopped after ${ms} ms` }),
    onResults: (results) => {
      for (const result of results) if (!result.ok) errors.push(result.error);
    },
  });
  // A page that cannot be written is reported (escaped: names come from the articles) and left out; the build goes on.
  for (const error of errors.slice(0, 50)) console.error(`kbview: error: ${JSON.stringify(error)}`);
  if (errors.length > 50) console.error(`kbview: … and ${errors.length - 50} more file pages not written`);
  return jobs.length - errors.length;
}
