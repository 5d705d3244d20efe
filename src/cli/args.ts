import { parseArgs } from 'node:util';
import { isOverride, type Override, parseOverride } from '../config/overrides.js';
import { closest } from '../config/suggest.js';
import { CovsweepError } from '../ground/errors.js';
import { COMMAND_SPECS, type CommandName, type OptionSpec, usage } from './commands.js';

type Options<N extends CommandName> = (typeof COMMAND_SPECS)[N]['options'];

/** Parsed options: strings (lists for `multiple`), or booleans for `type: 'boolean'` options. */
export type Values<O> = {
  -readonly [K in keyof O]?: O[K] extends { type: 'boolean' }
    ? boolean
    : O[K] extends { multiple: true }
      ? string[]
      : string;
};

/**
 * A command's arguments, parsed against its table in commands.ts. Every mistake is a usage error
 * (exit 2) in our words, never node:util's: an unknown option gets the nearest known one, with the
 * same suggester that catches typos in experiment files.
 */
export function parse<N extends CommandName>(
  argv: string[],
  name: N,
): { values: Values<Options<N>>; positionals: string[] } {
  const options: Record<string, OptionSpec> = COMMAND_SPECS[name].options;
  const help = `run "covsweep help ${name}" for its options`;
  // Not strict: node's own messages never reach the user; the tokens are checked here instead.
  const { values, positionals, tokens } = parseArgs({
    args: argv,
    options: Object.fromEntries(
      Object.entries(options).map(([option, o]) => [option, { type: o.type, multiple: o.multiple ?? false }]),
    ),
    allowPositionals: true,
    strict: false,
    tokens: true,
  });
  for (const token of tokens) {
    if (token.kind !== 'option') continue;
    const spec = Object.hasOwn(options, token.name) ? options[token.name] : undefined;
    if (!spec) {
      const near = closest(token.name, Object.keys(options));
      const hint = near ? `did you mean --${near}? ` : '';
      throw new CovsweepError('E_USAGE', `${name}: unknown option ${token.rawName}; ${hint}${help}`);
    }
    if (spec.type === 'boolean' && token.value !== undefined)
      throw new CovsweepError('E_USAGE', `${token.rawName} takes no value, received "${token.value}"`);
    // Non-strict parsing takes `--workers --lanes 3`'s `--lanes` as the value; a number like -1 may be one.
    const missing =
      token.value === undefined ||
      (!token.inlineValue && token.value.startsWith('-') && Number.isNaN(Number(token.value)));
    if (spec.type === 'string' && missing)
      throw new CovsweepError(
        'E_USAGE',
        `${token.rawName} needs a value (${token.rawName} ${spec.value ?? 'VALUE'}); ${help}`,
      );
  }
  return { values: values as Values<Options<N>>, positionals };
}

/** The usage error for wrong positional arguments: what was expected and the usage line. */
export function usageError(name: CommandName, expected: string): CovsweepError {
  return new CovsweepError('E_USAGE', `${expected}; usage: ${usage(name)} (covsweep help ${name})`);
}

/** A positive integer option, or undefined when absent. */
export function positiveInt(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1)
    throw new CovsweepError('E_USAGE', `--${name} must be a whole number >= 1, received "${v}"`);
  return n;
}

export function oneFile(positionals: string[], name: CommandName): string {
  if (positionals.length !== 1) throw usageError(name, 'expected one experiment file');
  return positionals[0];
}

/** The experiment file and the SETTING=VALUE overrides after it (they may stand anywhere). */
export function fileAndOverrides(
  positionals: string[],
  name: CommandName,
): { file: string; overrides: Override[] } {
  const overrides = positionals.filter(isOverride).map(parseOverride);
  return {
    file: oneFile(
      positionals.filter((p) => !isOverride(p)),
      name,
    ),
    overrides,
  };
}

/** A positive number option (seconds), or undefined when absent. */
export function positiveNumber(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!(n > 0) || !Number.isFinite(n))
    throw new CovsweepError('E_USAGE', `--${name} must be a number > 0, received "${v}"`);
  return n;
}
