/**
 * What one live client asked for (`LiveSubscribe`, validated here because api.ts holds types only) and when
 * it is due its next frame: the grid at most 10 frames per second per camera, one camera full size at most 15.
 */
import { z } from 'zod';
import type { LiveSubscribe, RequestIssue } from './api.ts';

export const GRID_MAX_FPS = 10;
export const FULL_SIZE_MAX_FPS = 15;
/** Grid frames are sent at most this wide (the full-size camera's at its decoded size). */
export const GRID_MAX_WIDTH_PX = 640;

export const liveSubscribeSchema = z
  .object({
    type: z.literal('subscribe'),
    grid: z.boolean(),
    fullSize: z.string().min(1).max(200).nullable(),
  })
  .strict();

/** Parses a client's message: the subscription, or the issues to send back. */
export function parseLiveClientMessage(text: string): { subscribe: LiveSubscribe } | { issues: RequestIssue[] } {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return { issues: [{ path: [], message: 'expected a JSON object such as {"type":"subscribe",…}' }] };
  }
  const parsed = liveSubscribeSchema.safeParse(data);
  if (parsed.success) return { subscribe: parsed.data };
  return { issues: parsed.error.issues.map((i) => ({ path: i.path.map(String), message: i.message })) };
}

export type FrameKind = 'grid' | 'fullSize';

/** One client's subscription and the time it was last sent a frame of each camera. */
export class LiveSubscription {
  private current: LiveSubscribe = { type: 'subscribe', grid: false, fullSize: null };
  private readonly lastSentMs = new Map<string, number>();

  set(subscribe: LiveSubscribe): void {
    this.current = subscribe;
    this.lastSentMs.clear();
  }

  /** Which frame of `camera` this client is due now, if any. */
  due(camera: string, nowMs: number): FrameKind | undefined {
    const kind: FrameKind | undefined =
      this.current.fullSize === camera ? 'fullSize' : this.current.grid ? 'grid' : undefined;
    if (kind === undefined) return undefined;
    const minIntervalMs = 1000 / (kind === 'grid' ? GRID_MAX_FPS : FULL_SIZE_MAX_FPS);
    // A little slack, so that a camera at exactly the cap is not halved by timer jitter.
    const last = this.lastSentMs.get(camera);
    return last === undefined || nowMs - last >= minIntervalMs * 0.9 ? kind : undefined;
  }

  sent(camera: string, nowMs: number): void {
    this.lastSentMs.set(camera, nowMs);
  }
}
