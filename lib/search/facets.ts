/**
 * Facet values of an article, as the search index stores them. Pure.
 */
import type { Article } from '../markdown/schema';

export type FacetName = 'product' | 'keyword' | 'type' | 'platform' | 'year';

export const FACET_NAMES: readonly FacetName[] = ['product', 'keyword', 'type', 'platform', 'year'];

export const FACET_LABELS: Record<FacetName, string> = {
  product: 'Product',
  keyword: 'Keyword',
  type: 'Issue type',
  platform: 'OS / platform',
  year: 'Last modified',
};

/**
 * The archive writes platforms every which way (`winnt`, `WinNT`, `WINDOWS NT`,
 * `MS- DOS`, `0S/2`): fold them onto one label each; unreadable ones are dropped.
 */
const PLATFORM_RULES: Array<[RegExp, string]> = [
  [/^(win ?nt|windows ?nt|nt)$/, 'Windows NT'],
  [/^(windows|win)$/, 'Windows'],
  [/^win ?95$/, 'Windows 95'],
  [/^win ?98$/, 'Windows 98'],
  [/^win ?2000$/, 'Windows 2000'],
  [/^(win ?3\.?x|windows 3\.1x|wfwg?|winnet)$/, 'Windows 3.x'],
  [/^(ms[- _]*dos|dos)$/, 'MS-DOS'],
  [/^mac(intosh?)?$/, 'Macintosh'],
  [/^[o0]s\/?2$/, 'OS/2'],
  [/^unix$/, 'UNIX'],
  [/^x86$/, 'x86'],
  [/^alpha$/, 'Alpha'],
  [/^mips$/, 'MIPS'],
  [/^(ppc|pwrmac)$/, 'PowerPC'],
  [/^wince$/, 'Windows CE'],
];

export function platformLabel(raw: string): string | null {
  const value = raw.trim().toLowerCase().replace(/\s+/g, ' ');
  for (const [re, label] of PLATFORM_RULES) if (re.test(value)) return label;
  return null;
}

/** OS / platform labels of an article: version platforms, operating systems and hardware. */
export function platformsOf(article: Article): string[] {
  const raw = [...article.versions.map((v) => v.platform ?? ''), ...article.operatingSystems, ...article.hardware].flatMap((v) => v.split('|'));
  const labels = new Set<string>();
  for (const v of raw) {
    const label = platformLabel(v);
    if (label) labels.add(label);
  }
  return [...labels];
}

export function yearOf(article: Article): string | null {
  const match = /^(\d{4})-\d\d-\d\d$/.exec(article.lastModified ?? '');
  return match ? match[1]! : null;
}

/** Issue types (`kbbug`, `kbprb`, …), lower-cased. */
export function typesOf(article: Article): string[] {
  return [...new Set(article.issueType.map((t) => t.toLowerCase()))];
}

/** The `Keywords` line, lower-cased (the keyword facet). */
export function keywordsOf(article: Article): string[] {
  return [...new Set(article.keywords.map((t) => t.toLowerCase()))];
}

/**
 * Every KB keyword an article carries in its metadata (Keywords, Technology,
 * Issue type, Solution type), lower-cased: searching one of these finds the
 * article by metadata.
 */
export function metadataKeywordsOf(article: Pick<Article, 'keywords' | 'technology' | 'issueType' | 'solutionType'>): string[] {
  return [...new Set([...article.keywords, ...article.technology, ...article.issueType, ...article.solutionType].map((t) => t.toLowerCase()))];
}
