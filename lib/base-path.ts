/**
 * `KB_BASE_PATH` lets the exported site live under a sub-path
 * (`KB_BASE_PATH=/kb-archive` → `https://host/kb-archive/kb/244/Q244717/`).
 * Empty (the default) serves from the root. Read by next.config.ts and by the
 * page writer of `kb build`, which must agree.
 */
export function basePathFromEnv(raw: string | undefined): string {
  const value = (raw ?? '').trim().replace(/\/+$/, '');
  if (value === '') return '';
  const withSlash = value.startsWith('/') ? value : `/${value}`;
  if (!/^(\/[A-Za-z0-9._~-]+)+$/.test(withSlash)) {
    throw new Error(`KB_BASE_PATH must look like "/some/path", got ${JSON.stringify(raw)}`);
  }
  return withSlash;
}
