'use client';

import { useState, type ReactNode } from 'react';
import { getStatic } from '@/lib/static-channel';

/**
 * Server-rendered HTML that the browser keeps as it is (see `Static`). During
 * the server render it renders its subtree, taken from the static channel (or
 * from `children` in development). In the browser it is never rendered from
 * data: on hydration it reads its element's current HTML, which is the
 * server's output, so even a client-side re-render shows the same content.
 */
export function StaticIsland({
  k,
  as: Tag = 'div',
  className,
  children,
}: {
  k: string;
  as?: 'div' | 'span' | 'section' | 'aside' | 'footer' | 'nav';
  className?: string;
  children?: ReactNode;
}) {
  const [html] = useState(() => (typeof document === 'undefined' ? '' : (document.querySelector(`[data-static="${k}"]`)?.innerHTML ?? '')));
  if (typeof document === 'undefined') {
    const node = children ?? getStatic(k);
    if (node === undefined) throw new Error(`static subtree ${k} was not handed to the server render`);
    return (
      <Tag data-static={k} className={className}>
        {node}
      </Tag>
    );
  }
  return <Tag data-static={k} className={className} suppressHydrationWarning dangerouslySetInnerHTML={{ __html: html }} />;
}
