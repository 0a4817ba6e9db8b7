/**
 * The one capped exponential backoff: the delay before the next retry after `failures` failures in a row
 * (1 → initialMs, 2 → 2·initialMs, …), never more than maxMs. Used by camera restarts (ingest), local worker
 * restarts and tensor link reconnects (cluster).
 */
export function backoffDelayMs(failures: number, initialMs: number, maxMs: number): number {
  return Math.min(initialMs * 2 ** (failures - 1), maxMs);
}
