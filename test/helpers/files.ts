import { readdirSync } from 'node:fs';
import path from 'node:path';

/** Every file under `dir`, relative, `/`-separated, sorted. */
export function filesUnder(dir: string, rel = ''): string[] {
  const list: string[] = [];
  for (const entry of readdirSync(path.join(dir, rel), { withFileTypes: true })) {
    const child = rel ? `${rel}/${entry.name}` : entry.name;
    if (entry.isDirectory()) list.push(...filesUnder(dir, child));
    else list.push(child);
  }
  return list.sort();
}
