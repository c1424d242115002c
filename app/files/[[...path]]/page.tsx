/**
 * /files/ (A–Z index) and /files/<slug>/ (one page per file name): see components/files/FileViews.tsx.
 * One optional catch-all keeps generateStaticParams non-empty for an archive without file tables.
 */
import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { getFileIndex } from '@/lib/content/files-api';
import { routesListNoPages } from '@/lib/content';
import { FilePageView, FilesIndexView } from '@/components/files/FileViews';
import { formatCount, pageTitle } from '@/lib/site';
import { OPEN_GRAPH } from '@/lib/site-url';
import { templateMode } from '@/lib/article-template';
import { FILE_TEMPLATE_BODY, FILE_TEMPLATE_SLUG, filePageMetadata } from '@/lib/file-page-template';
import { Static } from '@/components/ui/Static';

type Props = { params: Promise<{ path?: string[] }> };

export const dynamicParams = false;

export async function generateStaticParams(): Promise<{ path: string[] }[]> {
  // kb build writes the file pages from one render of the template (lib/file-page-template.ts).
  if (templateMode()) return [{ path: [] }, { path: [FILE_TEMPLATE_SLUG] }];
  // In development, none: `resolve` answers 404 for any other path (lib/content `routesListNoPages`).
  if (routesListNoPages()) return [];
  const index = await getFileIndex();
  return [{ path: [] }, ...index.files.map((f) => ({ path: [f.slug] }))];
}

async function resolve(params: Props['params']) {
  const index = await getFileIndex();
  const path = (await params).path ?? [];
  if (path.length === 0) return { index, file: null };
  if (templateMode() && path.length === 1 && path[0] === FILE_TEMPLATE_SLUG) return { index, file: null, template: true };
  const file = path.length === 1 ? index.bySlug.get(path[0]!) : undefined;
  return file ? { index, file } : null;
}

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const found = await resolve(params);
  if (!found) return {};
  if ('template' in found) {
    const { title, description } = filePageMetadata(FILE_TEMPLATE_SLUG);
    return { title: pageTitle(title), description, openGraph: OPEN_GRAPH };
  }
  if (!found.file) {
    return {
      title: 'Files',
      description: `The ${formatCount(found.index.files.length)} file names of the archive's file-attribute tables, with versions, dates, sizes and articles.`,
      openGraph: OPEN_GRAPH,
    };
  }
  const { title, description } = filePageMetadata(found.file.slug);
  return { title: pageTitle(title), description, openGraph: OPEN_GRAPH };
}

export default async function FilesPage({ params }: Props) {
  const found = await resolve(params);
  if (!found) notFound();
  if ('template' in found) return <Static>{FILE_TEMPLATE_BODY}</Static>;
  return found.file ? <FilePageView index={found.index} file={found.file} /> : <FilesIndexView index={found.index} />;
}
