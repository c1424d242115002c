/** @jsxRuntime automatic */
import type { Root } from 'hast';
import { renderHast } from './BodyElements';

/**
 * The article body: sanitized hast rendered as React elements. Static content:
 * ArticleView puts it inside a <Static> island, so it is shipped once, as HTML.
 */
export function ArticleBody({ body }: { body: Root }) {
  return <div className="kb-body">{renderHast(body)}</div>;
}
