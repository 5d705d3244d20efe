import { FONT } from './svg/look.js';

/** report.html's stylesheet: system fonts, one column, tables that read at a glance. */
export const STYLE = `
:root {
  --ink: #1d2430; --muted: #5b6573; --line: #e3e6ea; --paper: #fff; --tint: #f6f7f9;
  --ok: #3b8f5a; --singular: #c8414b; --diverged: #e39a2d; --error: #7b4ea3; --timeout: #7f7f7f;
  font-family: ${FONT};
  color: var(--ink); background: var(--paper); line-height: 1.45;
}
body { margin: 0 auto; max-width: 1180px; padding: 24px 32px 64px; }
header { border-bottom: 1px solid var(--line); padding-bottom: 12px; }
.kicker { margin: 0; color: var(--muted); font-size: 13px; letter-spacing: .06em; text-transform: uppercase; }
h1 { margin: 4px 0 8px; font-size: 30px; }
h2 { font-size: 20px; margin: 40px 0 12px; padding-top: 8px; border-top: 1px solid var(--line); }
.description { max-width: 80ch; margin: 0 0 12px; }
.facts { display: flex; flex-wrap: wrap; gap: 8px 28px; margin: 0 0 12px; font-size: 14px; }
.facts dt { color: var(--muted); font-size: 12px; }
.facts dd { margin: 0; }
.badge { display: inline-block; padding: 1px 8px; border-radius: 10px; color: #fff; font-size: 13px;
  background: var(--muted); white-space: nowrap; }
.badge.ok { background: var(--ok); } .badge.singular { background: var(--singular); }
.badge.diverged { background: var(--diverged); } .badge.error { background: var(--error); }
.badge.timeout { background: var(--timeout); }
.warning { background: #fff4e0; border-left: 4px solid var(--diverged); padding: 8px 12px; }
nav { position: sticky; top: 0; background: var(--paper); padding: 8px 0; border-bottom: 1px solid var(--line);
  display: flex; flex-wrap: wrap; gap: 4px 18px; font-size: 14px; z-index: 1; }
nav a { color: var(--muted); text-decoration: none; } nav a:hover { color: var(--ink); }
figure.plot { margin: 0; overflow-x: auto; }
figure.plot svg { max-width: 100%; height: auto; }
figcaption, .note { color: var(--muted); font-size: 13px; max-width: 90ch; margin: 6px 0 18px; }
table { border-collapse: collapse; font-size: 14px; margin: 8px 0 4px; font-variant-numeric: tabular-nums; }
caption { text-align: left; font-weight: 600; padding: 4px 0 6px; }
th, td { padding: 5px 10px; border: 1px solid var(--line); text-align: left; vertical-align: top; }
thead th { background: var(--tint); font-weight: 600; }
tbody th { background: var(--tint); font-weight: normal; white-space: nowrap; }
table.pivot td { white-space: nowrap; min-width: 9ch; }
/* A rate cell is shaded by its rate: white at 0, the singular red at 1 (at half strength). */
table.pivot td[style] { background: color-mix(in srgb, var(--singular) calc(var(--rate) * 45%), white); }
td.num { text-align: right; }
table.reasons td:last-child { color: var(--muted); font-size: 13px; }
code, pre { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; font-size: 13px; }
pre { background: var(--tint); padding: 12px; overflow-x: auto; border-radius: 4px; }
.columns { display: flex; flex-wrap: wrap; gap: 12px 32px; align-items: flex-start; }
details summary { cursor: pointer; color: var(--muted); margin-top: 12px; }
`;
