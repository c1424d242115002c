/**
 * The parser against the real corpus: a deterministic sample of 3,000
 * articles (every 20th file in path order) gets the checks of
 * scripts/corpus-report.ts (header fields re-read independently, file tables).
 * Skipped, with the reason, when the corpus is not available.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArticle } from '../lib/markdown/index';
import { scanContent } from '../lib/content/scan';
import { FIELDS, MIN_AGREEMENT, addToReport, emptyReport, formatReport, percent } from '../scripts/corpus-report';
import { corpusDir, corpusSkipReason } from '../bench/lib/corpus';

const SAMPLE = 3000;
const STEP = 20;

test('a sample of the corpus parses in agreement with its header lines and tables', async (t) => {
  const reason = corpusSkipReason();
  if (reason) {
    t.skip(reason);
    return;
  }
  const dir = await corpusDir();
  const files = scanContent(dir)
    .files.filter((_, i) => i % STEP === 0)
    .slice(0, SAMPLE);
  assert.equal(files.length, SAMPLE, `the corpus in ${dir} has ${files.length * STEP} files or fewer`);

  const report = emptyReport();
  for (const source of files) {
    const text = readFileSync(path.join(dir, source), 'utf8');
    const { article, diagnostics } = parseArticle(text, source);
    addToReport(report, source, text, article, diagnostics);
  }
  t.diagnostic(formatReport(report, 10).split('\n').join(' | '));

  assert.equal(report.articles, SAMPLE, 'every sampled file gives an article');
  for (const field of FIELDS) {
    const { agreed, checked } = report.fields[field];
    assert.ok(checked >= SAMPLE * 0.99, `${field} is checked in ${checked} files`);
    const failures = report.fieldFailures.filter((f) => f.field === field).slice(0, 5);
    assert.ok(percent(agreed, checked) >= MIN_AGREEMENT, `${field}: ${agreed}/${checked} agree (< ${MIN_AGREEMENT}%): ${JSON.stringify(failures)}`);
  }
  assert.ok(report.tables > 0, 'the sample holds articles with file tables');
  assert.deepEqual(report.tableFailures, [], 'every sampled article with a file-table header gets rows');
});
