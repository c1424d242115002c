import { SITE_NAME, href } from '@/lib/site';
import { SearchBox } from '@/components/search/SearchBox';
import { Container } from './Container';
import { ThemeToggle } from './ThemeToggle';

/**
 * The site header: name, search box (components/search/SearchBox.tsx) and theme toggle in one row from
 * 640 px on; on a phone the search box takes a second row of its own, under the name and the toggle. Its classes
 * are the site chrome's (app/globals.css): one class per element on every page, not a dozen utilities.
 */
export function SiteHeader() {
  return (
    <header className="bg-brand text-white">
      <Container className="kb-site-bar">
        <a href={href('/')} className="kb-site-name">
          {SITE_NAME}
        </a>
        <span className="kb-site-tagline">KnowledgeBase archive</span>
        <div className="kb-site-search">
          <SearchBox />
        </div>
        <ThemeToggle />
      </Container>
    </header>
  );
}
