import type { Metadata } from 'next';
import { href } from '@/lib/site';

export const metadata: Metadata = { title: 'Page not found' };

export default function NotFound() {
  return (
    <>
      <h1 className="text-2xl font-bold tracking-tight sm:text-3xl">Page not found</h1>
      <p className="mt-3 max-w-[72ch]">
        There is no page at this address. Articles live at <code className="font-mono">/kb/NNN/QNNNNNN/</code>;
        the <a href={href('/')}>list of all articles</a> links to every one.
      </p>
    </>
  );
}
