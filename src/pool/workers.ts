import { availableParallelism } from 'node:os';

/**
 * Worker threads when none are asked for: one per available core. Apart from pool.ts so that
 * `plan` can say it without loading the pool (piscina).
 */
export const defaultWorkers = () => availableParallelism();

/**
 * Workers beyond this many per core only add memory (each loads its own engine, some hundred MB)
 * and contention: `--workers 1000` once took 14 GB.
 */
const WORKERS_PER_CORE = 2;

/** `asked` workers, at most WORKERS_PER_CORE per core; `note` says when it was lowered. */
export function capWorkers(asked: number): { workers: number; note?: string } {
  const most = WORKERS_PER_CORE * availableParallelism();
  if (asked <= most) return { workers: asked };
  return {
    workers: most,
    note: `--workers ${asked} is more than ${WORKERS_PER_CORE} per core; using ${most} (this machine has ${availableParallelism()} cores)`,
  };
}
