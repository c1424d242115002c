/**
 * The hostile content directory: test/fixtures/hostile/ (articles written by
 * hand, see its README.md) copied into a temporary folder, plus the files git
 * cannot hold, made at test time: binary data, invalid UTF-8, CRLF line
 * endings, a 5 MB and a 100,000-line article, a FIFO, broken and looping
 * symbolic links, links that lead outside the content directory, a sparse
 * file over the size limit, and (when not running as root, which reads
 * anything) files and folders without read permission.
 *
 *   const { dir, outside, cleanup } = await makeHostileContent();
 */
import { chmodSync, cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, truncateSync, utimesSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Root as HastRoot } from 'hast';

export const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'test', 'fixtures', 'hostile');

/** Marker text of the files outside the content directory: must never reach a page. */
export const OUTSIDE_MARKER = 'KBVIEW-OUTSIDE-SECRET-7f3a';

export const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

/** A valid article in the archive's format. */
export function article(id: string, title: string, body: string, extra = ''): string {
  return `---
layout: page
title: "${id}: ${title}"
permalink: /kb/${id.slice(1).padStart(6, '0').slice(0, 3)}/${id}/
${extra}---

## ${id}: ${title}

{% raw %}

\tArticle: ${id}
\tProduct(s): kbview
\tVersion(s): 0.1
\tOperating System(s): 
\tKeyword(s): kbhostile
\tLast Modified: 26-NOV-2026
\t
\tSYMPTOMS
\t========
\t
${body
  .split('\n')
  .map((line) => `\t${line}`)
  .join('\n')}
\t

{% endraw %}
`;
}

/** Deterministic pseudo-random bytes. */
function noise(length: number, seed = 7): Buffer {
  const out = Buffer.alloc(length);
  let x = seed;
  for (let i = 0; i < length; i++) {
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    out[i] = x >>> 16;
  }
  return out;
}

/** About `bytes` of KB prose: paragraphs, preformatted examples and a file table. */
export function largeBody(bytes: number): string {
  const paragraph =
    'When you start the computer, the network adapter may not be found, and the\n' +
    'following message is displayed in the event log. This behavior occurs because\n' +
    'the driver is loaded before the adapter is ready; see Q244717 for details.\n';
  const example = '    net start rasman\n    net stop rasman   /y\n';
  const table =
    '  Date      Time                 Size    File name     Platform\n' +
    '  -------------------------------------------------------------\n' +
    '  10/29/99  01:15a                69,904 Rassrv.exe    x86\n';
  const parts: string[] = [];
  let size = 0;
  for (let i = 0; size < bytes; i++) {
    const part = i % 50 === 49 ? `SECTION ${i}\n${'-'.repeat(`SECTION ${i}`.length)}\n` : i % 10 === 5 ? example : i % 97 === 0 ? table : paragraph;
    parts.push(part);
    size += part.length + 1;
  }
  return parts.join('\n');
}

export interface HostileContent {
  /** The content directory. */
  dir: string;
  /** A folder next to it that links point into; nothing in it may be read. */
  outside: string;
  /** The temporary folder holding both. */
  root: string;
  cleanup(): void;
}

export interface HostileOptions {
  /** Also make files and folders without read permission (only when not root). Default: true. */
  unreadable?: boolean;
  /**
   * Make it in this folder (emptied first) with every file's mtime fixed, so that
   * the same fixtures give the same content to hash (test/helpers/site.ts reuses a
   * build of unchanged content). Default: a new temporary folder.
   */
  at?: string;
}

const FIXED_TIME = new Date('2026-11-26T00:00:00Z');

function fixTimes(dir: string): void {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) fixTimes(full);
    if (entry.isDirectory() || entry.isFile()) utimesSync(full, FIXED_TIME, FIXED_TIME);
  }
}

/**
 * Issue 13's classes, with instances of our own (Q990960–Q990972): keys that
 * are Object.prototype's names, long runs of blanks before a U+2028 in every
 * line pattern, front matter only a lax reader would close, `{% raw %}` in a
 * title, numbers that name no article, hundreds of thousands of blocks, a
 * stray file against the canonical one, oversized tables, lists and citations.
 */
export function makeRoundTwo(dir: string): void {
  const at = (name: string) => path.join(dir, name);
  const run = ' '.repeat(30_000);
  writeFileSync(
    at('Q990960.md'),
    article(
      'Q990960',
      'Keywords Named Like Object Properties',
      'Its keywords are __proto__, constructor and toString.\n\n' +
        '======================================================================\nKeywords          : __proto__ constructor toString hasOwnProperty kbhostile\nIssue type        : constructor __proto__\n' +
        '======================================================================',
    ).replace('Keyword(s): kbhostile', 'Keyword(s): __proto__ constructor valueOf'),
  );
  writeFileSync(
    at('Q990961.md'),
    article(
      'Q990961',
      'Blanks Before a Line Separator Everywhere',
      `${'-'.repeat(75)}\nThe information in this article applies to:\n\n- ${run}\u2028x\n${'-'.repeat(75)}\n\nARTICLE-ID: Q123456\nTITLE : ${run}\u2029x\n\nQ123457 ${run}\u2028 x\n`,
    ).replace('Product(s): kbview', `Product(s):${run}\u2028kbview`),
  );
  writeFileSync(
    at('Q990962.md'),
    `---\ntitle: "Q990962: A Fallback Heading Over a Long Run"\n---\n\n#${run}\u2028x\n${'*a_'.repeat(1500)}\n\n{% raw %}\n\tArticle: Q990962\n\tText.\n{% endraw %}\n`,
  );
  writeFileSync(
    at('Q990963.md'),
    `---\ntitle: "Q990963: Front Matter Closed by a Fence With Blanks"\n---   \n${'*a_['.repeat(4000)}\n\n{% raw %}\n\tArticle: Q990963\n\tText.\n{% endraw %}\n`,
  );
  writeFileSync(
    at('Q990964.md'),
    `---\ntitle: "Q990964: A Title With {% raw %} Inside"\npermalink: /kb/990/Q990964/\n---\n\n{% raw %}\n\tArticle: Q990964\n\tThe title holds a raw tag.\n{% endraw %}\n`,
  );
  writeFileSync(
    at('Q990965.md'),
    article('Q990965', 'Numbers That Name No Article', 'See Q00000, Q000000, Q0000001 and Q1234567; only Q990964 is an article.'),
  );
  writeFileSync(at('Q990966.md'), article('Q990966', 'Three Hundred Thousand Blocks', Array.from({ length: 150_000 }, (_, i) => `b${i}`).join('\n\n')));
  mkdirSync(at('kb/990/Q990967'), { recursive: true });
  writeFileSync(at('kb/990/Q990967/README.md'), article('Q990967', 'The Canonical File', 'This file is at the canonical place.'));
  mkdirSync(at('aaa'), { recursive: true });
  writeFileSync(at('aaa/Q0990967.md'), article('Q990967', 'A Stray File Claiming the Number', 'This file sorts first but is not at the canonical place.'));
  const header = '  Date      Time     Size    File name     Platform';
  const wide = `  Date  Time  Size  File name  ${Array.from({ length: 12 }, (_, i) => `C${i}`).join('  ')}`;
  writeFileSync(
    at('Q990968.md'),
    article(
      'Q990968',
      'Oversized File Tables',
      `${header}\n  ${'-'.repeat(60)}\n${Array.from({ length: 600 }, (_, i) => `  10/29/99  01:15a   ${1000 + i} F${i}.dll       x86`).join('\n')}\n\nMore text.\n`,
    ),
  );
  writeFileSync(
    at('Q990971.md'),
    article('Q990971', 'A File Table of Sixteen Columns', `${wide}\n  ${'-'.repeat(60)}\n  10/29/99  01:15a  10  a.dll  ${'x  '.repeat(12)}\n`),
  );
  writeFileSync(
    at('Q990969.md'),
    article('Q990969', 'One Hundred and Fifty Missing Citations', Array.from({ length: 150 }, (_, i) => `See Q${899000 + i}.`).join('\n')),
  );
  writeFileSync(
    at('Q990970.md'),
    article('Q990970', 'A Hundred Keywords', 'Many keywords.').replace(
      'Keyword(s): kbhostile',
      `Keyword(s): ${Array.from({ length: 100 }, (_, i) => `kbmany${i}`).join(' ')} kb${'x'.repeat(100)}`,
    ),
  );
}

export function makeHostileContent(options: HostileOptions = {}): HostileContent {
  let root: string;
  if (options.at) {
    root = options.at;
    rmSync(root, { recursive: true, force: true });
    mkdirSync(root, { recursive: true });
  } else {
    root = mkdtempSync(path.join(os.tmpdir(), 'kbview-hostile-'));
  }
  const dir = path.join(root, 'content');
  const outside = path.join(root, 'outside');
  cpSync(FIXTURES, dir, { recursive: true });
  mkdirSync(path.join(outside, 'dir'), { recursive: true });
  writeFileSync(
    path.join(outside, 'Q990942.md'),
    article('Q990942', `Outside ${OUTSIDE_MARKER}`, `This file is outside the content directory: ${OUTSIDE_MARKER}.`),
  );
  writeFileSync(
    path.join(outside, 'dir', 'Q990943.md'),
    article('Q990943', `Outside ${OUTSIDE_MARKER}`, `This folder is outside the content directory: ${OUTSIDE_MARKER}.`),
  );

  const at = (name: string) => path.join(dir, name);
  // Binary data: a PNG signature and noise.
  writeFileSync(at('Q990934.md'), Buffer.concat([Buffer.from('\x89PNG\r\n\x1a\n', 'latin1'), noise(4096)]));
  // A good article with a few bad bytes: invalid UTF-8, a NUL, an escape.
  const bytes = Buffer.from(
    article('Q990935', 'An Article With Invalid UTF-8 and a NUL Byte', 'The next words hold bad bytes: caf@@ na@@ve ##nul## and an escape ##esc##[2J.'),
  );
  const bad = Buffer.from(
    bytes.toString('latin1').replace('caf@@', 'caf\xe9').replace('na@@', 'na\xc3\x28').replace('##nul##', '\x00').replace('##esc##', '\x1b'),
    'latin1',
  );
  writeFileSync(at('Q990935.md'), bad);
  // Windows line endings.
  writeFileSync(
    at('Q990936.md'),
    article('Q990936', 'An Article With Windows Line Endings', 'Every line of this file ends with CR LF.\nThe parser reads them as LF.').replace(/\n/g, '\r\n'),
  );
  // A 5 MB article and a 100,000-line one.
  writeFileSync(at('Q990937.md'), article('Q990937', 'A Five-Megabyte Article', largeBody(5 * 1024 * 1024)));
  const lines: string[] = [];
  for (let i = 1; i <= 100_000; i++) lines.push(i % 10 === 0 ? '' : `Line ${i} of an article with one hundred thousand lines.`);
  writeFileSync(at('Q990938.md'), article('Q990938', 'An Article of 100,000 Lines', lines.join('\n')));
  // A FIFO: reading it would block forever.
  try {
    execFileSync('mkfifo', [at('Q990940.md')]);
  } catch {
    // No mkfifo: the FIFO case is left out (the tests check for the file).
  }
  // Symbolic links: broken, looping, leading outside (to a file and to a folder), and one inside.
  symlinkSync(path.join('missing', 'Q990941.md'), at('Q990941.md'));
  symlinkSync('Q990949.md', at('Q990949.md'));
  symlinkSync(path.join('..', 'outside', 'Q990942.md'), at('Q990942.md'));
  symlinkSync(path.join('..', 'outside', 'dir'), at('linked-outside'));
  symlinkSync('Q990910.md', at('Q990948.md'));
  // Over the size limit (sparse: takes no disk space).
  writeFileSync(at('Q990946.md'), '');
  truncateSync(at('Q990946.md'), 40 * 1024 * 1024);
  makeRoundTwo(dir);
  if ((options.unreadable ?? true) && !isRoot) {
    writeFileSync(at('Q990950.md'), article('Q990950', 'An Article Nobody May Read', 'This file has no read permission.'));
    chmodSync(at('Q990950.md'), 0o000);
    mkdirSync(at('locked'));
    writeFileSync(path.join(at('locked'), 'Q990951.md'), article('Q990951', 'An Article in a Locked Folder', 'Its folder has no read permission.'));
    chmodSync(at('locked'), 0o000);
  }
  if (options.at) {
    fixTimes(dir);
    fixTimes(outside);
  }
  return {
    dir,
    outside,
    root,
    cleanup() {
      try {
        chmodSync(path.join(dir, 'locked'), 0o755);
      } catch {
        // not made
      }
      rmSync(root, { recursive: true, force: true });
    },
  };
}

/** Articles that must be rendered (with or without warnings). */
export const RENDERED = [
  'Q990901',
  'Q990902',
  'Q990903',
  'Q990904',
  'Q990905',
  'Q990906',
  'Q990907',
  'Q990908',
  'Q990909',
  'Q990910',
  'Q990911',
  'Q990912',
  'Q990913',
  'Q990914',
  'Q990915',
  'Q990917',
  'Q990918',
  'Q990919',
  'Q990920',
  'Q990935',
  'Q990936',
  'Q990937',
  'Q990938',
  'Q990945',
  'Q990947',
  'Q990960',
  'Q990961',
  'Q990962',
  'Q990963',
  'Q990964',
  'Q990965',
  'Q990966',
  'Q990967',
  'Q990968',
  'Q990969',
  'Q990970',
  'Q990971',
  // Round three (test/fixtures/hostile).
  'Q990980',
  'Q990981',
  'Q990982',
  'Q990983',
  'Q990984',
];

/** Never rendered: the files behind them are skipped, or outside the content directory. */
export const NOT_RENDERED = [
  'Q0',
  'Q990916',
  'Q990930',
  'Q990931',
  'Q990934',
  'Q990940',
  'Q990941',
  'Q990942',
  'Q990943',
  'Q990946',
  'Q990949',
  'Q990950',
  'Q990951',
];

export interface ExpectedReport {
  file: string;
  kind: string;
  severity: 'error' | 'warning';
  line?: number;
  /** Only present when not running as root. */
  unlessRoot?: boolean;
  /** Only present when `mkfifo` exists. */
  fifo?: boolean;
}

/** What `kb check` must report: every bad file, by path relative to the content directory. */
export const EXPECTED_REPORTS: ExpectedReport[] = [
  { file: 'Q0.md', kind: 'missing-id', severity: 'error', line: 6 },
  { file: 'Q990903.md', kind: 'bad-permalink', severity: 'warning', line: 4 },
  { file: 'Q990904.md', kind: 'bad-permalink', severity: 'warning', line: 4 },
  { file: 'Q990905.md', kind: 'bad-permalink', severity: 'warning', line: 4 },
  { file: 'Q990906.md', kind: 'bad-permalink', severity: 'warning', line: 4 },
  { file: 'Q990907.md', kind: 'bad-permalink', severity: 'warning', line: 4 },
  { file: 'Q990908.md', kind: 'bad-permalink', severity: 'warning', line: 4 },
  { file: 'Q990909.md', kind: 'bad-permalink', severity: 'warning', line: 4 },
  { file: 'Q990910.md', kind: 'title-without-id', severity: 'warning', line: 7 },
  { file: 'Q990911.md', kind: 'no-front-matter', severity: 'warning', line: 1 },
  { file: 'Q990912.md', kind: 'unterminated-front-matter', severity: 'error', line: 1 },
  { file: 'Q990913.md', kind: 'invalid-front-matter', severity: 'error' },
  { file: 'Q990914.md', kind: 'id-mismatch', severity: 'warning', line: 7 },
  { file: 'Q990915.md', kind: 'unterminated-raw', severity: 'warning', line: 9 },
  { file: 'dup/a/Q990916.md', kind: 'duplicate-id', severity: 'error' },
  { file: 'dup/b/Q990916.md', kind: 'duplicate-id', severity: 'error' },
  { file: 'Q990917.md', kind: 'markdown-too-complex', severity: 'warning' },
  { file: 'Q990918.md', kind: 'title-without-id', severity: 'warning', line: 6 },
  { file: 'Q990918.md', kind: 'missing-article-line', severity: 'warning' },
  { file: 'Q990919.md', kind: 'no-raw-block', severity: 'warning' },
  { file: 'Q990919.md', kind: 'missing-article-line', severity: 'warning' },
  { file: 'Q990920.md', kind: 'markdown-too-complex', severity: 'warning', line: 18 },
  { file: 'Q990930.md', kind: 'empty-file', severity: 'error' },
  { file: 'Q990931.md', kind: 'empty-file', severity: 'error' },
  { file: 'Q990934.md', kind: 'binary-file', severity: 'error' },
  { file: 'Q990935.md', kind: 'binary-data', severity: 'warning', line: 21 },
  { file: 'Q990936.md', kind: 'line-endings', severity: 'warning', line: 1 },
  { file: 'Q990937.md', kind: 'large-article', severity: 'warning' },
  { file: 'Q990937.md', kind: 'block-limit', severity: 'warning', line: 19418 },
  { file: 'Q990938.md', kind: 'large-article', severity: 'warning' },
  { file: 'Q990938.md', kind: 'block-limit', severity: 'warning', line: 50011 },
  { file: 'Q990940.md', kind: 'unreadable', severity: 'error', fifo: true },
  { file: 'Q990941.md', kind: 'unreadable', severity: 'error' },
  { file: 'Q990942.md', kind: 'symlink-outside', severity: 'error' },
  { file: 'linked-outside', kind: 'symlink-outside', severity: 'error' },
  { file: 'Q990944.md', kind: 'not-a-file', severity: 'warning' },
  { file: 'Q990944.md/Q990945.md', kind: 'no-front-matter', severity: 'warning', line: 1 },
  { file: 'kb/990/Q990947/README.md', kind: 'no-front-matter', severity: 'warning', line: 1 },
  { file: 'Q990946.md', kind: 'too-large', severity: 'error' },
  { file: 'Q990910.md', kind: 'duplicate-id', severity: 'error' },
  { file: 'Q990948.md', kind: 'duplicate-id', severity: 'error' },
  { file: 'Q990948.md', kind: 'file-name-mismatch', severity: 'warning' },
  { file: 'Q990948.md', kind: 'title-without-id', severity: 'warning', line: 7 },
  { file: 'Q990949.md', kind: 'unreadable', severity: 'error' },
  // Round two (makeRoundTwo).
  { file: 'Q990962.md', kind: 'markdown-too-complex', severity: 'warning', line: 4 },
  { file: 'Q990963.md', kind: 'markdown-too-complex', severity: 'warning', line: 4 },
  { file: 'Q990966.md', kind: 'large-article', severity: 'warning' },
  { file: 'Q990966.md', kind: 'block-limit', severity: 'warning', line: 10019 },
  { file: 'Q990968.md', kind: 'table-limit', severity: 'warning', line: 523 },
  { file: 'Q990971.md', kind: 'table-limit', severity: 'warning', line: 21 },
  { file: 'Q990969.md', kind: 'missing-page-limit', severity: 'warning' },
  { file: 'Q990970.md', kind: 'list-limit', severity: 'warning', line: 15 },
  { file: 'aaa/Q0990967.md', kind: 'duplicate-id', severity: 'error' },
  { file: 'kb/990/Q990967/README.md', kind: 'duplicate-id', severity: 'error' },
  // Round three (test/fixtures/hostile).
  { file: 'Q990981.md', kind: 'control-characters', severity: 'warning', line: 10 },
  { file: 'Q990982.md', kind: 'invalid-front-matter', severity: 'error', line: 1 },
  { file: 'Q990950.md', kind: 'unreadable', severity: 'error', unlessRoot: true },
  { file: 'locked', kind: 'unreadable', severity: 'error', unlessRoot: true },
];

/** Source paths of the files that must count as skipped. */
export const SKIPPED_FILES = [
  'Q0.md',
  'Q990930.md',
  'Q990931.md',
  'Q990934.md',
  'Q990940.md',
  'Q990941.md',
  'Q990942.md',
  'linked-outside',
  'Q990946.md',
  'Q990949.md',
  'dup/a/Q990916.md',
  'dup/b/Q990916.md',
  'Q990948.md',
  'aaa/Q0990967.md',
  'Q990950.md',
  'locked',
];

const FORBIDDEN_TAGS = new Set([
  'script',
  'iframe',
  'frame',
  'object',
  'embed',
  'svg',
  'math',
  'style',
  'link',
  'meta',
  'base',
  'form',
  'noscript',
  'template',
  'textarea',
  'title',
]);

/** Every reason the rendered body could run script or load something it should not. */
export function dangers(tree: HastRoot): string[] {
  const found: string[] = [];
  const stack: unknown[] = [tree];
  while (stack.length > 0) {
    const node = stack.pop() as { type: string; tagName?: string; properties?: Record<string, unknown>; children?: unknown[] };
    if (node.type === 'raw') found.push('raw node');
    if (node.type === 'element') {
      if (FORBIDDEN_TAGS.has(node.tagName!)) found.push(`<${node.tagName}>`);
      for (const [key, value] of Object.entries(node.properties ?? {})) {
        if (/^on/i.test(key)) found.push(`${key} on <${node.tagName}>`);
        if (key === 'style') found.push(`style on <${node.tagName}>`);
        const text = Array.isArray(value) ? value.join(' ') : String(value);
        if (
          ['href', 'src', 'action', 'formAction', 'xLinkHref', 'cite', 'longDesc'].includes(key) &&
          /^\s*(javascript|vbscript|data):/i.test(text.replace(/[\u0000-\u001f]/g, ''))
        ) {
          found.push(`${key}=${text.slice(0, 40)} on <${node.tagName}>`);
        }
      }
    }
    if (Array.isArray(node.children)) for (const child of node.children) stack.push(child);
  }
  return found;
}
