'use client';

/**
 * The result list of the search page: id, title, product, date and an excerpt
 * per article, matching words in <mark>; "Show more results" pages on. Result
 * text is rendered as React text nodes only.
 */
import type { NumberMatch, SearchHit, SearchResponse } from '@/lib/search/engine';
import { bestExcerpt, highlightParts, passageHref } from '@/lib/search/highlight';
import { DateText } from '@/components/ui/DateText';
import { displayTitle, href } from '@/lib/site';
import { Highlighted } from './Highlighted';
import { PARTIAL_NOTICE, moreResultsText } from '@/lib/search/view-text';

export function SearchResults({
  response,
  hits,
  loadingMore,
  onLoadMore,
  onClearFilters,
  filtered,
}: {
  response: SearchResponse;
  hits: readonly SearchHit[];
  loadingMore: boolean;
  onLoadMore: () => void;
  onClearFilters: () => void;
  filtered: boolean;
}) {
  const { terms, prefix } = response;
  const more = response.total - hits.length;
  return (
    <div>
      {response.number ? <NumberCard match={response.number} /> : null}
      {response.total === 0 ? (
        <EmptyState response={response} filtered={filtered} onClearFilters={onClearFilters} />
      ) : (
        <>
          {response.partial ? <p className="mb-3 rounded border border-line bg-panel px-3 py-2 text-sm">{PARTIAL_NOTICE}</p> : null}
          {response.number ? <h2 className="mb-2 text-base font-semibold">Articles that cite {response.number.id}</h2> : null}
          <ol className="space-y-5" aria-label="Search results" start={1}>
            {hits.map((hit) => (
              <li key={hit.id} data-result={hit.id}>
                <ResultEntry hit={hit} terms={terms} prefix={prefix} />
              </li>
            ))}
          </ol>
          {more > 0 ? (
            <div className="mt-6">
              <button
                type="button"
                onClick={onLoadMore}
                disabled={loadingMore}
                className="rounded border border-line bg-panel px-4 py-2 text-sm font-medium hover:border-accent disabled:opacity-60"
              >
                {loadingMore ? 'Loading…' : moreResultsText(more)}
              </button>
            </div>
          ) : null}
        </>
      )}
    </div>
  );
}

function ResultEntry({ hit, terms, prefix }: { hit: SearchHit; terms: string[]; prefix: string | null }) {
  const title = displayTitle(hit.id, hit.title);
  const excerpt = hit.lead || hit.snippets.length > 0 ? bestExcerpt(hit.lead, hit.snippets, terms, prefix) : null;
  const section = excerpt ? (hit.sections[excerpt.index] ?? null) : null;
  // The link leads to the passage shown: its section, with the matched word highlighted by the browser.
  const target = excerpt ? passageHref(hit.permalink, section, excerpt.parts) : hit.permalink;
  return (
    <article>
      <h3 className="text-base leading-snug font-semibold">
        <a href={href(target)} className="inline-block min-h-6 py-0.5">
          <Highlighted parts={highlightParts(title, terms, prefix)} />
        </a>
      </h3>
      <p className="mt-0.5 flex flex-wrap gap-x-3 text-sm text-muted">
        <span className="font-mono">{hit.id}</span>
        {hit.product ? <span>{hit.product}</span> : null}
        {hit.lastModified ? (
          <span>
            Last modified <DateText value={hit.lastModified} />
          </span>
        ) : null}
      </p>
      {excerpt ? (
        <p className="mt-1 max-w-[72ch] text-sm break-words" data-excerpt="">
          {section ? (
            <span className="mr-1.5 text-xs font-semibold tracking-wide text-muted uppercase" data-excerpt-section="">
              {section.title}:
            </span>
          ) : null}
          <Highlighted parts={excerpt.parts} />
        </p>
      ) : null}
    </article>
  );
}

function NumberCard({ match }: { match: NumberMatch }) {
  if (match.status === 'article') {
    return (
      <p className="mb-6 rounded border border-line bg-panel px-4 py-3" data-number-match="article">
        Article <span className="font-mono">{match.id}</span>:{' '}
        <a href={href(match.permalink)} className="font-semibold">
          {match.title ? displayTitle(match.id, match.title) : match.id}
        </a>
      </p>
    );
  }
  if (match.status === 'missing') {
    return (
      <p className="mb-6 rounded border border-line bg-panel px-4 py-3" data-number-match="missing">
        <span className="font-mono">{match.id}</span> is cited by articles in this archive but is not part of it:{' '}
        <a href={href(match.permalink)}>what the archive knows about {match.id}</a>.
      </p>
    );
  }
  return (
    <p className="mb-6 rounded border border-line bg-panel px-4 py-3" data-number-match="unknown">
      There is no article <span className="font-mono">{match.id}</span> in this archive, and no article in it cites that number.
    </p>
  );
}

function EmptyState({ response, filtered, onClearFilters }: { response: SearchResponse; filtered: boolean; onClearFilters: () => void }) {
  if (response.number && response.number.status !== 'unknown') return null;
  const q = response.q.trim();
  return (
    <div className="rounded border border-line px-4 py-4" data-empty-state="">
      <h2 className="text-base font-semibold">
        {q ? (
          <>
            No articles match <q className="break-all">{q.length > 120 ? `${q.slice(0, 120)}…` : q}</q>
            {filtered ? ' with these filters' : ''}.
          </>
        ) : (
          'No articles match these filters.'
        )}
      </h2>
      <ul className="mt-2 list-disc space-y-1 pl-5 text-sm">
        {response.unknown.length > 0 && !response.number ? (
          <li>
            No article contains {response.unknown.length === 1 ? 'the word' : 'the words'}{' '}
            {response.unknown.map((word, i) => (
              <span key={word}>
                {i > 0 ? ', ' : ''}
                <q className="break-all">{word}</q>
              </span>
            ))}
            . Check the spelling, or try another word.
          </li>
        ) : null}
        {filtered ? (
          <li>
            <button type="button" onClick={onClearFilters} className="text-accent underline">
              Remove the filters
            </button>{' '}
            to search all articles.
          </li>
        ) : null}
        {q && response.terms.length === 0 && !response.number ? (
          <li>Very common words (such as “the”, “and”, “not”) are not searched for; add a more specific word.</li>
        ) : null}
        <li>Use fewer or more general words; results must contain every word.</li>
        <li>
          Jump to an article by its number: <a href={`${href('/search/')}?q=Q244717`}>Q244717</a>.
        </li>
        <li>
          Find articles by KB keyword: <a href={`${href('/search/')}?q=kbbug`}>kbbug</a>, <a href={`${href('/search/')}?q=kbfixlist`}>kbfixlist</a>.
        </li>
      </ul>
    </div>
  );
}
