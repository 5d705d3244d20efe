/** Exit code of a sweep stopped by Ctrl-C or SIGTERM (128 + SIGINT, as shells report it). */
export const INTERRUPTED = 130;

/**
 * Ctrl-C and SIGTERM while a sweep runs. The first aborts `stop`: the pool
 * starts nothing new, lets running batches finish for a few seconds, and the
 * command writes what finished and says how to resume. The second exits at
 * once, the one place covsweep calls process.exit: waiting is what the user
 * refuses, and nothing is lost, as results.jsonl only ever receives whole
 * lines, written synchronously between signals.
 * Returns the function that removes the handlers.
 */
export function trapInterrupts(stop: AbortController, graceSeconds: number): () => void {
  const onSignal = (signal: NodeJS.Signals) => {
    if (!stop.signal.aborted) {
      process.stderr.write(
        `\ncovsweep: ${signal}: stopping; running batches get ${graceSeconds} s to finish (Ctrl-C again to exit now)\n`,
      );
      stop.abort();
      return;
    }
    process.stderr.write(`\ncovsweep: ${signal} again: exiting now; finished runs are in results.jsonl\n`);
    process.exit(INTERRUPTED);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return () => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  };
}
