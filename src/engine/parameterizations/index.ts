import { full } from './full.js';
import { logCholesky } from './log-cholesky.js';
import { tril } from './tril.js';
import type { Parameterization } from './types.js';

export type { Parameterization } from './types.js';

/** Every parameterization by name. Adding one: a file beside this one and a line here. */
export const parameterizations: ReadonlyMap<string, Parameterization> = new Map(
  [full, tril, logCholesky].map((p) => [p.name, p]),
);

export function parameterization(name: string): Parameterization {
  const p = parameterizations.get(name);
  if (!p) throw new RangeError(`unknown parameterization "${name}"`);
  return p;
}
