/**
 * Views of `length` elements of one buffer by their offset, each made once while callers hand in
 * the same buffer: a kernel that copies a lane's block with `set` needs a view of it, and making
 * one (`subarray`) costs about twice the lookup, several times per lane and step. Handed another
 * buffer, it forgets the old one's views.
 */
export class OffsetViews {
  private of?: Float32Array;
  private readonly views = new Map<number, Float32Array>();

  constructor(private readonly length: number) {}

  /** a[from .. from + length) as a view. */
  view(a: Float32Array, from: number): Float32Array {
    if (a !== this.of) {
      this.of = a;
      this.views.clear();
    }
    let v = this.views.get(from);
    if (!v) {
      v = a.subarray(from, from + this.length);
      this.views.set(from, v);
    }
    return v;
  }
}
