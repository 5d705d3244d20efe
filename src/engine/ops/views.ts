/**
 * Views of `length` elements of one buffer by where they start in it, each made once while callers
 * hand in arrays of the same buffer: a kernel that copies a lane's block with `set` needs a view of
 * it, and making one (`subarray`) costs about twice the lookup, several times per lane and step.
 * Keyed by the buffer and the byte offset, so a whole parameter and one lane's view of it find the
 * same views. Handed another buffer, it forgets the old one's views.
 */
export class OffsetViews {
  private of?: ArrayBufferLike;
  private readonly views = new Map<number, Float32Array>();

  constructor(private readonly length: number) {}

  /** a[from .. from + length) as a view. */
  view(a: Float32Array, from: number): Float32Array {
    if (a.buffer !== this.of) {
      this.of = a.buffer;
      this.views.clear();
    }
    const start = a.byteOffset + 4 * from;
    let v = this.views.get(start);
    if (!v) {
      v = new Float32Array(a.buffer, start, this.length);
      this.views.set(start, v);
    }
    return v;
  }
}
