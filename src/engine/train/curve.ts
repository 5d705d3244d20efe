/**
 * Steps between two points of a run's learning curve: `record_every`, or (0) about 50 points per
 * run. The trainer records with it and reports read the curves back with it.
 */
export const curveEvery = (recordEvery: number, steps: number): number =>
  recordEvery || Math.max(1, Math.ceil(steps / 50));
