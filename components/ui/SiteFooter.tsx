import { SITE_NAME, href } from '@/lib/site';
import { Container } from './Container';
import { Static } from './Static';

export function SiteFooter() {
  return (
    <Static as="footer" className="kb-site-footer">
      <Container className="py-6">
        <p>
          <a href={href('/')}>{SITE_NAME}</a> — an unofficial archive of old Microsoft KnowledgeBase articles, kept for reference. The articles are historical
          and are not maintained; Microsoft is not affiliated with this site.
        </p>
      </Container>
    </Static>
  );
}
