import { describe, expect, it } from 'vitest';
import { stabilityMap } from '../../src/report/charts/stability-map.js';
import { drawChart } from '../../src/report/svg/draw.js';
import type { Chart, Panel } from '../../src/report/svg/model.js';
import { px } from '../../src/report/svg/text.js';
import { experiment, made } from '../results/fixtures.js';

const panel = (over: Partial<Panel> = {}): Panel => ({
  width: 200,
  height: 100,
  x: { type: 'linear', title: 'x', domain: [0, 10], nice: false },
  y: { type: 'linear', title: 'y', domain: [0, 10], nice: false },
  layers: [],
  ...over,
});
const chart = (panels: Panel[], over: Partial<Chart> = {}): Chart => ({
  columns: 2,
  panels,
  legends: [],
  ...over,
});

/** Every attribute and text of an SVG parses as XML would: no raw <, & or quote where it does not belong. */
const wellFormed = (svg: string) => {
  const texts = [...svg.matchAll(/>([^<]*)</g)].map((m) => m[1]);
  const attrs = [...svg.matchAll(/="([^"]*)"/g)].map((m) => m[1]);
  return [...texts, ...attrs].every((t) => !/[<>]|&(?!#\d+;)/.test(t));
};

describe('drawing a chart as SVG', () => {
  it('escapes every text it writes: headers, axes, legends, notes, tooltips', () => {
    const evil = `<script>alert("x")</script> & 'co'`;
    const svg = drawChart(
      chart(
        [
          panel({
            header: [evil],
            x: { type: 'band', title: evil, values: [evil] },
            layers: [{ marks: [{ type: 'rect', x: 0, y: 1, y2: 2, fill: '#000', title: evil }] }],
          }),
        ],
        {
          note: evil,
          legends: [
            { type: 'symbols', title: evil, entries: [{ label: evil, color: '#000', symbol: 'stroke' }] },
          ],
        },
      ),
      'p',
    );
    expect(svg).not.toContain('<script');
    // Seven places it is drawn, and four more in the axis's and the legend's screen-reader
    // descriptions (each names its title and its one value).
    expect(
      svg.match(/&#60;script&#62;alert\(&#34;x&#34;\)&#60;\/script&#62; &#38; &#39;co&#39;/g),
    ).toHaveLength(11);
    expect(wellFormed(svg)).toBe(true);
  });

  it('draws a chart with no data, and one with no panel, without a NaN', () => {
    const empty = drawChart(chart([panel({ x: { type: 'linear', title: 'x', domain: [0, 0] } })]), 'e');
    const none = drawChart(chart([]), 'n');
    for (const svg of [empty, none]) {
      expect(svg).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" width="\d+" height="\d+"/);
      expect(svg).not.toMatch(/NaN|Infinity|undefined/);
      expect(svg.endsWith('</svg>')).toBe(true);
    }
  });

  it('places marks by their scales, and breaks a line where a value is missing', () => {
    const svg = drawChart(
      chart([
        panel({
          layers: [
            {
              marks: [
                {
                  type: 'line',
                  points: [
                    [0, 0],
                    [5, 5],
                    [6, Number.NaN],
                    [10, 10],
                  ],
                  stroke: '#f00',
                  width: 2,
                },
                { type: 'symbol', x: 5, y: 5, shape: 'circle', size: 16, fill: '#00f' },
              ],
            },
          ],
        }),
      ]),
      'm',
    );
    // x 0..10 over 200 px, y 0..10 over 100 px upwards: (5, 5) at (100, 50); the line in two pieces.
    expect(svg).toContain('<path d="M0,100L100,50M200,0" fill="none" stroke="#f00" stroke-width="2"');
    expect(svg).toContain(`<circle cx="100" cy="50" r="${px(Math.sqrt(16 / Math.PI))}" fill="#00f"/>`);
  });

  it('scopes its ids by the prefix, and writes the same bytes for the same chart', () => {
    const e = experiment();
    const results = [1e-4, 1e-2].flatMap((lr) =>
      ['full', 'tril'].flatMap((parameterization) =>
        [0, 1].map((seed) => made(e, { parameterization, lr, seed, outcome: seed ? 'ok' : 'singular' })),
      ),
    );
    const map = stabilityMap(e, results);
    const first = drawChart(map, 'plot-a');
    expect(drawChart(stabilityMap(e, [...results]), 'plot-a')).toBe(first);
    const ids = [...first.matchAll(/\bid="([^"]+)"/g)].map((m) => m[1]);
    expect(ids.length).toBeGreaterThan(0);
    expect(ids.every((id) => id.startsWith('plot-a-'))).toBe(true);
    expect(drawChart(map, 'plot-b').replaceAll('plot-b-', 'plot-a-')).toBe(first);
    // A cell per lr.cov and parameterization, labelled failed/runs, with a tooltip.
    expect(first.match(/<rect x=[^>]*><title>/g)).toHaveLength(4);
    expect(first).toContain('>1/2</text>');
  });

  it('writes coordinates to hundredths of a pixel, never as -0', () => {
    expect([px(1 / 3), px(-0.001), px(2.005), px(1e300)]).toEqual(['0.33', '0', '2.01', '1000000']);
  });

  it('describes each labelled axis and each legend to a screen reader', () => {
    const svg = drawChart(
      chart(
        [
          panel({
            x: { type: 'log', title: 'lr.cov', domain: [1e-5, 1e-2] },
            y: { type: 'band', title: 'dim', values: ['2', '4', '8'] },
          }),
        ],
        {
          legends: [
            {
              type: 'symbols',
              title: 'outcome',
              entries: [{ label: 'singular', color: '#c00', symbol: 'square' }],
            },
            {
              type: 'gradient',
              title: 'failure rate',
              colors: ['#fff', '#000'],
              ticks: [0, 1],
              format: '.0%',
            },
          ],
        },
      ),
      'a11y',
    );
    const labels = [...svg.matchAll(/aria-label="([^"]*)"/g)].map((m) => m[1].replaceAll('&#39;', "'"));
    expect(labels).toEqual([
      "X-axis titled 'lr.cov' for a log scale with values from 0.00001 to 0.01",
      "Y-axis titled 'dim' for a discrete scale with 3 values: 2, 4, 8",
      "Symbol legend titled 'outcome' for 1 value: singular",
      "Gradient legend titled 'failure rate' with values from 0% to 100%",
    ]);
  });
});
