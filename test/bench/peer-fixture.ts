import { expect } from 'vitest';

/**
 * What the peer tests compare: covsweep's trajectory against a torch peer's (fixture written by a
 * script in test/golden, with torch; the tests need none). Tolerance as the golden tests': four
 * times how far float32 rounding alone moves the peer's run (its float64 shadow), and never under
 * FLOOR, relative to max(1, |value|).
 */
const FLOOR = 2e-5;

/** Largest |a - b| / max(1, |b|). */
function deviation(a: number[], b: number[]): number {
  expect(a.length).toBe(b.length);
  return Math.max(...a.map((v, i) => Math.abs(v - b[i]) / Math.max(1, Math.abs(b[i]))));
}

/** Each named series of ours within the tolerance of the peer's, given the peer's float64 shadow of it. */
export function expectPeerClose(
  series: [name: string, ours: number[], peer: number[], shadow: number[]][],
): void {
  for (const [name, a, b, b64] of series) {
    const allowed = Math.max(FLOOR, 4 * deviation(b, b64));
    expect(deviation(a, b), `${name}: allowed ${allowed.toExponential(2)}`).toBeLessThanOrEqual(allowed);
  }
}
