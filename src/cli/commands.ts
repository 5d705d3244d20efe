/**
 * Every command's options, each with its description, default and group: the one table that both
 * parses the arguments (args.ts) and writes the help (help.ts). It imports nothing heavy, so
 * `covsweep help` and a mistyped flag answer without loading the engine.
 */

export interface OptionSpec {
  type: 'string' | 'boolean';
  multiple?: boolean;
  /** What the value is called in the help (`N`, `DIR`); string options only. */
  value?: string;
  description: string;
  /** What applies when the option is absent, as the help shows it (`default:`). */
  whenAbsent?: string;
  /** The help's heading this option is listed under. */
  group: string;
}

export interface CommandSpec {
  summary: string;
  /** The positional arguments, as the usage line shows them. */
  args: string;
  /** What each positional argument is, shown above the options. */
  argsHelp?: readonly string[];
  options: Readonly<Record<string, OptionSpec>>;
  examples: readonly string[];
}

const BACKEND = 'auto|native|tensorflow|wasm|cpu';

export const COMMAND_SPECS = {
  run: {
    summary: 'train every run of an experiment file and write result tables',
    args: 'FILE [SETTING=VALUE ...]',
    argsHelp: [
      'FILE             the experiment file (YAML)',
      'SETTING=VALUE    override a setting of the file, as in Hydra: lr.cov=1e-3, sweep.seed=5,',
      '                 task.epochs=2, sweep.parameterization=[full,tril]. A setting the file',
      '                 sweeps is pinned to the value. Checked like the file; recorded in the',
      "                 run folder's copy of the experiment.",
    ],
    options: {
      workers: {
        type: 'string',
        value: 'N',
        description: 'worker threads that train lane batches in parallel',
        whenAbsent: 'the number of cores',
        group: 'Execution',
      },
      backend: {
        type: 'string',
        value: BACKEND,
        description:
          'engine backend: native (fused native steps on tfjs cpu), or a TensorFlow.js backend; auto takes tensorflow when @tensorflow/tfjs-node is installed, else native or wasm/cpu per batch shape',
        whenAbsent: 'auto',
        group: 'Execution',
      },
      lanes: {
        type: 'string',
        value: 'N',
        description: 'at most N runs trained together as lanes of one batch',
        whenAbsent: 'chosen per dimension by the cost model',
        group: 'Execution',
      },
      timeout: {
        type: 'string',
        value: 'S',
        description: "seconds each run may take (on top of the file's timeout: the smaller applies)",
        whenAbsent: "the file's timeout, else none",
        group: 'Execution',
      },
      only: {
        type: 'string',
        value: 'ID,...',
        description: 'train only these run ids (from plan or results.csv)',
        whenAbsent: 'every run',
        group: 'Which runs',
      },
      shard: {
        type: 'string',
        value: 'i/n',
        description: 'train the i-th of n shards; combine them with covsweep merge',
        whenAbsent: 'every run',
        group: 'Which runs',
      },
      resume: {
        type: 'boolean',
        description:
          'continue the latest run folder (or RUN_DIR, given after FILE), training only the runs it lacks',
        whenAbsent: 'off: a new folder',
        group: 'Which runs',
      },
      force: {
        type: 'boolean',
        description: 'with --resume: continue even though the experiment file changed since',
        whenAbsent: 'off',
        group: 'Which runs',
      },
      out: {
        type: 'string',
        value: 'DIR',
        description: 'write the run folder under DIR/<experiment>/<start time>/',
        whenAbsent: 'runs',
        group: 'Output',
      },
    },
    examples: [
      'covsweep run experiments/lr-sweep.yaml --workers 2 > summary.md',
      'covsweep run experiments/smoke.yaml lr.cov=1e-3 sweep.seed=5',
    ],
  },
  plan: {
    summary: 'show how a sweep expands into runs and lane batches',
    args: 'FILE [SETTING=VALUE ...]',
    argsHelp: ['SETTING=VALUE    override a setting of the file, as for covsweep run'],
    options: {
      workers: {
        type: 'string',
        value: 'N',
        description: 'plan batches for N workers',
        whenAbsent: 'the number of cores',
        group: 'Options',
      },
      lanes: {
        type: 'string',
        value: 'N',
        description: 'at most N runs per lane batch',
        whenAbsent: 'chosen per dimension by the cost model',
        group: 'Options',
      },
    },
    examples: ['covsweep plan experiments/lr-sweep.yaml --workers 4'],
  },
  report: {
    summary: "rebuild a run folder's tables and report.html",
    args: 'RUN_DIR',
    options: {
      show: {
        type: 'string',
        multiple: true,
        value: 'ID',
        description: "also draw this run's learned Gaussians (repeat for several)",
        whenAbsent: 'one run per parameterization at its largest ok and smallest failed rate',
        group: 'Options',
      },
      only: {
        type: 'string',
        value: 'csv,tables,markdown,html',
        description: 'write only these reports',
        whenAbsent: 'all of them',
        group: 'Options',
      },
    },
    examples: ['covsweep report runs/lr-sweep/2026-12-04T10-00-00Z --only html'],
  },
  compare: {
    summary: 'compare a run with a baseline (exit 1 on regression)',
    args: 'BASELINE CURRENT',
    argsHelp: ['BASELINE, CURRENT  run folders, results.jsonl files, or folders holding one run folder'],
    options: {
      alpha: {
        type: 'string',
        value: 'A',
        description: "significance level of the failure-rate test (Fisher's exact)",
        whenAbsent: '0.05',
        group: 'Options',
      },
      strict: {
        type: 'boolean',
        description: 'also count any single run that went from ok to failed as a regression',
        whenAbsent: 'off',
        group: 'Options',
      },
      'allow-missing': {
        type: 'boolean',
        description:
          'compare what both sides have when the current side lacks runs of the baseline (an interrupted sweep)',
        whenAbsent: 'off: missing runs are exit 1',
        group: 'Options',
      },
      junit: {
        type: 'string',
        value: 'FILE',
        description: 'also write the comparison as JUnit XML',
        whenAbsent: 'none',
        group: 'Output',
      },
      json: {
        type: 'boolean',
        description: 'print JSON instead of Markdown',
        whenAbsent: 'Markdown',
        group: 'Output',
      },
    },
    examples: ['covsweep compare runs/baseline runs/lr-sweep/2026-12-04T10-00-00Z --junit compare.xml'],
  },
  merge: {
    summary: 'combine run folders of one experiment (its shards) into one, with tables over all',
    args: 'RUN_DIR...',
    options: {
      out: {
        type: 'string',
        value: 'DIR',
        description: 'the merged run folder (required)',
        group: 'Options',
      },
    },
    examples: ['covsweep merge shard-1/lr-sweep/* shard-2/lr-sweep/* --out merged'],
  },
  repro: {
    summary: 're-run one run alone and compare with its record; --trace writes its per-step trace',
    args: 'RUN_DIR|FILE ID',
    options: {
      trace: {
        type: 'string',
        value: 'FILE.csv',
        description: 'write the per-step trace (loss, smallest eigenvalue, condition number, ...)',
        whenAbsent: 'none',
        group: 'Options',
      },
      params: {
        type: 'boolean',
        description: 'with --trace: also every raw parameter at every step',
        whenAbsent: 'off',
        group: 'Options',
      },
      backend: {
        type: 'string',
        value: BACKEND,
        description: 'backend to re-run on',
        whenAbsent: 'the one the run was recorded with',
        group: 'Options',
      },
    },
    examples: ['covsweep repro runs/lr-sweep/2026-12-04T10-00-00Z 3f2a9c01 --trace trace.csv'],
  },
  bench: {
    summary: 'time the engine; write BENCHMARKS.md',
    args: '',
    options: {
      quick: {
        type: 'boolean',
        description: 'a small grid (d 2 and 8, 64 and 1024 lanes, native and wasm) in a few minutes',
        whenAbsent: 'off',
        group: 'Grid',
      },
      task: { type: 'string', value: 'T,..', description: 'tasks to time', whenAbsent: 'all', group: 'Grid' },
      parameterization: {
        type: 'string',
        value: 'P,..',
        description: 'parameterizations to time',
        whenAbsent: 'all',
        group: 'Grid',
      },
      dim: {
        type: 'string',
        value: 'D,..',
        description: 'dimensions (with --end-to-end: the speed experiments of these d)',
        whenAbsent: 'the full grid (--end-to-end: every speed experiment)',
        group: 'Grid',
      },
      lanes: {
        type: 'string',
        value: 'N,..',
        description: 'lane counts',
        whenAbsent: 'the full grid',
        group: 'Grid',
      },
      backend: {
        type: 'string',
        value: 'B,..',
        description:
          'backends (native, tensorflow, wasm, cpu); a combination without a native step skips native',
        whenAbsent: 'every available one',
        group: 'Grid',
      },
      full: {
        type: 'boolean',
        description: 'include the cells too large for the default grid (lanes x d x d above its budget)',
        whenAbsent: 'off',
        group: 'Grid',
      },
      time: {
        type: 'string',
        value: 'MS',
        description: 'milliseconds measured per cell',
        whenAbsent: '400 (150 with --quick)',
        group: 'Timing',
      },
      'cell-budget': {
        type: 'string',
        value: 'MS',
        description:
          "a cell's time budget: sampling stops when it is used, and a cell whose one step is predicted to exceed it is skipped",
        whenAbsent: '4000 (1500 with --quick)',
        group: 'Timing',
      },
      peer: {
        type: 'boolean',
        description:
          "also time each task's batched PyTorch peers at each d and lane count, in each parameterization of the grid and in full (mvn-classifier: ../shared/peers/torch_lanes.py for full, python/peers/torch_classifier.py for the others; score-matching: python/peers/torch_score_matching.py)",
        whenAbsent: 'off',
        group: 'Against PyTorch',
      },
      'end-to-end': {
        type: 'boolean',
        description:
          "instead of the grid, time what a user waits for: covsweep run of each speed-dD.yaml beside the peer script (d 2, 8, 16, 32) and in covsweep's python/peers (d 4, 64), against the peer on the same runs and steps",
        whenAbsent: 'off',
        group: 'Against PyTorch',
      },
      python: {
        type: 'string',
        value: 'PY',
        description: 'the Python that has torch',
        whenAbsent: '$COVSWEEP_PYTHON, else python3',
        group: 'Against PyTorch',
      },
      'peer-script': {
        type: 'string',
        value: 'FILE',
        description: "another copy of the classifier's peer script",
        whenAbsent: '$COVSWEEP_PEER, else ../shared/peers/torch_lanes.py',
        group: 'Against PyTorch',
      },
      repeat: {
        type: 'string',
        value: 'N',
        description: 'with --end-to-end: tries per experiment (the median is reported)',
        whenAbsent: '1',
        group: 'Against PyTorch',
      },
      threads: {
        type: 'string',
        value: 'N',
        description: 'with --end-to-end: threads (workers) each side may use',
        whenAbsent: '2',
        group: 'Against PyTorch',
      },
      out: {
        type: 'string',
        value: 'FILE',
        description: 'where to write the Markdown',
        whenAbsent: 'BENCHMARKS.md (--end-to-end: stdout only)',
        group: 'Output',
      },
    },
    examples: [
      'covsweep bench --quick --out /tmp/bench.md',
      'COVSWEEP_PYTHON=/usr/bin/python3 covsweep bench --end-to-end --repeat 3 --out e2e.md',
    ],
  },
  validate: {
    summary: 'check an experiment file (exit 0 valid, 2 invalid)',
    args: 'FILE [SETTING=VALUE ...]',
    argsHelp: ['SETTING=VALUE    override a setting of the file, as for covsweep run'],
    options: {},
    examples: ['covsweep validate experiments/lr-sweep.yaml'],
  },
} as const satisfies Record<string, CommandSpec>;

export type CommandName = keyof typeof COMMAND_SPECS;

export const COMMAND_NAMES = Object.keys(COMMAND_SPECS) as CommandName[];

/** `covsweep run FILE [options]`: the usage line, for messages. */
export function usage(name: CommandName): string {
  const spec: CommandSpec = COMMAND_SPECS[name];
  const options = Object.keys(spec.options).length ? ' [options]' : '';
  return `covsweep ${name}${spec.args ? ` ${spec.args}` : ''}${options}`;
}
