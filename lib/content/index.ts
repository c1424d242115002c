/**
 * The content API the app's routes use. Server-only: it reads the content
 * directory (`KB_CONTENT_DIR`, default `content/`) through the cached loader.
 */
import 'server-only';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Root } from 'hast';
import { parseArticle, renderBody, permalinkOf, type Article } from '../markdown/index';
import { loadCorpus, resolveContentDir, type Corpus } from './corpus';
import { buildLinkGraph, type ArticleSummary, type LinkGraph, type MissingArticle } from './graph';

export type { ArticleSummary, MissingArticle } from './graph';
export { permalinkOf as permalinkFor };

interface Site {
  corpus: Corpus;
  byId: Map<string, Article>;
  graph: LinkGraph;
}

let site: Promise<Site> | null = null;

/** Loads (once per process) the content directory and its link graph. */
export function getSite(): Promise<Site> {
  site ??= (async () => {
    const corpus = await loadCorpus(resolveContentDir());
    const byId = new Map(corpus.articles.map((a) => [a.id, a]));
    return { corpus, byId, graph: buildLinkGraph(corpus.articles) };
  })();
  return site;
}

/** The base path the site is served under (`KB_BASE_PATH`), without trailing slash. */
export function basePath(): string {
  return (process.env['KB_BASE_PATH'] ?? '').replace(/\/+$/, '');
}

export async function listArticles(): Promise<ArticleSummary[]> {
  return (await getSite()).graph.summaries;
}

export async function getArticle(id: string): Promise<{ article: Article; body: Root } | null> {
  const { corpus, byId } = await getSite();
  const article = byId.get(id);
  if (!article) return null;
  const text = readFileSync(path.join(corpus.dir, article.source), 'utf8');
  const parsed = parseArticle(text, article.source);
  return { article, body: renderBody(parsed.body, { linkPrefix: basePath() }) };
}

export async function listMissing(): Promise<MissingArticle[]> {
  return (await getSite()).graph.missing;
}

export async function getMissing(id: string): Promise<MissingArticle | null> {
  return (await getSite()).graph.missingById.get(id) ?? null;
}

/** Articles that cite `id` (backlinks). */
export async function citedBy(id: string): Promise<ArticleSummary[]> {
  return (await getSite()).graph.citedBy.get(id) ?? [];
}
