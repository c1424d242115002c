/**
 * Article pages from one Next.js render.
 *
 * The export of a 60,000-article archive spends most of its time in Next's
 * per-page pipeline (~10 ms a page a worker: render to RSC, render to HTML,
 * inline the payload, write), yet every article page has the same frame: the
 * layout, the article route's segments, the copy button, and `<Static>`
 * islands whose content never reaches the RSC payload. So `kb build` has Next
 * render the article route once per kind of page ("article", "missing") with
 * placeholders instead of article data, and then writes each article's page
 * by putting its data into that render (lib/build/article-pages.ts):
 *
 * - route params (`bucket`, `id`) and metadata strings (title, description)
 *   appear in the HTML and in the RSC payload; in the HTML each is replaced
 *   with the value escaped as React escapes it;
 * - the islands' placeholders are replaced with the islands' HTML, rendered
 *   by react-dom/server from the same components the route renders;
 * - the RSC payload, which Next inlines into every page (~8 KB of each
 *   article page, the same on all but for the fields above), moves into one
 *   script per kind of page, written once: the page hands it its values as a
 *   JSON block (`<script type="application/json" data-kb="p">`, never run, so
 *   the site's one CSP fits every page: lib/build/csp.ts),
 *   and it pushes the payload text Next would have inlined, with the values
 *   escaped as React Flight escapes them (63,600 pages × ~7.5 KB: ~470 MB less).
 *
 * The route stays a real Next.js route: `next dev`, and `next build` without
 * `KB_ARTICLE_PAGES=template`, render every article through it. The output is
 * the same either way (test/article-pages.test.ts compares the HTML byte for
 * byte and the payload row by row, running the payload script), but for one thing: React hoists a `<link rel="preload" as="image">` into
 * `<head>` for each image in a page; the islands are rendered apart, so the
 * written pages have none (the images load as the page is parsed).
 *
 * Placeholders are lower-case ASCII letters and digits, so that no escaping in
 * any context changes them.
 */
import { createHash } from 'node:crypto';
import { config } from './config';
import {
  escapeHtml,
  FLIGHT_DOLLAR_ESCAPE_JS,
  flightStringStartsAt,
  htmlSafeJson,
  INLINE_PAYLOAD_TEXT_SCRIPT,
  PUSH_TEXT_ROW_JS,
  refuseBinaryPayloadRows,
} from './next-internals';

export { escapeHtml, htmlSafeJson };

export const TEMPLATE_BUCKET = 'kbtplbucket0';

/** The ids of the two template pages (route param `id`; also the value of `{id}` placeholders). */
export const TEMPLATE_IDS = { article: 'kbtplarticle0', missing: 'kbtplmissing0' } as const;

/** Metadata strings of the article template. */
export const TEMPLATE_FIELDS = { title: 'kbtpltitle0', description: 'kbtpldescription0' } as const;

/** Island contents: replaced with HTML. */
export const TEMPLATE_SLOTS = { heading: 'kbtplheading0', source: 'kbtplsource0', rest: 'kbtplrest0', content: 'kbtplcontent0' } as const;

/**
 * Listing pages (`/products/<slug>/`, `/keywords/<slug>/page/<n>/`, …) are made the same way
 * (lib/build/listing-pages.tsx): under `kb build` each browse route renders `/<kind>/kbtplslug0/` and
 * `/<kind>/kbtplslug0/page/kbtplpage0/`, whose title and description are the fields above and whose one
 * island is `content`. Slugs are `[a-z0-9-]` and page numbers digits (lib/content/browse-index.ts).
 */
export const LISTING_TEMPLATE = { slug: 'kbtplslug0', page: 'kbtplpage0' } as const;

/** 'article' and 'missing' (the article route), or a listing template (`listing-products-first`, `listing-years-later`, …). */
export type TemplateKind = keyof typeof TEMPLATE_IDS | `listing-${string}`;
type SlotName = keyof typeof TEMPLATE_SLOTS;
type FieldName = keyof typeof TEMPLATE_FIELDS | 'bucket' | 'id' | keyof typeof LISTING_TEMPLATE;

/** Whether this build renders article pages as templates (set by `kb build` for `next build`). */
export function templateMode(): boolean {
  return config().articlePages === 'template';
}

const PLACEHOLDER = /kbtpl[a-z]+0/g;

const NAME_OF = new Map<string, { kind: 'field'; name: FieldName } | { kind: 'slot'; name: SlotName }>([
  [TEMPLATE_BUCKET, { kind: 'field', name: 'bucket' }],
  [TEMPLATE_IDS.article, { kind: 'field', name: 'id' }],
  [TEMPLATE_IDS.missing, { kind: 'field', name: 'id' }],
  [LISTING_TEMPLATE.slug, { kind: 'field', name: 'slug' }],
  [LISTING_TEMPLATE.page, { kind: 'field', name: 'page' }],
  ...Object.entries(TEMPLATE_FIELDS).map(([name, value]) => [value, { kind: 'field', name: name as FieldName }] as const),
  ...Object.entries(TEMPLATE_SLOTS).map(([name, value]) => [value, { kind: 'slot', name: name as SlotName }] as const),
]);

type Part = string | { kind: 'field'; name: FieldName } | { kind: 'slot'; name: SlotName } | { kind: 'payload' };

/** The page's RSC payload: its text, split at the fields, as a shared script builds it in the browser. */
type PayloadPart = string | { name: FieldName; stringStart: boolean };

export interface CompiledTemplate {
  kind: TemplateKind;
  parts: Part[];
  /** The fields the payload holds, in the order the page passes them to the payload script. */
  payloadFields: FieldName[];
  /** The payload script: one file for all pages of this kind (see `payloadScript`). */
  script: { name: string; source: string };
  /**
   * Set by `transformedTemplate`: the name of the page-wide transform its text parts already had (e.g. the site's
   * Content-Security-Policy), so that a page filled from it needs no pass of its own.
   */
  transformed?: string;
}

/** Values for one page: fields as plain text, slots as HTML. */
export interface TemplateValues {
  fields: Partial<Record<FieldName, string>>;
  slots: Partial<Record<SlotName, string>>;
}

const SCRIPT = /<script\b[^>]*>([\s\S]*?)<\/script\s*>/gi;
const PAYLOAD_MARK = '\u0000payload\u0000';

/**
 * Splits a template page at its placeholders. The RSC payload Next inlined
 * (`self.__next_f.push([1,"…"])` scripts, ~8 KB of a page, nearly all of it
 * the same on every page) is taken out of the page and becomes one script per
 * kind of page, which pushes the same payload text with the page's own values
 * (`payloadScript`); the page keeps a JSON block with those values.
 *
 * Throws when the page does not have the shape this module relies on (a slot
 * in the payload or missing, a placeholder in another script, payload chunks
 * apart): the build must fail rather than write 60,000 broken pages.
 */
export function compileTemplate(kind: TemplateKind, page: string): CompiledTemplate {
  refuseBinaryPayloadRows(`page template (${kind})`, page);
  const chunks: string[] = [];
  let lastEnd = -1;
  const html = page.replace(INLINE_PAYLOAD_TEXT_SCRIPT, (script, json: string, at: number) => {
    if (chunks.length > 0 && at !== lastEnd) throw new Error(`page template (${kind}): RSC payload chunks are not together`);
    chunks.push((JSON.parse(json) as [1, string])[1]);
    lastEnd = at + script.length;
    // The first chunk's place takes the payload script; the others go.
    return chunks.length === 1 ? PAYLOAD_MARK : '';
  });
  if (chunks.length === 0) throw new Error(`page template (${kind}): no RSC payload found`);
  for (const match of html.matchAll(SCRIPT)) {
    const placeholder = match[1]!.match(PLACEHOLDER);
    if (placeholder) throw new Error(`page template (${kind}): placeholder ${placeholder[0]} inside a script that is not the RSC payload`);
  }

  const parts: Part[] = [];
  const slots: SlotName[] = [];
  let last = 0;
  for (const match of html.matchAll(new RegExp(`${PLACEHOLDER.source}|${PAYLOAD_MARK}`, 'g'))) {
    parts.push(html.slice(last, match.index));
    last = match.index + match[0].length;
    if (match[0] === PAYLOAD_MARK) {
      parts.push({ kind: 'payload' });
      continue;
    }
    const what = NAME_OF.get(match[0]);
    if (!what) throw new Error(`page template (${kind}): unknown placeholder ${match[0]}`);
    if (what.kind === 'slot') {
      if (slots.includes(what.name)) throw new Error(`page template (${kind}): island content ${match[0]} appears twice`);
      slots.push(what.name);
    }
    parts.push(what);
  }
  parts.push(html.slice(last));
  const expected = kind === 'article' ? (['heading', 'source', 'rest'] as const) : (['content'] as const);
  for (const slot of expected) if (!slots.includes(slot)) throw new Error(`page template (${kind}): island content ${TEMPLATE_SLOTS[slot]} not found`);
  if (slots.length !== expected.length) throw new Error(`page template (${kind}): unexpected islands ${slots.join(', ')}`);

  const payload = splitPayload(kind, chunks.join(''));
  const payloadFields = [...new Set(payload.flatMap((part) => (typeof part === 'string' ? [] : [part.name])))];
  return { kind, parts, payloadFields, script: payloadScript(kind, payload, payloadFields) };
}

/** The payload text split at its fields; a slot there means an island's content reached the payload. */
function splitPayload(kind: TemplateKind, text: string): PayloadPart[] {
  const parts: PayloadPart[] = [];
  let last = 0;
  for (const match of text.matchAll(PLACEHOLDER)) {
    const what = NAME_OF.get(match[0]);
    if (!what) throw new Error(`page template (${kind}): unknown placeholder ${match[0]} in the RSC payload`);
    if (what.kind === 'slot') throw new Error(`page template (${kind}): island content ${match[0]} reached the RSC payload`);
    parts.push(text.slice(last, match.index));
    // React Flight writes a string that starts with `$` as `$$…`.
    parts.push({ name: what.name, stringStart: flightStringStartsAt(text, match.index) });
    last = match.index + match[0].length;
  }
  parts.push(text.slice(last));
  return parts;
}

/**
 * The script that pushes a page's RSC payload, as Next's inline scripts would:
 * `self.__kb_payload([values…])`, run by the site's data loader with the
 * page's values block (lib/build/csp.ts), builds the payload text from the template's
 * text and the values (JSON-escaped, `$` escaped as React Flight escapes it)
 * and pushes it to `self.__next_f`. Its name holds a hash of its text, so a
 * host may cache it forever.
 */
function payloadScript(kind: TemplateKind, payload: PayloadPart[], fields: FieldName[]): { name: string; source: string } {
  const table = payload.map((part) => (typeof part === 'string' ? part : [fields.indexOf(part.name), part.stringStart ? 1 : 0]));
  const source =
    `(function(){var t=${htmlSafeJson(table)};` +
    'self.__kb_payload=function(v){var s="";for(var i=0;i<t.length;i++){var p=t[i];if(typeof p==="string"){s+=p}else{var x=v[p[0]];' +
    FLIGHT_DOLLAR_ESCAPE_JS +
    's+=JSON.stringify(x).slice(1,-1)}}' +
    PUSH_TEXT_ROW_JS +
    '};' +
    // Run by the page's data loader (lib/build/csp.ts) with the page's JSON block, in document order.
    `(self.__kb_data=self.__kb_data||{})[${JSON.stringify(PAGE_VALUES)}]=self.__kb_payload})();\n`;
  return { name: `${kind}-${createHash('sha256').update(source).digest('hex').slice(0, 16)}.js`, source };
}

/** The kind of the JSON block holding an article page's values for its payload script (`data-kb="p"`). */
export const PAGE_VALUES = 'p';

/**
 * `<script type="application/json" data-kb="kind">value</script>`: data the
 * browser never runs (so no CSP hash), read by the site's data loader
 * (lib/build/csp.ts). The JSON is HTML-safe (`<`, `>`, `&` escaped), so no
 * value can close the element.
 */
export function jsonBlock(kind: string, value: unknown): string {
  return `<script type="application/json" data-kb="${kind}">${htmlSafeJson(value)}</script>`;
}

/** Where `kb build` writes the payload scripts, under the export (and the base path in URLs). */
export const PAYLOAD_SCRIPT_DIR = '_next/static/kbview';

/** The page: the template with `values` in place of its placeholders. */
export function fillTemplate(template: CompiledTemplate, values: TemplateValues, basePath = ''): string {
  let out = '';
  for (const part of template.parts) {
    if (typeof part === 'string') out += part;
    else if (part.kind === 'slot') {
      const html = values.slots[part.name];
      if (html === undefined) throw new Error(`page template (${template.kind}): no HTML for ${part.name}`);
      out += html;
    } else if (part.kind === 'payload') {
      const args = template.payloadFields.map((name) => valueOf(template, values, name));
      // The values are data, not code: a JSON block the payload script reads (no per-page inline script, so one CSP fits every page).
      out += payloadHead(template, basePath) + htmlSafeJson(args) + PAYLOAD_TAIL;
    } else {
      out += escapeHtml(valueOf(template, values, part.name));
    }
  }
  return out;
}

/** What a page's payload part starts with (the payload script, the opening of its values block) and ends with. */
function payloadHead(template: CompiledTemplate, basePath: string): string {
  const block = jsonBlock(PAGE_VALUES, 0);
  return `<script src="${basePath}/${PAYLOAD_SCRIPT_DIR}/${template.script.name}"></script>${block.slice(0, block.indexOf('>') + 1)}`;
}
const PAYLOAD_TAIL = '</script>';

/** Stands for part `i` of a template in `transformedTemplate` (letters and digits: no escaping changes it). */
const PART_MARK = /kbxpart(\d+)x/g;

/**
 * The template with a page-wide transform applied to its text once, for all its pages: `transform` is given a page
 * whose every field and slot is a mark (the payload part keeps its elements, a mark for its values), and the parts
 * are found again in what it returns. Right when, for every page, transforming the filled page gives the filled
 * transformed template: the transform must act on the template's text only, never on what a field or slot may hold
 * (escaped text, HTML without scripts). Null when `transform` refuses the page (returns null) or lost, moved into
 * another part or repeated a mark: the pages are then transformed one by one.
 */
export function transformedTemplate(
  template: CompiledTemplate,
  name: string,
  transform: (html: string) => string | null,
  basePath = '',
): CompiledTemplate | null {
  const head = payloadHead(template, basePath);
  let html = '';
  template.parts.forEach((part, i) => {
    if (typeof part === 'string') html += part;
    else if (part.kind === 'payload') html += `${head}kbxpart${i}x${PAYLOAD_TAIL}`;
    else html += `kbxpart${i}x`;
  });
  const out = transform(html);
  if (out === null) return null;
  const parts: Part[] = [];
  const seen = new Set<number>();
  let last = 0;
  for (const match of out.matchAll(PART_MARK)) {
    const i = Number(match[1]);
    const part = template.parts[i];
    if (part === undefined || typeof part === 'string' || seen.has(i)) return null;
    seen.add(i);
    let text = out.slice(last, match.index);
    last = match.index + match[0].length;
    if (part.kind === 'payload') {
      // The payload part writes its elements itself: they must be where it puts them, untouched.
      if (!text.endsWith(head) || !out.startsWith(PAYLOAD_TAIL, last)) return null;
      text = text.slice(0, text.length - head.length);
      last += PAYLOAD_TAIL.length;
    }
    parts.push(text, part);
  }
  parts.push(out.slice(last));
  if (seen.size !== template.parts.filter((part) => typeof part !== 'string').length) return null;
  return { ...template, parts, transformed: name };
}

function valueOf(template: CompiledTemplate, values: TemplateValues, name: FieldName): string {
  const value = values.fields[name];
  if (value === undefined) throw new Error(`page template (${template.kind}): no value for ${name}`);
  return value;
}
