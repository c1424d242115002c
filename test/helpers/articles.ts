/** A complete `Article` for unit tests: empty lists and neutral values, overridden by `fields`. */
import type { Article } from '../../lib/markdown/schema';
import { permalinkOf } from '../../lib/markdown/references';

export function makeArticle(number: number, fields: Partial<Article> = {}): Article {
  const id = `Q${number}`;
  return {
    id,
    number,
    title: `${id}: Article ${number}`,
    permalink: permalinkOf(id),
    product: null,
    versions: [],
    versionsRaw: '',
    operatingSystems: [],
    keywords: [],
    technology: [],
    hardware: [],
    issueType: [],
    solutionType: [],
    queryWords: [],
    lastModified: null,
    appliesTo: [],
    sections: [],
    fileAttributes: [],
    references: [],
    referenceTitles: [],
    source: `${id}.md`,
    ...fields,
  };
}
