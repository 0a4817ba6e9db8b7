/**
 * A segment tree of minima over a pool's instances. Each leaf holds a lower bound on when that instance's
 * GPU can next start work, so a probe can visit only the subtrees that might beat its best candidate
 * (branch and bound) instead of every instance of a large pool.
 */
export class MinTree {
  /** Leaves start at index `size`; node i has children 2i and 2i + 1; the root is 1. */
  readonly size: number;
  readonly mins: Float64Array;

  constructor(readonly count: number) {
    let size = 1;
    while (size < count) size *= 2;
    this.size = size;
    this.mins = new Float64Array(2 * size).fill(Infinity);
    for (let i = 0; i < count; i++) this.mins[size + i] = -Infinity;
    for (let i = size - 1; i >= 1; i--) this.mins[i] = Math.min(this.mins[2 * i]!, this.mins[2 * i + 1]!);
  }

  update(position: number, value: number): void {
    const mins = this.mins;
    let i = this.size + position;
    mins[i] = value;
    i >>= 1;
    while (i >= 1) {
      const m = Math.min(mins[2 * i]!, mins[2 * i + 1]!);
      if (mins[i] === m) break;
      mins[i] = m;
      i >>= 1;
    }
  }
}
