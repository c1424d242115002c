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
 * by putting its data into that render (scripts/lib/article-pages.ts):
 *
 * - route params (`bucket`, `id`) and metadata strings (title, description)
 *   appear in the HTML and in the inlined RSC payload; each occurrence is
 *   replaced with the value escaped the way React and Next escape it there
 *   (HTML text/attribute; JSON string inside a JSON string inside a script);
 * - the islands' placeholders are replaced with the islands' HTML, rendered
 *   by react-dom/server from the same components the route renders.
 *
 * The route stays a real Next.js route: `next dev`, and `next build` without
 * `KB_ARTICLE_PAGES=template`, render every article through it. The output is
 * byte for byte the same either way (test/article-pages.test.ts compares them),
 * but for one thing: React hoists a `<link rel="preload" as="image">` into
 * `<head>` for each image in a page; the islands are rendered apart, so the
 * written pages have none (the images load as the page is parsed).
 *
 * Placeholders are lower-case ASCII letters and digits, so that no escaping in
 * any context changes them.
 */
export const TEMPLATE_BUCKET = 'kbtplbucket0';

/** The ids of the two template pages (route param `id`; also the value of `{id}` placeholders). */
export const TEMPLATE_IDS = { article: 'kbtplarticle0', missing: 'kbtplmissing0' } as const;

/** Metadata strings of the article template. */
export const TEMPLATE_FIELDS = { title: 'kbtpltitle0', description: 'kbtpldescription0' } as const;

/** Island contents: replaced with HTML. */
export const TEMPLATE_SLOTS = { heading: 'kbtplheading0', source: 'kbtplsource0', rest: 'kbtplrest0', content: 'kbtplcontent0' } as const;

export type TemplateKind = keyof typeof TEMPLATE_IDS;
type SlotName = keyof typeof TEMPLATE_SLOTS;
type FieldName = keyof typeof TEMPLATE_FIELDS | 'bucket' | 'id';

/** Whether this build renders article pages as templates (set by `kb build` for `next build`). */
export function templateMode(): boolean {
  return process.env['KB_ARTICLE_PAGES'] === 'template';
}

const PLACEHOLDER = /kbtpl[a-z]+0/g;

const NAME_OF = new Map<string, { kind: 'field'; name: FieldName } | { kind: 'slot'; name: SlotName }>([
  [TEMPLATE_BUCKET, { kind: 'field', name: 'bucket' }],
  [TEMPLATE_IDS.article, { kind: 'field', name: 'id' }],
  [TEMPLATE_IDS.missing, { kind: 'field', name: 'id' }],
  ...Object.entries(TEMPLATE_FIELDS).map(([name, value]) => [value, { kind: 'field', name: name as FieldName }] as const),
  ...Object.entries(TEMPLATE_SLOTS).map(([name, value]) => [value, { kind: 'slot', name: name as SlotName }] as const),
]);

type Part =
  | string
  | { kind: 'field'; name: FieldName; context: 'html' | 'payload'; stringStart: boolean }
  | { kind: 'slot'; name: SlotName };

export interface CompiledTemplate {
  kind: TemplateKind;
  parts: Part[];
  slots: SlotName[];
}

/** Values for one page: fields as plain text, slots as HTML. */
export interface TemplateValues {
  fields: Partial<Record<FieldName, string>>;
  slots: Partial<Record<SlotName, string>>;
}

const SCRIPT = /<script\b[^>]*>([\s\S]*?)<\/script\s*>/gi;
const PAYLOAD_SCRIPT = 'self.__next_f.push(';

/**
 * Splits a template page at its placeholders, noting for each field whether
 * it sits in HTML or in the inlined RSC payload. Throws when the page does not
 * have the shape this module relies on (a slot in the payload or missing, a
 * placeholder in another script): the build must fail rather than write
 * 60,000 broken pages.
 */
export function compileTemplate(kind: TemplateKind, html: string): CompiledTemplate {
  const scripts: { start: number; end: number; payload: boolean }[] = [];
  for (const match of html.matchAll(SCRIPT)) {
    const bodyStart = match.index + match[0].indexOf('>') + 1;
    scripts.push({ start: bodyStart, end: bodyStart + match[1]!.length, payload: match[1]!.startsWith(PAYLOAD_SCRIPT) });
  }
  const parts: Part[] = [];
  const slots: SlotName[] = [];
  let last = 0;
  for (const match of html.matchAll(PLACEHOLDER)) {
    const what = NAME_OF.get(match[0]);
    if (!what) throw new Error(`article template (${kind}): unknown placeholder ${match[0]}`);
    const script = scripts.find((s) => match.index >= s.start && match.index < s.end);
    if (script && !script.payload) throw new Error(`article template (${kind}): placeholder ${match[0]} inside a script that is not the RSC payload`);
    parts.push(html.slice(last, match.index));
    if (what.kind === 'slot') {
      if (script) throw new Error(`article template (${kind}): island content ${match[0]} reached the RSC payload`);
      if (slots.includes(what.name)) throw new Error(`article template (${kind}): island content ${match[0]} appears twice`);
      slots.push(what.name);
      parts.push({ kind: 'slot', name: what.name });
    } else {
      // In the payload a string is JSON inside a JSON string: its opening quote reads `\"`.
      parts.push({ kind: 'field', name: what.name, context: script ? 'payload' : 'html', stringStart: html.slice(match.index - 2, match.index) === '\\"' });
    }
    last = match.index + match[0].length;
  }
  parts.push(html.slice(last));
  const expected = kind === 'article' ? (['heading', 'source', 'rest'] as const) : (['content'] as const);
  for (const slot of expected) if (!slots.includes(slot)) throw new Error(`article template (${kind}): island content ${TEMPLATE_SLOTS[slot]} not found`);
  if (slots.length !== expected.length) throw new Error(`article template (${kind}): unexpected islands ${slots.join(', ')}`);
  return { kind, parts, slots };
}

/** The page: the template with `values` in place of its placeholders. */
export function fillTemplate(template: CompiledTemplate, values: TemplateValues): string {
  let out = '';
  for (const part of template.parts) {
    if (typeof part === 'string') out += part;
    else if (part.kind === 'slot') {
      const html = values.slots[part.name];
      if (html === undefined) throw new Error(`article template (${template.kind}): no HTML for ${part.name}`);
      out += html;
    } else {
      const value = values.fields[part.name];
      if (value === undefined) throw new Error(`article template (${template.kind}): no value for ${part.name}`);
      out += part.context === 'html' ? escapeHtml(value) : escapePayload(part.stringStart && value.startsWith('$') ? `$${value}` : value);
    }
  }
  return out;
}

/** React's escaping of text and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/["&'<>]/g, (c) => HTML_ESCAPES[c]!);
}

const HTML_ESCAPES: Record<string, string> = { '"': '&quot;', '&': '&amp;', "'": '&#x27;', '<': '&lt;', '>': '&gt;' };

/**
 * A string inside an RSC row (JSON) inside the chunk Next inlines as
 * `self.__next_f.push([1,"…"])` (JSON again, then `<`, `>`, `&`, U+2028 and
 * U+2029 escaped for the script element: next/dist/server/htmlescape).
 */
export function escapePayload(text: string): string {
  const row = JSON.stringify(text).slice(1, -1);
  return JSON.stringify(row)
    .slice(1, -1)
    .replace(/[&<>\u2028\u2029]/g, (c) => PAYLOAD_ESCAPES[c]!);
}

const PAYLOAD_ESCAPES: Record<string, string> = { '&': '\\u0026', '<': '\\u003c', '>': '\\u003e', '\u2028': '\\u2028', '\u2029': '\\u2029' };
