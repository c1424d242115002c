import { SITE_NAME, href } from '@/lib/site';
import { SearchBox } from '@/components/search/SearchBox';
import { Container } from './Container';
import { ThemeToggle } from './ThemeToggle';

/**
 * The site header: name, search box (components/search/SearchBox.tsx) and theme toggle in one row from
 * 640 px on; on a phone the search box takes a second row of its own, under the name and the toggle.
 */
export function SiteHeader() {
  return (
    <header className="bg-brand text-white">
      <Container className="flex flex-wrap items-center gap-x-4 gap-y-2 py-2 max-sm:pb-3">
        <a href={href('/')} className="mr-auto text-lg font-semibold tracking-tight text-white no-underline hover:text-white hover:underline">
          {SITE_NAME}
        </a>
        <span className="hidden text-sm text-white/75 md:inline">KnowledgeBase archive</span>
        <div className="order-last flex w-full justify-end sm:order-none sm:w-auto">
          <SearchBox />
        </div>
        <ThemeToggle />
      </Container>
    </header>
  );
}
