/** The scheduler's only notion of time: the simulator passes a virtual clock, the frontend the wall clock. */
export interface Clock {
  /** Current time in integer µs. */
  now(): number;
}

/** A clock that someone else advances (the simulator, tests). */
export class ManualClock implements Clock {
  constructor(public nowUs = 0) {}
  now(): number {
    return this.nowUs;
  }
}

/** The wall clock in integer µs since an arbitrary origin (the frontend's clock). */
export class WallClock implements Clock {
  private readonly originMs = performance.now();
  now(): number {
    return Math.floor((performance.now() - this.originMs) * 1000);
  }
}
