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
