import { CovsweepError } from '../ground/errors.js';
import * as benchCommand from './bench.js';
import * as compareCommand from './compare.js';
import * as mergeCommand from './merge.js';
import * as planCommand from './plan.js';
import * as reportCommand from './report.js';
import * as reproCommand from './repro.js';
import * as runCommand from './run.js';
import * as validateCommand from './validate.js';
import { VERSION } from './version.js';

interface Command {
  run: (argv: string[]) => Promise<number>;
  usage: string;
  help: string;
}

const COMMANDS: Record<string, Command> = {
  run: {
    run: runCommand.run,
    usage: runCommand.USAGE,
    help: 'train every run of an experiment file and write result tables',
  },
  plan: {
    run: planCommand.plan,
    usage: planCommand.USAGE,
    help: 'show how a sweep expands into runs and lane batches',
  },
  report: {
    run: reportCommand.report,
    usage: reportCommand.USAGE,
    help: "rebuild a run folder's tables and report.html",
  },
  compare: {
    run: compareCommand.compare,
    usage: compareCommand.USAGE,
    help: 'compare a run with a baseline (exit 1 on regression)',
  },
  merge: {
    run: mergeCommand.merge,
    usage: mergeCommand.USAGE,
    help: 'combine run folders of one experiment (its shards) into one, with tables over all',
  },
  repro: {
    run: reproCommand.repro,
    usage: reproCommand.USAGE,
    help: 're-run one run alone and compare with its record; --trace writes its per-step trace',
  },
  bench: { run: benchCommand.bench, usage: benchCommand.USAGE, help: 'time the engine; write BENCHMARKS.md' },
  validate: {
    run: validateCommand.validate,
    usage: validateCommand.USAGE,
    help: 'check an experiment file (exit 0 valid, 2 invalid)',
  },
};

const HELP = `covsweep ${VERSION}: numerical-stability sweeps for learning a Gaussian's covariance

usage: covsweep <command> [options]

${Object.entries(COMMANDS)
  .map(([name, c]) => `  ${name.padEnd(10)} ${c.help}`)
  .join('\n')}

Run "covsweep <command> --help" for a command's options.`;

/**
 * The CLI: dispatch, and the one place errors are caught and turned into
 * messages and exit codes (2 bad input, 1 anything else). Library code never
 * exits the process.
 */
export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(`${HELP}\n`);
    return name ? 0 : 2;
  }
  if (name === '--version' || name === '-v') {
    process.stdout.write(`${VERSION}\n`);
    return 0;
  }
  const command = COMMANDS[name];
  if (!command) {
    process.stderr.write(
      `covsweep: unknown command "${name}"; commands: ${Object.keys(COMMANDS).join(', ')}\n`,
    );
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(`usage: ${command.usage}\n${command.help}\n`);
    return 0;
  }
  try {
    return await command.run(rest);
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
