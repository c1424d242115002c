/** Writes file pages from the template (see ./file-pages.ts and lib/file-page-template.ts). */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { renderToString } from 'react-dom/server';
import { FilePageContent } from '../../components/files/FileViews';
import { fillFileTemplate } from '../file-page-template';
import { filePagePath } from '../file-pages';
import { policedPage } from './csp';
import { serveJobs, workerInput } from '../worker-pool';
import { fileJobLabel, type FilePageJob, type FilePageResult, type FilePageSetup } from './file-pages';

const setup = workerInput<FilePageSetup>();

function page(job: FilePageJob): FilePageResult {
  try {
    const articles = new Map(job.articles.map((a) => [a.n, a]));
    // renderToString, as Next renders the island (with its `<!-- -->` text separators).
    const body = renderToString(<FilePageContent index={{ articles }} file={job.file} />);
    const html = fillFileTemplate(setup.template, job.file.slug, body);
    const dir = path.join(setup.outDir, ...filePagePath(job.file.slug).split('/').filter(Boolean));
    mkdirSync(dir, { recursive: true });
    // The site's one policy (./csp.ts): the template's inline data are JSON blocks already; nothing else may be inline.
    writeFileSync(path.join(dir, 'index.html'), policedPage(html, setup.basePath));
    return { ok: true };
  } catch (error) {
    return { ok: false, error: `file page ${job.file.slug}: ${error instanceof Error ? error.message : String(error)}` };
  }
}

serveJobs(page, fileJobLabel);
