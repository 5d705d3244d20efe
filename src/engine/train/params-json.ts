import { wasmKernels } from '../ops/wasm.js';
import type { ParamGroup } from '../tasks/types.js';

const ascii = new TextDecoder();

/** Views of linear memory as bytes and int32s, made again only when it grows. */
let views: { buffer: ArrayBufferLike; u8: Uint8Array; i32: Int32Array } | undefined;

/**
 * JSON.stringify(laneParams(groups, values, b)) (final-params.ts: lane b's groups nested, each
 * value its shortest float32), written on WebAssembly (assembly/shortest-json.ts) straight from
 * the values: without the nested arrays (half a million numbers in a worker's batch at d = 16),
 * nor JSON's digit search for each, nor shortestFloat32's JavaScript, which ran mostly before V8
 * had optimised it. Undefined where it cannot say: no WebAssembly, values that are not float32s,
 * an empty dimension, or a lane with a value that JSON writes as null or whose digits JavaScript
 * finds through a string (then JSON.stringify writes the lane).
 */
export function laneParamsJson(
  groups: ParamGroup[],
  values: ArrayLike<number>[],
  b: number,
): string | undefined {
  const k = wasmKernels();
  if (!k) return undefined;
  let text = '{';
  for (let g = 0; g < groups.length; g++) {
    const { name, shape } = groups[g];
    const vs = values[g];
    let size = 1;
    for (const n of shape) size *= n;
    if (!(vs instanceof Float32Array) || size === 0 || shape.length > 32) return undefined;
    // Blocks by a power of two of values, shared by every lane and batch of the thread; a value
    // takes at most 15 bytes and its separator, brackets and commas, 16 more.
    const capacity = 2 ** Math.max(10, Math.ceil(Math.log2(size)));
    const [valuesAt, dimsAt, outAt] = k.shared(`shortest-json:${capacity}`, [
      4 * capacity,
      4 * 32,
      32 * capacity + 64,
    ]);
    const f32 = k.f32();
    if (views?.buffer !== f32.buffer)
      views = { buffer: f32.buffer, u8: new Uint8Array(f32.buffer), i32: new Int32Array(f32.buffer) };
    f32.set(vs.subarray(b * size, (b + 1) * size), valuesAt >> 2);
    for (let j = 0; j < shape.length; j++) views.i32[(dimsAt >> 2) + j] = shape[j];
    const length = k.exports.shortestJson(valuesAt, size, dimsAt, shape.length, outAt);
    if (length < 0) return undefined;
    text += `${g > 0 ? ',' : ''}${JSON.stringify(name)}:${ascii.decode(views.u8.subarray(outAt, outAt + length))}`;
  }
  return `${text}}`;
}
