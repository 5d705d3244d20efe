import { type ChildProcess, spawn } from 'node:child_process';
import { delimiter, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { dataPath } from '../data/table.js';
import { curveEvery } from '../engine/train/curve.js';
import { FAILURE_KINDS, isFailureKind } from '../ground/vocabulary.js';
import type { FileRef, Metrics, RunResult, RunSpec } from '../types.js';
import { runLimit } from './faults.js';

/**
 * Command tasks: one process per run, any language. The protocol (README, "Command tasks"):
 * - the process starts in the experiment file's folder with the resolved run config as JSON on
 *   stdin (one line, then end of input) and in the environment (COVSWEEP_CONFIG; the run id in
 *   COVSWEEP_RUN_ID);
 * - it writes JSON lines on stdout: `{"step": s, "loss": x}` as it trains, and last
 *   `{"outcome": "ok"|"singular"|"diverged"|"error", "step": s, "reason": "...", "metrics": {...}}`;
 *   lines that do not start with "{" are its own output and ignored;
 * - a process that exits without that line, exits non-zero, writes a "{" line that is not JSON or
 *   a final line that does not fit, ends as `error`; one past its time limit as `timeout`; both
 *   with the tail of its stderr in the reason. Its whole process group is killed when it ends.
 */

/** The value of a command run's `backend` (nothing of tfjs trains it). */
export const COMMAND_BACKEND = 'command';

/** The folder of the Python reference client, put on the children's PYTHONPATH. */
const PYTHON_CLIENT = fileURLToPath(new URL('../../python/', import.meta.url));

/** Characters of stderr kept for a failed run's reason. */
const STDERR_TAIL = 600;

const OUTCOMES = new Set(['ok', 'singular', 'diverged', 'error']);

export interface CommandOptions {
  /** Seconds the run may take besides its own `timeout` (the smaller applies); 0 = none. */
  timeout?: number;
  /** Aborted: the process is killed and the run has no result (`undefined`). */
  signal?: AbortSignal;
  /** The last step the process reported. */
  onProgress?: (step: number) => void;
}

/** Runs one command run to its result; `undefined` when `signal` stopped it first. */
export function runCommand(spec: RunSpec, o: CommandOptions = {}): Promise<RunResult | undefined> {
  const { config } = spec;
  const started = performance.now();
  const limit = runLimit(config, o.timeout);
  const steps = Number(config.task.steps);
  const every = curveEvery(config.record_every, steps);
  const curve: number[] = [];
  let loss = Number.NaN;
  let final: Record<string, unknown> | undefined;
  let broken: string | undefined;
  let stderr = '';
  let stdout = '';
  let lineNo = 0;

  const onLine = (line: string) => {
    lineNo++;
    if (!line.startsWith('{') || broken || final) return;
    let m: Record<string, unknown>;
    try {
      m = JSON.parse(line);
    } catch {
      broken = `stdout line ${lineNo} starts with "{" but is not JSON: ${line.slice(0, 80)}`;
      return;
    }
    if (m.outcome !== undefined) final = m;
    else if (Number.isInteger(m.step) && typeof m.loss === 'number') {
      const step = m.step as number;
      if (Number.isFinite(m.loss)) {
        loss = m.loss;
        if (step % every === 0) curve.push(m.loss);
      }
      o.onProgress?.(step);
    }
  };

  return new Promise((resolve) => {
    let child: ChildProcess;
    const [program, ...args] = config.task.command as string[];
    const script = config.task.script as FileRef | undefined;
    const source = spec.source ?? '.';
    try {
      child = spawn(
        program,
        // The script as resolved (in a run folder, its copy there), other arguments as written.
        args.map((a) => (script && a === script.file ? dataPath(source, a) : a)),
        {
          cwd: dirname(source),
          // Its own process group, so that killing it kills whatever it started too.
          detached: true,
          stdio: ['pipe', 'pipe', 'pipe'],
          env: {
            ...process.env,
            COVSWEEP_CONFIG: JSON.stringify(config),
            COVSWEEP_RUN_ID: spec.id,
            PYTHONPATH: [PYTHON_CLIENT, process.env.PYTHONPATH].filter(Boolean).join(delimiter),
          },
        },
      );
    } catch (err) {
      resolve(ended('error', `cannot start ${program}: ${(err as Error).message}`));
      return;
    }
    let timedOut = false;
    const kill = () => {
      try {
        if (child.pid) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    };
    const timer =
      limit > 0
        ? setTimeout(() => {
            timedOut = true;
            kill();
          }, limit * 1000)
        : undefined;
    const onAbort = () => kill();
    o.signal?.addEventListener('abort', onAbort, { once: true });
    child.stdin!.on('error', () => {}); // A process that never reads its input.
    child.stdin!.end(`${JSON.stringify(config)}\n`);
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      const lines = stdout.split('\n');
      stdout = lines.pop()!;
      for (const line of lines) onLine(line.trim());
    });
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-STDERR_TAIL);
    });
    let spawnError: Error | undefined;
    child.on('error', (err) => {
      spawnError = err;
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      o.signal?.removeEventListener('abort', onAbort);
      kill(); // Whatever it left running in its group.
      if (stdout.trim()) onLine(stdout.trim());
      const step = Number.isInteger(final?.step)
        ? (final!.step as number)
        : Math.max(0, curve.length - 1) * every;
      if (o.signal?.aborted) resolve(undefined);
      else if (spawnError) resolve(ended('error', `cannot start ${program}: ${spawnError.message}`));
      else if (timedOut) resolve(ended('timeout', `time limit of ${limit} s reached${tail()}`, step));
      else if (code !== 0)
        resolve(ended('error', `${program} exited with ${signal ?? `code ${code}`}${tail()}`, step));
      else if (broken) resolve(ended('error', `${broken}${tail()}`, step));
      else if (!final)
        resolve(ended('error', `${program} exited without a final {"outcome": ...} line${tail()}`, step));
      else resolve(fromFinal(final));
    });
  });

  function tail(): string {
    const text = stderr.trim();
    return text ? `; stderr: ...${text.split('\n').slice(-5).join(' | ')}` : '';
  }

  function ended(outcome: 'error' | 'timeout', reason: string, step = 0): RunResult {
    return { ...common(step, {}), outcome, reason, kind: outcome === 'timeout' ? 'timeout' : 'exception' };
  }

  function common(step: number, metrics: Metrics) {
    return {
      id: spec.id,
      config,
      step,
      loss,
      metrics,
      curve,
      seconds: (performance.now() - started) / 1000,
      backend: COMMAND_BACKEND,
    };
  }

  /** The process's own verdict, when it fits the protocol. */
  function fromFinal(m: Record<string, unknown>): RunResult {
    const misfit = finalMisfit(m);
    if (misfit) return ended('error', `its final line ${misfit}${tail()}`);
    if (typeof m.loss === 'number') loss = m.loss;
    const base = common(m.step as number, (m.metrics ?? {}) as Metrics);
    return m.outcome === 'ok'
      ? { ...base, outcome: 'ok' }
      : {
          ...base,
          outcome: m.outcome as 'singular' | 'diverged' | 'error',
          reason: String(m.reason),
          // The process may name the kind (`"kind": "cholesky"`); an error is an exception.
          kind: isFailureKind(m.kind) ? m.kind : m.outcome === 'error' ? 'exception' : 'unknown',
        };
  }
}

/** What is wrong with a final line, if anything. */
function finalMisfit(m: Record<string, unknown>): string | undefined {
  if (!OUTCOMES.has(m.outcome as string))
    return `has outcome ${JSON.stringify(m.outcome)}; expected "ok", "singular", "diverged" or "error"`;
  if (!Number.isInteger(m.step) || (m.step as number) < 0) return 'lacks "step", an integer >= 0';
  if (m.outcome !== 'ok' && typeof m.reason !== 'string')
    return `has outcome "${m.outcome}" but no "reason" string`;
  if (m.kind !== undefined && !isFailureKind(m.kind))
    return `has kind ${JSON.stringify(m.kind)}; expected one of ${FAILURE_KINDS.join(', ')}`;
  const metrics = m.metrics ?? {};
  if (
    typeof metrics !== 'object' ||
    Array.isArray(metrics) ||
    Object.values(metrics as object).some((v) => typeof v !== 'number')
  )
    return 'has "metrics" that is not a map of numbers';
  return undefined;
}
