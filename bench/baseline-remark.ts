/** Baseline: raw remark parsing (remark-parse + remark-frontmatter) of every file, one thread. Prints JSON. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { unified } from 'unified';
import remarkParse from 'remark-parse';
import remarkFrontmatter from 'remark-frontmatter';
import { scanContent } from '../lib/content/scan';
import { cliArgs } from '../lib/cli/args';

const dir = cliArgs(process.argv.slice(2), { usage: 'usage: tsx bench/baseline-remark.ts <contentDir>', options: {}, positionals: { min: 1, max: 1 } })
  .positionals[0]!;
const files = scanContent(dir).files;
const processor = unified().use(remarkParse).use(remarkFrontmatter, ['yaml']);
const started = performance.now();
let bytes = 0;
for (const file of files) {
  const text = readFileSync(path.join(dir, file), 'utf8');
  bytes += text.length;
  processor.parse(text);
}
console.log(JSON.stringify({ files: files.length, bytes, ms: performance.now() - started }));
