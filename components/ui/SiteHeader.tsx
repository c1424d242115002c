import { SITE_NAME, href } from '@/lib/site';
import { Container } from './Container';

export function SiteHeader() {
  return (
    <header className="bg-brand text-white">
      <Container className="flex items-baseline justify-between gap-4 py-3">
        <a href={href('/')} className="text-lg font-semibold tracking-tight text-white no-underline hover:text-white hover:underline">
          {SITE_NAME}
        </a>
        <span className="hidden text-sm text-white/75 sm:inline">KnowledgeBase archive</span>
      </Container>
    </header>
  );
}
