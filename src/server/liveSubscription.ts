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
/** Frames a client may receive back to back after a pause (the bucket's size). */
const BURST_FRAMES = 2;

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

/**
 * One client's subscription and, per camera, a token bucket of frame credits: credits accrue at the cap's rate
 * up to a small burst, so a camera at exactly the cap passes every frame despite jitter in when frames are
 * analysed, while a faster one is held to the cap on average.
 */
export class LiveSubscription {
  private current: LiveSubscribe = { type: 'subscribe', grid: false, fullSize: null };
  private readonly buckets = new Map<string, { credits: number; atMs: number }>();

  set(subscribe: LiveSubscribe): void {
    this.current = subscribe;
    this.buckets.clear();
  }

  /** Which frame of `camera` this client is due now, if any. */
  due(camera: string, nowMs: number): FrameKind | undefined {
    const kind = this.kindOf(camera);
    if (kind === undefined) return undefined;
    return this.creditsAt(camera, kind, nowMs) >= 1 ? kind : undefined;
  }

  /** A frame of `camera` was sent at `nowMs`: it spends one credit. */
  sent(camera: string, nowMs: number): void {
    const kind = this.kindOf(camera);
    if (kind === undefined) return;
    this.buckets.set(camera, { credits: this.creditsAt(camera, kind, nowMs) - 1, atMs: nowMs });
  }

  private kindOf(camera: string): FrameKind | undefined {
    return this.current.fullSize === camera ? 'fullSize' : this.current.grid ? 'grid' : undefined;
  }

  private creditsAt(camera: string, kind: FrameKind, nowMs: number): number {
    const bucket = this.buckets.get(camera);
    if (bucket === undefined) return BURST_FRAMES;
    const ratePerMs = (kind === 'grid' ? GRID_MAX_FPS : FULL_SIZE_MAX_FPS) / 1000;
    return Math.min(BURST_FRAMES, bucket.credits + Math.max(0, nowMs - bucket.atMs) * ratePerMs);
  }
}
