/**
 * React's production build for a `kb` process: imported first by scripts/kb.ts, before any module that
 * loads React (lib/build/body-cache.tsx renders bodies; `kb build` writes listing pages and a few article
 * pages in its own thread). An unset NODE_ENV loads React's development build, which checks and records
 * every element and is ~5× slower for the same HTML: the page writer's listings took 12 s at 60k articles
 * instead of ~2.5 s. Worker threads get the same from lib/worker-pool.ts. A NODE_ENV the process was given
 * (development, test) is kept.
 */
if (process.env.NODE_ENV === undefined) Object.assign(process.env, { NODE_ENV: 'production' });

export {};
