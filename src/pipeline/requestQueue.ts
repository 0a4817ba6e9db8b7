/** FIFO of pending requests (id, arrival µs) with O(1) push/shift and no per-request allocation. */
export class RequestQueue {
  private ids: number[] = [];
  private arrivals: number[] = [];
  private head = 0;

  get length(): number {
    return this.ids.length - this.head;
  }

  push(id: number, arrivalUs: number): void {
    this.ids.push(id);
    this.arrivals.push(arrivalUs);
  }

  /** Inserts keeping arrival order (batches from several workers can reach a later pool out of order). */
  insertByArrival(id: number, arrivalUs: number): void {
    let i = this.ids.length;
    while (i > this.head && this.arrivals[i - 1]! > arrivalUs) i--;
    this.ids.splice(i, 0, id);
    this.arrivals.splice(i, 0, arrivalUs);
  }

  headId(): number {
    return this.ids[this.head]!;
  }

  headArrivalUs(): number {
    return this.arrivals[this.head]!;
  }

  shift(): number {
    const id = this.ids[this.head++]!;
    this.compact();
    return id;
  }

  /** Removes and returns the first n ids. */
  take(n: number): number[] {
    const out = this.ids.slice(this.head, this.head + n);
    this.head += n;
    this.compact();
    return out;
  }

  private compact(): void {
    if (this.head > 1024 && this.head * 2 > this.ids.length) {
      this.ids = this.ids.slice(this.head);
      this.arrivals = this.arrivals.slice(this.head);
      this.head = 0;
    }
  }
}
