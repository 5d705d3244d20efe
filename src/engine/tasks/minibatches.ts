import { permutation, type Stream, stream } from '../../data/random.js';

/**
 * Which points every lane of a batch trains on at each step, for tasks that walk epochs in
 * minibatches (mle, mvn-classifier): step s takes slice `s mod (steps per epoch)` of its epoch's
 * order, consecutive runs of `size` points, the last one of an epoch shorter when `size` does not
 * divide n, as torch's DataLoader makes them. Each lane draws its epochs' orders from its own
 * 'shuffle' stream, one permutation of 0..n-1 per epoch (file order with `shuffle: false`), one
 * epoch at a time: all at once would be epochs x n indices per lane. Steps come in order; an
 * earlier epoch asked for again replays the streams.
 */
export class Minibatches {
  /** Steps per epoch: ceil(n / size). */
  readonly perEpoch: number;
  private streams: Stream[] = [];
  /** Each lane's order of the current epoch, [B][n]. */
  private orders: Int32Array[] = [];
  private epoch = -1;
  /** 0..n-1, made once: `at` runs every step, and most steps stay in their epoch. */
  private identity?: Int32Array;

  constructor(
    private readonly seeds: readonly number[],
    private readonly n: number,
    private readonly size: number,
    private readonly shuffle: boolean,
  ) {
    this.perEpoch = Math.ceil(n / size);
  }

  /** Steps of `epochs` passes over the points. */
  steps(epochs: number): number {
    return epochs * this.perEpoch;
  }

  /** The minibatch of `step`: its length m and each lane's order, whose entries start..start+m-1 it is. */
  at(step: number): { start: number; m: number; orders: readonly Int32Array[] } {
    this.seek(Math.floor(step / this.perEpoch));
    const start = (step % this.perEpoch) * this.size;
    return { start, m: Math.min(this.size, this.n - start), orders: this.orders };
  }

  private seek(epoch: number) {
    // Called every step: nothing is allocated unless the epoch changes.
    if (epoch === this.epoch) return;
    if (epoch < this.epoch || this.epoch < 0) {
      this.streams = this.seeds.map((seed) => stream(seed, 'shuffle'));
      this.epoch = -1;
    }
    for (; this.epoch < epoch; this.epoch++)
      this.orders = this.streams.map((s) => (this.shuffle ? permutation(s, this.n) : this.fileOrder()));
  }

  /** Every epoch's order without `shuffle`: the points in file order (read only, shared by every lane). */
  private fileOrder(): Int32Array {
    this.identity ??= Int32Array.from({ length: this.n }, (_, i) => i);
    return this.identity;
  }
}
