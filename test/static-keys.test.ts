/**
 * lib/build/static-keys.ts: two exports of the same page that differ only in where React
 * flushed the inline payload and in the process-specific `<Static>` keys become the same
 * bytes; keys stay paired between island and payload; nothing else is touched.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { joinPayloadChunks, tidyPage, stableStaticKeys } from '../lib/build/static-keys';

const push = (text: string) => `<script>self.__next_f.push(${JSON.stringify([1, text]).replace(/</g, '\\u003c')})</script>`;

function page(key1: string, key2: string, cut: number): string {
  const payload = `0:["$","$L8",null,{"k":"${key1}"}]\n1:["$","$L8",null,{"k":"${key2}"}]\n2:"text s9-9 and \\"k\\":\\"s1-1\\" </script>"\n`;
  return `<html><body><div data-static="${key1}">a</div><p>s9-9 data-static</p><span data-static="${key2}">b</span>${push(payload.slice(0, cut))}${push(payload.slice(cut))}</body></html>`;
}

test('same page, other keys and other chunking: same bytes', () => {
  const a = tidyPage(page('s7st-3', 's7st-a', 10));
  const b = tidyPage(page('s8y5-e', 's8y5-1f', 57));
  assert.equal(a, b);
  assert.match(a, /<div data-static="s0-1">a<\/div>/);
  assert.match(a, /<span data-static="s0-2">b<\/span>/);
  assert.equal((a.match(/self\.__next_f\.push/g) ?? []).length, 1, 'one payload script');
  // The joined payload is the same text, keys renamed the same way as the islands.
  const json = /self\.__next_f\.push\((\[1,"(?:[^"\\]|\\.)*"\])\)/.exec(a)![1]!;
  const text = (JSON.parse(json) as [1, string])[1];
  assert.equal(text, '0:["$","$L8",null,{"k":"s0-1"}]\n1:["$","$L8",null,{"k":"s0-2"}]\n2:"text s9-9 and \\"k\\":\\"s1-1\\" </script>"\n');
  // Text that only looks like a key is left alone.
  assert.match(a, /<p>s9-9 data-static<\/p>/);
});

test('pages without islands or with one chunk are unchanged', () => {
  const plain = `<html><body><p>x</p>${push('0:"a"\n')}</body></html>`;
  assert.equal(tidyPage(plain), plain);
  assert.equal(joinPayloadChunks(plain), plain);
  assert.equal(stableStaticKeys('<p>"k":"s1-2"</p>'), '<p>"k":"s1-2"</p>');
});

test("twitter: tags that repeat the page's Open Graph tags are taken out of <head>, and only those", () => {
  const og = (name: string, text: string) => `<meta property="og:${name}" content="${text}"/>`;
  const tw = (name: string, text: string) => `<meta name="twitter:${name}" content="${text}"/>`;
  const title = 'Q244717: RAS Port &amp; &quot;Terminal&quot; Server';
  const head =
    `<html><head><title>${title} · kbview</title><meta name="description" content="d"/>` +
    `${og('title', title)}${og('description', 'd')}${tw('card', 'summary')}${tw('title', title)}${tw('description', 'd')}</head>`;
  const body = `<body><p>${tw('title', title)}</p></body></html>`;
  assert.equal(
    tidyPage(head + body),
    `<html><head><title>${title} · kbview</title><meta name="description" content="d"/>${og('title', title)}${og('description', 'd')}${tw('card', 'summary')}</head>` +
      body,
  );
  // A twitter: tag saying something else than its og: tag stays, and so does one without an og: tag.
  const other = `<html><head>${og('title', 'a')}${tw('title', 'b')}${tw('description', 'd')}</head><body></body></html>`;
  assert.equal(tidyPage(other), other);
  assert.equal(tidyPage(`<p>${tw('title', 'a')}${og('title', 'a')}</p>`), `<p>${tw('title', 'a')}${og('title', 'a')}</p>`, 'no <head>: unchanged');
});
