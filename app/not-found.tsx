import type { Metadata } from 'next';
import { Static } from '@/components/ui/Static';
import { NotFoundSearch } from '@/components/notfound/NotFoundSearch';
import { href } from '@/lib/site';

export const metadata: Metadata = {
  title: 'Page not found',
  description: 'There is no page at this address in the KnowledgeBase archive.',
};

/**
 * out/404.html: what a static host serves for any address the export has no file for.
 * Old addresses of articles are sent on to their page by NotFoundSearch (a bundled client component).
 */
export default function NotFound() {
  return (
    <>
      <Static>
        <p className="font-mono text-sm text-muted">404</p>
        <h1 className="mt-1 text-2xl font-bold tracking-tight sm:text-3xl">Page not found</h1>
        <div className="mt-3 max-w-[72ch] space-y-3">
          <p>
            There is no page at this address. Articles live at their number, as in <code className="font-mono">/kb/244/Q244717/</code>; an article cited by
            others but missing from the archive still has a page there that says so. Old addresses of articles (
            <code className="font-mono">support.microsoft.com/kb/244717</code> and the like) lead to their page here.
          </p>
        </div>
      </Static>
      <div className="mt-3 max-w-[72ch] space-y-3">
        <NotFoundSearch />
      </div>
      <Static>
        <div className="mt-3 max-w-[72ch] space-y-3">
          <p>Or browse the archive:</p>
          <ul className="kb-chips">
            <li>
              <a href={href('/')}>Home</a>
            </li>
            <li>
              <a href={href('/products/')}>Products</a>
            </li>
            <li>
              <a href={href('/keywords/')}>Keywords</a>
            </li>
            <li>
              <a href={href('/years/')}>Years</a>
            </li>
            <li>
              <a href={href('/numbers/')}>Article numbers</a>
            </li>
            <li>
              <a href={href('/files/')}>Files</a>
            </li>
          </ul>
        </div>
      </Static>
    </>
  );
}
