/**
 * The simulator's agenda: a binary min-heap of events keyed by (time µs, insertion sequence), so equal
 * times pop in insertion order and runs are deterministic. Keys live in typed arrays; an event carries a
 * kind and two integer arguments, no object per event.
 *
 * The heap orders only (time, seq, slot); an event's kind and arguments sit in a payload slot that never
 * moves, so sifting copies three numbers per level instead of five. Pop uses Floyd's variant: the hole
 * left by the root sinks to a leaf along the smaller children (one comparison per level), then the last
 * element rises from there, which is short because late events (the usual last element) belong low.
 */
export class EventQueue {
  private times = new Float64Array(1024);
  private seqs = new Float64Array(1024);
  private slots = new Int32Array(1024);
  // Payload by slot; free slots are stacked in `free` (the first `size` slots are taken, in any order).
  private kinds = new Int32Array(1024);
  private args0 = new Int32Array(1024);
  private args1 = new Int32Array(1024);
  private free = Int32Array.from({ length: 1024 }, (_, i) => 1023 - i);
  private freeCount = 1024;
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
    const slot = this.free[--this.freeCount]!;
    this.kinds[slot] = kind;
    this.args0[slot] = arg0;
    this.args1[slot] = arg1;
    const times = this.times;
    const seqs = this.seqs;
    const slots = this.slots;
    let i = this.size++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const pt = times[parent]!;
      if (pt < timeUs || (pt === timeUs && seqs[parent]! < seq)) break;
      times[i] = pt;
      seqs[i] = seqs[parent]!;
      slots[i] = slots[parent]!;
      i = parent;
    }
    times[i] = timeUs;
    seqs[i] = seq;
    slots[i] = slot;
  }

  /** Removes the earliest event into timeUs/kind/arg0/arg1; false when empty. */
  pop(): boolean {
    if (this.size === 0) return false;
    const times = this.times;
    const seqs = this.seqs;
    const slots = this.slots;
    const top = slots[0]!;
    this.timeUs = times[0]!;
    this.kind = this.kinds[top]!;
    this.arg0 = this.args0[top]!;
    this.arg1 = this.args1[top]!;
    this.free[this.freeCount++] = top;
    const last = --this.size;
    if (last === 0) return true;
    const t = times[last]!;
    const s = seqs[last]!;
    const sl = slots[last]!;
    // Sink the hole to a leaf along the smaller children (the heap is now [0, last)).
    let i = 0;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= last) break;
      const right = child + 1;
      if (right < last) {
        // Branch-free choice of the smaller child: which one wins is a coin toss the CPU cannot predict.
        const tr = times[right]!;
        const tc = times[child]!;
        child += +(tr < tc) | (+(tr === tc) & +(seqs[right]! < seqs[child]!));
      }
      times[i] = times[child]!;
      seqs[i] = seqs[child]!;
      slots[i] = slots[child]!;
      i = child;
    }
    // Then raise the former last element from the hole.
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const pt = times[parent]!;
      if (pt < t || (pt === t && seqs[parent]! < s)) break;
      times[i] = pt;
      seqs[i] = seqs[parent]!;
      slots[i] = slots[parent]!;
      i = parent;
    }
    times[i] = t;
    seqs[i] = s;
    slots[i] = sl;
    return true;
  }

  private grow(): void {
    const n = this.times.length * 2;
    const grown = <T extends Float64Array | Int32Array>(old: T, next: T): T => {
      next.set(old);
      return next;
    };
    this.times = grown(this.times, new Float64Array(n));
    this.seqs = grown(this.seqs, new Float64Array(n));
    this.slots = grown(this.slots, new Int32Array(n));
    this.kinds = grown(this.kinds, new Int32Array(n));
    this.args0 = grown(this.args0, new Int32Array(n));
    this.args1 = grown(this.args1, new Int32Array(n));
    // Every slot is taken when the heap is full: the new upper half is free.
    const free = new Int32Array(n);
    for (let k = 0; k < n - this.size; k++) free[k] = n - 1 - k;
    this.free = free;
    this.freeCount = n - this.size;
  }
}
