import { VERSION } from '../ground/version.js';
import { COMMAND_NAMES, COMMAND_SPECS, type CommandName, type CommandSpec, usage } from './commands.js';

/** `covsweep help`: every command with what it does, then where to read more. */
export function overviewHelp(): string {
  const width = Math.max(...COMMAND_NAMES.map((n) => n.length)) + 2;
  return [
    `covsweep ${VERSION}: numerical-stability sweeps for learning a Gaussian's covariance`,
    '',
    'usage: covsweep <command> [arguments] [options]',
    '',
    'Commands:',
    ...COMMAND_NAMES.map((n) => `  ${n.padEnd(width)}${COMMAND_SPECS[n].summary}`),
    '',
    'Options of every command:',
    "  -h, --help    show the command's arguments, options and defaults",
    '  -v, --version print the version (without a command)',
    '',
    'Example:',
    '  covsweep validate experiments/smoke.yaml && covsweep run experiments/smoke.yaml > summary.md',
    '',
    'Run "covsweep help <command>" (or "covsweep <command> --help") for its options.',
    'Exit codes: 0 done, 1 failed (a regression, a repro mismatch, I/O), 2 bad input or usage, 130 interrupted.',
  ].join('\n');
}

/** `covsweep help run`: the usage line, the arguments, every option by group with its default, examples. */
export function commandHelp(name: CommandName): string {
  const spec: CommandSpec = COMMAND_SPECS[name];
  const flags = Object.entries(spec.options).map(([option, o]) => ({
    flag: `--${option}${o.type === 'string' ? ` ${o.value ?? 'VALUE'}` : ''}`,
    o,
  }));
  const width = Math.min(24, Math.max(0, ...flags.map((f) => f.flag.length)) + 2);
  const groups = [...new Set(flags.map((f) => f.o.group))];
  const lines = [`usage: ${usage(name)}`, '', spec.summary];
  if (spec.argsHelp) lines.push('', 'Arguments:', ...spec.argsHelp.map((l) => `  ${l}`));
  for (const group of groups) {
    lines.push('', `${group}:`);
    for (const { flag, o } of flags.filter((f) => f.o.group === group)) {
      const repeat = o.multiple ? ' (repeatable)' : '';
      const indent = ' '.repeat(width + 2);
      const text = wrap(`${o.description}${repeat}`, COLUMNS - indent.length);
      if (o.whenAbsent !== undefined) text.push(...wrap(`default: ${o.whenAbsent}`, COLUMNS - indent.length));
      const first =
        flag.length + 2 > width
          ? [`  ${flag}`, `${indent}${text[0]}`]
          : [`  ${flag.padEnd(width)}${text[0]}`];
      lines.push(...first, ...text.slice(1).map((t) => `${indent}${t}`));
    }
  }
  lines.push('', `Example${spec.examples.length > 1 ? 's' : ''}:`, ...spec.examples.map((e) => `  ${e}`));
  return lines.join('\n');
}

/** Help lines stay within a classic terminal's width. */
const COLUMNS = 100;

/** Words into lines of at most `width` characters (a longer word gets a line of its own). */
function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  return [...lines, line];
}
