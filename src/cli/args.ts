import { type ParseArgsConfig, parseArgs } from 'node:util';

type ParseArgsOptionsConfig = NonNullable<ParseArgsConfig['options']>;

import { CovsweepError } from '../ground/errors.js';

/** Parsed options: strings, or booleans for `type: 'boolean'` options. */
export type Values<O extends ParseArgsOptionsConfig> = {
  [K in keyof O]?: O[K]['type'] extends 'boolean' ? boolean : string;
};

/** node:util parseArgs with usage errors as CovsweepErrors (exit 2, one line). */
export function parse<O extends ParseArgsOptionsConfig>(
  argv: string[],
  options: O,
  usage: string,
): { values: Values<O>; positionals: string[] } {
  try {
    const { values, positionals } = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
    return { values: values as Values<O>, positionals };
  } catch (err) {
    throw new CovsweepError('E_USAGE', `${(err as Error).message}; usage: ${usage}`);
  }
}

/** A positive integer option, or undefined when absent. */
export function positiveInt(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1)
    throw new CovsweepError('E_USAGE', `--${name} must be a whole number >= 1, received "${v}"`);
  return n;
}

export function oneFile(positionals: string[], usage: string): string {
  if (positionals.length !== 1)
    throw new CovsweepError('E_USAGE', `expected one experiment file; usage: ${usage}`);
  return positionals[0];
}

/** A positive number option (seconds), or undefined when absent. */
export function positiveNumber(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!(n > 0) || !Number.isFinite(n))
    throw new CovsweepError('E_USAGE', `--${name} must be a number > 0, received "${v}"`);
  return n;
}
