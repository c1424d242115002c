// @ts-check
/**
 * A node:test reporter (`--test-reporter`, beside node's own; see
 * scripts/test.ts) that fails a run in which no test was executed: every test
 * skipped or filtered out (`--test-name-pattern`), or no test registered.
 * Node 20's summary counts a test file that registers no test as one passing
 * test, so such files are caught here too, and named. Its lines go to stderr,
 * so that node's own summary stays the last lines on stdout.
 *
 * The check runs when node's summary starts (its `tests N` line), not at the
 * end of the stream: with `--test-force-exit` node exits as soon as its
 * stream closes, before reporters finish (on Node 20 the last summary line,
 * `duration_ms`, is often cut off that way).
 *
 * Plain JavaScript: node loads reporters before `--import tsx` applies.
 *
 * @param {AsyncIterable<import('node:test/reporters').TestEvent>} source
 * @returns {AsyncGenerator<string>}
 */
export default async function* requireTests(source) {
  let executed = 0;
  /** @type {string[]} */
  const emptyFiles = [];
  let checked = false;
  const check = () => {
    checked = true;
    /** @type {string[]} */
    const problems = [];
    if (emptyFiles.length > 0) problems.push(`test file(s) that ran no test: ${emptyFiles.join(', ')}`);
    if (executed === 0) problems.push('no test was executed (all skipped or filtered out, or none found)');
    if (problems.length > 0) process.exitCode = 1;
    return problems.map((problem) => `kbview test: FAILED: ${problem}\n`).join('');
  };
  for await (const event of source) {
    if (event.type === 'test:fail') executed++;
    if (event.type === 'test:diagnostic' && event.data.nesting === 0 && /^tests \d+$/.test(event.data.message) && !checked) yield check();
    if (event.type !== 'test:pass') continue;
    const data = /** @type {{ name: string; nesting: number; file?: string; skip?: unknown; todo?: unknown; details: { type?: string } }} */ (event.data);
    if (data.skip !== undefined || data.todo !== undefined || data.details.type === 'suite') continue;
    // Node 20 reports a file that ran no test as a passing test named by its path.
    if (data.nesting === 0 && data.file !== undefined && data.name === data.file) emptyFiles.push(data.file);
    else executed++;
  }
  if (!checked) yield check();
}
