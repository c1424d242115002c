import type { ReactNode } from 'react';
import type { Article, Version } from '@/lib/markdown/schema';
import { DateText } from '@/components/ui/DateText';
import { TagList } from '@/components/ui/TagList';
import type { ResolvedBrowseLinks } from '@/lib/content/browse-index';
import { href } from '@/lib/site';

/** `winnt: 4.0 SP4, 4.0 SP5; WINDOWS: 2000`, grouping consecutive versions of one platform. */
export function formatVersions(versions: readonly Version[]): string {
  const groups: { platform: string | null; versions: string[] }[] = [];
  for (const { platform, version } of versions) {
    const last = groups.at(-1);
    if (last && last.platform === platform) last.versions.push(version);
    else groups.push({ platform, versions: [version] });
  }
  return groups.map((group) => (group.platform ? `${group.platform}: ` : '') + group.versions.join(', ')).join('; ');
}

interface Row {
  label: string;
  value: ReactNode;
}

function rows(article: Article, links: ResolvedBrowseLinks | null): Row[] {
  const out: Row[] = [];
  const add = (label: string, value: ReactNode | null) => {
    if (value !== null) out.push({ label, value });
  };
  // Product, year and keywords link to their listings (/products/…, /years/…, /keywords/…).
  const link = (path: string | null | undefined, value: ReactNode) => (path ? <a href={href(path)}>{value}</a> : value);
  const tags = (items: readonly string[], linked = false) =>
    items.length > 0 ? <TagList items={items} linkOf={linked && links ? (keyword) => links.keywords.get(keyword) ?? null : undefined} /> : null;
  const text = (items: readonly string[]) => (items.length > 0 ? items.join(', ') : null);

  const versions = article.versions.length > 0 ? formatVersions(article.versions) : article.versionsRaw.trim();

  add('Product', article.product?.trim() ? link(links?.product, article.product.trim()) : null);
  add('Versions', versions || null);
  add('Operating systems', text(article.operatingSystems));
  add('Keywords', tags(article.keywords, true));
  add('Last modified', article.lastModified ? link(links?.year, <DateText value={article.lastModified} />) : null);
  add(
    'Applies to',
    article.appliesTo.length === 0 ? null : article.appliesTo.length === 1 ? (
      article.appliesTo[0]
    ) : (
      <ul className="kb-meta-list">
        {article.appliesTo.map((item, index) => (
          <li key={`${index}:${item}`}>{item}</li>
        ))}
      </ul>
    ),
  );
  add('Hardware', tags(article.hardware));
  add('Issue type', tags(article.issueType, true));
  add('Solution type', tags(article.solutionType, true));
  return out;
}

/**
 * The header fields of an article (`Product(s)`, `Version(s)`, trailer keywords…); empty fields are left out.
 * Styled by `.kb-meta` in app/globals.css: it is on every page, so its markup stays small.
 */
export function MetadataPanel({ article, links }: { article: Article; links: ResolvedBrowseLinks | null }) {
  const items = rows(article, links);
  if (items.length === 0) return null;
  return (
    <section aria-label="Article details" className="kb-meta">
      <dl>
        {items.map(({ label, value }) => (
          <div key={label}>
            <dt>{label}</dt>
            <dd>{value}</dd>
          </div>
        ))}
      </dl>
    </section>
  );
}
