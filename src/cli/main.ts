import { closest } from '../config/suggest.js';
import { CovsweepError } from '../ground/errors.js';
import { VERSION } from '../ground/version.js';
import { COMMAND_NAMES, type CommandName } from './commands.js';
import { commandHelp, overviewHelp } from './help.js';

type Run = (argv: string[]) => Promise<number>;

/**
 * What each command runs, imported when it is asked for: what `run`, `bench` and `repro` import
 * (tfjs, its backends) takes longer to load than `validate` or `plan` take to do their work. Usage,
 * options and help live in commands.ts, which imports nothing heavy.
 */
const COMMANDS: Record<CommandName, () => Promise<Run>> = {
  run: () => import('./run.js').then((m) => m.run),
  plan: () => import('./plan.js').then((m) => m.plan),
  report: () => import('./report.js').then((m) => m.report),
  compare: () => import('./compare.js').then((m) => m.compare),
  merge: () => import('./merge.js').then((m) => m.merge),
  repro: () => import('./repro.js').then((m) => m.repro),
  bench: () => import('./bench.js').then((m) => m.bench),
  validate: () => import('./validate.js').then((m) => m.validate),
};

/** `unknown command "rn"; did you mean "run"?`, as a usage error. */
function unknownCommand(name: string): CovsweepError {
  const near = closest(name, COMMAND_NAMES);
  const hint = near ? `did you mean "${near}"? ` : '';
  return new CovsweepError(
    'E_USAGE',
    `unknown command "${name}"; ${hint}commands: ${COMMAND_NAMES.join(', ')} (covsweep help lists them)`,
  );
}

const isCommand = (name: string): name is CommandName => Object.hasOwn(COMMANDS, name);

/**
 * The CLI: dispatch, and the one place errors are caught and turned into
 * messages and exit codes (2 bad input, 1 anything else). Library code never
 * exits the process.
 */
export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  try {
    if (!name || name === '--help' || name === '-h' || name === 'help') {
      const topic = name === 'help' ? rest[0] : undefined;
      if (topic !== undefined && !isCommand(topic)) throw unknownCommand(topic);
      process.stdout.write(`${topic ? commandHelp(topic) : overviewHelp()}\n`);
      return name ? 0 : 2;
    }
    if (name === '--version' || name === '-v') {
      process.stdout.write(`${VERSION}\n`);
      return 0;
    }
    if (!isCommand(name)) throw unknownCommand(name);
    // Before `--`, help wins over everything else on the line, mistakes included.
    const options = rest.includes('--') ? rest.slice(0, rest.indexOf('--')) : rest;
    if (options.includes('--help') || options.includes('-h')) {
      process.stdout.write(`${commandHelp(name)}\n`);
      return 0;
    }
    return await (await COMMANDS[name]())(rest);
  } catch (err) {
    if (err instanceof CovsweepError) {
      const lines = err.problems?.length ? err.problems : [err.message];
      process.stderr.write(`${lines.map((l) => `covsweep: ${l}`).join('\n')}\n`);
      return err.code === 'E_IO' ? 1 : 2;
    }
    process.stderr.write(`covsweep: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    return 1;
  }
}
