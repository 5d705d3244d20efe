import { CovsweepError } from '../ground/errors.js';
import { VERSION } from '../ground/version.js';

interface Command {
  /**
   * The command's module, imported when it is asked for: what `run`, `bench` and `repro` import
   * (tfjs, its backends) takes longer to load than `validate` or `plan` take to do their work.
   */
  load: () => Promise<{ run: (argv: string[]) => Promise<number>; usage: string }>;
  help: string;
}

const COMMANDS: Record<string, Command> = {
  run: {
    load: () => import('./run.js').then((m) => ({ run: m.run, usage: m.USAGE })),
    help: 'train every run of an experiment file and write result tables',
  },
  plan: {
    load: () => import('./plan.js').then((m) => ({ run: m.plan, usage: m.USAGE })),
    help: 'show how a sweep expands into runs and lane batches',
  },
  report: {
    load: () => import('./report.js').then((m) => ({ run: m.report, usage: m.USAGE })),
    help: "rebuild a run folder's tables and report.html",
  },
  compare: {
    load: () => import('./compare.js').then((m) => ({ run: m.compare, usage: m.USAGE })),
    help: 'compare a run with a baseline (exit 1 on regression)',
  },
  merge: {
    load: () => import('./merge.js').then((m) => ({ run: m.merge, usage: m.USAGE })),
    help: 'combine run folders of one experiment (its shards) into one, with tables over all',
  },
  repro: {
    load: () => import('./repro.js').then((m) => ({ run: m.repro, usage: m.USAGE })),
    help: 're-run one run alone and compare with its record; --trace writes its per-step trace',
  },
  bench: {
    load: () => import('./bench.js').then((m) => ({ run: m.bench, usage: m.USAGE })),
    help: 'time the engine; write BENCHMARKS.md',
  },
  validate: {
    load: () => import('./validate.js').then((m) => ({ run: m.validate, usage: m.USAGE })),
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
  try {
    const loaded = await command.load();
    if (rest.includes('--help') || rest.includes('-h')) {
      process.stdout.write(`usage: ${loaded.usage}\n${command.help}\n`);
      return 0;
    }
    return await loaded.run(rest);
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
