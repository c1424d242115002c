/**
 * The search index step of a rebuild after one edit (issue 16, lib/search/build.ts `updateIndex`),
 * against the whole index build, in one run on one archive:
 *
 *   npx tsx bench/search-incremental.ts [--content DIR] [--copies N]
 *
 * 1. the whole build (with its state saved), 2. Q244717's first paragraph edited, 3. its title
 * edited, 4. a clean build (no state) of the edited archive, compared byte for byte with the
 * updated index. The edits are made in memory, as `kb build` would see them (the article's
 * text key, its file's mtime, changes); texts are read from the parse cache as in `kb build`
 * (run a build or scripts/build-search.ts on the archive first, so that the cache is warm).
 *
 * `--copies N`: the archive and N−1 renumbered copies of its articles in memory (numbers mapped as
 * bench/lib/synthetic.ts maps them, titles qualified, the same texts read from the parse cache):
 * an approximation of the synthetic N× archive without its parse cache (a cold parse of it takes hours
 * on a loaded machine). Only the first copy's Q244717 is edited.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { cliArgs } from '../lib/cli/args';
import { loadCorpus } from '../lib/content/corpus';
import { searchSources } from '../lib/build/search-index';
import { buildSearchIndex, type SearchIndexStats, type SearchSource } from '../lib/search/build';
import { corpusDir } from './lib/corpus';
import { mapNumber, planNumbers } from './lib/synthetic';
import { filesOf } from './lib/tree';

const { values } = cliArgs(process.argv.slice(2), {
  usage: 'usage: npx tsx bench/search-incremental.ts [--content DIR] [--copies N]',
  options: { content: { type: 'string' }, copies: { type: 'string' } },
  positionals: { max: 0 },
});

const load = (): string =>
  os
    .loadavg()
    .map((x) => x.toFixed(1))
    .join(' ');
const gib = (bytes: number): string => `${(bytes / 2 ** 30).toFixed(2)} GiB`;

async function main(): Promise<void> {
  const content = values.content ?? (await corpusDir());
  const work = mkdtempSync(path.join(os.tmpdir(), 'kbview-search-incr-bench-'));
  const outDir = path.join(work, 'search');
  const state = { dir: path.join(work, 'state'), key: 'bench' };
  console.log(`kbview search-incremental bench: ${content}; load average ${load()}`);
  const corpus = await loadCorpus(content);
  const { sources: originals, close } = await searchSources(corpus);
  const copies = Math.max(1, Number(values.copies ?? 1) || 1);
  const sources = originals.slice();
  if (copies > 1) {
    const plan = planNumbers(
      originals.flatMap((s) => (s.article ? [s.article.number] : [])),
      copies - 1,
    );
    for (let copy = 1; copy < copies; copy++) {
      for (const source of originals) {
        const a = source.article;
        if (!a) continue;
        const number = mapNumber(plan, copy, a.number);
        sources.push({ ...source, key: `${source.key ?? ''}#${copy}`, article: { ...a, id: `Q${number}`, number, title: `${a.title} (copy ${copy})` } });
      }
    }
    console.log(`  ${sources.length} articles in memory (${copies} copies)`);
  }
  const rows: string[] = [];
  const step = async (name: string, list: readonly SearchSource[], dir: string, withState: boolean): Promise<SearchIndexStats> => {
    const before = load();
    const cpu = process.cpuUsage();
    const stats = await buildSearchIndex(list, dir, {
      state: withState ? state : undefined,
      log: (l) => (l.includes('whole') || l.includes('steps') ? console.log(`  ${l}`) : undefined),
    });
    const how = stats.incremental
      ? `updated: ${stats.incremental.tokenized} re-tokenized, ${stats.incremental.terms} terms re-encoded, ${stats.incremental.rendered} records remade, ${stats.incremental.written} files written, ${stats.incremental.removed} removed`
      : `whole: ${stats.files} files`;
    const used = process.cpuUsage(cpu);
    const row = `| ${name} | ${(stats.ms / 1000).toFixed(2)} s | ${((used.user + used.system) / 1e6).toFixed(2)} s | ${how} | ${gib(process.resourceUsage().maxRSS * 1024)} | ${before} → ${load()} |`;
    console.log(row);
    rows.push(row);
    return stats;
  };
  try {
    const whole = await step('whole build, state saved', sources, outDir, true);
    const at = sources.findIndex((s) => s.article?.id === 'Q244717');
    if (at < 0) throw new Error('Q244717 is not in the archive');
    const original = sources[at]!;
    const readText = () => (typeof original.text === 'string' ? original.text : original.text());
    // The first paragraph (its first line of prose) gets a sentence with a new word and a known one.
    const bodyEdit: SearchSource = {
      ...original,
      // Its own text: not the cache's line of the original (where a worker thread of a whole build would read it).
      textAt: undefined,
      text: () => readText().replace(/\n(\S[^\n]{20,})/, '\n$1 This paragraph was edited: rasmanedit connections.'),
      key: `${original.key ?? ''}\0edit-1`,
    };
    if ((bodyEdit.text as () => string)() === readText()) throw new Error('the body edit changed nothing');
    const edited = sources.slice();
    edited[at] = bodyEdit;
    const body = await step('after a body edit (Q244717, first paragraph)', edited, outDir, true);
    // A title edit changes the file too (its mtime): a new text key.
    edited[at] = { ...bodyEdit, key: `${original.key ?? ''}\0edit-2`, article: { ...original.article!, title: `${original.article!.title} (Edited)` } };
    const title = await step('after a title edit (Q244717)', edited, outDir, true);
    const cleanDir = path.join(work, 'clean');
    const clean = await step('clean build of the edited archive (no state)', edited, cleanDir, false);
    const a = filesOf(outDir);
    const b = filesOf(cleanDir);
    const differing = [...b].filter(([name, bytes]) => !a.get(name)?.equals(bytes)).map(([name]) => name);
    const same = a.size === b.size && differing.length === 0;
    console.log(
      `\nupdated index ${same ? 'is' : 'IS NOT'} byte-identical to the clean build (${b.size} files${same ? '' : `; differing: ${differing.slice(0, 10).join(' ')}`})`,
    );
    console.log(
      `ratios to the whole build (wall): body edit ${(body.ms / whole.ms).toFixed(3)}, title edit ${(title.ms / whole.ms).toFixed(3)} (clean build ${(clean.ms / 1000).toFixed(1)} s)`,
    );
    console.log(
      ['\n| step | search index (wall) | CPU (user + sys) | what | peak RSS so far | load average |', '|---|---|---|---|---|---|', ...rows].join('\n'),
    );
    if (!same) process.exitCode = 1;
  } finally {
    close();
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
