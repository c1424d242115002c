import type { TextPart } from '@/lib/search/highlight';

/** Text with `<mark>` around matching words: React text nodes only, never HTML. */
export function Highlighted({ parts }: { parts: readonly TextPart[] }) {
  return (
    <>
      {parts.map((part, i) =>
        part.match ? (
          <mark key={i} className="rounded-sm bg-yellow-200 px-0.5 text-inherit dark:bg-yellow-700/40">
            {part.text}
          </mark>
        ) : (
          part.text
        ),
      )}
    </>
  );
}
