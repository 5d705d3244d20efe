import type * as tf from '@tensorflow/tfjs-core';

/**
 * Fused ops and the plain reference (DESIGN.md, "Lanes"). A hot block (the
 * Gaussian log-density of all lanes, a task's loss head) runs as ONE tfjs op
 * whose forward and gradient loop over the lanes' memory in plain JS: at tens
 * of microseconds per tfjs op, the same block as tiny tensor ops costs dozens
 * of ops per step. The plain form, tfjs ops and autodiff, stays beside every
 * fused op as the reference it is tested against; `withPlainOps` selects it.
 *
 * Fused kernels compute in float64 and round once to float32 on output, and
 * compute every lane from its own memory only, by the same code path, so a
 * lane's result is bit-identical whatever batch it rides in.
 */
let plain = false;

/** True when hot blocks should use their fused op (the default). */
export function fused(): boolean {
  return !plain;
}

/** Run `f` (synchronously) with every hot block in its plain tfjs form. */
export function withPlainOps<T>(f: () => T): T {
  const before = plain;
  plain = true;
  try {
    return f();
  } finally {
    plain = before;
  }
}

/**
 * The values of a float32 tensor or a customGrad input: read-only (on the cpu
 * backend this is the tensor's own storage), a copy of its memory on wasm.
 */
export function values(t: tf.Tensor | tf.GradSaveFunc): Float32Array {
  return (t as tf.Tensor).dataSync() as Float32Array;
}

/** [N, d] of a fused op's [N, d, d] float32 input, or an error naming the op and the input. */
export function squareBatch(t: tf.Tensor3D, op: string, name: string): [number, number] {
  if (t.rank !== 3 || t.shape[1] !== t.shape[2]) {
    throw new Error(`${op}: ${name} must have shape [N, d, d], got [${t.shape}]`);
  }
  requireFloat32(t, op, name);
  return [t.shape[0], t.shape[1]];
}

export function requireFloat32(t: tf.Tensor, op: string, name: string): void {
  if (t.dtype !== 'float32') throw new Error(`${op}: ${name} must be float32, got ${t.dtype}`);
}
