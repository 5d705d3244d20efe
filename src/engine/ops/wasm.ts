import { builtWasm } from '../../ground/built-wasm.js';

/**
 * The host kernels compiled to WebAssembly with SIMD (assembly/, built by scripts/build-wasm.mjs
 * into dist/kernels.wasm): one instance per thread, made on first use. Its kernels give the same
 * float64 operations in the same order as their JavaScript twins, two independent sums per
 * f64x2 (rows of a column, columns of a row), so a kernel's numbers do not depend on which of
 * the two ran: the JavaScript kernels stay as the reference the tests hold these to, and run
 * where a call's fixed cost outweighs its arithmetic (small d).
 *
 * Kernels read and write linear memory only: a caller takes its blocks once (`shared`, by shape,
 * so that the many kernels of one shape on a thread use one set; `reserve` for a block of its own)
 * and copies its operands in and its results out through `f32` / `f64`.
 */
export interface WasmKernels {
  /** The exports of assembly/index.ts. */
  readonly exports: KernelExports;
  /** A new block of `bytes` bytes (16-byte aligned) for one caller, for the thread's lifetime. */
  reserve(bytes: number): number;
  /**
   * Blocks of `bytes[i]` bytes that every caller asking with `key` shares (reserved on first
   * use): for a kernel whose call leaves nothing in its blocks that the next call needs, so that
   * making many callers (one per batch, one per tfjs op call) does not grow linear memory.
   */
  shared(key: string, bytes: number[]): number[];
  /** Views of all of linear memory; remade after memory grows (which detaches the old ones). */
  f32(): Float32Array;
  f64(): Float64Array;
}

interface KernelExports {
  readonly memory: WebAssembly.Memory;
  /** shortest-json.ts: the JSON of float32 values nested to dims, each as its shortest decimal: its byte length, or -1. */
  shortestJson(values: number, count: number, dims: number, depth: number, out: number): number;
  /** epoch-order.ts: each lane's rows of x and y in its order of an epoch, into points and labels. */
  epochOrder(
    lanes: number,
    n: number,
    d: number,
    order: number,
    x: number,
    y: number,
    points: number,
    labels: number,
  ): void;
  /** cholesky.ts: returns the failing column, or d. */
  choleskyForward(d: number, a: number, l: number, pivots: number, wt: number): number;
  /** cholesky.ts: the symmetric gradient of the factor at l for lbar into abar. */
  choleskyBackward(d: number, l: number, lbar: number, abar: number, scratch: number): void;
  /** score-matching.ts: one lane's loss; its gradients into gmu and dl's lower triangle (or, with `sigma`, all of dl). */
  scoreMatchingLane(
    d: number,
    n: number,
    precision: boolean,
    withGrads: boolean,
    sigma: boolean,
    l: number,
    c: number,
    e: number,
    gmu: number,
    dl: number,
    scratch: number,
  ): number;
  /** classifier.ts: one lane's z and |z|^2 of every (unit, trial), and its factors in float64. */
  classifierForward(
    d: number,
    units: number,
    m: number,
    x: number,
    mu: number,
    l: number,
    lc: number,
    zs: number,
    maha: number,
    t: number,
  ): void;
  /** expm-eigen.ts: e^A into out (float32) from A's eigenvectors and e^eigenvalues. */
  expmFromEigen(d: number, v: number, e: number, out: number, scratch: number): void;
  /** expm-eigen.ts: the Daleckii-Krein adjoint V (Phi o (V^T G V)) V^T into out (float32). */
  expmFrechet(d: number, v: number, phi: number, g: number, out: number, scratch: number): void;
  /** symmetric-eigen.ts: V^T and eigenvalues in place; 1 converged, 0 not, 2 run the JS kernel. */
  symmetricEigen(n: number, vt: number, d: number, e: number): number;
  /** extreme-eigen.ts: the smallest and largest eigenvalues of the symmetric float64 matrix at a (overwritten) into out[0..1]. */
  extremeEigen(d: number, a: number, scratch: number, out: number): void;
  extremeEigenOfFactor(d: number, l: number, a: number, t: number, scratch: number, out: number): void;
  /** cholesky64.ts: dense64's choleskyInto (float64, row-major lower triangle into l); 0 when it fails. */
  choleskyInto64(d: number, a: number, l: number, scratch: number): number;
  /** spd-riemannian.ts: the Riemannian gradient of one float64 block into out. */
  spdDirection(d: number, raw: number, grad: number, out: number, scratch: number): void;
  /** spd-riemannian.ts: the retraction of one float64 block into out; 0 when its Cholesky fails. */
  spdRetract(d: number, before: number, stepped: number, out: number, scratch: number): number;
  /** classifier.ts: that lane's d loss / d mu and d loss / d L (or d Sigma) from d loss / d log p. */
  classifierBackward(
    d: number,
    units: number,
    m: number,
    sigma: boolean,
    lc: number,
    zs: number,
    g: number,
    s: number,
    sp: number,
    acc: number,
    accMu: number,
    w: number,
    dl: number,
    dmu: number,
  ): void;
  /** classifier-lanes.ts: every lane pair's factors, checks and z, |z|^2 (tasks/mvn-classifier-lanes.ts). */
  classifierLanesForward(
    map: number,
    d: number,
    units: number,
    m: number,
    pairs: number,
    count: number,
    x: number,
    mu: number,
    raw: number,
    l: number,
    checks: number,
    ok: number,
    lp: number,
    zs: number,
    maha: number,
    w: number,
  ): void;
  /** classifier-lanes.ts: every lane pair's d loss / d mu and raw gradient from d loss / d log p. */
  classifierLanesBackward(
    map: number,
    d: number,
    units: number,
    m: number,
    pairs: number,
    count: number,
    lp: number,
    zs: number,
    g: number,
    ok: number,
    gmu: number,
    graw: number,
    scratch: number,
  ): void;
  /** classifier-head.ts: every lane pair's log-densities and head, forward and backward (tasks/mvn-classifier-lanes.ts). */
  classifierLanesHead(
    exp: boolean,
    withGrads: boolean,
    d: number,
    units: number,
    classes: number,
    m: number,
    constant: number,
    pairs: number,
    count: number,
    l: number,
    maha: number,
    w: number,
    labels: number,
    loss: number,
    dead: number,
    g: number,
    dw: number,
    scratch: number,
  ): void;
  /** fdlibm.ts: V8's Math.exp (fn 0), Math.log (1), Math.sin (2) or Math.cos (3) of n float64s at src into dst (the tests'). */
  fdlibmMap(fn: number, n: number, src: number, dst: number): void;
  /** log-densities.ts: |L^-1 (x - mu)|^2 of `count` row-major points into m, four at a time. */
  mahalanobisBlocks(d: number, count: number, x: number, mu: number, l: number, z: number, m: number): void;
  /** optim.ts: SGD, Adam and RMSprop over a run of lanes (train/optim-wasm.ts's LanesKernel, s1 where a rule has it). */
  sgdLanes(
    lanes: number,
    size: number,
    nesterov: boolean,
    p: number,
    g: number,
    buf: number,
    coef: number,
    alive: number,
    bound: number,
    bad: number,
  ): void;
  adamLanes(
    lanes: number,
    size: number,
    p: number,
    g: number,
    m: number,
    v: number,
    coef: number,
    alive: number,
    bound: number,
    bad: number,
  ): void;
  rmspropLanes(
    lanes: number,
    size: number,
    p: number,
    g: number,
    s: number,
    coef: number,
    alive: number,
    bound: number,
    bad: number,
  ): void;
}

/** Below this offset lies what the compiler places in memory (its static data). */
const FIRST_BLOCK = 65536;
const PAGE = 65536;

let kernels: WasmKernels | null | undefined;

/**
 * This thread's kernels, or undefined when WebAssembly (with SIMD) is unavailable or switched off
 * with COVSWEEP_WASM_KERNELS=0 (the JavaScript kernels then run everywhere: the numbers are the
 * same, only slower).
 */
export function wasmKernels(): WasmKernels | undefined {
  if (kernels === undefined) kernels = load();
  return kernels ?? undefined;
}

/**
 * The kernels for blocks of size d x d: from d = 8 on, where a call's copies in and out cost less
 * than the arithmetic it saves (measured: 1.4x at d = 8, 2x at 16 and 32, 2.4x at 64 for the
 * Cholesky factor, copies included).
 */
export function wasmKernelsFor(d: number): WasmKernels | undefined {
  return d >= 8 ? wasmKernels() : undefined;
}

function load(): WasmKernels | null {
  const exports = builtWasm<KernelExports>('kernels', {
    env: {
      abort() {
        throw new Error('covsweep wasm kernels: abort');
      },
    },
  });
  if (!exports) return null;
  const { memory } = exports;
  let next = FIRST_BLOCK;
  let f32 = new Float32Array(memory.buffer);
  let f64 = new Float64Array(memory.buffer);
  const fresh = () => {
    // Growth detaches the old buffer, whose views then have length 0: cheaper to ask than
    // memory.buffer, and asked on every lane of a step.
    if (f32.length === 0) {
      f32 = new Float32Array(memory.buffer);
      f64 = new Float64Array(memory.buffer);
    }
  };
  const shared = new Map<string, number[]>();
  const reserve = (bytes: number) => {
    const at = next;
    next += Math.ceil(bytes / 16) * 16;
    if (next > memory.buffer.byteLength) memory.grow(Math.ceil((next - memory.buffer.byteLength) / PAGE));
    return at;
  };
  return {
    exports,
    reserve,
    shared(key, bytes) {
      let blocks = shared.get(key);
      if (!blocks) {
        blocks = bytes.map(reserve);
        shared.set(key, blocks);
      }
      return blocks;
    },
    f32() {
      fresh();
      return f32;
    },
    f64() {
      fresh();
      return f64;
    },
  };
}
