/**
 * The kbview CLI.
 *
 *   kb parse <file-or-dir>...   one JSON article per line (JSONL) on stdout, sorted by number;
 *                               diagnostics on stderr as `path:line: message`
 *   kb check [dir]              parse and render every article (as kb build does); diagnostics and a
 *                               summary; exit 1 on any error or skipped file
 *   kb build                    parse (cached), then export the site with Next.js into out/
 */
import { statSync } from 'node:fs';
import path from 'node:path';
import { addArchiveDiagnostics, loadCorpus, resolveContentDir, type Corpus } from '../lib/content/corpus';
import { parseFile } from '../lib/content/parse-file';
import type { Article, Diagnostic } from '../lib/markdown/index';
import { progressReporter } from '../lib/build/progress';
import { buildSite, prepareSite, printable } from '../lib/build/build';
import { bodyCacheFor, hasCachedBody } from '../lib/build/body-cache';
import { config } from '../lib/config';

const USAGE = `usage: kb <command>
  parse [--no-cache] <file-or-dir>...
                           print each article as one JSON line (sorted by number)
  check [dir]              report diagnostics; exit 1 on errors (default dir: $KB_CONTENT_DIR or content/)
  build                    export the site on $KB_CONTENT_DIR (or content/) into out/
  prepare [dir]            build's first step: parse (cached), report, build the search index`;

export function formatDiagnostic(d: Diagnostic, base = ''): string {
  const file = base ? path.join(base, d.file) : d.file;
  return printable(`${file}${d.line ? `:${d.line}` : ''}: ${d.severity}: ${d.message} [${d.kind}]`);
}

async function parseCommand(args: string[]): Promise<number> {
  const noCache = args.includes('--no-cache');
  const targets = args.filter((a) => a !== '--no-cache');
  if (targets.length === 0) {
    console.error(USAGE);
    return 2;
  }
  const articles: Article[] = [];
  const diagnostics: string[] = [];
  for (const target of targets) {
    let stat;
    try {
      stat = statSync(target);
    } catch {
      diagnostics.push(`${target}: error: no such file or directory`);
      continue;
    }
    if (stat.isDirectory()) {
      const corpus = await loadCorpus(target, { onProgress: progressReporter(`parse ${target}`), ...(noCache ? { cacheDir: false } : {}) });
      // Loops, not push(...x): a spread of ~125,000 items overflows the call stack.
      for (const f of corpus.files) if (f.article) articles.push(f.article);
      for (const d of corpus.diagnostics) diagnostics.push(formatDiagnostic(d, target));
    } else {
      const file = parseFile(path.dirname(target), path.basename(target), stat.mtimeMs, stat.size);
      if (file.article) articles.push({ ...file.article, source: target });
      for (const d of file.diagnostics) diagnostics.push(formatDiagnostic({ ...d, file: target }));
    }
  }
  articles.sort((a, b) => a.number - b.number || (a.source < b.source ? -1 : 1));
  let out = '';
  for (const article of articles) {
    out += `${JSON.stringify(article)}\n`;
    if (out.length > 1 << 20) {
      await write(out);
      out = '';
    }
  }
  await write(out);
  for (const line of diagnostics) console.error(line);
  return 0;
}

function write(text: string): Promise<void> {
  return new Promise((resolve) => (process.stdout.write(text) ? resolve() : process.stdout.once('drain', () => resolve())));
}

export function summaryLine(corpus: Corpus): string {
  const s = corpus.stats;
  return `kbview: ${s.files} files read, ${s.articles} articles, ${s.withWarnings} with warnings, ${s.withErrors} with errors, ${s.skipped} skipped (${s.parsed} parsed, ${s.fromCache} from cache, ${(s.ms / 1000).toFixed(1)} s)`;
}

async function checkCommand(dir: string | undefined): Promise<number> {
  const root = dir ?? resolveContentDir();
  // Every body is rendered as the page writer renders it (lib/build/body-cache.tsx, into the build's body cache):
  // a body that fails to render is an error here too. Parses cached without a rendered body are done again.
  const bodies = bodyCacheFor(root, config().cacheDir, config().basePath);
  const corpus = await loadCorpus(root, {
    onProgress: progressReporter('check'),
    bodyHook: { module: new URL('../lib/build/body-cache.tsx', import.meta.url).href, data: bodies },
    rehook: (source, mtimeMs, size) => !hasCachedBody(bodies, source, mtimeMs, size),
  });
  addArchiveDiagnostics(corpus);
  for (const d of corpus.diagnostics) console.log(formatDiagnostic(d, root));
  const kinds = new Map<string, number>();
  for (const d of corpus.diagnostics) kinds.set(`${d.severity} ${d.kind}`, (kinds.get(`${d.severity} ${d.kind}`) ?? 0) + 1);
  for (const [kind, count] of [...kinds].sort()) console.log(`  ${count} ${kind}`);
  console.log(summaryLine(corpus));
  const failed = corpus.diagnostics.some((d) => d.severity === 'error') || corpus.stats.skipped > 0;
  return failed ? 1 : 0;
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'parse':
      return parseCommand(rest);
    case 'check':
      return checkCommand(rest[0]);
    case 'prepare':
      return prepareSite(rest[0] ?? resolveContentDir());
    case 'build':
      return buildSite({ contentDir: rest[0] ?? resolveContentDir() });
    default:
      console.error(USAGE);
      return command === undefined || command === '--help' || command === '-h' ? 0 : 2;
  }
}

process.exitCode = await main(process.argv.slice(2)).catch((error: unknown) => {
  // A bad KB_* variable (lib/config) is the user's to fix: its message, without a stack trace.
  if (!(error instanceof Error && error.message.startsWith('kbview: invalid configuration'))) throw error;
  console.error(error.message);
  return 2;
});
