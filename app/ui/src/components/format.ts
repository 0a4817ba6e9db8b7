// How numbers read on the Live and Cluster pages: relative times, rates, shares and durations.

/** "just now", "12 s ago", "5 min ago", "3 h ago", "2 d ago" (a clock a little ahead reads as "just now"). */
export function relativeTime(nowMs: number, thenMs: number): string {
  const seconds = Math.floor((nowMs - thenMs) / 1000);
  if (seconds < 2) return 'just now';
  if (seconds < 60) return `${seconds} s ago`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} h ago`;
  return `${Math.floor(hours / 24)} d ago`;
}

/** A share 0..1 as a percentage with one decimal below 100 ("97.5%"), or "—" when unknown. */
export function percentText(share: number | null | undefined): string {
  if (share === null || share === undefined || !Number.isFinite(share)) return '—';
  const percent = share * 100;
  return percent >= 99.95 ? '100%' : `${percent.toFixed(1)}%`;
}

export function msText(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '—';
  return ms < 10 ? `${ms.toFixed(1)} ms` : `${Math.round(ms)} ms`;
}

/** Microseconds shown in milliseconds. */
export function usAsMsText(us: number): string {
  return msText(us / 1000);
}

export function rateText(perSecond: number, unit: string): string {
  if (!Number.isFinite(perSecond)) return '—';
  const value = perSecond >= 100 ? Math.round(perSecond).toString() : perSecond.toFixed(1);
  return `${value} ${unit}`;
}
