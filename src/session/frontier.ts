import { byId, replay } from '../frontier/replay.js';
import type { FrontierExperiment } from '../frontier/summary.js';
import { onceEach } from '../plan/expand.js';
import type { RunResult, RunSpec } from '../types.js';

/** Trains runs (packed into lane batches on the pool) and returns how many were left unfinished (a stop). */
export type Train = (runs: RunSpec[]) => Promise<number>;

/**
 * Runs every search of the experiments `es` (a file's frontier documents) round by round. Each
 * round replays the searches against `results` (the runs recorded so far, which `train` adds to)
 * and trains the values they want next, every search's of every experiment together, as lane
 * batches like any sweep: a search of R rounds costs R rounds of batches whatever the number of
 * searches. `onRound` hears each round before it trains. Returns
 * the runs left unfinished when the session was stopped, else 0.
 */
export async function searchFrontier(
  es: readonly FrontierExperiment[],
  results: readonly RunResult[],
  train: Train,
  onRound?: (round: number, runs: number, open: number) => void,
): Promise<number> {
  for (let round = 1; ; round++) {
    const known = byId(results);
    const states = es.map((e) => replay(e, known));
    const wanted = onceEach(states.flatMap((s) => s.wanted));
    if (!wanted.length) return 0;
    const open = states.reduce((n, s) => n + s.searches.filter((x) => !x.done).length, 0);
    onRound?.(round, wanted.length, open);
    const unfinished = await train(wanted);
    if (unfinished) return unfinished;
    // Every run gets a result (a failed batch's runs are retried, then recorded as error), so a
    // run still unknown here would make the next round ask for it forever.
    const after = byId(results);
    const lost = wanted.find((r) => !after.has(r.id));
    if (lost) throw new Error(`frontier round ${round}: run ${lost.id} was trained but has no result`);
  }
}
