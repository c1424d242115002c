/**
 * The search page's first results without React: a small script of our own
 * (bundled by ./boot-bundle.ts; in the exported site inline at the start of the
 * search page's `<head>`, allowed by the site's one CSP by hash: ./boot-hold.ts
 * `inlineSearchBoot`; under `next dev` `search/boot.js`, loaded `async`) that
 * reads `location.search`, runs the query engine in the page and paints the
 * first results into the space the page's fallback reserves
 * (`[data-search-boot]`), long before the framework's scripts have loaded,
 * run and hydrated (on a slow phone: ~1.3 s instead of ~3.5 s).
 *
 * React then adopts the answer (`window.__kbSearchBoot`, read by SearchView through ./boot-answer.ts as
 * its first state) and renders the same markup in its place: no layout shift,
 * and no hydration error (the boundary under the fallback is rendered on the
 * client, not hydrated). The markup here mirrors components/search/SearchResults.tsx
 * (test/search-boot-browser.test.ts compares them); every text is a text node.
 *
 * Only the plain case is painted early: words, relevance order, no filters, no
 * article number (a number goes to its article; filters need the facet files).
 */
import { SEARCH_BOOT_EVENT, type SearchBootAnswer } from './boot-answer';
import { markBootRunning, releaseFrameworkScripts, SEARCH_MANIFEST_ATTRIBUTE } from './boot-hold';
import { SearchEngine, type SearchHit, type SearchResponse } from './engine';
import { bestExcerpt, highlightParts, passageHref, type TextPart } from './highlight';
import { PAGE_SIZE, hasFilters, parseSearchState, stateKey } from './params';
import { articleNumberOf } from './tokenize';
import { PARTIAL_NOTICE, moreResultsText, searchStatusText } from './view-text';
import { BASE_PATH, displayTitle, formatDate, href } from '../site';

/**
 * Results painted early: a phone's first screen. Each needs its own 16-article metadata chunk
 * (~4 KB gzip), fetched while the framework's scripts hold most of the browser's 6 connections
 * of an HTTP/1.1 host: a 5th and 6th chunk waited ~0.6 s for a free one on the slow-phone profile.
 * React's full answer adds the rest of the page's results below them.
 */
export const BOOT_RESULTS = 4;

function el<K extends keyof HTMLElementTagNameMap>(tag: K, className?: string, ...children: Array<Node | string | null>): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (className) node.className = className;
  for (const child of children) if (child !== null) node.append(child);
  return node;
}

/** Text with `<mark>` around matching words (components/search/Highlighted.tsx). */
function highlighted(parts: readonly TextPart[]): Array<Node | string> {
  return parts.map((part) => (part.match ? el('mark', 'rounded-sm bg-yellow-200 px-0.5 text-inherit dark:bg-yellow-700/40', part.text) : part.text));
}

/** One result (SearchResults.tsx's ResultEntry). */
function entry(hit: SearchHit, terms: string[], prefix: string | null): HTMLElement {
  const title = displayTitle(hit.id, hit.title);
  const excerpt = hit.lead || hit.snippets.length > 0 ? bestExcerpt(hit.lead, hit.snippets, terms, prefix) : null;
  const section = excerpt ? (hit.sections[excerpt.index] ?? null) : null;
  const link = el('a', 'inline-block min-h-6 py-0.5', ...highlighted(highlightParts(title, terms, prefix)));
  link.href = href(excerpt ? passageHref(hit.permalink, section, excerpt.parts) : hit.permalink);
  const meta = el('p', 'mt-0.5 flex flex-wrap gap-x-3 text-sm text-muted', el('span', 'font-mono', hit.id));
  if (hit.product) meta.append(el('span', undefined, hit.product));
  if (hit.lastModified) {
    const { iso, text } = formatDate(hit.lastModified);
    const date = iso === null ? el('span', undefined, text) : el('time', undefined, text);
    if (iso !== null) date.setAttribute('datetime', iso);
    meta.append(el('span', undefined, 'Last modified ', date));
  }
  const article = el('article', undefined, el('h3', 'text-base leading-snug font-semibold', link), meta);
  if (excerpt) {
    const p = el('p', 'mt-1 max-w-[72ch] text-sm break-words');
    p.setAttribute('data-excerpt', '');
    if (section) {
      const label = el('span', 'mr-1.5 text-xs font-semibold tracking-wide text-muted uppercase', `${section.title}:`);
      label.setAttribute('data-excerpt-section', '');
      p.append(label);
    }
    p.append(...highlighted(excerpt.parts));
    article.append(p);
  }
  const li = el('li', undefined, article);
  li.setAttribute('data-result', hit.id);
  return li;
}

/** The results grid as SearchView renders it (facets still loading on the side). */
export function renderSearchBoot(response: SearchResponse): HTMLElement {
  const list = el('ol', 'space-y-5', ...response.hits.map((hit) => entry(hit, response.terms, response.prefix)));
  list.setAttribute('aria-label', 'Search results');
  list.setAttribute('start', '1');
  const results = el('div', undefined, response.partial ? el('p', 'mb-3 rounded border border-line bg-panel px-3 py-2 text-sm', PARTIAL_NOTICE) : null, list);
  const more = response.total - response.hits.length;
  if (more > 0) {
    // Inert until React takes over (it renders the same button, working).
    const button = el(
      'button',
      'rounded border border-line bg-panel px-4 py-2 text-sm font-medium hover:border-accent disabled:opacity-60',
      moreResultsText(more),
    );
    button.type = 'button';
    results.append(el('div', 'mt-6', button));
  }
  const aside = el('aside', 'order-2 md:order-1', el('h2', 'sr-only', 'Filters'));
  aside.setAttribute('aria-label', 'Filters');
  const section = el('section', 'order-1 min-w-0 md:order-2', el('h2', 'sr-only', 'Results'), results);
  section.setAttribute('aria-label', 'Results');
  return el('div', 'mt-4 grid gap-8 md:grid-cols-[13rem_minmax(0,1fr)]', aside, section);
}

/**
 * Runs the page's query early and paints it; does nothing outside the plain case or on any failure.
 * Either way it then lets the framework's scripts load (the search page holds them back: ./boot-hold.ts).
 */
export function bootSearch(): void {
  markBootRunning();
  try {
    if (!paintEarly()) releaseFrameworkScripts();
  } catch {
    releaseFrameworkScripts();
  }
}

/** The copy of the index manifest the exported page carries (./boot-hold.ts `inlineSearchBoot`), if any. */
function embeddedManifest(): { manifest: unknown; version: string } | null {
  try {
    const block = document.querySelector(`script[${SEARCH_MANIFEST_ATTRIBUTE}]`);
    if (!block) return null;
    const manifest: unknown = JSON.parse(block.textContent ?? '');
    const version = (manifest as { version?: unknown } | null)?.version;
    return typeof version === 'string' ? { manifest, version } : null;
  } catch {
    return null;
  }
}

/** Resolves once the page's HTML has been parsed. */
function parsed(): Promise<void> {
  return new Promise((resolve) => document.addEventListener('DOMContentLoaded', () => resolve(), { once: true }));
}

/** Starts the early query; false when there is none to run (the framework may load at once). */
function paintEarly(): boolean {
  const search = window.location.search;
  const state = parseSearchState(new URLSearchParams(search));
  if (!state.q.trim() || hasFilters(state) || state.sort !== 'relevance' || articleNumberOf(state.q) !== null) return false;
  const base = new URL(`${BASE_PATH}/search/`, window.location.href).href;
  // Plain fetches, so that the manifest the page preloads (`<link rel="preload">`) is the one used.
  const fetchJson = async (file: string): Promise<unknown> => {
    const response = await fetch(new URL(file, base).href);
    if (!response.ok) throw new Error(`search index file ${file}: HTTP ${response.status}`);
    return response.json();
  };
  const request = { q: state.q, limit: Math.min(BOOT_RESULTS, PAGE_SIZE), prefix: true, facetsLater: true };
  const run = (manifest?: unknown, superseded?: () => boolean) => {
    const engine = new SearchEngine(fetchJson);
    if (manifest !== undefined) engine.provideManifest(manifest);
    return engine.search(request, superseded);
  };
  const embedded = embeddedManifest();
  // With the page's copy of the manifest the term shard is requested at once, while the served manifest
  // loads; that one decides: a page older than the index (an incremental build keeps the page) searches
  // again, and the first search stops before its result records once the served version is known to differ.
  let servedVersion: unknown;
  const served = embedded ? fetchJson('manifest.json').then((m) => ((servedVersion = (m as { version?: unknown } | null)?.version), m)) : null;
  const answer =
    embedded && served
      ? Promise.all([run(embedded.manifest, () => servedVersion !== undefined && servedVersion !== embedded.version).catch(() => null), served]).then(
          ([first, manifest]) => (first && servedVersion === embedded.version ? first : run(manifest)),
        )
      : run();
  const key = stateKey(state);
  let painted = false;
  answer
    // Inline in the page's head, the script may have its answer before the parser has reached the slot.
    .then((response) => (document.readyState === 'loading' && !document.querySelector('[data-search-boot]') ? parsed().then(() => response) : response))
    .then(
      (response) => {
        // The reader may have typed or followed a link since: the URL decides.
        if (window.location.search !== search || response.hits.length === 0 || response.number) return;
        const slot = document.querySelector('[data-search-boot]');
        if (!slot || !slot.isConnected) return; // React got there first
        (window as { __kbSearchBoot?: SearchBootAnswer }).__kbSearchBoot = { key, response };
        const status = document.querySelector('[data-search-boot-status]');
        if (status) status.textContent = searchStatusText({ active: true, loading: false, error: null, response, q: state.q });
        const input = document.querySelector<HTMLInputElement>('[data-search-boot-input]');
        if (input && !input.value) input.value = state.q;
        slot.replaceChildren(renderSearchBoot(response));
        painted = true;
        window.dispatchEvent(new Event(SEARCH_BOOT_EVENT));
      },
      () => {}, // the React view reports failures, with a retry
    )
    .finally(() => (painted ? afterNextFrame(releaseFrameworkScripts) : releaseFrameworkScripts()));
  return true;
}

/**
 * Runs `fn` once the frame with the DOM changes made so far is out (a task after the next animation frame),
 * or after 100 ms when no frame comes (a hidden tab). Results painted early are then on screen before the
 * framework's scripts run: otherwise, on a busy main thread, their evaluation and React's render of the same
 * results could come first, and the page's largest paint would be React's, a second later.
 */
function afterNextFrame(fn: () => void): void {
  let done = false;
  const once = () => {
    if (done) return;
    done = true;
    fn();
  };
  requestAnimationFrame(() => setTimeout(once, 0));
  setTimeout(once, 100);
}
