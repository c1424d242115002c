/**
 * The kbview CLI.
 *
 *   kb parse <file-or-dir>...   one JSON article per line (JSONL) on stdout, sorted by number;
 *                               diagnostics on stderr as `path:line: level: message [kind]` (lib/cli/print.ts)
 *   kb check [dir]              parse and render every article (as kb build does); diagnostics and a
 *                               summary; exit 1 on any error or skipped file
 *   kb build                    parse (cached), then export the site with Next.js into out/
 */
// First: React's production build for this process (lib/cli/production-react.ts).
import '../lib/cli/production-react';
import { statSync } from 'node:fs';
import path from 'node:path';
import type { Article } from '../lib/markdown/index';
import { progressReporter } from '../lib/build/progress';
import { cliArgs } from '../lib/cli/args';
import { formatDiagnostic, kindCounts, printDiagnostics, summaryLine } from '../lib/cli/print';
import { config, resolveContentDir } from '../lib/config';
// The parser, the renderer and the build (~1 s of modules) are loaded by the commands that use them, below:
// `kb build` starts its `kb prepare` first, which loads them meanwhile.
const corpusModule = () => import('../lib/content/corpus');
const buildModule = () => import('../lib/build/build');

const USAGE = `usage: kb <command> [--help]
  parse [--no-cache] <file-or-dir>...
                           print each article as one JSON line (sorted by number)
  check [dir]              report diagnostics; exit 1 on errors (default dir: $KB_CONTENT_DIR or content/)
  build [dir]              export the site on $KB_CONTENT_DIR (or content/) into out/
  prepare [dir]            build's first step: parse (cached), report, build the search index`;

/** Each command's options and arguments (lib/cli/args: an unknown option or extra argument is an error naming it). */
const COMMANDS = {
  parse: { usage: USAGE, options: { 'no-cache': { type: 'boolean' } }, positionals: { min: 1, max: Infinity } },
  check: { usage: USAGE, options: {}, positionals: { max: 1 } },
  build: { usage: USAGE, options: {}, positionals: { max: 1 } },
  prepare: { usage: USAGE, options: {}, positionals: { max: 1 } },
} as const;

async function parseCommand(targets: string[], noCache: boolean): Promise<number> {
  const { loadCorpus } = await corpusModule();
  const { parseFile } = await import('../lib/content/parse-file');
  const articles: Article[] = [];
  const diagnostics: string[] = [];
  for (const target of targets) {
    let stat;
    try {
      stat = statSync(target);
    } catch {
      diagnostics.push(formatDiagnostic({ file: target, severity: 'error', kind: 'unreadable', message: 'no such file or directory' }));
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

async function checkCommand(dir: string | undefined): Promise<number> {
  const { addArchiveDiagnostics, loadCorpus } = await corpusModule();
  const { bodyCacheFor, hasCachedBody, tidyBodyCache } = await import('../lib/build/body-cache');
  const root = dir ?? resolveContentDir();
  // Every body is rendered as the page writer renders it (lib/build/body-cache.tsx, into the build's body cache):
  // a body that fails to render is an error here too. Parses cached without a rendered body are done again.
  const bodies = bodyCacheFor(root, config().cacheDir, config().basePath);
  tidyBodyCache(bodies, root);
  const corpus = await loadCorpus(root, {
    onProgress: progressReporter('check'),
    bodyHook: { module: new URL('../lib/build/body-cache.tsx', import.meta.url).href, data: bodies },
    rehook: (source, mtimeMs, size) => !hasCachedBody(bodies, source, mtimeMs, size),
  });
  addArchiveDiagnostics(corpus);
  printDiagnostics(corpus.diagnostics, { base: root, write: console.log });
  for (const line of kindCounts(corpus.diagnostics)) console.log(line);
  console.log(summaryLine(corpus.stats));
  const failed = corpus.diagnostics.some((d) => d.severity === 'error') || corpus.stats.skipped > 0;
  return failed ? 1 : 0;
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h') {
    console.log(USAGE);
    return 0;
  }
  if (!Object.hasOwn(COMMANDS, command)) {
    console.error(`unknown command ${JSON.stringify(command)}\n${USAGE}`);
    return 2;
  }
  // Each command's own options and arguments: a mistake is named, with the usage (exit 2).
  const args = (spec: (typeof COMMANDS)[keyof typeof COMMANDS]) => cliArgs(rest, spec).positionals;
  switch (command as keyof typeof COMMANDS) {
    case 'parse': {
      const { values, positionals } = cliArgs(rest, COMMANDS.parse);
      return parseCommand(positionals, values['no-cache'] === true);
    }
    case 'check':
      return checkCommand(args(COMMANDS.check)[0]);
    case 'prepare':
      return (await buildModule()).prepareSite(resolveContentDir(args(COMMANDS.prepare)[0]));
    case 'build': {
      const contentDir = resolveContentDir(args(COMMANDS.build)[0]);
      // Its `kb prepare` starts now, and loads the parser while this process loads the build's modules.
      const start = (await import('../lib/build/prepare-process')).startBuild(contentDir);
      return (await buildModule()).buildSite({ contentDir, start });
    }
  }
}

process.exitCode = await main(process.argv.slice(2)).catch((error: unknown) => {
  // A bad KB_* variable (lib/config) is the user's to fix: its message, without a stack trace.
  if (!(error instanceof Error && error.message.startsWith('kbview: invalid configuration'))) throw error;
  console.error(error.message);
  return 2;
});
