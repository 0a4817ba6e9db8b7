/**
 * Frame → detector → log: what happens to each frame a camera delivers. Latency is measured from the frame's
 * arrival to detections ready; SLO attainment per model's sloMs. Detections go to SQLite (with a throttled
 * snapshot), to metrics and to the live feed. Failures are logged per frame; they never stop the camera.
 * A detector that serves through a scheduler (the cluster) reports each frame's outcome: a late frame misses
 * its SLO, a dropped one is counted and misses it too, so attainment covers every frame a camera delivered.
 * The detector's boxes are in decoded-frame pixels; everything downstream gets them in the camera's source
 * pixels, with the source size alongside.
 */
import type { Logger, ModelConfig } from '../config/index.ts';
import { percentileOfSorted } from '../config/index.ts';
import type { FrameConsumer, RgbFrame } from '../ingest/index.ts';
import { scaleBox } from '../ingest/index.ts';
import type { DetectionResult, Detector } from '../detect/index.ts';
import type { DetectionStore, NewDetection, SnapshotStore } from '../store/index.ts';
import { encodeJpeg } from '../store/index.ts';
import type { CameraDetectionStats, DetectionItem, LiveMessage } from './api.ts';
import { CameraDetectionWindow } from './cameraDetectionWindow.ts';
import type { LiveFeed } from './liveFeed.ts';
import { GRID_MAX_WIDTH_PX } from './liveSubscription.ts';
import type { FrameKind } from './liveSubscription.ts';
import type { ApplianceMetrics } from './metrics.ts';

export type DetectionLoopDeps = {
  detectorFor: (modelId: string) => { detector: Detector; model: ModelConfig } | undefined;
  modelOf: (cameraId: string) => string | undefined;
  store: DetectionStore;
  snapshots: SnapshotStore | undefined;
  metrics: ApplianceMetrics;
  broadcast: (message: LiveMessage) => void;
  liveClients: () => number;
  /** Frames for the live clients that subscribed to them (encoded only when one is due). */
  liveFrames?: Pick<LiveFeed, 'wantsFrame' | 'sendFrame'>;
  log: Logger;
};

export class DetectionLoop {
  private readonly recent: DetectionItem[] = [];
  private readonly latencies: number[] = [];
  private readonly perCamera = new CameraDetectionWindow();
  private framesAnalysed = 0;
  private framesDropped = 0;
  private detectionsTotal = 0;

  constructor(private readonly deps: DetectionLoopDeps) {}

  consumerFor(cameraId: string): FrameConsumer {
    return (frame) => this.process(cameraId, frame);
  }

  recentDetections(): DetectionItem[] {
    return [...this.recent];
  }

  stats(): {
    framesAnalysed: number;
    framesDropped: number;
    detectionsTotal: number;
    latencyP50Ms: number | null;
    latencyP99Ms: number | null;
  } {
    const sorted = Float64Array.from(this.latencies).sort();
    const q = (p: number): number | null => percentileOfSorted(sorted, p, 'floor') ?? null;
    return {
      framesAnalysed: this.framesAnalysed,
      framesDropped: this.framesDropped,
      detectionsTotal: this.detectionsTotal,
      latencyP50Ms: q(0.5),
      latencyP99Ms: q(0.99),
    };
  }

  /** Per camera asked for: frames analysed, latency and SLO attainment over its latest frames. */
  cameraStats(cameras: ReadonlyArray<string>): CameraDetectionStats[] {
    return this.perCamera.stats(cameras);
  }

  async process(cameraId: string, frame: RgbFrame): Promise<void> {
    const modelId = this.deps.modelOf(cameraId);
    const entry = modelId === undefined ? undefined : this.deps.detectorFor(modelId);
    if (!entry) return;
    const result = await entry.detector.detect(frame);
    const doneMs = Date.now();
    const latencyMs = Math.max(0, doneMs - frame.capturedAtMs);
    const outcome = result.outcome;
    const sloMet = latencyMs <= entry.model.sloMs && (outcome === undefined || outcome.status === 'ok');
    if (outcome?.status === 'dropped') {
      this.framesDropped++;
      // The first drop and then every 100th: a cluster without workers would otherwise log every frame.
      if (this.framesDropped % 100 === 1)
        this.deps.log.warn(
          {
            camera: cameraId,
            model: entry.model.id,
            reason: outcome.reason,
            latencyMs: outcome.latencyMs,
            framesDropped: this.framesDropped,
          },
          'frame dropped by the cluster',
        );
    }
    this.framesAnalysed++;
    this.latencies.push(latencyMs);
    if (this.latencies.length > 1000) this.latencies.shift();
    this.perCamera.record(cameraId, latencyMs, sloMet);
    this.deps.metrics.observeFrame(cameraId, entry.model.id, latencyMs / 1000, sloMet);
    const items =
      result.detections.length === 0 ? [] : this.record(cameraId, frame, entry.model, result, latencyMs, sloMet);
    if (items === undefined) return;
    const liveFrames = this.deps.liveFrames;
    if (liveFrames?.wantsFrame(cameraId, doneMs))
      liveFrames.sendFrame(cameraId, doneMs, (kind) =>
        this.frameMessage(cameraId, frame, kind, items, latencyMs, sloMet),
      );
  }

  /** Stores a frame's detections (with a throttled snapshot) and sends their events; undefined if not stored. */
  private record(
    cameraId: string,
    frame: RgbFrame,
    model: ModelConfig,
    result: DetectionResult,
    latencyMs: number,
    sloMet: boolean,
  ): DetectionItem[] | undefined {
    const snapshot = this.deps.snapshots?.maybeSave(cameraId, frame, frame.capturedAtMs) ?? null;
    const source = { width: frame.sourceWidth ?? frame.width, height: frame.sourceHeight ?? frame.height };
    const rows: NewDetection[] = result.detections.map((d) => ({
      camera: cameraId,
      timeMs: frame.capturedAtMs,
      label: d.label,
      score: d.score,
      box: scaleBox(d.box, frame, source),
      sourceWidth: source.width,
      sourceHeight: source.height,
      model: model.id,
      latencyMs,
      sloMet,
      snapshot,
    }));
    const ids = this.deps.store.insertDetections(rows);
    if (!ids) return undefined;
    this.detectionsTotal += ids.length;
    const items: DetectionItem[] = rows.map((r, i) => ({
      id: ids[i]!,
      camera: r.camera,
      time: r.timeMs,
      label: r.label,
      score: r.score,
      box: r.box,
      sourceWidth: source.width,
      sourceHeight: source.height,
      model: r.model,
      latencyMs: r.latencyMs,
      sloMet: r.sloMet,
      snapshot: snapshot !== null,
    }));
    for (const item of items) this.deps.metrics.detections.inc({ camera: cameraId, label: item.label });
    this.recent.push(...items);
    if (this.recent.length > 50) this.recent.splice(0, this.recent.length - 50);
    if (this.deps.liveClients() > 0) {
      let thumbnail: string | null = null;
      try {
        thumbnail = encodeJpeg(frame, 70, 320).toString('base64');
      } catch (error) {
        this.deps.log.error({ camera: cameraId, err: error }, 'thumbnail failed');
      }
      const sizes = { width: frame.width, height: frame.height };
      const frameSizes = { ...sizes, sourceWidth: source.width, sourceHeight: source.height };
      this.deps.broadcast({
        type: 'detection',
        topic: `ppipe/detections/${cameraId}`,
        camera: cameraId,
        time: frame.capturedAtMs,
        items,
        frame: frameSizes,
        thumbnailJpegBase64: thumbnail,
      });
    }
    return items;
  }

  /** A live `frame` message: the grid's JPEG at most GRID_MAX_WIDTH_PX wide, the full-size one as decoded. */
  private frameMessage(
    cameraId: string,
    frame: RgbFrame,
    kind: FrameKind,
    items: DetectionItem[],
    latencyMs: number,
    sloMet: boolean,
  ): LiveMessage | undefined {
    const maxWidth = kind === 'grid' ? GRID_MAX_WIDTH_PX : frame.width;
    let jpeg: Buffer;
    try {
      jpeg = encodeJpeg(frame, 75, maxWidth);
    } catch (error) {
      this.deps.log.error({ camera: cameraId, err: error }, 'live frame encoding failed');
      return undefined;
    }
    const scale = frame.width > maxWidth ? maxWidth / frame.width : 1;
    return {
      type: 'frame',
      topic: `ppipe/frames/${cameraId}`,
      camera: cameraId,
      time: frame.capturedAtMs,
      jpegBase64: jpeg.toString('base64'),
      width: Math.max(1, Math.round(frame.width * scale)),
      height: Math.max(1, Math.round(frame.height * scale)),
      sourceWidth: frame.sourceWidth ?? frame.width,
      sourceHeight: frame.sourceHeight ?? frame.height,
      items,
      latencyMs,
      sloMet,
    };
  }
}
