/**
 * The page writer's renderer (./article-pages.ts): renders an article or
 * not-in-archive page (the article's body from the body cache), puts it into
 * the compiled template (lib/article-template.ts) and writes the page. Run in
 * worker threads (./article-pages-worker.tsx), or in the build's own thread
 * when an incremental build has only a few pages to write (no worker to start).
 */
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import type { Root } from 'hast';
import path from 'node:path';
import { renderToString } from 'react-dom/server';
import { ArticleHeading, ArticleRest, SourceLink } from '../../components/article/ArticleView';
import { MissingArticleContent } from '../../components/article/MissingArticleView';
import { fillTemplate } from '../article-template';
import { articleMetadata, EMPTY_CONTEXT } from '../content/article-page';
import { readArticleText } from '../content/parse-file';
import { parseArticle } from '../markdown/index';
import { ArticleBody } from '../../components/article/ArticleBody';
import { cachedBody, renderBodyHtml, storeBody } from './body-cache';
import { paramsFromPermalink } from '../site';
import { POLICED, policedPage, policedTemplate } from './csp';
import { replaceFile } from './incremental';
import type { PageJob, PageResult, WorkerSetup } from './article-pages';

/** Renders and writes one page per call, from `setup`. */
export function pageRenderer(setup: WorkerSetup): (job: PageJob) => PageResult {
  /** What the last page written changed in the site: its bytes, and the bytes of the file it replaced (-1: none). */
  let written = { bytes: 0, replaced: -1 };
  // The site's one policy (./csp.ts), applied to the templates once: their pages need no pass of their own.
  const templates = {
    article: policedTemplate(setup.templates.article, setup.basePath) ?? setup.templates.article,
    missing: policedTemplate(setup.templates.missing, setup.basePath) ?? setup.templates.missing,
  };

  function write(permalink: string, html: string, policed: boolean): void {
    const dir = path.join(setup.outDir, ...permalink.split('/').filter(Boolean));
    // Undefined when the folder was there: a folder made now holds no page (every page of a cold build).
    const made = mkdirSync(dir, { recursive: true }) !== undefined;
    // The site's one policy (./csp.ts): the page's values are a JSON block, so no inline script of its own.
    const page = policed ? html : policedPage(html, setup.basePath);
    const file = path.join(dir, 'index.html');
    const bytes = Buffer.byteLength(page);
    if (made) {
      writeFileSync(file, page);
      written = { bytes, replaced: -1 };
      return;
    }
    // The site's file count and size are kept from what is written (./site-tally.ts), not counted again.
    const replaced = statSync(file, { throwIfNoEntry: false })?.size ?? -1;
    // A new file, never written through: in an incremental build the old page is a hard link to the previous site's (./incremental.ts).
    replaceFile(file, page);
    written = { bytes, replaced };
  }

  /**
   * The article's body HTML: cached by the build's parse (./body-cache.tsx), or
   * parsed and rendered now (and cached) when the cache has no entry for this
   * version of the file (a cache folder removed, a renderer changed).
   */
  function bodyHtml(job: Extract<PageJob, { kind: 'article' }>): string {
    const { article, mtimeMs, size } = job;
    const cached = cachedBody(setup.bodies, article.source, mtimeMs, size);
    if (cached !== null) return cached;
    const stat = statSync(path.join(setup.contentDir, article.source));
    if (stat.mtimeMs !== mtimeMs || stat.size !== size)
      throw new Error(`changed during the build (it no longer is the file parsed for ${article.id}); run the build again`);
    const parsed = parseArticle(readArticleText(setup.contentDir, article.source), article.source);
    if (parsed.article?.id !== article.id) throw new Error(`no longer holds article ${article.id}`);
    const html = renderBodyHtml(parsed.body, setup.bodies.linkPrefix, undefined, article.source);
    storeBody(setup.bodies, article.source, mtimeMs, size, html);
    return html;
  }

  function writePage(job: PageJob, plain: boolean): void {
    if (job.kind === 'missing') {
      const { missing, previous, next } = job;
      const params = paramsFromPermalink(missing.permalink)!;
      const html = fillTemplate(
        templates.missing,
        {
          fields: { bucket: params.bucket, id: missing.id },
          slots: { content: renderToString(<MissingArticleContent missing={missing} previous={previous} next={next} />) },
        },
        setup.basePath,
      );
      write(missing.permalink, html, templates.missing.transformed === POLICED);
      return;
    }
    const { article } = job;
    // The plain-text fallback leaves out everything but the article's own text.
    const context = plain ? EMPTY_CONTEXT : job.context;
    const params = paramsFromPermalink(article.permalink)!;
    const { title, description } = articleMetadata(article);
    // The islands' HTML; the body comes from the body cache, in place of a placeholder.
    const rest = renderToString(<ArticleRest article={article} body={BODY_PLACEHOLDER} context={context} />);
    const at = rest.indexOf(BODY_PLACEHOLDER_HTML);
    if (at < 0) throw new Error('the body placeholder is missing from the rendered article');
    const html = fillTemplate(
      templates.article,
      {
        fields: { bucket: params.bucket, id: article.id, title, description },
        slots: {
          heading: renderToString(<ArticleHeading article={article} />),
          source: renderToString(<SourceLink source={context.source} />),
          rest: rest.slice(0, at) + (plain ? plainBodyHtml(article.source) : bodyHtml(job)) + rest.slice(at + BODY_PLACEHOLDER_HTML.length),
        },
      },
      setup.basePath,
    );
    write(article.permalink, html, templates.article.transformed === POLICED);
  }

  /** The article's file as plain text (React escapes it): the body of a page that failed to render. */
  function plainBodyHtml(source: string): string {
    const text = readArticleText(setup.contentDir, source);
    return renderToString(
      <ArticleBody
        body={{
          type: 'root',
          children: [{ type: 'element', tagName: 'pre', properties: { className: ['kb-pre'] }, children: [{ type: 'text', value: text }] }],
        }}
      />,
    );
  }

  /**
   * One page. A failure is caught at its article: the page is written again
   * with the article's text as plain text (no backlinks, related or listing
   * links), and reported; only when that fails too is the page left out.
   */
  function page(job: PageJob): PageResult {
    const file = job.kind === 'article' ? job.article.source : job.missing.id;
    written = { bytes: 0, replaced: -1 };
    try {
      writePage(job, false);
      return { ok: true, file, ...written };
    } catch (error) {
      if (job.kind === 'article') {
        try {
          writePage(job, true);
          return { ok: true, file, warning: `the page could not be rendered (${messageOf(error)}); the article is shown as plain text`, ...written };
        } catch {
          // Reported below.
        }
      }
      return { ok: false, file, error: `the page could not be written (${messageOf(error)}); skipped` };
    }
  }

  return page;
}

const BODY_PLACEHOLDER: Root = { type: 'root', children: [{ type: 'text', value: 'kbtplbody0' }] };
const BODY_PLACEHOLDER_HTML = renderToString(<ArticleBody body={BODY_PLACEHOLDER} />);

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error)).split('\n')[0]!.slice(0, 300);
