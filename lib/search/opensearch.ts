/**
 * The OpenSearch description (`/opensearch.xml`) that lets browsers add the
 * archive as a search engine. Pure: the caller gives the absolute site root
 * (lib/site-url.ts), because browsers want absolute template URLs.
 */

function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export function openSearchXml({ root, name, description }: { root: string; name: string; description: string }): string {
  const base = root.replace(/\/+$/, '');
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<OpenSearchDescription xmlns="http://a9.com/-/spec/opensearch/1.1/" xmlns:moz="http://www.mozilla.org/2006/browser/search/">',
    `  <ShortName>${escapeXml(name.slice(0, 16))}</ShortName>`,
    `  <Description>${escapeXml(description.slice(0, 1024))}</Description>`,
    '  <InputEncoding>UTF-8</InputEncoding>',
    `  <Image height="16" width="16" type="image/x-icon">${escapeXml(`${base}/favicon.ico`)}</Image>`,
    `  <Url type="text/html" method="get" template="${escapeXml(`${base}/search/?q={searchTerms}`)}"/>`,
    `  <Url type="application/opensearchdescription+xml" rel="self" template="${escapeXml(`${base}/opensearch.xml`)}"/>`,
    `  <moz:SearchForm>${escapeXml(`${base}/search/`)}</moz:SearchForm>`,
    '</OpenSearchDescription>',
    '',
  ].join('\n');
}
