/** @jsxRuntime automatic */
import type { ComponentProps } from 'react';
import type { Root } from 'hast';
import { toJsxRuntime, type Components } from 'hast-util-to-jsx-runtime';
import { Fragment, jsx, jsxs } from 'react/jsx-runtime';

/**
 * External links in the body are marked as such. Article links are already
 * root-relative permalinks with the base path applied by the loader
 * (`renderBody(…, { linkPrefix })`), so they are left as they are.
 */
function BodyLink({ href: target, ...rest }: ComponentProps<'a'>) {
  if (typeof target === 'string' && /^[a-z][a-z0-9+.-]*:/i.test(target)) {
    return <a href={target} rel="external nofollow noreferrer" {...rest} />;
  }
  return <a href={target} {...rest} />;
}

/** Section headings link to themselves so a section can be shared (`#resolution`). */
function heading(Tag: 'h2' | 'h3') {
  return function BodyHeading({ id, children, ...rest }: ComponentProps<'h2'>) {
    if (!id) return <Tag {...rest}>{children}</Tag>;
    return (
      <Tag id={id} {...rest}>
        <a className="kb-heading-link" href={`#${id}`}>
          {children}
        </a>
      </Tag>
    );
  };
}

/**
 * Wide tables (file attributes) scroll inside their own box instead of widening
 * the page; the box takes keyboard focus so that it can be scrolled without a
 * pointer (on a phone most file tables are wider than the screen).
 */
function BodyTable(props: ComponentProps<'table'>) {
  return (
    <div className="kb-table-scroll" tabIndex={0}>
      <table {...props} />
    </div>
  );
}

/** Preformatted blocks scroll sideways too (80-column text on a phone): focusable for the same reason. */
function BodyPre(props: ComponentProps<'pre'>) {
  return <pre tabIndex={0} {...props} />;
}

const components: Partial<Components> = {
  a: BodyLink,
  h2: heading('h2'),
  h3: heading('h3'),
  table: BodyTable,
  pre: BodyPre,
};

/** Renders an already-sanitized hast tree as React elements. */
export function renderHast(tree: Root) {
  // `align` stays an attribute (styled by `td[align='right']` in app/globals.css): no `style` attribute on any page.
  return toJsxRuntime(tree, { Fragment, jsx, jsxs, components, tableCellAlignToStyle: false });
}
