import { SITE_NAME, href } from '@/lib/site';
import { Container } from './Container';
import { ThemeToggle } from './ThemeToggle';

export function SiteHeader() {
  return (
    <header className="bg-brand text-white">
      <Container className="flex items-center justify-between gap-4 py-2">
        <a href={href('/')} className="text-lg font-semibold tracking-tight text-white no-underline hover:text-white hover:underline">
          {SITE_NAME}
        </a>
        <div className="flex items-center gap-3">
          <span className="hidden text-sm text-white/75 sm:inline">KnowledgeBase archive</span>
          <ThemeToggle />
        </div>
      </Container>
    </header>
  );
}
