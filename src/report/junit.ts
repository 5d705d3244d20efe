import type { Comparison } from '../results/compare.js';
import type { RunResult } from '../types.js';
import { ending } from './compare-markdown.js';

/**
 * Characters XML 1.0 cannot hold even escaped (control characters but tab and newlines, lone
 * surrogates, U+FFFE/U+FFFF): an error message that carries one would make the file unreadable.
 */
const NOT_XML =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching them is the point
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

const xml = (s: unknown) =>
  String(s)
    .replace(NOT_XML, '')
    .replace(
      /[&<>"']/g,
      (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!,
    );

/** CI viewers read the classname's dots as packages (`tril · lr.cov 0` / `001`): none, then. */
const classname = (configuration: string) => configuration.replaceAll('.', '_');

/**
 * The comparison as JUnit XML, one testcase per run, so CI systems list runs natively. A run that
 * went from ok to failed is a failure (carrying its outcome, step and reason); a run that failed
 * in the baseline too is skipped as an expected failure (pytest reports xfail the same way), as
 * are runs on one side only; every other run passes.
 */
export function comparisonJunit(
  c: Comparison,
  baseline: readonly RunResult[],
  current: readonly RunResult[],
) {
  const before = new Map(baseline.map((r) => [r.id, r]));
  const regressed = new Set(c.runs.regressed.map((x) => x.id));
  const cases: string[] = [];
  let failures = 0;
  let skipped = 0;
  const testcase = (r: RunResult, body: string) =>
    `    <testcase classname="${xml(classname(c.configurationOf(r.config)))}" name="seed ${r.config.seed} (${r.id})" time="${r.seconds.toFixed(3)}">${body}</testcase>`;
  for (const r of current) {
    const b = before.get(r.id);
    let body = '';
    if (r.outcome !== 'ok' && regressed.has(r.id)) {
      failures++;
      body = `\n      <failure type="${r.outcome}" message="${xml(`ok in the baseline, now ${r.outcome} at step ${r.step}: ${r.reason}`)}">${xml(
        `outcome: ${r.outcome}\nstep: ${r.step}\nreason: ${r.reason}\nbaseline: ok at step ${b!.step}`,
      )}</failure>\n    `;
    } else if (r.outcome !== 'ok') {
      skipped++;
      const why = b ? `failed in the baseline too (${ending(b)})` : 'not in the baseline';
      body = `<skipped message="${xml(`${ending(r)}; ${why}`)}"/>`;
    }
    cases.push(testcase(r, body));
  }
  const now = new Set(current.map((r) => r.id));
  for (const r of baseline.filter((x) => !now.has(x.id))) {
    skipped++;
    cases.push(
      testcase(r, `<skipped message="${xml(`not in the current results; baseline: ${ending(r)}`)}"/>`),
    );
  }
  const totals = `tests="${cases.length}" failures="${failures}" errors="0" skipped="${skipped}"`;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="covsweep compare" ${totals}>`,
    `  <testsuite name="covsweep runs" ${totals}>`,
    ...cases,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}
