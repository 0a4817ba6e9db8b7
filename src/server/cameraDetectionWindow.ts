/**
 * Per camera, what the detector measured: frames analysed (all of them) and, over its latest frames only (a
 * bounded window, so memory stays constant however long the appliance runs), latency percentiles and the
 * share of frames answered within their SLO.
 */
import { percentileOfSorted } from '../config/index.ts';
import type { CameraDetectionStats } from './api.ts';

/** Frames per camera that percentiles and attainment cover. */
export const CAMERA_WINDOW_FRAMES = 1000;

/** One camera's latest frames in a ring. */
class FrameRing {
  readonly latenciesMs: Float64Array;
  readonly sloMet: Uint8Array;
  framesAnalysed = 0;

  constructor(capacity: number) {
    this.latenciesMs = new Float64Array(capacity);
    this.sloMet = new Uint8Array(capacity);
  }

  get size(): number {
    return Math.min(this.framesAnalysed, this.latenciesMs.length);
  }

  add(latencyMs: number, sloMet: boolean): void {
    const slot = this.framesAnalysed % this.latenciesMs.length;
    this.latenciesMs[slot] = latencyMs;
    this.sloMet[slot] = sloMet ? 1 : 0;
    this.framesAnalysed++;
  }
}

export class CameraDetectionWindow {
  private readonly rings = new Map<string, FrameRing>();

  constructor(private readonly windowFrames: number = CAMERA_WINDOW_FRAMES) {
    if (!Number.isInteger(windowFrames) || windowFrames < 1)
      throw new Error(`windowFrames: expected a positive integer, got ${windowFrames}`);
  }

  record(camera: string, latencyMs: number, sloMet: boolean): void {
    let ring = this.rings.get(camera);
    if (!ring) {
      ring = new FrameRing(this.windowFrames);
      this.rings.set(camera, ring);
    }
    ring.add(latencyMs, sloMet);
  }

  /** The stats of each camera asked for, in that order (a camera without frames has zeros and nulls). */
  stats(cameras: ReadonlyArray<string>): CameraDetectionStats[] {
    return cameras.map((camera) => {
      const ring = this.rings.get(camera);
      const size = ring?.size ?? 0;
      if (!ring || size === 0)
        return { camera, framesAnalysed: 0, latencyP50Ms: null, latencyP99Ms: null, sloAttainment: null };
      const sorted = ring.latenciesMs.slice(0, size).sort();
      let met = 0;
      for (let i = 0; i < size; i++) met += ring.sloMet[i]!;
      return {
        camera,
        framesAnalysed: ring.framesAnalysed,
        latencyP50Ms: percentileOfSorted(sorted, 0.5, 'floor')!,
        latencyP99Ms: percentileOfSorted(sorted, 0.99, 'floor')!,
        sloAttainment: met / size,
      };
    });
  }
}
