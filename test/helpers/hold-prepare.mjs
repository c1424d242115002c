/**
 * Loaded with `node --import` into a `kb build` by test/incremental.test.ts (startBuild's `holdPrepare`): the
 * build's `kb prepare` step never tells the build that its search index is complete, and once its work is done it
 * announces it and stays alive until it is killed. A build made from the previous site swaps the new site in once
 * the search index is complete (lib/build/build.ts), so a build interrupted while prepare is held is interrupted
 * before the swap, however slow the machine: the interrupt point is deterministic.
 */
if (process.argv[2] === 'prepare') {
  const send = process.send?.bind(process);
  if (send) {
    process.send = (message, ...rest) => (typeof message === 'object' && message !== null && Object.hasOwn(message, 'search') ? true : send(message, ...rest));
  }
  let held = false;
  process.on('beforeExit', () => {
    if (held) return;
    held = true;
    process.stderr.write('test: kb prepare finished and held until killed\n');
    // At most ten minutes, and not past the build (its IPC channel closes when it exits, even when killed outright).
    setTimeout(() => {}, 10 * 60_000);
    process.on('disconnect', () => process.exit(1));
  });
}
