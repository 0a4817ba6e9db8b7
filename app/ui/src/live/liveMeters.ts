// Measurements the browser makes itself on the live feed: frames shown per second over a sliding window,
// and the share of recent frames that met their SLO.

/** Frames per second over the last `windowMs`, from the times frames were shown. */
export class FpsMeter {
  private readonly timesMs: number[] = [];

  constructor(private readonly windowMs = 2000) {}

  record(timeMs: number): void {
    this.timesMs.push(timeMs);
    this.dropBefore(timeMs - this.windowMs);
  }

  fps(nowMs: number): number {
    this.dropBefore(nowMs - this.windowMs);
    const first = this.timesMs[0];
    if (first === undefined || this.timesMs.length < 2) return 0;
    // n frames in the window span n-1 intervals; a feed that stopped decays to 0 as its frames leave the window.
    const spanMs = Math.max(nowMs - first, 1);
    return ((this.timesMs.length - 1) * 1000) / spanMs;
  }

  private dropBefore(cutoffMs: number): void {
    let stale = 0;
    while (stale < this.timesMs.length && this.timesMs[stale]! < cutoffMs) stale++;
    if (stale > 0) this.timesMs.splice(0, stale);
  }
}

/** The share of the last `capacity` frames that met their SLO (null before the first). */
export class SloWindow {
  private readonly outcomes: boolean[] = [];

  constructor(private readonly capacity = 100) {}

  record(sloMet: boolean): void {
    this.outcomes.push(sloMet);
    if (this.outcomes.length > this.capacity) this.outcomes.shift();
  }

  attainment(): number | null {
    if (this.outcomes.length === 0) return null;
    return this.outcomes.filter(Boolean).length / this.outcomes.length;
  }
}
