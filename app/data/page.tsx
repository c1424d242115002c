/**
 * /data/: the archive as data files (out/data/, written by lib/content/data-export.ts),
 * with each field documented and each file's rows and size.
 */
import type { Metadata } from 'next';
import { Static } from '@/components/ui/Static';
import { Breadcrumbs } from '@/components/browse/Breadcrumbs';
import { ARTICLE_FIELDS, CITATION_COLUMNS, FILE_COLUMNS, readManifest, type DataFileInfo } from '@/lib/content/data-export';
import { formatCount, href } from '@/lib/site';
import { OPEN_GRAPH } from '@/lib/site-url';

export const metadata: Metadata = {
  title: 'Data',
  description: 'The KnowledgeBase archive as data files: article metadata (JSON lines), citations and file versions (CSV).',
  openGraph: OPEN_GRAPH,
};

function mb(bytes: number): string {
  return bytes >= 1e6 ? `${(bytes / 1e6).toFixed(1)} MB` : `${formatCount(Math.max(1, Math.round(bytes / 1e3)))} KB`;
}

/** `text with \`code\`` → text and <code> spans. */
function Described({ text }: { text: string }) {
  return <>{text.split('`').map((part, i) => (i % 2 === 1 ? <code key={i}>{part}</code> : part))}</>;
}

function Fields({ fields, label }: { fields: ReadonlyArray<readonly [string, string]>; label: string }) {
  return (
    <div className="kb-body mt-2">
      <div className="kb-table-scroll">
        <table aria-label={label}>
          <thead>
            <tr>
              <th>Field</th>
              <th>What</th>
            </tr>
          </thead>
          <tbody>
            {fields.map(([name, what]) => (
              <tr key={name}>
                <td className="font-mono">{name}</td>
                <td className="whitespace-normal">
                  <Described text={what} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}

const ABOUT: Record<string, { title: string; what: string; unit: string }> = {
  'articles.jsonl.gz': {
    title: 'Articles',
    what: 'one JSON object per line and article, sorted by number: the metadata of `kb parse`, without the text',
    unit: 'articles',
  },
  'citations.csv.gz': { title: 'Citations', what: 'one row per article number an article cites, sorted by citing then cited number', unit: 'citations' },
  'files.csv.gz': { title: 'Files', what: 'one row per row of a file-attribute table, and per article that mentions a file, sorted by file', unit: 'rows' },
};

export default function DataPage() {
  const manifest = readManifest();
  const info = (name: string): DataFileInfo | undefined => manifest?.files.find((f) => f.name === name);
  const fields: Record<string, ReadonlyArray<readonly [string, string]>> = {
    'articles.jsonl.gz': ARTICLE_FIELDS,
    'citations.csv.gz': CITATION_COLUMNS,
    'files.csv.gz': FILE_COLUMNS,
  };
  return (
    <Static>
      <Breadcrumbs trail={[{ label: 'Home', path: '/' }, { label: 'Data' }]} />
      <h1 className="mt-4 text-2xl font-bold tracking-tight sm:text-3xl">The archive as data</h1>
      <div className="mt-2 max-w-[72ch] space-y-2 text-muted">
        <p>
          Three gzip-compressed files for research{manifest ? `, made from the ${formatCount(manifest.articles)} articles of this archive` : ''}. The same
          archive always gives the same bytes (rows sorted, gzip without a time stamp). CSV files follow RFC 4180 with a header line and CRLF line ends; a text
          value starting with <code>=</code>, <code>+</code>, <code>-</code> or <code>@</code> is written with a leading <code>&apos;</code> so that
          spreadsheets do not run it as a formula.
        </p>
      </div>
      {!manifest ? (
        <p className="mt-4">
          The data files have not been built (they are made by <code>kb build</code>).
        </p>
      ) : null}
      {Object.keys(ABOUT).map((name) => {
        const about = ABOUT[name]!;
        const file = info(name);
        return (
          <section key={name} aria-labelledby={`data-${about.unit}`} className="mt-6" data-data-file={name}>
            <h2 id={`data-${about.unit}`} className="text-xl font-semibold">
              {about.title}: {file ? <a href={href(`/data/${name}`)}>{name}</a> : <code>{name}</code>}
            </h2>
            <p className="mt-1 max-w-[72ch]">
              <Described text={about.what[0]!.toUpperCase() + about.what.slice(1)} />.
              {file ? (
                <>
                  {' '}
                  <span data-data-count="">
                    {formatCount(file.rows)} {about.unit}
                  </span>
                  , {mb(file.bytes)} compressed ({mb(file.rawBytes)} uncompressed); SHA-256 <code className="break-all">{file.sha256}</code>.
                </>
              ) : null}
            </p>
            <Fields fields={fields[name]!} label={`Fields of ${name}`} />
          </section>
        );
      })}
    </Static>
  );
}
