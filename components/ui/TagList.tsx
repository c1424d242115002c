/** A wrapping row of short monospace tokens (keywords, hardware, issue types); styled by `.kb-tags`. */
export function TagList({ items }: { items: readonly string[] }) {
  return (
    <ul className="kb-tags">
      {items.map((item, index) => (
        <li key={`${index}:${item}`}>
          {item}
        </li>
      ))}
    </ul>
  );
}
