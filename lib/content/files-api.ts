/**
 * The file index for the routes (`/files/`, `/files/<slug>/`, `/data/`):
 * read once per process from what `kb build` stored (./files-store.ts).
 */
import 'server-only';
import { getSite } from './index';
import { readFileIndex } from './files-store';
import type { FileEntry, FileIndex } from './files';

export type SiteFileIndex = FileIndex & { withMentions: boolean; bySlug: Map<string, FileEntry> };

let index: Promise<SiteFileIndex> | null = null;

export function getFileIndex(): Promise<SiteFileIndex> {
  index ??= (async () => {
    const { corpus } = await getSite();
    const read = readFileIndex(corpus.dir, corpus.files, corpus.articles);
    return { ...read, bySlug: new Map(read.files.map((f) => [f.slug, f])) };
  })();
  return index;
}
