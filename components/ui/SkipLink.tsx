/** First focusable element on every page: jumps past the header to `<main id="main">`. */
export function SkipLink() {
  return (
    <a href="#main" className="sr-only focus:not-sr-only focus:absolute focus:top-2 focus:left-2 focus:z-10 focus:rounded focus:bg-page focus:px-3 focus:py-2">
      Skip to content
    </a>
  );
}
