// How long the live feed waits before it reconnects: doubling from a base up to a cap, each delay shortened
// by a random share so that many browsers do not reconnect in step after the appliance restarts.
export type ReconnectPolicy = { baseDelayMs: number; maxDelayMs: number; jitterShare: number };

export const DEFAULT_RECONNECT_POLICY: ReconnectPolicy = { baseDelayMs: 500, maxDelayMs: 15_000, jitterShare: 0.3 };

/** The delay before reconnect attempt `attempt` (0: the first after a loss); `random` is in [0, 1). */
export function reconnectDelayMs(attempt: number, policy: ReconnectPolicy, random: () => number): number {
  const unjittered = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.min(attempt, 30));
  return Math.round(unjittered * (1 - policy.jitterShare * random()));
}
