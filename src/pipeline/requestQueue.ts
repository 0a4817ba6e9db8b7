/** FIFO of pending requests (id, arrival µs) with O(1) push/shift and no per-request allocation. */
export class RequestQueue {
  // Typed arrays with a manual length: pushes store in place, and compaction moves the live tail down
  // (copyWithin) instead of slicing new arrays.
  private ids = new Float64Array(256);
  private arrivals = new Float64Array(256);
  /** Pending requests are [head, end). */
  private end = 0;
  private head = 0;

  get length(): number {
    return this.end - this.head;
  }

  push(id: number, arrivalUs: number): void {
    if (this.end === this.ids.length) this.makeRoom();
    this.ids[this.end] = id;
    this.arrivals[this.end] = arrivalUs;
    this.end++;
  }

  /** Inserts keeping arrival order (batches from several workers can reach a later pool out of order). */
  insertByArrival(id: number, arrivalUs: number): void {
    if (this.end === this.ids.length) this.makeRoom();
    let i = this.end;
    while (i > this.head && this.arrivals[i - 1]! > arrivalUs) i--;
    this.ids.copyWithin(i + 1, i, this.end);
    this.arrivals.copyWithin(i + 1, i, this.end);
    this.ids[i] = id;
    this.arrivals[i] = arrivalUs;
    this.end++;
  }

  headId(): number {
    return this.ids[this.head]!;
  }

  headArrivalUs(): number {
    return this.arrivals[this.head]!;
  }

  shift(): number {
    return this.ids[this.head++]!;
  }

  /** Removes and returns the first n ids. */
  take(n: number): number[] {
    const out = new Array<number>(n);
    const ids = this.ids;
    const head = this.head;
    for (let i = 0; i < n; i++) out[i] = ids[head + i]!;
    this.head = head + n;
    return out;
  }

  /** Space for one more request: drop the served prefix when it is at least half, else double. */
  private makeRoom(): void {
    const live = this.end - this.head;
    if (this.head * 2 >= this.end) {
      this.ids.copyWithin(0, this.head, this.end);
      this.arrivals.copyWithin(0, this.head, this.end);
    } else {
      const ids = new Float64Array(this.ids.length * 2);
      const arrivals = new Float64Array(this.arrivals.length * 2);
      ids.set(this.ids.subarray(this.head, this.end));
      arrivals.set(this.arrivals.subarray(this.head, this.end));
      this.ids = ids;
      this.arrivals = arrivals;
    }
    this.head = 0;
    this.end = live;
  }
}
