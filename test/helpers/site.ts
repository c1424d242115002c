/**
 * The shared test-site build lives in ./site-build.ts (one cache, one build per
 * set of inputs for every test file); this name is kept for the tests that
 * import it from here.
 */
export { builtSite, type SiteOptions } from './site-build';
