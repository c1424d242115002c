import type { ReactNode } from 'react';
import { putStatic } from '@/lib/static-channel';
import { StaticIsland } from './StaticIsland';

/**
 * Server-rendered content that never changes in the browser: it is shipped once,
 * as HTML, and kept out of the RSC payload that the export inlines into every
 * page (an article body would otherwise be shipped twice).
 *
 * `children` must be static: host elements and synchronous server components
 * without hooks; no client components (they would not hydrate inside).
 * In development the children are passed through the payload as usual.
 */
export function Static({ children, as, className }: { children: ReactNode; as?: 'div' | 'span' | 'section' | 'aside' | 'footer' | 'nav'; className?: string }) {
  const key = putStatic(children);
  if (process.env.NODE_ENV !== 'production') {
    return (
      <StaticIsland k={key} as={as} className={className}>
        {children}
      </StaticIsland>
    );
  }
  return <StaticIsland k={key} as={as} className={className} />;
}
