import type { Section } from '@/lib/markdown/schema';

/** Fewer sections than this need no table of contents. */
const MIN_SECTIONS = 2;
/** Past this many entries only the top-level sections are listed. */
const MAX_ENTRIES = 40;

/**
 * The article's sections as a table of contents: a closed <details> under the
 * header on phones and tablets, a sticky column beside the article on wide
 * screens (`.kb-toc` in app/globals.css; no script). Rendered inside <Static>;
 * the wrapper is positioned against `.kb-article`, so nothing between may be.
 */
export function TableOfContents({ sections }: { sections: readonly Section[] }) {
  if (sections.length < MIN_SECTIONS) return null;
  const shown = sections.length > MAX_ENTRIES ? sections.filter((s) => s.level === 2) : sections;
  return (
    <div className="kb-toc">
      <nav aria-label="Contents">
        <details>
          <summary>Contents</summary>
          <ol>
            {shown.map((section) => (
              <li key={section.id} className={section.level === 3 ? 'kb-toc-sub' : undefined}>
                <a href={`#${section.id}`}>{section.title}</a>
              </li>
            ))}
          </ol>
        </details>
      </nav>
    </div>
  );
}
