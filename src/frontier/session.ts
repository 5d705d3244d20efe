import type { Experiment, FrontierSpec, RunResult, RunSpec } from '../types.js';
import { byId, replay } from './replay.js';

/** Trains runs (packed into lane batches on the pool) and returns how many were left unfinished (a stop). */
export type Train = (runs: RunSpec[]) => Promise<number>;

/**
 * Runs every search of `e` round by round. Each round replays the searches against `results` (the
 * runs recorded so far, which `train` adds to) and trains the values they want next, every
 * search's together, as lane batches like any sweep: a search of R rounds costs R rounds of
 * batches whatever the number of searches. `onRound` hears each round before it trains. Returns
 * the runs left unfinished when the session was stopped, else 0.
 */
export async function searchFrontier(
  e: Experiment & { frontier: FrontierSpec },
  results: readonly RunResult[],
  train: Train,
  onRound?: (round: number, runs: number, open: number) => void,
): Promise<number> {
  for (let round = 1; ; round++) {
    const { searches, wanted } = replay(e, byId(results));
    if (!wanted.length) return 0;
    onRound?.(round, wanted.length, searches.filter((s) => !s.done).length);
    const unfinished = await train(wanted);
    if (unfinished) return unfinished;
    // Every run gets a result (a failed batch's runs are retried, then recorded as error), so a
    // run still unknown here would make the next round ask for it forever.
    const known = byId(results);
    const lost = wanted.find((r) => !known.has(r.id));
    if (lost) throw new Error(`frontier round ${round}: run ${lost.id} was trained but has no result`);
  }
}
