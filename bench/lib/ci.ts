/**
 * What changes when the tests run under CI (`CI=true`, as `.ci/run` and CI
 * services set it):
 *
 * - a missing requirement (the corpus, nginx) fails the tests that need it
 *   instead of skipping them: CI must never pass by running less;
 * - `UPDATE_FIXTURES=1`, which rewrites expected outputs, is refused;
 * - cases that cannot run on this machine (as root, a file without read
 *   permission is readable) are skipped, visibly, as on any machine.
 *
 *   test('needs nginx', { skip: skipUnlessCI(nginxMissingMessage() ?? false) }, () => {
 *     requireUnderCI(nginxMissingMessage()); // under CI: fails with the reason
 *   });
 */

/** `CI` set to `true` or `1` (any case). */
export function underCI(env: Record<string, string | undefined> = process.env): boolean {
  return /^(true|1)$/i.test(env['CI'] ?? '');
}

/**
 * For `test(name, { skip })` when a requirement is missing: the reason outside
 * CI (the test is skipped and says why), `false` under CI (the test runs, and
 * fails where it needs the missing thing: call `requireUnderCI` first).
 */
export function skipUnlessCI(reason: string | false | null | undefined): string | false {
  if (!reason) return false;
  return underCI() ? false : reason;
}

/** Throws (failing the test) with `reason` when it is set: a requirement missing under CI. */
export function requireUnderCI(reason: string | false | null | undefined): void {
  if (reason) throw new Error(`CI=true and a requirement of this test is missing, so it fails instead of being skipped: ${reason}`);
}

/**
 * Whether to rewrite expected outputs (`UPDATE_FIXTURES=1`). Throws under CI:
 * a CI run rewriting its own expectations would pass whatever the code does.
 */
export function updateFixtures(env: Record<string, string | undefined> = process.env): boolean {
  if (env['UPDATE_FIXTURES'] !== '1') return false;
  if (underCI(env)) throw new Error('UPDATE_FIXTURES=1 is refused under CI (CI=true): expected outputs are rewritten by a person, who then reviews them');
  return true;
}
