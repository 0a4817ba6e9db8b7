/**
 * Reserved time intervals of one resource (a vGPU, a NIC direction), sorted and disjoint, half-open
 * [start, end) in integer µs. Intervals that ended before "now" are dropped lazily from the front, so a
 * list holds only the near future and searches stay short. Most lists are one busy block (reservations
 * appended back to back); that case is answered from three fields without touching the arrays.
 */
/**
 * Summary fields of many interval sets in typed arrays, so that a probe over a pool of instances can
 * answer the one-busy-block case by scanning flat memory: slot i holds set i's [blockStart, tail) and
 * whether its stored intervals are that one contiguous block.
 */
export class IntervalSummaries {
  readonly tail: Float64Array;
  readonly blockStart: Float64Array;
  readonly contiguous: Uint8Array;
  constructor(size: number) {
    this.tail = new Float64Array(size).fill(-Infinity);
    this.blockStart = new Float64Array(size);
    this.contiguous = new Uint8Array(size).fill(1);
  }
}

export class IntervalSet {
  // Typed arrays with a manual length (not number[]): emptying and refilling an idle resource, thousands
  // of times a second, then reuses the same memory instead of reallocating backing stores.
  // 32 slots: a busy resource holds a handful of live intervals, so the pruned prefix is moved down
  // (makeRoom) only every dozen or more inserts.
  private starts = new Float64Array(32);
  private ends = new Float64Array(32);
  /** Stored intervals are [head, length). */
  private length = 0;
  private head = 0;

  // The summary's arrays, held directly: each access is then one load fewer (these run per probed candidate).
  private readonly tails: Float64Array;
  private readonly blockStarts: Float64Array;
  private readonly contiguity: Uint8Array;

  constructor(
    summary: IntervalSummaries = new IntervalSummaries(1),
    private readonly slot = 0,
  ) {
    this.tails = summary.tail;
    this.blockStarts = summary.blockStart;
    this.contiguity = summary.contiguous;
  }

  /** End of the last reservation (−∞ when none). */
  private get tail(): number {
    return this.tails[this.slot]!;
  }
  private set tail(value: number) {
    this.tails[this.slot] = value;
  }
  /** Start of the busy block ending at tail; meaningful when contiguous. */
  private get blockStart(): number {
    return this.blockStarts[this.slot]!;
  }
  private set blockStart(value: number) {
    this.blockStarts[this.slot] = value;
  }
  /** True when the stored intervals form one contiguous block [blockStart, tail) (or there are none). */
  private get contiguous(): boolean {
    return this.contiguity[this.slot] === 1;
  }
  private set contiguous(value: boolean) {
    this.contiguity[this.slot] = value ? 1 : 0;
  }

  /** Forgets intervals that ended at or before nowUs (probes never start earlier). */
  prune(nowUs: number): void {
    if (this.tail <= nowUs) {
      // Everything ended: the common case for an idle resource.
      if (this.head !== this.length) this.clear();
      return;
    }
    const ends = this.ends;
    let head = this.head;
    if (ends[head]! > nowUs) return;
    while (ends[head]! <= nowUs) head++;
    this.head = head;
    if (this.contiguous) this.blockStart = this.starts[head]!;
    else this.recheck();
  }

  /** Earliest s ≥ t such that [s, s + lenUs) overlaps no reserved interval; a gap that fits is used. */
  earliestFree(t: number, lenUs: number): number {
    if (this.tail <= t) return t;
    if (this.contiguous) return this.blockStart >= t + lenUs ? t : this.tail;
    const starts = this.starts;
    const ends = this.ends;
    const n = this.length;
    let i = this.head;
    while (i < n && ends[i]! <= t) i++;
    let s = t;
    while (i < n && starts[i]! < s + lenUs) {
      if (ends[i]! > s) s = ends[i]!;
      i++;
    }
    return s;
  }

  /**
   * Reserves [start, end); the caller guarantees it is free (probed). Empty intervals are not stored.
   * Returns true when it lands before an existing reservation, i.e. fills a gap (backfilling).
   */
  insert(start: number, end: number): boolean {
    if (end <= start) return false;
    if (this.head === this.length) {
      this.clear();
      this.starts[0] = start;
      this.ends[0] = end;
      this.length = 1;
      this.blockStart = start;
      this.tail = end;
      this.contiguous = true;
      return false;
    }
    if (this.length === this.starts.length) this.makeRoom();
    const starts = this.starts;
    const ends = this.ends;
    const n = this.length;
    let i = n;
    // Most reservations land at the end of the list; walk back from there.
    while (i > this.head && starts[i - 1]! >= end) i--;
    if (i > this.head && ends[i - 1]! > start)
      throw new Error(`interval [${start}, ${end}) overlaps [${starts[i - 1]}, ${ends[i - 1]})`);
    if (i < n && starts[i]! < end) throw new Error(`interval [${start}, ${end}) overlaps [${starts[i]}, ${ends[i]})`);
    this.length = n + 1;
    if (i === n) {
      starts[n] = start;
      ends[n] = end;
      if (start !== this.tail) this.contiguous = false;
      this.tail = end;
      return false;
    }
    starts.copyWithin(i + 1, i, n);
    ends.copyWithin(i + 1, i, n);
    starts[i] = start;
    ends[i] = end;
    this.recheck();
    return true;
  }

  /** Live intervals (for tests and reports). */
  intervals(): Array<[number, number]> {
    const out: Array<[number, number]> = [];
    for (let i = this.head; i < this.length; i++) out.push([this.starts[i]!, this.ends[i]!]);
    return out;
  }

  private clear(): void {
    this.length = 0;
    this.head = 0;
    this.contiguous = true;
    this.tail = -Infinity;
  }

  /** Space for one more interval: drop the pruned prefix when it is at least half, else double. */
  private makeRoom(): void {
    const live = this.length - this.head;
    if (this.head * 2 >= this.length) {
      this.starts.copyWithin(0, this.head, this.length);
      this.ends.copyWithin(0, this.head, this.length);
    } else {
      const starts = new Float64Array(this.starts.length * 2);
      const ends = new Float64Array(this.ends.length * 2);
      starts.set(this.starts.subarray(this.head, this.length));
      ends.set(this.ends.subarray(this.head, this.length));
      this.starts = starts;
      this.ends = ends;
    }
    this.head = 0;
    this.length = live;
  }

  private recheck(): void {
    const starts = this.starts;
    const ends = this.ends;
    const n = this.length;
    let contiguous = true;
    for (let i = this.head + 1; i < n; i++) {
      if (starts[i] !== ends[i - 1]) {
        contiguous = false;
        break;
      }
    }
    this.contiguous = contiguous;
    this.blockStart = starts[this.head]!;
    this.tail = ends[n - 1]!;
  }
}

/** Earliest s ≥ t at which both resources are free for lenUs. */
export function earliestFreeBoth(a: IntervalSet, b: IntervalSet, t: number, lenUs: number): number {
  let s = t;
  for (;;) {
    const sa = a.earliestFree(s, lenUs);
    const sb = b.earliestFree(sa, lenUs);
    if (sb === sa) return sa;
    s = sb;
  }
}
