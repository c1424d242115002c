import type { Metadata } from 'next';
import { Static } from '@/components/ui/Static';
import { href } from '@/lib/site';

export const metadata: Metadata = {
  title: 'Page not found',
  description: 'There is no page at this address in the KnowledgeBase archive.',
};

/** out/404.html: what a static host serves for any address the export has no file for. */
export default function NotFound() {
  return (
    <Static>
      <p className="font-mono text-sm text-muted">404</p>
      <h1 className="mt-1 text-2xl font-bold tracking-tight sm:text-3xl">Page not found</h1>
      <div className="mt-3 max-w-[72ch] space-y-3">
        <p>
          There is no page at this address. Articles live at their number, as in{' '}
          <code className="font-mono">/kb/244/Q244717/</code>; an article cited by others but missing from the
          archive still has a page there that says so.
        </p>
        <form role="search" aria-label="Search articles" action={href('/search/')} method="get" className="kb-jump">
          <label htmlFor="notfound-search">Search the archive, or type an article number</label>
          <div>
            <input id="notfound-search" type="search" name="q" maxLength={2000} autoComplete="off" placeholder="Q244717, or some words" />
            <button type="submit">Search</button>
          </div>
        </form>
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
        </ul>
      </div>
    </Static>
  );
}
