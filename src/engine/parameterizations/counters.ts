import { tf } from '../tf.js';

/**
 * A factor's per-element counters [lanes * units] summed over each lane's
 * units into [lanes]: what a task's StepOutput reports.
 */
export function perLane(
  counters: Record<string, tf.Tensor1D> | undefined,
  lanes: number,
): Record<string, tf.Tensor1D> | undefined {
  if (!counters) return undefined;
  return Object.fromEntries(
    Object.entries(counters).map(([name, c]) => [name, tf.sum(tf.reshape(c, [lanes, -1]), 1) as tf.Tensor1D]),
  );
}
