/**
 * What one plot draws at most, so that a report of 100k runs or of million-step curves costs about
 * what a small one does: more values than these are aggregated (bands, strides) or left out, and
 * the plot says so.
 */
export const MAX_AXIS_VALUES = 60;
export const MAX_PANELS = 24;
export const MAX_CURVE_POINTS = 400;

/**
 * Consecutive values of `order` grouped into at most `MAX_AXIS_VALUES` bands, each named
 * "first – last": the band of each value, and the bands in order.
 */
export function bands(order: readonly string[]): { band: Map<string, number>; names: string[] } {
  const size = Math.max(1, Math.ceil(order.length / MAX_AXIS_VALUES));
  const band = new Map(order.map((v, i) => [v, Math.floor(i / size)]));
  const names: string[] = [];
  for (let i = 0; i < order.length; i += size) {
    const last = Math.min(order.length, i + size) - 1;
    names.push(last === i ? order[i] : `${order[i]} – ${order[last]}`);
  }
  return { band, names };
}

/** "24 of 300 panels drawn (the first ones)": the note for a plot that left panels out, or ''. */
export const panelsNote = (drawn: number, all: number) =>
  drawn < all ? `only the first ${drawn} of ${all} panels are drawn` : '';
