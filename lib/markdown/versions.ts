/**
 * The `Version(s)` header: `winnt:4.0 SP4,4.0 SP5`, `WINDOWS:7.0; Win95:7.0`,
 * `4.00 4.00b 4.50` (old articles), and junk such as `; winnt:` or `WINDOWS:; :`.
 */
import type { Version } from './schema';

export function parseVersions(raw: string | null): Version[] {
  if (!raw) return [];
  const versions: Version[] = [];
  const seen = new Set<string>();
  for (const group of raw.split(';')) {
    const colon = group.indexOf(':');
    const platform = colon >= 0 ? group.slice(0, colon).trim() || null : null;
    const list = colon >= 0 ? group.slice(colon + 1) : group;
    const parts = list.includes(',') || colon >= 0 ? list.split(',') : list.split(/\s+/);
    for (const part of parts) {
      const version = part.replace(/\s+/g, ' ').trim();
      if (!version) continue;
      const key = `${platform ?? ''}\u0000${version}`;
      if (seen.has(key)) continue;
      seen.add(key);
      versions.push({ platform, version });
    }
  }
  return versions;
}
