/**
 * The one setting client code sees: the base path, as next.config.js hands it
 * to Next (`env: { KB_BASE_PATH }`), which inlines `process.env.KB_BASE_PATH`
 * into server and client bundles at build time. Outside Next (the page
 * writer's workers, tsx scripts), the value is the one `configEnv` gives to
 * kbview's child processes and workers: already normalized by ./index.ts.
 *
 * No zod here, no other import: this module ships to the browser.
 */

/** `/kb-archive`, or '' when the site is served from the root. */
export const BASE_PATH: string = process.env.KB_BASE_PATH ?? '';
