/**
 * /files/ (A–Z index) and /files/<slug>/ (one page per file name): see components/files/FileViews.tsx.
 * One optional catch-all keeps generateStaticParams non-empty for an archive without file tables.
 */
import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { getFileIndex } from '@/lib/content/files-api';
import { FilePageView, FilesIndexView } from '@/components/files/FileViews';
import { formatCount, pageTitle } from '@/lib/site';
import { OPEN_GRAPH } from '@/lib/site-url';

type Props = { params: Promise<{ path?: string[] }> };

export const dynamicParams = false;

export async function generateStaticParams(): Promise<{ path: string[] }[]> {
  const index = await getFileIndex();
  return [{ path: [] }, ...index.files.map((f) => ({ path: [f.slug] }))];
}

async function resolve(params: Props['params']) {
  const index = await getFileIndex();
  const path = (await params).path ?? [];
  if (path.length === 0) return { index, file: null };
  const file = path.length === 1 ? index.bySlug.get(path[0]!) : undefined;
  return file ? { index, file } : null;
}

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const found = await resolve(params);
  if (!found) return {};
  if (!found.file) {
    return {
      title: 'Files',
      description: `The ${formatCount(found.index.files.length)} file names of the archive's file-attribute tables, with versions, dates, sizes and articles.`,
      openGraph: OPEN_GRAPH,
    };
  }
  const { file } = found;
  return {
    title: pageTitle(file.name),
    description: `${file.name}: ${formatCount(file.rows.length)} rows (versions, dates, sizes) in KnowledgeBase file tables${file.mentions.length ? `, mentioned in ${formatCount(file.mentions.length)} more articles` : ''}.`,
    openGraph: OPEN_GRAPH,
  };
}

export default async function FilesPage({ params }: Props) {
  const found = await resolve(params);
  if (!found) notFound();
  return found.file ? <FilePageView index={found.index} file={found.file} /> : <FilesIndexView index={found.index} />;
}
