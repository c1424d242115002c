import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** Every file below `dir` (its path relative to `dir`, with `/`) and its bytes: for byte-for-byte comparisons of two trees. */
export function filesOf(dir: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  const walk = (rel: string) => {
    for (const entry of readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const name = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory()) walk(name);
      else out.set(name, readFileSync(path.join(dir, name)));
    }
  };
  walk('');
  return out;
}
