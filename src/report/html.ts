import { type FrontierExperiment, frontierRows } from '../frontier/summary.js';
import { formatValue } from '../ground/format.js';
import { OUTCOMES } from '../ground/vocabulary.js';
import { type Pivot, pivot } from '../results/pivot.js';
import { reasonGroups } from '../results/reasons.js';
import type { Manifest } from '../results/store.js';
import type { Experiment, RunResult, Suite } from '../types.js';
import { learningCurves } from './charts/curves.js';
import { failurePathPlot, retrace, runToRetrace } from './charts/failure-path.js';
import { failureRate, rateAxis } from './charts/failure-rate.js';
import { failureSteps } from './charts/failure-steps.js';
import { frontierPlot } from './charts/frontier.js';
import { contrastRuns, gaussiansPicture } from './charts/gaussians.js';
import { stabilityMap } from './charts/stability-map.js';
import type { ReportContext } from './context.js';
import { frontierAbout, frontierHeader, rowCells } from './frontier.js';
import { keptRetrace } from './kept-traces.js';
import { pivotTitle } from './markdown.js';
import { describeSettings } from './panels.js';
import { STYLE } from './style.js';
import { drawChart } from './svg/draw.js';
import type { Chart } from './svg/model.js';
import { esc } from './svg/text.js';

const section = (id: string, title: string, body: string) =>
  `<section id="${id}"><h2>${esc(title)}</h2>\n${body}\n</section>`;

/**
 * A plot with its caption, its ids prefixed with the figure's (unique in the page); a plot that
 * cannot be drawn says so in its place and the page keeps the rest.
 */
function figure(id: string, chart: Chart, caption: string): string {
  let svg: string;
  try {
    svg = drawChart(chart, id);
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    svg = `<p class="warning">This plot could not be drawn (${esc(reason)}); the tables hold its numbers.</p>`;
  }
  return `<figure class="plot" id="${id}">${svg}<figcaption>${caption}</figcaption></figure>`;
}

function pivotHtml(p: Pivot): string {
  const head = [`${p.spec.rows} \\ ${p.spec.columns}`, ...p.columnValues.map(formatValue)];
  const body = p.rowValues.map((rv, i) => {
    const cells = p.cells[i].map((c) =>
      !c
        ? '<td class="empty"></td>'
        : c.rate === undefined
          ? `<td>${esc(c.text)}</td>`
          : `<td style="--rate:${c.rate.toFixed(3)}">${esc(c.text)}</td>`,
    );
    return `<tr><th>${esc(formatValue(rv))}</th>${cells.join('')}</tr>`;
  });
  return [
    `<table class="pivot"><caption>${esc(pivotTitle(p))}</caption>`,
    `<thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead>`,
    `<tbody>${body.join('\n')}</tbody></table>`,
    `<p class="note">${esc(p.aggregate.about)} Blank: no runs.</p>`,
  ].join('\n');
}

function frontierHtml(e: FrontierExperiment, results: readonly RunResult[], prefix: string): string {
  const rows = frontierRows(e, results).map(
    (r) =>
      `<tr>${[...r.settings.map(([, v]) => formatValue(v)), ...rowCells(r, e.frontier)].map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`,
  );
  const plot = frontierPlot(e, results);
  return [
    plot
      ? figure(
          `${prefix}plot-frontier`,
          plot,
          `Median critical ${esc(e.frontier.setting)} over seeds, with the 10-90% range as a bar; a triangle is a median beyond the searched range, drawn at the bound.`,
        )
      : '',
    `<table class="pivot"><caption>Critical ${esc(e.frontier.setting)} per combination</caption>`,
    `<thead><tr>${frontierHeader(e)
      .map((h) => `<th>${esc(h)}</th>`)
      .join('')}</tr></thead>`,
    `<tbody>${rows.join('\n')}</tbody></table>`,
    `<p class="note">${esc(frontierAbout(e.frontier))}</p>`,
  ].join('\n');
}

function reasonsHtml(results: readonly RunResult[]): string {
  const groups = reasonGroups(results);
  if (groups.length === 0) return '<p>No run failed.</p>';
  const rows = groups.map(
    (g) =>
      `<tr><td><span class="badge ${g.outcome}">${g.outcome}</span></td><td>${esc(g.kind)}</td><td class="num">${g.runs}</td><td><code>${g.example}</code> ${esc(g.exampleReason)}</td></tr>`,
  );
  return `<table class="reasons"><thead><tr><th>outcome</th><th>kind</th><th>runs</th><th>example run</th></tr></thead><tbody>${rows.join('\n')}</tbody></table>`;
}

/** The base config as dotted paths and values, the swept paths left out (they are listed with their values). */
function fixedSettings(e: Experiment): [string, unknown][] {
  const swept = new Set(e.axes.map((a) => a.path));
  const flat: [string, unknown][] = [];
  const walk = (node: unknown, path: string) => {
    if (node && typeof node === 'object' && !Array.isArray(node))
      for (const [k, v] of Object.entries(node)) walk(v, path ? `${path}.${k}` : k);
    else if (!swept.has(path)) flat.push([path, node]);
  };
  walk(e.base, '');
  return flat;
}

function settingsHtml(e: Experiment): string {
  // A long axis (100k seeds) lists its first values and how many there are.
  const listed = (values: readonly unknown[]) =>
    values.length > 50
      ? `${values.slice(0, 20).map(formatValue).join(', ')}, ... (${values.length} values)`
      : values.map(formatValue).join(', ');
  const axes = e.axes.map((a) => `<tr><th>${esc(a.path)}</th><td>${esc(listed(a.values))}</td></tr>`);
  const fixed = fixedSettings(e).map(
    ([path, v]) =>
      `<tr><th>${esc(path)}</th><td>${esc(typeof v === 'object' ? JSON.stringify(v) : formatValue(v))}</td></tr>`,
  );
  return [
    '<div class="columns">',
    `<table class="settings"><caption>Swept (${e.axes.length})</caption><tbody>${axes.join('')}</tbody></table>`,
    `<table class="settings"><caption>Fixed</caption><tbody>${fixed.join('')}</tbody></table>`,
    '</div>',
    `<details><summary>The experiment file</summary><pre>${esc(e.source)}</pre></details>`,
  ].join('\n');
}

/**
 * A page's header: what ran and when (`m` and every result of the folder), or with `facts` absent
 * an experiment's part of a suite's page, headed one level down.
 */
function header(
  e: Pick<Experiment, 'name' | 'description'>,
  results: readonly RunResult[],
  facts?: { m?: Manifest },
): string {
  const counts = OUTCOMES.map((o) => [o, results.filter((r) => r.outcome === o).length] as const).filter(
    ([, n]) => n > 0,
  );
  const outcomes = `<p class="outcomes">${counts.map(([o, n]) => `<span class="badge ${o}">${n} ${o}</span>`).join(' ')}</p>`;
  const description = e.description.trim() ? `<p class="description">${esc(e.description.trim())}</p>` : '';
  if (!facts) return ['<header>', `<h2>${esc(e.name)}</h2>`, description, outcomes, '</header>'].join('\n');
  const { m } = facts;
  const seconds = m?.ended ? (Date.parse(m.ended) - Date.parse(m.started)) / 1000 : undefined;
  const rows: [string, string][] = [
    ['runs', String(results.length)],
    ['started', m ? m.started.replace('T', ' ').replace(/\.\d+Z$/, ' UTC') : 'unknown'],
    ['took', seconds === undefined ? 'unfinished' : `${formatValue(seconds)} s`],
    [
      'backend',
      m ? `${m.backend.split(',').join(', ')}; ${m.workers} worker${m.workers === 1 ? '' : 's'}` : 'unknown',
    ],
    ['covsweep', m ? `${m.covsweep} (node ${m.node})` : 'unknown'],
  ];
  const missing =
    m && m.runs > results.length
      ? `<p class="warning">Only ${results.length} of the ${m.runs} planned runs have results: this run folder is incomplete.</p>`
      : '';
  return [
    '<header>',
    '<p class="kicker">covsweep stability report</p>',
    `<h1>${esc(e.name)}</h1>`,
    description,
    `<dl class="facts">${rows.map(([k, v]) => `<div><dt>${k}</dt><dd>${esc(v)}</dd></div>`).join('')}</dl>`,
    outcomes,
    missing,
    '</header>',
  ].join('\n');
}

/** One experiment's sections of a page and their links; every id in them starts with `prefix`. */
interface Part {
  nav: [string, string][];
  sections: string[];
}

/** What each context's part was made of, by what it is (see `experimentPart`). */
const madeFor = new WeakMap<ReportContext, Map<string, unknown>>();

async function experimentPart(ctx: ReportContext, prefix: string): Promise<Part> {
  const { experiment: e, results } = ctx;
  // A file of several experiments makes each one's part twice, for its own page and for the
  // folder's (whose contexts are the ones its own pages got): the plots, tables and retrace are
  // made once, and only the ids differ (each page draws its plots: a few milliseconds each).
  const made = madeFor.get(ctx) ?? new Map<string, unknown>();
  madeFor.set(ctx, made);
  const once = <T>(what: string, make: () => T): T => {
    if (!made.has(what)) made.set(what, make());
    return made.get(what) as T;
  };
  const { rows, columns } = e.summary;
  const sections: string[] = [];
  const nav: [string, string][] = [];
  const add = (id: string, title: string, body: string) => {
    nav.push([prefix + id, title]);
    sections.push(section(prefix + id, title, body));
  };
  const plot = (id: string, chart: Chart, caption: string) => figure(prefix + id, chart, caption);
  if (results.length === 0) add('empty', 'No results', '<p>This run folder has no results yet.</p>');
  else {
    const shown = once('shown', () =>
      ctx.show
        ? results.filter((r) => ctx.show!.includes(r.id))
        : contrastRuns(results, rateAxis(e, results)),
    );
    const traced = runToRetrace([...shown, ...results]);
    // Asked first: whether it is kept is asked of the file system while the other plots are made.
    // A run recorded on a backend this machine lacks (tensorflow without tfjs-node) cannot be retraced here.
    const tracing = once('tracing', () => traced && keptRetrace(traced, retrace).catch((err: Error) => err));
    // A frontier's runs sit where its searches looked, so shares of them over a grid say nothing:
    // its table replaces the stability map and pivots.
    if (e.frontier)
      add(
        'frontier',
        `Frontier: critical ${e.frontier.setting}`,
        frontierHtml({ ...e, frontier: e.frontier }, results, prefix),
      );
    else {
      add(
        'stability',
        'Stability map',
        plot(
          'plot-stability',
          once('stability', () => stabilityMap(e, results)),
          `Share of runs that failed (any outcome but ok) for each ${esc(rows)} and ${esc(columns)}, over the seeds; each cell says failed/runs. Empty: no runs.`,
        ),
      );
      const rate = once('failure-rate', () => failureRate(e, results));
      if (rate)
        add(
          'failure-rate',
          'Failure rate',
          plot(
            'plot-failure-rate',
            rate,
            'Share of runs that failed at each swept rate, one line per parameterization; each bar is its 95% Wilson interval over the seeds.',
          ),
        );
      add(
        'tables',
        'Tables',
        once('tables', () => e.summary.tables.map((spec) => pivotHtml(pivot(e, results, spec))).join('\n')),
      );
    }
    add(
      'reasons',
      'Failure reasons',
      once('reasons', () => reasonsHtml(results)),
    );
    const steps = once('failure-steps', () => failureSteps(e, results));
    if (steps)
      add(
        'failure-steps',
        'When runs failed',
        plot(
          'plot-failure-steps',
          steps,
          'Step at which each failed run failed, per parameterization (rows without failures are left out), on a log step axis (step + 1, five bins per decade); each row has its own count scale, in whole runs.',
        ),
      );
    const curves = once('curves', () => learningCurves(e, results));
    if (curves)
      add(
        'curves',
        'Learning curves',
        plot(
          'plot-curves',
          curves,
          "Median loss per parameterization, each run's curve first averaged over its task's window (an epoch of trials for the classifier), with a band from the 10% to the 90% quantile over seeds; at each step only the runs still training count, and the label at a line's end says how many that is. A cross marks where failed runs' curves stopped (one per stretch of drawn points). Each panel has its own loss scale, logarithmic above 0.001 when no loss is negative.",
        ),
      );
    const picture = once('gaussians', () => gaussiansPicture(e, shown));
    if (picture)
      add(
        'gaussians',
        'Learned Gaussians',
        plot(
          'plot-gaussians',
          picture.chart,
          [
            "Each run's data points, the true Gaussians (dashed) and the learned ones at the end of the run (solid; a failed run's are the parameters it stopped with), as 2-sigma ellipses.",
            ctx.show
              ? ''
              : 'Per parameterization, a run at the largest swept rate where it ended ok and one at the smallest where it failed; choose others with <code>covsweep report DIR --show ID</code>.',
            ...picture.notes.map((n) => `${esc(n)}, so it has no ellipse.`),
          ]
            .filter(Boolean)
            .join(' '),
        ),
      );
    const path = await tracing;
    if (traced && path instanceof Error)
      add(
        'failure-path',
        'The path to failure',
        `<p>Run <code>${esc(traced.id)}</code> could not be retraced here (${esc(path.message)}); <code>covsweep repro DIR ${esc(traced.id)} --trace FILE.csv</code> on a machine with its backend writes the same data.</p>`,
      );
    else if (traced && path && !(path instanceof Error)) {
      add(
        'failure-path',
        'The path to failure',
        plot(
          'plot-failure-path',
          once('failure-path', () => failurePathPlot(path)),
          [
            `Run <code>${esc(traced.id)}</code> (${esc(traced.config.parameterization)}, ${esc(
              describeSettings(
                traced.config,
                e.axes.map((a) => a.path).filter((p) => p !== 'parameterization'),
              ),
            )}), retraced alone: each covariance's smallest eigenvalue and condition number at every step, in float64 from its float32 parameters, as <code>covsweep repro DIR ${esc(traced.id)} --trace FILE.csv</code> writes them. The dashed line is the step at which it ended ${esc(traced.outcome)}: ${esc(traced.outcome === 'ok' ? '' : traced.reason)}.`,
            path.same
              ? ''
              : '<strong>The retrace did not end as recorded</strong>: the run is not reproducible here; see covsweep repro.',
          ]
            .filter(Boolean)
            .join(' '),
        ),
      );
    }
  }
  add('settings', 'Settings', settingsHtml(e));
  return { nav, sections };
}

const navHtml = (nav: readonly [string, string][]) =>
  `<nav>${nav.map(([id, t]) => `<a href="#${id}">${esc(t)}</a>`).join('')}</nav>`;

/** A self-contained page (inline CSS and SVG, no script, nothing fetched). */
function page(title: string, body: readonly string[]): string {
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    // The page needs nothing from anywhere: say so, and the browser refuses any fetch.
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">`,
    `<title>${esc(title)}: covsweep report</title>`,
    `<style>${STYLE}</style>`,
    '</head>',
    '<body>',
    ...body,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

/** report.html of one experiment. */
export async function reportHtml(ctx: ReportContext): Promise<string> {
  const { nav, sections } = await experimentPart(ctx, '');
  return page(ctx.experiment.name, [
    header(ctx.experiment, ctx.results, { m: ctx.manifest }),
    navHtml(nav),
    '<main>',
    ...sections,
    '</main>',
  ]);
}

/**
 * report.html of a file of several experiments: the folder's facts over every result, then each
 * experiment under its own heading with its own sections (ids prefixed by its name).
 */
export async function suiteHtml(
  s: Suite,
  parts: readonly ReportContext[],
  all: readonly RunResult[],
  manifest?: Manifest,
): Promise<string> {
  const articles = await Promise.all(
    parts.map(async (ctx) => {
      const { nav, sections } = await experimentPart(ctx, `${ctx.experiment.name}-`);
      return [
        `<article id="${esc(ctx.experiment.name)}">`,
        header(ctx.experiment, ctx.results),
        navHtml(nav),
        ...sections,
        '</article>',
      ];
    }),
  );
  const description = `${s.experiments.length} experiments: ${s.experiments.map((e) => e.name).join(', ')}`;
  return page(s.name, [
    header({ name: s.name, description }, all, { m: manifest }),
    navHtml(s.experiments.map((e) => [e.name, e.name])),
    '<main>',
    ...articles.flat(),
    '</main>',
  ]);
}
