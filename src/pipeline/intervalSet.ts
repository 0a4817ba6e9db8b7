/**
 * Reserved time intervals of one resource (a vGPU, a NIC direction), sorted and disjoint, half-open
 * [start, end) in integer µs. Intervals that ended before "now" are dropped lazily from the front, so a
 * list holds only the near future and searches stay short.
 */
export class IntervalSet {
  private starts: number[] = [];
  private ends: number[] = [];
  private head = 0;

  /** Forgets intervals that ended at or before nowUs (probes never start earlier). */
  prune(nowUs: number): void {
    const ends = this.ends;
    let head = this.head;
    while (head < ends.length && ends[head]! <= nowUs) head++;
    if (head > 32 && head * 2 > ends.length) {
      this.starts = this.starts.slice(head);
      this.ends = ends.slice(head);
      head = 0;
    }
    this.head = head;
  }

  /** Earliest s ≥ t such that [s, s + lenUs) overlaps no reserved interval; a gap that fits is used. */
  earliestFree(t: number, lenUs: number): number {
    const starts = this.starts;
    const ends = this.ends;
    const n = ends.length;
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
    const starts = this.starts;
    const ends = this.ends;
    let i = ends.length;
    // Most reservations land at the end of the list; walk back from there.
    while (i > this.head && starts[i - 1]! >= end) i--;
    if (i > this.head && ends[i - 1]! > start) throw new Error(`interval [${start}, ${end}) overlaps [${starts[i - 1]}, ${ends[i - 1]})`);
    if (i < starts.length && starts[i]! < end) throw new Error(`interval [${start}, ${end}) overlaps [${starts[i]}, ${ends[i]})`);
    if (i === starts.length) {
      starts.push(start);
      ends.push(end);
      return false;
    }
    starts.splice(i, 0, start);
    ends.splice(i, 0, end);
    return true;
  }

  /** Live intervals (for tests and reports). */
  intervals(): Array<[number, number]> {
    const out: Array<[number, number]> = [];
    for (let i = this.head; i < this.ends.length; i++) out.push([this.starts[i]!, this.ends[i]!]);
    return out;
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
