/** First focusable element on every page: jumps past the header to `<main id="main">`. */
export function SkipLink() {
  return (
    <a href="#main" className="kb-skip">
      Skip to content
    </a>
  );
}
