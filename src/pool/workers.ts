import { availableParallelism } from 'node:os';

/**
 * Worker threads when none are asked for: one per available core. Apart from pool.ts so that
 * `plan` can say it without loading the pool (piscina).
 */
export const defaultWorkers = () => availableParallelism();
