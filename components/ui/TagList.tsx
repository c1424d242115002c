import { href } from '@/lib/site';

/**
 * A wrapping row of short monospace tokens (keywords, hardware, issue types); styled by `.kb-tags`.
 * `linkOf` makes a token a link (a root-relative path, or null for plain text).
 */
export function TagList({ items, linkOf }: { items: readonly string[]; linkOf?: (item: string) => string | null }) {
  return (
    <ul className="kb-tags">
      {items.map((item, index) => {
        const path = linkOf?.(item);
        return <li key={`${index}:${item}`}>{path ? <a href={href(path)}>{item}</a> : item}</li>;
      })}
    </ul>
  );
}
