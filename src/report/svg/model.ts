/**
 * A chart as the report draws it: panels of marks in data coordinates, each with its two axes,
 * and the legends beside them. The charts (../charts/) say what to draw from the results; the
 * drawing (draw.ts) lays it out and writes the SVG. Plain data: a chart can be inspected in tests
 * and made once for two pages.
 */

/** Tick labels' formats (d3-format specifiers, as Vega-Lite took them): '.0%', '~g', '~s', 'd'. */
export type Format = string;

/** A continuous axis; `domain` holds the data, made "nice" (rounded out to ticks) unless `nice` is false. */
export interface NumberAxis {
  type: 'linear' | 'log' | 'symlog';
  title: string;
  domain: readonly [number, number];
  /** Rounds the domain out to ticks (linear: d3's nice; log: to powers of the base). @default true */
  nice?: boolean;
  /** Linear: the domain reaches 0. @default false */
  zero?: boolean;
  /** log: the base. @default 10 */
  base?: number;
  /** symlog: the width of the linear part around 0. @default 1 */
  constant?: number;
  /** Pixels left free at both ends (a log2 axis of dims, whose end points are data). @default 0 */
  padding?: number;
  /** Tick values instead of the scale's own (symlog has no useful ones). */
  values?: readonly number[];
  format?: Format;
  /** Whole-number ticks only (counts of runs). */
  integer?: boolean;
}

/**
 * A categorical axis: category i is drawn at `values[i]`. 'band': each category a band (a heatmap's
 * cells); 'point': each a point, evenly spaced (a line over named settings).
 */
export interface CategoryAxis {
  type: 'band' | 'point';
  title: string;
  values: readonly string[];
}

export type Axis = NumberAxis | CategoryAxis;

/** A position on an axis: a number on a continuous one, a category's index on a categorical one. */
export type Value = number;

/** What a mark says to a pointer and a screen reader (SVG `<title>`). */
interface Titled {
  title?: string;
}

/** A rectangle; on a band axis, x (or y) without x2 (y2) fills its category's band. */
export interface RectMark extends Titled {
  type: 'rect';
  x: Value;
  x2?: Value;
  y: Value;
  y2?: Value;
  fill: string;
}

/** A polyline, broken where a coordinate is not finite. */
export interface LineMark {
  type: 'line';
  points: [Value, Value][];
  stroke: string;
  width: number;
  dash?: number[];
  opacity?: number;
}

/** The band between two lines over the same x values: [x, y low, y high]. */
export interface AreaMark {
  type: 'area';
  points: [Value, Value, Value][];
  fill: string;
  opacity: number;
}

export type Shape = 'circle' | 'cross' | 'triangle-up' | 'triangle-down' | 'square';

/** A symbol of `size` square pixels (as Vega-Lite's `size`) centred on x, y. */
export interface SymbolMark extends Titled {
  type: 'symbol';
  x: Value;
  y: Value;
  shape: Shape;
  size: number;
  fill: string;
  opacity?: number;
}

/** A vertical rule at x, from y to y2, or across the panel when they are absent. */
export interface RuleMark extends Titled {
  type: 'rule';
  x: Value;
  y?: Value;
  y2?: Value;
  stroke: string;
  width: number;
  dash?: number[];
  opacity?: number;
}

export interface TextMark {
  type: 'text';
  x: Value;
  y: Value;
  text: string;
  fill: string;
  size: number;
  anchor?: 'start' | 'middle' | 'end';
  /** Offset in pixels, upwards negative. */
  dy?: number;
}

export type Mark = RectMark | LineMark | AreaMark | SymbolMark | RuleMark | TextMark;

/** Marks drawn together, in order: a group of the SVG (the browser test counts its children). */
export interface Layer {
  marks: Mark[];
  /** Strokes between rectangles (a heatmap's white grid). */
  stroke?: string;
  strokeWidth?: number;
}

export interface Panel {
  /** The panel's header, one line per entry (left of the panel when the chart says so). */
  header?: string[];
  width: number;
  height: number;
  x: Axis;
  y: Axis;
  layers: Layer[];
  /** Marks outside the panel are cut off (ellipses that left the data's frame). @default false */
  clip?: boolean;
}

/** A legend entry's symbol: a short line (solid or dashed), or a shape filled with the colour. */
export interface LegendEntry {
  label: string;
  color: string;
  symbol: Shape | 'stroke';
  dash?: number[];
}

export type Legend =
  | { type: 'symbols'; title?: string; entries: LegendEntry[] }
  /** A colour ramp from `colors[0]` at 0 to the last at 1, labelled at `ticks` (domain 0..1). */
  | { type: 'gradient'; title: string; colors: string[]; ticks: number[]; format: Format };

export interface Chart {
  /** A note above the panels (panels left out). */
  note?: string;
  panels: Panel[];
  columns: number;
  /** Where panel headers go: above each panel, or left of each row (a histogram per parameterization). @default 'top' */
  headers?: 'top' | 'left';
  /** One x scale for all panels, labelled under the last row only (a facet's shared axis). @default false */
  sharedX?: boolean;
  /** One y scale for all panels, labelled left of the first column only. @default false */
  sharedY?: boolean;
  legends: Legend[];
}
