/**
 * From detections to events: one tracker per camera (its `objects` and `zones` settings, the model's
 * threshold) turns each analysed frame's detections into tracked objects, and every change the tracker reports
 * (`new`, `update` at most once a second, `end`) is stored in the events table, sent to live clients and handed
 * to the MQTT publisher. A new best frame becomes the event's snapshot (box drawn) and thumbnail. A camera
 * whose frames stop (offline, removed, disabled) ends its objects at the time they were last seen.
 */
import type { AppConfig, CameraConfig, EventsConfig, Logger, ModelConfig } from '../config/index.ts';
import { defaultTrackedLabels } from '../config/index.ts';
import type { Detection } from '../detect/index.ts';
import { ObjectTracker } from '../detect/index.ts';
import type { ObjectChange, TrackedObject } from '../detect/index.ts';
import type { RgbFrame } from '../ingest/index.ts';
import type { EventStore, EventUpsert } from '../store/index.ts';
import type { EventItem, LiveMessage } from './api.ts';

/** Where events go besides the store and the live feed (the MQTT publisher, when configured). */
export interface ObjectEventSink {
  objectChanged(change: ObjectChange, hasSnapshot: boolean): void;
  /** The camera's objects in view after a change (counts per label and zone). */
  objectsInView(camera: string, active: ReadonlyArray<TrackedObject>): void;
  /** The camera's latest event snapshot (JPEG with the box drawn). */
  snapshot(camera: string, jpeg: Buffer): void;
}

export type ObjectEventsDeps = {
  config: () => AppConfig | undefined;
  events: EventStore;
  broadcast: (message: LiveMessage) => void;
  liveClients: () => number;
  sink: () => ObjectEventSink | undefined;
  log: Logger;
};

type CameraTracking = { tracker: ObjectTracker; settingsKey: string; lastFrameMs: number };

export class ObjectEvents {
  private readonly cameras = new Map<string, CameraTracking>();

  constructor(private readonly deps: ObjectEventsDeps) {}

  /**
   * One analysed frame of a camera, its detections in source pixels: the detections the camera keeps (its
   * tracked labels, filters and masks), after the tracker has seen them.
   */
  observe(cameraId: string, model: ModelConfig, frame: RgbFrame, detections: ReadonlyArray<Detection>): Detection[] {
    const config = this.deps.config();
    const camera = config?.cameras.find((c) => c.id === cameraId);
    if (!config || !camera) return [];
    const tracking = this.trackingFor(camera, model, config.events);
    tracking.lastFrameMs = frame.capturedAtMs;
    const source = { width: frame.sourceWidth ?? frame.width, height: frame.sourceHeight ?? frame.height };
    const { kept, changes, newBest } = tracking.tracker.update(
      { timeMs: frame.capturedAtMs, sourceWidth: source.width, sourceHeight: source.height },
      detections,
    );
    // A better frame between messages: the stored event and its snapshot follow, the messages wait.
    for (const object of newBest) if (this.deps.events.upsert(toEventUpsert(object))) this.saveSnapshot(object, frame);
    this.apply(cameraId, changes, frame);
    return kept;
  }

  /**
   * Ends the objects of cameras that sent no frame for `events.endAfterS` (offline, disabled, removed), and of
   * cameras no longer configured; called every second or so.
   */
  sweep(nowMs: number): void {
    const config = this.deps.config();
    const endAfterMs = (config?.events.endAfterS ?? 5) * 1000;
    for (const [cameraId, tracking] of this.cameras) {
      const configured = config?.cameras.some((c) => c.id === cameraId && c.enabled) ?? false;
      if (configured && nowMs - tracking.lastFrameMs < endAfterMs) continue;
      this.endCamera(cameraId);
    }
  }

  /** Ends every object of every camera (the appliance stops). */
  stop(): void {
    for (const cameraId of [...this.cameras.keys()]) this.endCamera(cameraId);
  }

  private endCamera(cameraId: string): void {
    const tracking = this.cameras.get(cameraId);
    if (!tracking) return;
    this.cameras.delete(cameraId);
    this.apply(cameraId, tracking.tracker.endAll(), undefined);
  }

  /** The camera's tracker; a changed setting (zones, masks, filters) ends its objects and starts afresh. */
  private trackingFor(camera: CameraConfig, model: ModelConfig, events: EventsConfig): CameraTracking {
    const settings = {
      camera: camera.id,
      track: camera.objects.track ?? defaultTrackedLabels(model.kind, model.labels),
      filters: camera.objects.filters,
      defaultMinScore: model.threshold,
      mask: camera.objects.mask,
      zones: camera.zones,
      endAfterMs: events.endAfterS * 1000,
      stationaryAfterMs: events.stationaryAfterS * 1000,
    };
    const settingsKey = JSON.stringify(settings);
    const existing = this.cameras.get(camera.id);
    if (existing?.settingsKey === settingsKey) return existing;
    if (existing) this.endCamera(camera.id);
    const tracking = { tracker: new ObjectTracker(settings), settingsKey, lastFrameMs: 0 };
    this.cameras.set(camera.id, tracking);
    return tracking;
  }

  /** The object's best frame (this one) with its box drawn, and its thumbnail. */
  private saveSnapshot(object: TrackedObject, frame: RgbFrame): boolean {
    return this.deps.events.saveSnapshot(object.id, frame, object.bestBox, {
      frameScale: frame.width / (frame.sourceWidth ?? frame.width),
      quality: this.deps.config()?.events.snapshotQuality ?? 85,
    });
  }

  private apply(cameraId: string, changes: ReadonlyArray<ObjectChange>, frame: RgbFrame | undefined): void {
    if (changes.length === 0) return;
    const sink = this.deps.sink();
    for (const change of changes) {
      const stored = this.deps.events.upsert(toEventUpsert(change.after));
      let hasSnapshot = this.deps.events.get(change.after.id)?.hasSnapshot ?? false;
      if (stored && change.bestChanged && frame) hasSnapshot = this.saveSnapshot(change.after, frame) || hasSnapshot;
      const event: EventItem = { ...toEventUpsert(change.after), hasSnapshot };
      if (this.deps.liveClients() > 0)
        this.deps.broadcast({
          type: 'event',
          topic: `ppipe/events/${cameraId}`,
          eventType: change.type,
          event,
        });
      sink?.objectChanged(change, hasSnapshot);
      if (sink && hasSnapshot && change.type !== 'update') {
        const jpeg = this.deps.events.readSnapshot(change.after.id, 'snapshot');
        if (jpeg) sink.snapshot(cameraId, jpeg);
      }
    }
    const tracking = this.cameras.get(cameraId);
    sink?.objectsInView(cameraId, tracking ? tracking.tracker.active() : []);
  }
}

/** The store's (and the wire's) event: times without the tracker's Ms suffixes. */
function toEventUpsert(object: TrackedObject): EventUpsert {
  return {
    id: object.id,
    camera: object.camera,
    label: object.label,
    score: object.score,
    topScore: object.topScore,
    startTime: object.startTimeMs,
    endTime: object.endTimeMs,
    box: object.box,
    area: object.area,
    sourceWidth: object.sourceWidth,
    sourceHeight: object.sourceHeight,
    currentZones: object.currentZones,
    enteredZones: object.enteredZones,
    stationary: object.stationary,
    path: object.path.map((point) => ({ time: point.timeMs, x: point.x, y: point.y })),
    bestTime: object.bestTimeMs,
    bestBox: object.bestBox,
  };
}
