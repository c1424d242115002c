/**
 * The file pages: `/files/` (every file name of the archive's file-attribute
 * tables, A–Z, with counts) and `/files/<slug>/` (every row naming the file,
 * newest first, and the articles that mention it). Static HTML only.
 */
import type { FileArticle, FileEntry, FileRow } from '@/lib/content/files';
import { letterOf } from '@/lib/content/files';
import type { SiteFileIndex } from '@/lib/content/files-api';
import { filePagePath } from '@/lib/file-pages';
import { displayTitle, formatCount, formatDate, href } from '@/lib/site';
import { Static } from '@/components/ui/Static';
import { Breadcrumbs } from '@/components/browse/Breadcrumbs';

/** A file page lists at most this many "mentioned in" articles (the rest are counted, and found by search). */
export const MAX_MENTIONS_SHOWN = 300;

export function FilesIndexView({ index }: { index: SiteFileIndex }) {
  const groups = new Map<string, FileEntry[]>();
  for (const file of index.files) {
    const letter = letterOf(file.slug);
    const list = groups.get(letter) ?? [];
    list.push(file);
    groups.set(letter, list);
  }
  const letters = [...groups.keys()].sort((a, b) => (a === '#' ? -1 : b === '#' ? 1 : a < b ? -1 : 1));
  const rows = index.files.reduce((sum, f) => sum + f.rows.length, 0);
  return (
    <Static>
      <Breadcrumbs trail={[{ label: 'Home', path: '/' }, { label: 'Files' }]} />
      <h1 className="mt-4 text-2xl font-bold tracking-tight sm:text-3xl">Files</h1>
      <div className="mt-2 max-w-[72ch] space-y-2 text-muted">
        <p>
          The {formatCount(index.files.length)} file names of the archive&apos;s file-attribute tables ({formatCount(rows)} rows in{' '}
          {formatCount(new Set(index.files.flatMap((f) => f.rows.map((r) => r.n))).size)} articles): each with the versions, dates and sizes the articles give,
          and the articles that mention it. The first number is the table rows naming the file, the second the articles mentioning it.
        </p>
      </div>
      {letters.length > 0 ? (
        <nav aria-label="Letters" className="mt-4">
          <ul className="kb-chips">
            {letters.map((letter) => (
              <li key={letter}>
                <a href={`#files-${letter === '#' ? 'digits' : letter}`}>{letter === '#' ? '0–9' : letter.toUpperCase()}</a>
              </li>
            ))}
          </ul>
        </nav>
      ) : (
        <p className="mt-4">No article of this archive has a file-attribute table.</p>
      )}
      {letters.map((letter) => (
        <section key={letter} aria-labelledby={`files-${letter === '#' ? 'digits' : letter}`} className="mt-6">
          <h2 id={`files-${letter === '#' ? 'digits' : letter}`} className="text-xl font-semibold">
            {letter === '#' ? '0–9 and others' : letter.toUpperCase()}
          </h2>
          <ul className="kb-counts kb-counts-mono mt-2" data-files-letter={letter}>
            {groups.get(letter)!.map((file) => (
              <li key={file.slug}>
                <a href={href(filePagePath(file.slug))}>{file.name}</a>
                <span>
                  {formatCount(file.rows.length)}
                  {file.mentions.length > 0 ? ` · ${formatCount(file.mentions.length)}` : ''}
                </span>
              </li>
            ))}
          </ul>
        </section>
      ))}
    </Static>
  );
}

function ArticleLink({ article }: { article: FileArticle | undefined }) {
  if (!article) return null;
  return (
    <a href={href(article.permalink)}>
      <span className="font-mono">{article.id}</span> {displayTitle(article.id, article.title)}
    </a>
  );
}

function DateCell({ value }: { value: string }) {
  const date = formatDate(value);
  return date.iso ? <time dateTime={date.iso}>{date.iso}</time> : <>{value}</>;
}

export function FilePageView({ index, file }: { index: Pick<SiteFileIndex, 'articles'>; file: FileEntry }) {
  return (
    <Static>
      <FilePageContent index={index} file={file} />
    </Static>
  );
}

/**
 * The content of a file page (static HTML): rendered inside `FilePageView`'s
 * island by the route, or alone by `kb build`'s file page writer
 * (lib/build/file-pages.tsx), which puts it into one Next render of the route.
 */
export function FilePageContent({ index, file }: { index: Pick<SiteFileIndex, 'articles'>; file: FileEntry }) {
  const extraColumns = [...new Set(file.rows.flatMap((r) => r.extra.map(([k]) => k)))].slice(0, 6);
  const articlesWithRows = [...new Set(file.rows.map((r) => r.n))];
  const mentions = file.mentions.slice(0, MAX_MENTIONS_SHOWN);
  return (
    <>
      <Breadcrumbs trail={[{ label: 'Home', path: '/' }, { label: 'Files', path: '/files/' }, { label: file.name }]} />
      <h1 className="mt-4 font-mono text-2xl font-bold tracking-tight break-all sm:text-3xl">{file.name}</h1>
      <div className="mt-2 max-w-[72ch] space-y-2 text-muted">
        <p>
          {formatCount(file.rows.length)} {file.rows.length === 1 ? 'row' : 'rows'} in the file-attribute tables of {formatCount(articlesWithRows.length)}{' '}
          {articlesWithRows.length === 1 ? 'article' : 'articles'}, newest first
          {file.mentions.length > 0 ? `; mentioned in ${formatCount(file.mentions.length)} more` : ''}.
          {file.names.length > 1 ? ` Also written ${file.names.slice(1, 8).join(', ')}.` : ''}
        </p>
      </div>
      <section aria-labelledby="file-rows" className="mt-6">
        <h2 id="file-rows" className="text-xl font-semibold">
          In file tables
        </h2>
        <div className="kb-body mt-2">
          <div className="kb-table-scroll">
            <table data-file-rows="">
              <thead>
                <tr>
                  <th>Article</th>
                  <th>Version</th>
                  <th>Date</th>
                  <th>Time</th>
                  <th align="right">Size</th>
                  <th>Platform</th>
                  {extraColumns.map((c) => (
                    <th key={c}>{c}</th>
                  ))}
                  <th>Product</th>
                </tr>
              </thead>
              <tbody>
                {file.rows.map((row: FileRow, i) => {
                  const article = index.articles.get(row.n);
                  return (
                    <tr key={i}>
                      <td className="whitespace-normal">
                        <ArticleLink article={article} />
                      </td>
                      <td className="font-mono">{row.version ?? ''}</td>
                      <td>
                        <DateCell value={row.date} />
                      </td>
                      <td>{row.time ?? ''}</td>
                      <td align="right">{row.size === null ? '' : formatCount(row.size)}</td>
                      <td>{row.platform ?? ''}</td>
                      {extraColumns.map((c) => (
                        <td key={c}>{row.extra.find(([k]) => k === c)?.[1] ?? ''}</td>
                      ))}
                      <td>{article?.product ?? ''}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        </div>
      </section>
      <section aria-labelledby="file-applies" className="mt-6">
        <h2 id="file-applies" className="text-xl font-semibold">
          What these articles apply to
        </h2>
        <ul className="mt-2 space-y-2">
          {articlesWithRows.map((n) => {
            const article = index.articles.get(n);
            return (
              <li key={n}>
                <ArticleLink article={article} />
                {article && article.appliesTo.length > 0 ? (
                  <ul className="ml-5 list-disc text-sm text-muted">
                    {article.appliesTo.map((a, i) => (
                      <li key={i}>{a}</li>
                    ))}
                  </ul>
                ) : null}
              </li>
            );
          })}
        </ul>
      </section>
      {file.mentions.length > 0 ? (
        <section aria-labelledby="file-mentions" className="mt-6">
          <h2 id="file-mentions" className="text-xl font-semibold">
            Mentioned in
          </h2>
          <ul className="mt-2 space-y-1" data-file-mentions="">
            {mentions.map((n) => (
              <li key={n}>
                <ArticleLink article={index.articles.get(n)} />
              </li>
            ))}
          </ul>
          {file.mentions.length > mentions.length ? (
            <p className="mt-2 text-muted">
              … and {formatCount(file.mentions.length - mentions.length)} more:{' '}
              <a href={href(`/search/?q=${encodeURIComponent(file.name)}`)}>search for {file.name}</a>.
            </p>
          ) : null}
        </section>
      ) : null}
    </>
  );
}
