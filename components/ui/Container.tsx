import type { ReactNode } from 'react';

/** The centred page column shared by the header, main content and footer. */
export function Container({ children, className = '' }: { children: ReactNode; className?: string }) {
  return <div className={`mx-auto w-full max-w-4xl px-4 sm:px-6 ${className}`}>{children}</div>;
}
