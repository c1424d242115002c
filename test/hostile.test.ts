/**
 * Hostile and broken input, without a site build (see hostile-build.test.ts
 * for the build): the loader keeps going past every bad file, `kb check`
 * names each one (with its line where it makes sense) and exits 1, every
 * article that can be rendered is, nothing outside the content directory is
 * read, nothing inside it is written, and huge articles parse in bounded time.
 *
 * The content is test/fixtures/hostile/ plus the files made at test time by
 * bench/lib/hostile-content.ts (binary, CRLF, 5 MB, 100,000 lines, FIFO,
 * symbolic links, a file over the size limit, unreadable files when not root).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, lstatSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { addArchiveDiagnostics, loadCorpus, type Corpus } from '../lib/content/corpus';
import { buildLinkGraph } from '../lib/content/graph';
import { parseFile } from '../lib/content/parse-file';
import { scanContent, scanContentAsync } from '../lib/content/scan';
import { parseArticle, renderBody } from '../lib/markdown/index';
import {
  EXPECTED_REPORTS,
  NOT_RENDERED,
  OUTSIDE_MARKER,
  RENDERED,
  SKIPPED_FILES,
  dangers,
  isRoot,
  makeHostileContent,
  type HostileContent,
} from '../bench/lib/hostile-content';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

let content: HostileContent;
let corpus: Corpus;
let hasFifo = false;

/** What the content directory holds: every entry's kind, size and mtime (without following links). */
function snapshot(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string, rel: string) => {
    let entries;
    try {
      entries = readdirSync(d, { withFileTypes: true });
    } catch {
      out.push(`${rel}/ (unreadable)`);
      return;
    }
    for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const full = path.join(d, entry.name);
      const st = lstatSync(full);
      out.push(`${rel}/${entry.name} ${st.mode} ${st.size} ${st.mtimeMs}`);
      if (entry.isDirectory()) walk(full, `${rel}/${entry.name}`);
    }
  };
  walk(dir, '');
  return out;
}

/** Runs `kb check <dir>` with its parse cache in the temporary folder. */
function kbCheck(dir: string, cwd: string): Promise<{ code: number; stdout: string; stderr: string; ms: number }> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(path.join(REPO_ROOT, 'node_modules', '.bin', 'tsx'), [path.join(REPO_ROOT, 'scripts', 'kb.ts'), 'check', dir], {
      cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr, ms: performance.now() - started }));
  });
}

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

const applies = (r: { unlessRoot?: boolean; fifo?: boolean }) => !(r.unlessRoot && isRoot) && !(r.fifo && !hasFifo);

before(async () => {
  content = makeHostileContent();
  hasFifo = existsSync(path.join(content.dir, 'Q990940.md')) && lstatSync(path.join(content.dir, 'Q990940.md')).isFIFO();
  corpus = await loadCorpus(content.dir, { cacheDir: false, withText: true });
  addArchiveDiagnostics(corpus);
});

after(() => content?.cleanup());

test('every bad file gets a diagnostic naming it (and its line), and the loader keeps going', () => {
  const found = corpus.diagnostics.map((d) => `${d.file}:${d.line ?? ''} ${d.severity} ${d.kind}`);
  for (const expected of EXPECTED_REPORTS.filter(applies)) {
    const match = corpus.diagnostics.find((d) => d.file === expected.file && d.kind === expected.kind);
    assert.ok(match, `no ${expected.kind} for ${expected.file}; got:\n${found.join('\n')}`);
    assert.equal(match.severity, expected.severity, `${expected.file} ${expected.kind}`);
    if (expected.line !== undefined) assert.equal(match.line, expected.line, `line of ${expected.kind} in ${expected.file}`);
  }
  assert.ok(!corpus.diagnostics.some((d) => d.kind === 'parser-crash'), 'the parser crashed on a file');
  // A diagnostic for a file the list does not expect is a new behaviour: review it and add it to the list.
  const expectedKeys = new Set(EXPECTED_REPORTS.map((r) => `${r.file} ${r.kind}`));
  const extra = corpus.diagnostics.filter((d) => !expectedKeys.has(`${d.file} ${d.kind}`));
  assert.deepEqual(extra, [], 'diagnostics not listed in EXPECTED_REPORTS');
});

test('every article that can be rendered is, and nothing else', () => {
  const ids = corpus.articles.map((a) => a.id);
  assert.deepEqual(ids, [...RENDERED].sort());
  for (const id of NOT_RENDERED) assert.ok(!ids.includes(id), `${id} must not be rendered`);
  // Duplicates: the file at the number's canonical place wins (Q990910.md against Q990948.md, which holds
  // Q990910 too); two files both named Q990916.md are both at a canonical place, so neither is used.
  assert.equal(
    corpus.articles.find((a) => a.id === 'Q990916'),
    undefined,
  );
  assert.equal(corpus.articles.find((a) => a.id === 'Q990910')?.source, 'Q990910.md');
  const dup = corpus.diagnostics.find((d) => d.file === 'dup/a/Q990916.md' && d.kind === 'duplicate-id');
  assert.match(dup?.message ?? '', /dup\/b\/Q990916\.md.*none of them is used/);
  // Recovered titles and ids.
  const title = (id: string) => corpus.articles.find((a) => a.id === id)?.title;
  assert.equal(title('Q990910'), 'A Title Without an Article Number');
  assert.equal(title('Q990912'), 'An Article Whose Front Matter Never Ends');
  assert.equal(title('Q990913'), 'An Article With Invalid YAML Front Matter');
  assert.equal(title('Q990914'), 'The Title Names Another Article');
  assert.equal(title('Q990918'), 'A Title Without a Number, and No Article Line');
  assert.equal(title('Q990936'), 'An Article With Windows Line Endings');
  // Every permalink is the canonical one, whatever the front matter says.
  for (const a of corpus.articles) assert.equal(a.permalink, `/kb/${String(a.number).padStart(6, '0').slice(0, 3)}/${a.id}/`);
  assert.equal(new Set(corpus.articles.map((a) => a.permalink)).size, corpus.articles.length, 'two articles share a page');
});

test('round three: property names, control and bidi characters, alias bombs, URL-only citations, odd numbers', () => {
  const get = (id: string) => corpus.articles.find((a) => a.id === id)!;
  // A file-table column named `__proto__` keeps its values (an own key), file names and sections named like
  // object properties are files and sections like any other.
  const props = get('Q990980');
  const row = props.fileAttributes.find((r) => r.name === '__proto__')!;
  assert.ok(row.extra && Object.hasOwn(row.extra, '__proto__'), JSON.stringify(props.fileAttributes));
  assert.equal(row.extra['__proto__'], 'x86');
  assert.deepEqual(Object.keys(row.extra), ['__proto__', 'constructor']);
  assert.deepEqual(
    props.sections.map((x) => x.id),
    ['symptoms', 'proto', 'constructor'],
  );
  assert.equal(props.product, 'hasOwnProperty');
  // No control, bidi-override or unpaired surrogate character in any metadata, however it was written.
  const bidi = get('Q990981');
  const unshowable = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;
  for (const a of corpus.articles) {
    const { source: _source, ...metadata } = a;
    assert.doesNotMatch(JSON.stringify(metadata).replace(/\\u00[01][0-9a-f]/g, '\u0001'), unshowable, a.id);
  }
  assert.equal(bidi.title, 'Bidi gnp.exe and control [31m characters evil');
  assert.equal(bidi.product, 'Microsoft Windows');
  assert.deepEqual(bidi.keywords, ['kbhostile', 'kbevil']);
  assert.deepEqual(
    bidi.fileAttributes.map((r) => r.name),
    ['gnp.exe'],
  );
  // The alias bomb is refused by the YAML reader (an error), the title comes from the heading.
  assert.equal(get('Q990982').title, 'A YAML Alias Bomb and a Function Tag in the Front Matter');
  // Numbers cited only by old KB URLs are citations: they get not-in-archive pages, with their backlink.
  assert.deepEqual(get('Q990983').references, ['Q990989', 'Q990988']);
  const graph = buildLinkGraph(corpus.articles);
  assert.deepEqual(
    graph.missingById.get('Q990989')?.citedBy.map((x) => x.id),
    ['Q990983'],
  );
  // Digits other than ASCII, Q0, Q00000 and seven digits are no article numbers; leading zeros are.
  assert.deepEqual(get('Q990984').references, ['Q50552', 'Q244717']);
});

test('the summary counts add up: files = rendered + skipped', () => {
  const s = corpus.stats;
  const skipped = SKIPPED_FILES.filter((file) => applies(EXPECTED_REPORTS.find((r) => r.file === file) ?? {}));
  assert.equal(s.articles, RENDERED.length);
  assert.equal(s.skipped, skipped.length, `skipped: ${skipped.join(', ')}`);
  assert.equal(s.files, s.articles + s.skipped);
  const withErrors = new Set(corpus.diagnostics.filter((d) => d.severity === 'error').map((d) => d.file));
  assert.equal(s.withErrors, withErrors.size);
  assert.ok(s.withWarnings > 10);
});

test('nothing outside the content directory is read, and nothing inside it is written', async () => {
  for (const file of corpus.files) {
    assert.ok(!JSON.stringify(file).includes(OUTSIDE_MARKER), `${file.source} holds text from outside the content directory`);
  }
  assert.ok(!corpus.files.some((f) => f.source.startsWith('linked-outside')), 'the link to an outside folder was followed');
  // Even when a link is swapped in after the scan, the reader refuses it.
  const swapped = parseFile(content.dir, 'Q990942.md', 0, 0);
  assert.equal(swapped.article, null);
  assert.equal(swapped.diagnostics[0]?.kind, 'symlink-outside');
  // And through a folder on the way that leads outside (the file itself is no link: the kernel names what was opened).
  const throughFolder = parseFile(content.dir, 'linked-outside/Q990943.md', 0, 0);
  assert.deepEqual([throughFolder.article, throughFolder.diagnostics[0]?.kind], [null, 'symlink-outside']);
  // A link that stays inside is read.
  assert.equal(parseFile(content.dir, 'Q990948.md', 0, 0).article?.id, 'Q990910');
  if (hasFifo) {
    // Reading a FIFO would block forever: the reader opens it non-blocking and refuses it.
    const fifo = parseFile(content.dir, 'Q990940.md', 0, 0);
    assert.deepEqual([fifo.article, fifo.diagnostics[0]?.kind], [null, 'unreadable']);
  }
  const before = snapshot(content.dir);
  const outsideBefore = snapshot(content.outside);
  await loadCorpus(content.dir, { cacheDir: path.join(content.root, 'cache') });
  assert.deepEqual(snapshot(content.dir), before);
  assert.deepEqual(snapshot(content.outside), outsideBefore);
});

test('kb check names every bad file with its line, prints the summary and exits 1', async (t) => {
  const { code, stdout, stderr, ms } = await kbCheck(content.dir, content.root);
  assert.equal(code, 1, `kb check exit code (stderr: ${stderr.slice(-2000)})`);
  for (const expected of EXPECTED_REPORTS.filter(applies)) {
    const file = path.join(content.dir, expected.file);
    const prefix = `${file}${expected.line ? `:${expected.line}` : ''}: ${expected.severity}: `;
    const line = stdout
      .split('\n')
      .find(
        (l) =>
          l.endsWith(`[${expected.kind}]`) && (l.startsWith(prefix) || (!expected.line && new RegExp(`^${escape(file)}:\\d+: ${expected.severity}: `).test(l))),
      );
    assert.ok(line, `kb check does not report "${prefix}… [${expected.kind}]":\n${stdout}`);
  }
  const s = corpus.stats;
  assert.match(
    stdout,
    new RegExp(`kbview: ${s.files} files read, ${s.articles} articles, ${s.withWarnings} with warnings, ${s.withErrors} with errors, ${s.skipped} skipped`),
  );
  // Diagnostics print file names and messages from the input: no control character reaches the terminal.
  assert.ok(!/[\u0000-\u0008\u000b-\u001f\u007f]/.test(stdout), 'a control character reached the output');
  t.diagnostic(`kb check took ${ms.toFixed(0)} ms (timed in bench/hostile.ts, not here)`);
});

test('a 5 MB article, a 100,000-line article and 300,000 blocks parse and render whole (their time: bench/hostile.ts)', () => {
  for (const [file, lines, last] of [
    ['Q990937.md', 98_000, 'SECTION'],
    ['Q990938.md', 100_000, 'Line 99999 of'],
    ['Q990966.md', 300_000, 'b149999'],
  ] as const) {
    const text = readFileSync(path.join(content.dir, file), 'utf8');
    const result = parseArticle(text, file);
    // Limits may apply (the 5 MB article cites Q244717 some 22,000 times: link-limit), a failed render may not.
    const body = renderBody(result.body, { onFallback: (kind, message) => assert.notEqual(kind, 'render-fallback', `${file}: ${message}`) });
    assert.deepEqual(dangers(body), []);
    assert.ok(text.split('\n').length >= lines);
    assert.ok(result.article, `${file} gives an article`);
    // Nothing dropped: the last words of the file are in the rendered body (a spread of 300,000 blocks used to overflow).
    assert.ok(JSON.stringify(body).includes(last), `${file}: the rendered body lacks ${last}`);
  }
});

test('no rendered body holds script, event handlers, styles or script URLs', () => {
  for (const article of corpus.articles) {
    const text = readFileSync(path.join(content.dir, article.source), 'utf8');
    const body = renderBody(parseArticle(text, article.source).body, { linkPrefix: '/base' });
    assert.deepEqual(dangers(body), [], article.source);
  }
  // The hostile text is still there, as text: nothing was dropped silently.
  const q990901 = corpus.files.find((f) => f.source === 'Q990901.md')!;
  assert.match(q990901.text, /<script>alert\('kbx-body'\)<\/script>/);
  assert.match(q990901.article!.title, /<script>alert\('kbx-title'\)<\/script>/);
  assert.match(q990901.article!.product ?? '', /onerror=alert\('kbx-product'\)/);
  assert.ok(q990901.article!.referenceTitles.some((r) => r.id === 'Q999901' && r.title.includes("<script>alert('kbx-cited')")));
});

test('the scanner reports what it does not follow, and never loops (both walks agree)', async () => {
  const scan = scanContent(content.dir);
  const background = await scanContentAsync(content.dir);
  assert.deepEqual(background.files, scan.files);
  const byFile = (a: { file: string }, b: { file: string }) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0);
  assert.deepEqual([...background.issues].sort(byFile), [...scan.issues].sort(byFile));
  const issues = new Map(scan.issues.map((i) => [i.file, i.kind]));
  assert.equal(issues.get('Q990941.md'), 'unreadable');
  assert.equal(issues.get('Q990949.md'), 'unreadable');
  assert.equal(issues.get('Q990942.md'), 'symlink-outside');
  assert.equal(issues.get('linked-outside'), 'symlink-outside');
  if (hasFifo) assert.equal(issues.get('Q990940.md'), 'unreadable');
  assert.ok(scan.files.includes('Q990948.md'), 'a link inside the content directory is followed');
  assert.ok(scan.files.includes('Q990944.md/Q990945.md'), 'a folder named like an article file is searched');
  assert.ok(!scan.files.some((f) => f.startsWith('linked-outside/')));
});
