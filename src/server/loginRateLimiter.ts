/**
 * Password guesses per client address: at most `maxAttempts` failed attempts in any `windowMs`. An attempt is
 * counted when it starts (before the slow password check), so parallel guesses gain nothing; a success forgets
 * the address's failures.
 */
export type LoginRateLimiterOptions = {
  maxAttempts: number;
  windowMs: number;
  nowMs?: () => number;
};

/** Addresses kept before stale ones are swept (bounds memory under many addresses). */
const SWEEP_ABOVE_ADDRESSES = 1000;

export class LoginRateLimiter {
  private readonly attemptsMs = new Map<string, number[]>();
  private readonly nowMs: () => number;

  constructor(private readonly options: LoginRateLimiterOptions) {
    this.nowMs = options.nowMs ?? Date.now;
  }

  /** Counts an attempt from `address` and returns 0, or the seconds to wait when it has none left (not counted). */
  take(address: string): number {
    const now = this.nowMs();
    const recent = this.recentAttempts(address, now);
    if (recent.length >= this.options.maxAttempts)
      return Math.max(1, Math.ceil((recent[0]! + this.options.windowMs - now) / 1000));
    recent.push(now);
    this.attemptsMs.set(address, recent);
    if (this.attemptsMs.size > SWEEP_ABOVE_ADDRESSES) this.sweep(now);
    return 0;
  }

  /** The attempt succeeded: the address starts afresh. */
  succeeded(address: string): void {
    this.attemptsMs.delete(address);
  }

  private recentAttempts(address: string, now: number): number[] {
    return (this.attemptsMs.get(address) ?? []).filter((t) => t > now - this.options.windowMs);
  }

  private sweep(now: number): void {
    for (const address of [...this.attemptsMs.keys()]) {
      if (this.recentAttempts(address, now).length === 0) this.attemptsMs.delete(address);
    }
  }
}
