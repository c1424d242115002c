/**
 * Stable bytes for Next's exported pages, so that two builds of the same
 * inputs write the same files (./incremental.ts reuses pages by the digest of
 * their inputs; test/incremental.test.ts compares builds byte for byte).
 *
 * 1. Inline RSC payload chunks. React flushes the payload in
 *    `self.__next_f.push([1,"…"])` scripts at timing-dependent places
 *    (lib/next-internals.ts, INLINE_PAYLOAD_TEXT_SCRIPT); adjacent ones are
 *    joined into one. The client appends every type-1 chunk to one stream, so
 *    one push of the joined text is the same stream. Each chunk is a complete
 *    JS string literal in which `"` is always escaped and `<` is written
 *    `\u003c`, so the boundary below cannot occur inside one, and dropping it
 *    joins two literals' contents exactly.
 * 2. `<Static>` keys. lib/static-channel.ts keys each island with the
 *    rendering process's id and a counter (`s7st-3`): unique in the process,
 *    but different in every build. The export only needs them unique within a
 *    page, where the island's `data-static` attribute and its `"k"` in the
 *    inline RSC payload must agree: each page's keys are renamed `s0-1`,
 *    `s0-2`, … in order of first appearance, in exactly those two places.
 */
import { dropTwitterCopies } from '../next-internals';

const KEY = /(data-static="|\\"k\\":\\")(s[0-9a-z]{1,12}-[0-9a-z]{1,12})(?=\\?")/g;

export function stableStaticKeys(html: string): string {
  const names = new Map<string, string>();
  for (const m of html.matchAll(KEY)) if (!names.has(m[2]!)) names.set(m[2]!, `s0-${(names.size + 1).toString(36)}`);
  if (names.size === 0) return html;
  return html.replace(KEY, (whole, before: string, key: string) => {
    const name = names.get(key);
    return name === undefined ? whole : `${before}${name}`;
  });
}

const CHUNK_BOUNDARY = '"])</script><script>self.__next_f.push([1,"';

export function joinPayloadChunks(html: string): string {
  return html.includes(CHUNK_BOUNDARY) ? html.split(CHUNK_BOUNDARY).join('') : html;
}

/**
 * What each page Next exported goes through before the CSP pass turns its scripts into data: both of
 * the above, and the twitter: tags that only repeat its Open Graph tags taken out (lib/next-internals.ts).
 */
export function tidyPage(html: string): string {
  return dropTwitterCopies(stableStaticKeys(joinPayloadChunks(html)));
}
