import type { ReactNode } from 'react';

/** The centred page column shared by the header, main content and footer (`.kb-col`, app/globals.css). */
export function Container({ children, className = '' }: { children: ReactNode; className?: string }) {
  return <div className={className ? `kb-col ${className}` : 'kb-col'}>{children}</div>;
}
