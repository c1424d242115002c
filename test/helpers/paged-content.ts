/**
 * A generated content directory big enough to paginate: PAGED_COUNT articles of
 * one product (whose name is hostile text: markup, `&`, `../`), two keywords,
 * three years, and a reference to an article that is not in the archive.
 *
 *   const dir = pagedContentDir();   // .cache/test-content/paged
 *
 * Files are rewritten only when their text changes, so that their modification
 * times (part of test/helpers/site-build.ts's cache key) stay put between runs.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../../bench/lib/corpus';

export const PAGED_COUNT = 230;
export const PAGED_FIRST = 900001;
export const PAGED_PRODUCT = 'Paged <Product> & ../Co';
/** Cited by the first article, absent from the archive. */
export const PAGED_MISSING = 'Q899999';

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];

export function pagedArticle(i: number): { id: string; year: number; text: string } {
  const number = PAGED_FIRST + i;
  const id = `Q${number}`;
  const year = 1999 + (i % 3);
  const month = MONTHS[i % 12]!;
  const day = String(1 + (i % 28)).padStart(2, '0');
  const keywords = i % 2 === 0 ? 'kbpaged kbbug' : 'kbpaged';
  const title = `Paged Test Article ${i + 1}`;
  const cites = i === 0 ? `\n\tSee also ${PAGED_MISSING} and Q${number + 1}.\n\t` : '\n\t';
  const text = `---
layout: page
title: "${id}: ${title}"
permalink: /kb/${String(number).slice(0, 3)}/${id}/
---

## ${id}: ${title}

{% raw %}

\tArticle: ${id}
\tProduct(s): ${PAGED_PRODUCT}
\tVersion(s): 1.0
\tOperating System(s): 
\tKeyword(s): ${keywords}
\tLast Modified: ${day}-${month}-${year}
\t
\t-------------------------------------------------------------------------------
\tThe information in this article applies to:
\t
\t- ${PAGED_PRODUCT}, version 1.0 
\t-------------------------------------------------------------------------------
\t
\tSUMMARY
\t=======
\t
\tThis is generated test article number ${i + 1} of ${PAGED_COUNT}.${cites}
\tAdditional query words: paged
\t
\t======================================================================
\tKeywords          : ${keywords}
\tVersion           : 1.0
\tIssue type        : kbinfo
\t
\t=============================================================================
\t

{% endraw %}
`;
  return { id, year, text };
}

export function pagedContentDir(): string {
  const dir = path.join(REPO_ROOT, '.cache', 'test-content', 'paged');
  mkdirSync(dir, { recursive: true });
  const wanted = new Set<string>();
  for (let i = 0; i < PAGED_COUNT; i++) {
    const { id, text } = pagedArticle(i);
    const file = path.join(dir, `${id}.md`);
    wanted.add(`${id}.md`);
    if (!existsSync(file) || readFileSync(file, 'utf8') !== text) writeFileSync(file, text);
  }
  for (const name of readdirSync(dir)) if (!wanted.has(name)) rmSync(path.join(dir, name), { recursive: true, force: true });
  return dir;
}
