/** FIFO of pending requests (id, arrival µs) with O(1) push/shift and no per-request allocation. */
export class RequestQueue {
  // Preallocated arrays with a manual length: pushes store in place, and compaction moves the live tail
  // down (copyWithin) instead of slicing new arrays. Ids stay a plain array of small integers: read from
  // a Float64Array they would come out as heap numbers and turn every id array downstream into doubles.
  private ids: number[] = new Array<number>(256).fill(0);
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
      const ids = new Array<number>(this.ids.length * 2).fill(0);
      const arrivals = new Float64Array(this.arrivals.length * 2);
      for (let i = this.head; i < this.end; i++) ids[i - this.head] = this.ids[i]!;
      arrivals.set(this.arrivals.subarray(this.head, this.end));
      this.ids = ids;
      this.arrivals = arrivals;
    }
    this.head = 0;
    this.end = live;
  }
}
