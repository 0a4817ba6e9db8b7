/**
 * Prometheus metrics with stable, documented names (docs/deploy.md lists them): ppipe_<thing>_<unit>.
 * A registry of its own per appliance, so tests can run several side by side.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { CameraView } from './api.ts';

export class ApplianceMetrics {
  readonly registry = new Registry();
  private cameras: () => CameraView[] = () => [];
  private storeStats: () => { rows: number; failedWrites: number } = () => ({ rows: 0, failedWrites: 0 });
  private batchSizes: () => ReadonlyMap<number, number> = () => new Map();
  private readonly sloCounts = new Map<string, { met: number; total: number }>();

  readonly detections = new Counter({
    name: 'ppipe_detections_total',
    help: 'Detections written, by camera and label',
    labelNames: ['camera', 'label'],
    registers: [this.registry],
  });
  readonly frames = new Counter({
    name: 'ppipe_analysed_frames_total',
    help: 'Frames run through a detector, by camera',
    labelNames: ['camera'],
    registers: [this.registry],
  });
  readonly latency = new Histogram({
    name: 'ppipe_detection_latency_seconds',
    help: 'Frame arrival to detections ready, seconds, by camera and model',
    labelNames: ['camera', 'model'],
    buckets: [0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5],
    registers: [this.registry],
  });

  constructor() {
    // prom-client calls collect() with `this` bound to the metric, so the appliance's state is reached by closure.
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- collect() callbacks get the metric as `this`
    const self = this;
    const perCamera = (
      name: string,
      help: string,
      pick: (c: CameraView) => number,
      type: 'gauge' | 'counter',
    ): void => {
      const collect = function (this: Gauge | Counter): void {
        this.reset();
        for (const camera of self.cameras()) {
          if (this instanceof Gauge) this.set({ camera: camera.id }, pick(camera));
          else this.inc({ camera: camera.id }, pick(camera));
        }
      };
      if (type === 'gauge') new Gauge({ name, help, labelNames: ['camera'], registers: [this.registry], collect });
      else new Counter({ name, help, labelNames: ['camera'], registers: [this.registry], collect });
    };
    perCamera(
      'ppipe_camera_frames_per_second',
      'Decoded frames per second over the last 5 s, by camera',
      (c) => c.measuredFps,
      'gauge',
    );
    perCamera('ppipe_camera_frames_total', 'Frames decoded, by camera', (c) => c.framesTotal, 'counter');
    perCamera(
      'ppipe_camera_skipped_frames_total',
      'Frames dropped because the detector was busy (only the latest is kept), by camera',
      (c) => c.skippedFramesTotal,
      'counter',
    );
    perCamera(
      'ppipe_camera_restarts_total',
      'ffmpeg restarts after an exit or a stall, by camera',
      (c) => c.restartsTotal,
      'counter',
    );
    perCamera(
      'ppipe_camera_up',
      '1 when the camera delivers frames (online), else 0',
      (c) => (c.status === 'online' ? 1 : 0),
      'gauge',
    );
    new Gauge({
      name: 'ppipe_slo_attainment_ratio',
      help: 'Fraction of analysed frames whose detection latency met the model SLO, by camera',
      labelNames: ['camera'],
      registers: [this.registry],
      collect() {
        this.reset();
        for (const [camera, c] of self.sloCounts) if (c.total > 0) this.set({ camera }, c.met / c.total);
      },
    });
    new Gauge({
      name: 'ppipe_store_rows',
      help: 'Detections in the SQLite log',
      registers: [this.registry],
      collect() {
        this.set(self.storeStats().rows);
      },
    });
    new Counter({
      name: 'ppipe_store_failed_writes_total',
      help: 'Detections that could not be written (disk full, I/O errors)',
      registers: [this.registry],
      collect() {
        this.reset();
        this.inc(self.storeStats().failedWrites);
      },
    });
    new Counter({
      name: 'ppipe_cluster_batches_total',
      help: "Batches the cluster's frontend sent to workers, by frames per batch (size)",
      labelNames: ['size'],
      registers: [this.registry],
      collect() {
        this.reset();
        for (const [size, batches] of self.batchSizes()) this.inc({ size: String(size) }, batches);
      },
    });
    collectDefaultMetrics({ register: this.registry, prefix: 'ppipe_process_' });
  }

  bind(sources: {
    cameras: () => CameraView[];
    storeStats: () => { rows: number; failedWrites: number };
    /** Batches the cluster sent, by frames per batch (absent: detection runs in-process). */
    batchSizes?: () => ReadonlyMap<number, number>;
  }): void {
    this.cameras = sources.cameras;
    this.storeStats = sources.storeStats;
    if (sources.batchSizes) this.batchSizes = sources.batchSizes;
  }

  observeFrame(camera: string, model: string, latencyS: number, sloMet: boolean): void {
    this.frames.inc({ camera });
    this.latency.observe({ camera, model }, latencyS);
    const c = this.sloCounts.get(camera) ?? { met: 0, total: 0 };
    c.total++;
    if (sloMet) c.met++;
    this.sloCounts.set(camera, c);
  }

  sloAttainment(): number | null {
    let met = 0;
    let total = 0;
    for (const c of this.sloCounts.values()) {
      met += c.met;
      total += c.total;
    }
    return total > 0 ? met / total : null;
  }
}
