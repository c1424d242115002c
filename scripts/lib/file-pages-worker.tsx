/** Writes file pages from the template (see ./file-pages.ts and lib/file-page-template.ts). */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import { renderToString } from 'react-dom/server';
import { FilePageContent } from '../../components/files/FileViews';
import { fillFileTemplate } from '../../lib/file-page-template';
import { filePagePath } from '../../lib/file-pages';
import { addCspMeta } from './csp';
import type { FilePageJob, FilePageResult, FilePageSetup } from './file-pages';

const setup = workerData as FilePageSetup;

function page(job: FilePageJob): FilePageResult {
  try {
    const articles = new Map(job.articles.map((a) => [a.n, a]));
    // renderToString, as Next renders the island (with its `<!-- -->` text separators).
    const body = renderToString(<FilePageContent index={{ articles }} file={job.file} />);
    const html = fillFileTemplate(setup.template, job.file.slug, body);
    const dir = path.join(setup.outDir, ...filePagePath(job.file.slug).split('/').filter(Boolean));
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'index.html'), addCspMeta(html));
    return { ok: true };
  } catch (error) {
    return { ok: false, error: `file page ${job.file.slug}: ${error instanceof Error ? error.message : String(error)}` };
  }
}

parentPort!.on('message', (jobs: FilePageJob[]) => {
  parentPort!.postMessage(jobs.map(page));
});
