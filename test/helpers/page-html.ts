/**
 * Reading rendered page HTML in tests without a browser: what a reader sees
 * (the text, tags removed and character references decoded) and what could
 * run (script-like elements, event-handler attributes, script URLs).
 *
 * The HTML comes from react-dom/server, which escapes `<`, `&` and quotes in
 * text and attribute values: every `<` left in it starts real markup, so a
 * tag scanner is enough to find markup that untrusted text turned into.
 */
import { decodeNamedCharacterReference } from 'decode-named-character-reference';

/** Elements that run script, load content or change how the page is read. */
const LIVE_TAGS = new Set([
  'script',
  'iframe',
  'frame',
  'frameset',
  'object',
  'embed',
  'applet',
  'svg',
  'math',
  'style',
  'meta',
  'base',
  'form',
  'noscript',
  'template',
  'textarea',
  'title',
  'body',
  'html',
  'head',
]);
/** Inline elements: their tags sit inside words (a link in the middle of a sentence). */
const INLINE_TAGS = new Set(['a', 'span', 'time', 'code', 'em', 'strong', 'b', 'i', 'abbr', 'kbd', 'samp', 'sub', 'sup', 'mark', 'small']);
/** Attributes that take a URL. */
const URL_ATTRIBUTES = new Set(['href', 'src', 'action', 'formaction', 'xlink:href', 'cite', 'longdesc', 'poster', 'data', 'background']);

/** Character references (`&lt;`, `&#x27;`, `&#39;`, `&amp;`) decoded. */
export function decodeEntities(text: string): string {
  return text.replace(/&(#[xX][0-9a-fA-F]{1,8}|#[0-9]{1,8}|[A-Za-z][A-Za-z0-9]{0,31});/g, (whole, ref: string) => {
    if (ref[0] === '#') {
      const code = ref[1] === 'x' || ref[1] === 'X' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
      return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    const named = decodeNamedCharacterReference(ref);
    return named === false ? whole : named;
  });
}

interface Tag {
  name: string;
  attributes: Array<[string, string]>;
}

/** The start and end tags of `html`, in order (a linear scan; comments skipped). */
function tags(html: string): Array<{ tag: Tag; start: number; end: number; closing: boolean }> {
  const out: Array<{ tag: Tag; start: number; end: number; closing: boolean }> = [];
  let i = 0;
  while (i < html.length) {
    const lt = html.indexOf('<', i);
    if (lt < 0) break;
    if (html.startsWith('<!--', lt)) {
      const close = html.indexOf('-->', lt + 4);
      i = close < 0 ? html.length : close + 3;
      continue;
    }
    const gt = html.indexOf('>', lt);
    if (gt < 0) break;
    const inner = html.slice(lt + 1, gt);
    const closing = inner.startsWith('/');
    const m = /^\/?([A-Za-z][^\s/>]*)/.exec(inner);
    if (m) {
      const attributes: Array<[string, string]> = [];
      const attr = /([^\s"'=/<>]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+)))?/g;
      const rest = inner.slice(m[0].length);
      for (let a = attr.exec(rest); a; a = attr.exec(rest)) {
        attributes.push([a[1]!.toLowerCase(), decodeEntities(a[2] ?? a[3] ?? a[4] ?? '')]);
      }
      out.push({ tag: { name: m[1]!.toLowerCase(), attributes }, start: lt, end: gt + 1, closing });
    }
    i = gt + 1;
  }
  return out;
}

function isImagePreload(tag: Tag): boolean {
  const attr = new Map(tag.attributes);
  return attr.get('rel') === 'preload' && attr.get('as') === 'image';
}

/** `html` without the image preloads React hoists in front of a rendered tree (`<link rel="preload" as="image" …/>`). */
export function withoutImagePreloads(html: string): string {
  let out = '';
  let at = 0;
  for (const { tag, start, end, closing } of tags(html)) {
    if (closing || tag.name !== 'link' || !isImagePreload(tag)) continue;
    out += html.slice(at, start);
    at = end;
  }
  return out + html.slice(at);
}

/** Every way the HTML could run script or load something: empty when it is inert. */
export function liveMarkup(html: string): string[] {
  const found: string[] = [];
  for (const { tag, closing } of tags(html)) {
    if (closing) continue;
    if (LIVE_TAGS.has(tag.name)) found.push(`<${tag.name}>`);
    // React hoists a preload of each <img>'s source: the only <link> a body may give.
    if (tag.name === 'link' && !isImagePreload(tag)) found.push(`<link> that is not an image preload`);
    for (const [name, value] of tag.attributes) {
      if (name.startsWith('on')) found.push(`${name}= on <${tag.name}>`);
      if (name === 'style' || name === 'srcdoc') found.push(`${name}= on <${tag.name}>`);
      // Browsers ignore control characters and spaces around and inside the scheme.
      const url = value.replace(/[\u0000-\u0020]/g, '').toLowerCase();
      if (URL_ATTRIBUTES.has(name) && /^(javascript|vbscript|data):/.test(url)) found.push(`${name}=${value.slice(0, 40)} on <${tag.name}>`);
    }
  }
  if (/<script/i.test(html)) found.push('"<script" in the HTML');
  return found;
}

/** What a reader sees: the text of the HTML, tags removed (block tags as a space) and references decoded. */
export function visibleText(html: string): string {
  let out = '';
  let at = 0;
  for (const { tag, start, end } of tags(html)) {
    out += decodeEntities(html.slice(at, start));
    out += INLINE_TAGS.has(tag.name) ? '' : ' ';
    at = end;
  }
  return out + decodeEntities(html.slice(at));
}

/** The part of `html` inside the first element that carries `class="<className>"` (its start tag to its end tag). */
export function elementByClass(html: string, className: string): string | null {
  const all = tags(html);
  const first = all.findIndex(({ tag, closing }) => !closing && tag.attributes.some(([n, v]) => n === 'class' && v.split(/\s+/).includes(className)));
  if (first < 0) return null;
  const name = all[first]!.tag.name;
  let depth = 0;
  for (let k = first; k < all.length; k++) {
    const { tag, closing, end } = all[k]!;
    if (tag.name !== name) continue;
    depth += closing ? -1 : 1;
    if (depth === 0) return html.slice(all[first]!.start, end);
  }
  return null;
}

/** The words of a text (letters and digits) with their counts. */
export function wordCounts(text: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const [word] of text.matchAll(/[\p{L}\p{N}]+/gu)) counts.set(word, (counts.get(word) ?? 0) + 1);
  return counts;
}

/** Words of `input` that `shown` holds fewer times than `input` does (with the counts: `word ×input/shown`). */
export function missingWords(input: string, shown: string): string[] {
  const have = wordCounts(shown);
  const missing: string[] = [];
  for (const [word, count] of wordCounts(input)) {
    const got = have.get(word) ?? 0;
    if (got < count) missing.push(`${word} ×${count}/${got}`);
  }
  return missing;
}
