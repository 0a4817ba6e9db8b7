/**
 * The simulator's agenda: a binary min-heap of events keyed by (time µs, insertion sequence), so equal
 * times pop in insertion order and runs are deterministic. Keys live in typed arrays; an event carries a
 * kind and two integer arguments, no object per event.
 */
export class EventQueue {
  private times = new Float64Array(1024);
  private seqs = new Float64Array(1024);
  private kinds = new Int32Array(1024);
  private args0 = new Int32Array(1024);
  private args1 = new Int32Array(1024);
  private size = 0;
  private seq = 0;
  /** Fields of the last popped event. */
  timeUs = 0;
  kind = 0;
  arg0 = 0;
  arg1 = 0;

  get length(): number {
    return this.size;
  }

  /** Time of the earliest event (Infinity when empty). */
  topTimeUs(): number {
    return this.size === 0 ? Infinity : this.times[0]!;
  }

  topSeq(): number {
    return this.size === 0 ? Infinity : this.seqs[0]!;
  }

  /**
   * Takes a sequence number for an event kept outside the heap (the next arrival), so that it orders
   * against heap events exactly as if it had been pushed now.
   */
  reserveSeq(): number {
    return this.seq++;
  }

  push(timeUs: number, kind: number, arg0 = 0, arg1 = 0): void {
    if (this.size === this.times.length) this.grow();
    const seq = this.seq++;
    let i = this.size++;
    const times = this.times;
    const seqs = this.seqs;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const pt = times[parent]!;
      if (pt < timeUs || (pt === timeUs && seqs[parent]! < seq)) break;
      this.move(parent, i);
      i = parent;
    }
    times[i] = timeUs;
    seqs[i] = seq;
    this.kinds[i] = kind;
    this.args0[i] = arg0;
    this.args1[i] = arg1;
  }

  /** Removes the earliest event into timeUs/kind/arg0/arg1; false when empty. */
  pop(): boolean {
    if (this.size === 0) return false;
    this.timeUs = this.times[0]!;
    this.kind = this.kinds[0]!;
    this.arg0 = this.args0[0]!;
    this.arg1 = this.args1[0]!;
    const last = --this.size;
    if (last === 0) return true;
    const t = this.times[last]!;
    const s = this.seqs[last]!;
    const k = this.kinds[last]!;
    const a0 = this.args0[last]!;
    const a1 = this.args1[last]!;
    const times = this.times;
    const seqs = this.seqs;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= last) break;
      const right = left + 1;
      let child = left;
      if (right < last && (times[right]! < times[left]! || (times[right] === times[left] && seqs[right]! < seqs[left]!))) child = right;
      const ct = times[child]!;
      if (ct > t || (ct === t && seqs[child]! > s)) break;
      this.move(child, i);
      i = child;
    }
    times[i] = t;
    seqs[i] = s;
    this.kinds[i] = k;
    this.args0[i] = a0;
    this.args1[i] = a1;
    return true;
  }

  private move(from: number, to: number): void {
    this.times[to] = this.times[from]!;
    this.seqs[to] = this.seqs[from]!;
    this.kinds[to] = this.kinds[from]!;
    this.args0[to] = this.args0[from]!;
    this.args1[to] = this.args1[from]!;
  }

  private grow(): void {
    const n = this.times.length * 2;
    const grow = <T extends Float64Array | Int32Array>(old: T, make: (n: number) => T): T => {
      const next = make(n);
      next.set(old);
      return next;
    };
    this.times = grow(this.times, (m) => new Float64Array(m));
    this.seqs = grow(this.seqs, (m) => new Float64Array(m));
    this.kinds = grow(this.kinds, (m) => new Int32Array(m));
    this.args0 = grow(this.args0, (m) => new Int32Array(m));
    this.args1 = grow(this.args1, (m) => new Int32Array(m));
  }
}
