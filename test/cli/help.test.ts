import { describe, expect, it } from 'vitest';
import { COMMAND_NAMES, COMMAND_SPECS } from '../../src/cli/commands.js';
import { commandHelp } from '../../src/cli/help.js';
import { covsweepAsync } from './cli.js';

describe('help', () => {
  it('covsweep help lists every command and how to read more', async () => {
    const r = await covsweepAsync(['help']);
    expect(r.code).toBe(0);
    for (const name of COMMAND_NAMES) expect(r.stdout).toContain(`\n  ${name} `);
    expect(r.stdout).toContain('covsweep help <command>');
    expect(r.stdout).toMatch(/Example:\n {2}covsweep /);
  });

  it.each(COMMAND_NAMES)(
    'help %s lists every option with its description and default, grouped, with an example',
    (name) => {
      const text = commandHelp(name);
      expect(text).toMatch(new RegExp(`^usage: covsweep ${name}`));
      for (const [option, spec] of Object.entries(COMMAND_SPECS[name].options)) {
        const at = text.indexOf(`  --${option}`);
        expect(at, `--${option}`).toBeGreaterThan(0);
        const next = text.indexOf('\n  --', at + 1);
        const entry = text.slice(at, next === -1 ? undefined : next).replace(/\s+/g, ' ');
        expect(entry).toContain(spec.description);
        if ('whenAbsent' in spec) expect(entry).toContain(`default: ${spec.whenAbsent}`);
        // The heading above the option is its group's.
        const heading = text.slice(0, at).match(/\n\n([^\n]+):\n(?![\s\S]*\n\n[^\n]+:\n)/);
        expect(heading?.[1]).toBe(spec.group);
      }
      expect(text).toMatch(/\nExamples?:\n {2}covsweep /);
    },
  );

  it('run --help and help run print the run help, exit 0', async () => {
    const [a, b] = await Promise.all([covsweepAsync(['run', '--help']), covsweepAsync(['help', 'run'])]);
    expect(a.stdout).toBe(`${commandHelp('run')}\n`);
    expect(b.stdout).toBe(a.stdout);
    expect([a.code, b.code]).toEqual([0, 0]);
  });
});

describe('mistakes get a suggestion, in our words, exit 2', () => {
  it('an unknown option: --worker -> --workers', async () => {
    const r = await covsweepAsync(['run', 'experiments/smoke.yaml', '--worker', '2']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      'covsweep: run: unknown option --worker; did you mean --workers? run "covsweep help run" for its options\n',
    );
  });

  it('an unknown command: rn -> run, also after help', async () => {
    const r = await covsweepAsync(['rn', 'experiments/smoke.yaml']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^covsweep: unknown command "rn"; did you mean "run"\? commands: run, plan, /);
    const h = await covsweepAsync(['help', 'reprot']);
    expect(h.code).toBe(2);
    expect(h.stderr).toContain('did you mean "report"?');
  });

  it('an option without its value, and a flag given one: never node:util text', async () => {
    const cases = [
      [['run', 'experiments/smoke.yaml', '--workers'], '--workers needs a value (--workers N)'],
      [['run', 'experiments/smoke.yaml', '--workers', '--lanes', '4'], '--workers needs a value'],
      [['run', 'experiments/smoke.yaml', '--resume=yes'], '--resume takes no value, received "yes"'],
    ] as const;
    for (const [args, message] of cases) {
      const r = await covsweepAsync([...args]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(message);
      expect(r.stderr).not.toMatch(/ERR_PARSE_ARGS|Unknown option|argument is ambiguous|TypeError/);
    }
  });

  it('a missing experiment file and a missing run folder are both usage errors: exit 2', async () => {
    const file = await covsweepAsync(['run', 'no/such.yaml']);
    expect(file.code).toBe(2);
    expect(file.stderr).toBe(
      'covsweep: no/such.yaml: cannot read the experiment file: no such file (ENOENT); give the path of a YAML file\n',
    );
    const folder = await covsweepAsync(['report', 'no/such/folder']);
    expect(folder.code).toBe(2);
    expect(folder.stderr).toBe('covsweep: no/such/folder: no such run folder\n');
  });
});
