import type { Root } from 'hast';
import { Static } from '@/components/ui/Static';
import { renderHast } from './render-hast';

/** The article body: sanitized hast rendered as React elements, shipped once as static HTML. */
export function ArticleBody({ body }: { body: Root }) {
  return (
    <Static className="kb-body">{renderHast(body)}</Static>
  );
}
