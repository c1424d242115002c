/**
 * File pages written by `kb build` from one render of the route
 * (lib/file-page-template.ts) are the pages Next renders itself
 * (`KB_ARTICLE_PAGES=next`), but for the island keys (which hold the
 * rendering process's id), the CSP hashes that follow from them, and the
 * names of the script chunks, module ids and build ids of the two
 * compilations; the payload rows are compared in sorted order.
 */
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { builtSite } from './helpers/site-build';
import { FILE_TEMPLATE_SLUG } from '../lib/file-page-template';
import { INLINE_PAYLOAD_TEXT_SCRIPT } from '../lib/next-internals';

let template: string;
let next: string;

before(async () => {
  // One after the other: both build in copies of the project on shared cores. The template build is the
  // default site the browser tests use (one build for all of them).
  template = await builtSite();
  next = await builtSite({ articlePages: 'next' });
});

/**
 * Island keys (`s<pid>-<n>`) numbered in order of appearance; the CSP meta
 * dropped; script chunk names (the two builds are compiled apart) replaced.
 */
/** The OpenSearch link of the layout's <head>: React hoists it before or after the page's metadata tags, as rendering timing goes. */
const OPENSEARCH_LINK = /<link rel="search" type="application\/opensearchdescription\+xml" title="kbview" href="[^"]*"\/>/g;

function normalize(html: string): string {
  const links = html.match(OPENSEARCH_LINK) ?? [];
  assert.equal(links.length, 1, 'one OpenSearch link in the head');
  assert.ok(html.indexOf(links[0]!) < html.indexOf('</head>'), 'the OpenSearch link is in the head');
  let out = html
    .replace(OPENSEARCH_LINK, '')
    .replace(/<meta http-equiv="Content-Security-Policy" content="[^"]*"\/>/, '')
    .replace(/static\/chunks\/[\w.-]+\.(js|css)/g, 'static/chunks/CHUNK.$1')
    .replace(/I\[\d+,/g, 'I[MODULE,')
    .replace(/\\"b\\":\\"[\w-]+\\"/g, '\\"b\\":\\"BUILD\\"');
  // Keys of the page's islands, and of the 404 boundary's islands in the payload (`\"k\":\"s…\"`).
  const keys = [...new Set([...out.matchAll(/(?:data-static="|\\"k\\":\\")(s[0-9a-z]+-[0-9a-z]+)/g)].map((m) => m[1]!))];
  keys.forEach((key, i) => (out = out.split(key).join(`island${i}`)));
  return out;
}

test('file pages written from the template are the pages Next renders', () => {
  const slugs = (dir: string) =>
    readdirSync(path.join(dir, 'files'), { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => e.name)
      .sort();
  const ours = slugs(template);
  assert.deepEqual(ours, slugs(next));
  assert.ok(ours.includes('rassrv.exe'));
  assert.ok(!existsSync(path.join(template, 'files', FILE_TEMPLATE_SLUG)), 'the template page is removed');
  for (const slug of ours) {
    const a = split(normalize(readFileSync(path.join(template, 'files', slug, 'index.html'), 'utf8')));
    const b = split(normalize(readFileSync(path.join(next, 'files', slug, 'index.html'), 'utf8')));
    assert.deepEqual(a.rows, b.rows, `files/${slug}: the same RSC payload rows`);
    if (a.html !== b.html) {
      let i = 0;
      while (a.html[i] === b.html[i]) i++;
      assert.fail(`files/${slug} differs at ${i}:\n  template: ${a.html.slice(i - 150, i + 150)}\n  next:     ${b.html.slice(i - 150, i + 150)}`);
    }
  }
});

/** The page without its inlined RSC payload, and the payload's lines sorted (Next may stream its rows in either order). */
const DATA_BLOCK = /<script type="application\/json" data-kb="f">(\[1,"(?:[^"\\]|\\.)*"\])<\/script>/g;

function split(page: string): { html: string; rows: string[] } {
  const chunks: string[] = [];
  const take = (json: string) => {
    chunks.push((JSON.parse(json) as [1, string])[1]);
    return '';
  };
  // Next's inline chunks, and the JSON blocks the CSP pass turns them into (lib/build/csp.ts), run by the data loader.
  const html = page.replace(INLINE_PAYLOAD_TEXT_SCRIPT, (_, json: string) => take(json)).replace(DATA_BLOCK, (_, json: string) => take(json));
  return { html, rows: chunks.join('').split('\n').sort() };
}
