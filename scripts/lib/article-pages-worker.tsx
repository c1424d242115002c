/**
 * Worker thread of the page writer (./article-pages.ts): reads, parses and
 * renders the articles it is sent, puts them into the compiled templates
 * (lib/article-template.ts) and writes their pages. Answers each batch with
 * one result per job.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import { renderToString } from 'react-dom/server';
import { ArticleHeading, ArticleRest, SourceLink } from '../../components/article/ArticleView';
import { MissingArticleContent } from '../../components/article/MissingArticleView';
import { fillTemplate, type CompiledTemplate } from '../../lib/article-template';
import { articleMetadata } from '../../lib/content/article-page';
import { readArticleText } from '../../lib/content/parse-file';
import { parseArticle, renderBody } from '../../lib/markdown/index';
import { paramsFromPermalink } from '../../lib/site';
import { addCspMeta } from './csp';
import type { PageJob, PageResult, WorkerSetup } from './article-pages';

const setup = workerData as WorkerSetup;

function write(permalink: string, html: string): void {
  const dir = path.join(setup.outDir, ...permalink.split('/').filter(Boolean));
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'index.html'), addCspMeta(html));
}

function page(job: PageJob): PageResult {
  try {
    if (job.kind === 'missing') {
      const { missing, previous, next } = job;
      const params = paramsFromPermalink(missing.permalink)!;
      const html = fillTemplate(setup.templates.missing as CompiledTemplate, {
        fields: { bucket: params.bucket, id: missing.id },
        slots: { content: renderToString(<MissingArticleContent missing={missing} previous={previous} next={next} />) },
      }, setup.basePath);
      write(missing.permalink, html);
      return { ok: true };
    }
    const parsed = parseArticle(readArticleText(setup.contentDir, job.source), job.source);
    const article = parsed.article;
    if (!article || article.id !== job.id) return { ok: false, error: `${job.source}: no longer holds article ${job.id} (changed during the build?)` };
    const body = renderBody(parsed.body, { linkPrefix: setup.basePath });
    const params = paramsFromPermalink(article.permalink)!;
    const { title, description } = articleMetadata(article);
    const html = fillTemplate(setup.templates.article as CompiledTemplate, {
      fields: { bucket: params.bucket, id: article.id, title, description },
      slots: {
        heading: renderToString(<ArticleHeading article={article} />),
        source: renderToString(<SourceLink source={job.context.source} />),
        rest: renderToString(<ArticleRest article={article} body={body} context={job.context} />),
      },
    }, setup.basePath);
    write(article.permalink, html);
    return { ok: true };
  } catch (error) {
    return { ok: false, error: `${job.kind === 'article' ? job.source : job.missing.id}: ${error instanceof Error ? error.message : String(error)}` };
  }
}

parentPort!.on('message', (jobs: PageJob[]) => {
  parentPort!.postMessage(jobs.map(page));
});
