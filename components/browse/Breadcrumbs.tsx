import { href } from '@/lib/site';

export interface Crumb {
  label: string;
  /** Root-relative path (no base path); the last crumb (the page itself) has none. */
  path?: string;
}

/** `Home › Products › Microsoft Windows NT`, above a listing's heading. */
export function Breadcrumbs({ trail }: { trail: readonly Crumb[] }) {
  return (
    <nav aria-label="Breadcrumb" className="kb-crumbs">
      <ol>
        {trail.map((crumb, i) => (
          <li key={i}>{crumb.path ? <a href={href(crumb.path)}>{crumb.label}</a> : <span aria-current="page">{crumb.label}</span>}</li>
        ))}
      </ol>
    </nav>
  );
}
