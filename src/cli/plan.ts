import { runDataBytes } from '../config/data-size.js';
import { loadSuiteWithPlugins } from '../config/load-plugins.js';
import { runSteps } from '../engine/tasks/specs.js';
import { maxRounds } from '../frontier/search.js';
import { formatValue } from '../ground/format.js';
import { runCount, settingAt, suiteRunCount } from '../plan/expand.js';
import { runOfGroup, sweepGroups } from '../plan/groups.js';
import { cutBatches } from '../plan/pack.js';
import { defaultWorkers } from '../pool/workers.js';
import { type Experiment, type FrontierSpec, isCommand } from '../types.js';
import { fileAndOverrides, parse, positiveInt } from './args.js';
import { usage } from './commands.js';

export const USAGE = usage('plan');

/** What a frontier search adds to the plan: each run of the sweep becomes a search of a few rounds. */
function frontierLines(f: FrontierSpec, searches: number): string[] {
  const rounds = maxRounds(f);
  return [
    `frontier: ${f.setting} from ${formatValue(f.min)} to ${formatValue(f.max)}, to a ratio of ${f.precision}, ${f.points} values a round`,
    `  each run above is a search: at most ${rounds} rounds of ${searches * f.points} runs (${rounds * searches * f.points} in all); the batches below hold one value per search`,
  ];
}

/** How a file's sweeps expand and pack into lane batches (each experiment's, then the total), without training anything. */
export async function plan(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, 'plan');
  const { file, overrides } = fileAndOverrides(positionals, 'plan');
  const suite = await loadSuiteWithPlugins(file, undefined, overrides);
  const workers = positiveInt('workers', values.workers) ?? defaultWorkers();
  const lanes = positiveInt('lanes', values.lanes);
  const parts = suite.experiments.map((e) => experimentPlan(e, workers, lanes));
  const sweeps = suite.experiments.filter((e) => !e.frontier);
  const searches = suite.experiments.filter((e) => e.frontier).reduce((n, e) => n + runCount(e), 0);
  const total =
    suite.experiments.length > 1
      ? [
          '',
          `total: ${suite.experiments.length} experiments, ${suiteRunCount(sweeps)} sweep runs (a run several plan counts once), ${searches} frontier searches`,
        ]
      : [];
  process.stdout.write(
    `${[...parts.flatMap((lines, i) => (i ? ['', ...lines] : lines)), ...total].join('\n')}\n`,
  );
  return 0;
}

/** The plan of one experiment, as lines. */
function experimentPlan(e: Experiment, workers: number, lanes: number | undefined): string[] {
  // By arithmetic on the axes: a million-run sweep is planned without making a million configs.
  const groups = sweepGroups(e, runSteps, runDataBytes);
  const batches = cutBatches(groups, { workers, lanes });
  const laneSteps = batches.reduce((n, b) => n + groups[b.group].steps * b.lanes, 0);
  const shown = [...e.axes.map((a) => a.path), ...e.space.depends.map((d) => d.path)];
  return [
    `${e.name}: ${runCount(e)} runs, ${batches.length} lane batches on ${workers} workers, ${laneSteps} run-steps`,
    ...(e.frontier ? frontierLines(e.frontier, runCount(e)) : []),
    '',
    'axes:',
    ...e.axes.map(
      (a) =>
        `  ${a.path}: ${a.values.length} values (${a.values.slice(0, 8).map(formatValue).join(', ')}${a.values.length > 8 ? ', ...' : ''})`,
    ),
    ...ruleEffects(e),
    '',
    'batches (largest first):',
    ...batches.slice(0, 20).map((b, i) => {
      const g = groups[b.group];
      const c = runOfGroup(e, g, b.start).config;
      // A command run is a process, whatever its parameterization and optimizer settings say.
      if (isCommand(c))
        return `  #${i}: 1 process x ${g.steps} steps  ${(c.task.command as string[]).join(' ')}`;
      return `  #${i}: ${b.lanes} lanes x ${g.steps} steps  ${c.task.name} ${c.parameterization} d=${c.dim} ${c.optimizer.name}`;
    }),
    ...(batches.length > 20 ? [`  ... ${batches.length - 20} more`] : []),
    '',
    'example runs:',
    ...Array.from({ length: Math.min(3, batches[0]?.lanes ?? 0) }, (_, k) =>
      runOfGroup(e, groups[batches[0].group], batches[0].start + k),
    ).map(
      (r) =>
        `  ${r.id}  ${shown.map((path) => `${path}=${formatValue(settingAt(r.config, path))}`).join(' ')}`,
    ),
  ];
}

/** The runs after each sweep rule, when there are rules: "exclude[0] ...: 54 -> 48 runs (-6)". */
function ruleEffects(e: Experiment): string[] {
  const [plain, ...rules] = e.space.effects;
  if (rules.length === 0) return [];
  const lines = [`  ${plain.rule}: ${plain.runs} runs`];
  let before = plain.runs;
  for (const { rule, runs } of rules) {
    const change = runs === before ? 'no change' : `${runs > before ? '+' : ''}${runs - before}`;
    lines.push(`  ${rule}: ${before} -> ${runs} runs (${change})`);
    before = runs;
  }
  return ['', 'rules:', ...lines];
}
