/**
 * Tracked objects of one camera, in the manner of SORT: each object's box is predicted forward with a constant
 * velocity (an α-β filter on its centre, the box size following the measurements), and each frame's detections
 * are matched to the predictions of their label greedily by IoU, best pairs first. Greedy matching gives the
 * Hungarian algorithm's answer whenever the pairs above the IoU floor do not compete, which is the rule with
 * the handful of objects a camera sees; the motion model keeps two objects whose paths cross apart.
 *
 * Rules (Frigate's where a user knows them):
 * - Kept detections: a label in `track`, score ≥ `filters[label].min_score` (default: the model's threshold),
 *   box area within [`min_area`, `max_area`], bottom centre outside every `mask` polygon. Of two boxes of one
 *   label overlapping by IoU > 0.7 (the decoder's near-duplicates) the lower-scored one is dropped.
 * - An object becomes an event (`new`) once it has been seen in MIN_HITS frames and the median of its scores is
 *   ≥ `filters[label].threshold` (default: min_score); its start time is its first detection's time.
 * - `update`: at most once a second per object, and only when its zones, stationary state or top score changed or
 *   its box moved by more than MOVED_FRACTION of its size since the last message.
 * - `end`: once it has not been matched for `endAfterMs`; its end time is the time it was last seen. An object that
 *   never became an event is forgotten silently.
 * - Zones: an object is in a zone when its box's bottom centre is inside the polygon (and the zone's `objects`,
 *   when given, include its label); `enteredZones` keeps the order of entry.
 * - Stationary: its centre stayed within MOVED_FRACTION of its size for `stationaryAfterMs`.
 * - Path: box centres, recorded when the centre moved by MOVED_FRACTION of the size; at most MAX_PATH_POINTS,
 *   thinned by halves keeping the first and the latest.
 * Deterministic: times come from the frames and ids from `newId`.
 */
import type { LabelFilter, Polygon, ZoneConfig } from '../config/index.ts';
import { iou } from './nms.ts';
import { bottomCentre, pointInPolygon } from './polygon.ts';
import type { Detection } from './types.ts';

type Box = [number, number, number, number];

export type TrackedObject = {
  id: string;
  camera: string;
  label: string;
  score: number;
  topScore: number;
  startTimeMs: number;
  lastSeenMs: number;
  endTimeMs: number | null;
  box: Box;
  area: number;
  sourceWidth: number;
  sourceHeight: number;
  currentZones: string[];
  enteredZones: string[];
  stationary: boolean;
  path: Array<{ timeMs: number; x: number; y: number }>;
  bestTimeMs: number;
  bestBox: Box;
};

export type ObjectChange = {
  type: 'new' | 'update' | 'end';
  before: TrackedObject | null;
  after: TrackedObject;
  /** This frame is the object's new best: the caller keeps it as the event's snapshot. */
  bestChanged: boolean;
};

export type TrackerSettings = {
  camera: string;
  track: ReadonlyArray<string>;
  filters: Readonly<Record<string, LabelFilter>>;
  defaultMinScore: number;
  mask: ReadonlyArray<Polygon>;
  zones: Readonly<Record<string, ZoneConfig>>;
  endAfterMs: number;
  stationaryAfterMs: number;
  newId?: (timeMs: number) => string;
};

export type TrackerFrame = { timeMs: number; sourceWidth: number; sourceHeight: number };

/** Frames an object must be seen in before it is an event (Frigate's min_initialized, at its smallest). */
export const MIN_HITS = 2;
/** Below this IoU with its prediction a detection is not the same object. */
const MATCH_IOU = 0.2;
const DUPLICATE_IOU = 0.7;
/** Movement, as a fraction of the box's larger side, that counts as moving (path, stationary, updates). */
const MOVED_FRACTION = 0.05;
const UPDATE_INTERVAL_MS = 1000;
const MAX_PATH_POINTS = 100;
/** Scores whose median decides an object (the latest ones). */
const SCORE_HISTORY = 30;
/** α-β filter gains: the measured centre is trusted much, its velocity follows more slowly. */
const ALPHA = 0.85;
const BETA = 0.4;

/** `<epoch seconds>.<6 digits>-<6 of [a-z0-9]>`, as Frigate's event ids. */
export function frigateEventId(timeMs: number, random: () => number = Math.random): string {
  const seconds = Math.floor(timeMs / 1000);
  const fraction = String(Math.round((timeMs % 1000) * 1000)).padStart(6, '0');
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  const suffix = Array.from({ length: 6 }, () => alphabet[Math.floor(random() * alphabet.length)]).join('');
  return `${seconds}.${fraction}-${suffix}`;
}

type Track = {
  object: TrackedObject;
  /** The filtered centre at lastSeenMs and its velocity, pixels per millisecond: the motion model */
  centre: [number, number];
  velocity: [number, number];
  hits: number;
  scores: number[];
  confirmed: boolean;
  /** What the last message said (null until `new`) */
  published: TrackedObject | null;
  publishedAtMs: number;
  anchor: { x: number; y: number; sinceMs: number };
};

/** What one frame did: the detections kept, the messages due, and objects whose best frame this is. */
export type TrackerUpdate = {
  kept: Detection[];
  changes: ObjectChange[];
  /** Events whose best frame is this one although no message is due (the caller keeps the snapshot). */
  newBest: TrackedObject[];
};

export class ObjectTracker {
  private tracks: Track[] = [];
  private readonly newId: (timeMs: number) => string;
  private lastFrameMs: number | undefined;
  /** The latest interval between frames: how long an object seen once may be missed before it is forgotten. */
  private frameIntervalMs = 0;

  constructor(private readonly settings: TrackerSettings) {
    this.newId = settings.newId ?? ((timeMs) => frigateEventId(timeMs));
  }

  /** One analysed frame (detections in source pixels): what is kept after labels, filters and masks, and changes. */
  update(frame: TrackerFrame, detections: ReadonlyArray<Detection>): TrackerUpdate {
    if (this.lastFrameMs !== undefined) this.frameIntervalMs = frame.timeMs - this.lastFrameMs;
    this.lastFrameMs = frame.timeMs;
    const kept = this.keep(detections);
    const changes: ObjectChange[] = [];
    const newBest: TrackedObject[] = [];
    const unmatched = new Set(kept.map((_, i) => i));
    const pairs: Array<[number, number, number]> = [];
    this.tracks.forEach((track, t) => {
      const predicted = predict(track, frame.timeMs);
      kept.forEach((d, k) => {
        if (d.label !== track.object.label) return;
        const overlap = iou(predicted, d.box);
        if (overlap >= MATCH_IOU) pairs.push([overlap, t, k]);
      });
    });
    pairs.sort((a, b) => b[0] - a[0] || a[1] - b[1] || a[2] - b[2]);
    const matchedTracks = new Set<number>();
    for (const [, t, k] of pairs) {
      if (matchedTracks.has(t) || !unmatched.has(k)) continue;
      matchedTracks.add(t);
      unmatched.delete(k);
      const track = this.tracks[t]!;
      const { change, best } = this.observe(track, kept[k]!, frame);
      if (change) changes.push(change);
      else if (best && track.confirmed) newBest.push(copy(track.object));
    }
    // Objects not seen in this frame: forgotten (never an event) or ended once gone for endAfterMs.
    const survivors: Track[] = [];
    this.tracks.forEach((track, t) => {
      if (matchedTracks.has(t)) return survivors.push(track);
      const goneMs = frame.timeMs - track.object.lastSeenMs;
      if (!track.confirmed) {
        // Seen once: one missed frame is forgiven (the detector's), a second is the end of a false alarm.
        const patienceMs = track.hits > 1 ? this.settings.endAfterMs : 2 * this.frameIntervalMs;
        if (goneMs <= patienceMs) survivors.push(track);
        return;
      }
      if (goneMs >= this.settings.endAfterMs) changes.push(this.end(track));
      else survivors.push(track);
    });
    this.tracks = survivors;
    for (const k of [...unmatched].sort((a, b) => a - b)) {
      const track = this.start(kept[k]!, frame);
      this.tracks.push(track);
      const change = this.confirmIfDue(track, frame.timeMs);
      if (change) changes.push(change);
    }
    return { kept, changes, newBest };
  }

  /** Ends every object now (camera stopped or removed, appliance stopping); end time = last seen. */
  endAll(): ObjectChange[] {
    const changes = this.tracks.filter((t) => t.confirmed).map((t) => this.end(t));
    this.tracks = [];
    return changes;
  }

  /** The objects in view that are events. */
  active(): TrackedObject[] {
    return this.tracks.filter((t) => t.confirmed).map((t) => copy(t.object));
  }

  private keep(detections: ReadonlyArray<Detection>): Detection[] {
    const { track, filters, defaultMinScore, mask } = this.settings;
    const candidates = detections.filter((d) => {
      if (!track.includes(d.label)) return false;
      const filter = filters[d.label];
      if (d.score < (filter?.min_score ?? defaultMinScore)) return false;
      const area = boxArea(d.box);
      if (area < (filter?.min_area ?? 0) || area > (filter?.max_area ?? Infinity)) return false;
      const feet = bottomCentre(d.box);
      return !mask.some((polygon) => pointInPolygon(feet, polygon));
    });
    const byScore = [...candidates].sort((a, b) => b.score - a.score);
    const kept: Detection[] = [];
    for (const d of byScore)
      if (!kept.some((k) => k.label === d.label && iou(k.box, d.box) > DUPLICATE_IOU)) kept.push(d);
    return candidates.filter((d) => kept.includes(d));
  }

  private start(d: Detection, frame: TrackerFrame): Track {
    const [x, y] = centre(d.box);
    const object: TrackedObject = {
      id: '',
      camera: this.settings.camera,
      label: d.label,
      score: d.score,
      topScore: d.score,
      startTimeMs: frame.timeMs,
      lastSeenMs: frame.timeMs,
      endTimeMs: null,
      box: [...d.box],
      area: boxArea(d.box),
      sourceWidth: frame.sourceWidth,
      sourceHeight: frame.sourceHeight,
      currentZones: [],
      enteredZones: [],
      stationary: false,
      path: [{ timeMs: frame.timeMs, x, y }],
      bestTimeMs: frame.timeMs,
      bestBox: [...d.box],
    };
    this.placeInZones(object);
    return {
      object,
      centre: [x, y],
      velocity: [0, 0],
      hits: 1,
      scores: [d.score],
      confirmed: false,
      published: null,
      publishedAtMs: frame.timeMs,
      anchor: { x, y, sinceMs: frame.timeMs },
    };
  }

  /** A detection matched to the track: its motion filtered, then the message it is worth, if any. */
  private observe(track: Track, d: Detection, frame: TrackerFrame): { change?: ObjectChange; best: boolean } {
    const object = track.object;
    const dtMs = Math.max(1, frame.timeMs - object.lastSeenMs);
    const [px, py] = predictedCentre(track, frame.timeMs);
    const [mx, my] = centre(d.box);
    track.centre = [px + ALPHA * (mx - px), py + ALPHA * (my - py)];
    track.velocity = [track.velocity[0] + (BETA * (mx - px)) / dtMs, track.velocity[1] + (BETA * (my - py)) / dtMs];
    object.box = [...d.box];
    object.area = boxArea(d.box);
    object.score = d.score;
    object.lastSeenMs = frame.timeMs;
    object.sourceWidth = frame.sourceWidth;
    object.sourceHeight = frame.sourceHeight;
    track.hits++;
    track.scores.push(d.score);
    if (track.scores.length > SCORE_HISTORY) track.scores.shift();
    const movedPx = MOVED_FRACTION * Math.max(d.box[2] - d.box[0], d.box[3] - d.box[1]);
    if (Math.hypot(mx - track.anchor.x, my - track.anchor.y) > movedPx)
      track.anchor = { x: mx, y: my, sinceMs: frame.timeMs };
    object.stationary = frame.timeMs - track.anchor.sinceMs >= this.settings.stationaryAfterMs;
    const last = object.path.at(-1)!;
    if (Math.hypot(mx - last.x, my - last.y) > movedPx) {
      object.path.push({ timeMs: frame.timeMs, x: mx, y: my });
      if (object.path.length > MAX_PATH_POINTS) object.path = thinned(object.path);
    }
    this.placeInZones(object);
    const best = d.score > object.topScore;
    if (best) {
      object.topScore = d.score;
      object.bestTimeMs = frame.timeMs;
      object.bestBox = [...d.box];
    }
    if (!track.confirmed) {
      const change = this.confirmIfDue(track, frame.timeMs);
      return change ? { change, best } : { best };
    }
    const due = frame.timeMs - track.publishedAtMs >= UPDATE_INTERVAL_MS && worthSaying(track.published!, object);
    return due ? { change: this.publish(track, 'update', frame.timeMs, best), best } : { best };
  }

  private confirmIfDue(track: Track, timeMs: number): ObjectChange | undefined {
    const filter = this.settings.filters[track.object.label];
    const threshold = filter?.threshold ?? filter?.min_score ?? this.settings.defaultMinScore;
    if (track.hits < MIN_HITS || median(track.scores) < threshold) return undefined;
    track.confirmed = true;
    track.object.id = this.newId(track.object.startTimeMs);
    // The frame at hand becomes the best: earlier frames of the object are gone.
    track.object.bestTimeMs = timeMs;
    track.object.bestBox = [...track.object.box];
    return this.publish(track, 'new', timeMs, true);
  }

  private end(track: Track): ObjectChange {
    track.object.endTimeMs = track.object.lastSeenMs;
    track.object.currentZones = [];
    return this.publish(track, 'end', track.object.lastSeenMs, false);
  }

  private publish(track: Track, type: ObjectChange['type'], timeMs: number, bestChanged: boolean): ObjectChange {
    const after = copy(track.object);
    const change: ObjectChange = { type, before: track.published, after, bestChanged };
    track.published = after;
    track.publishedAtMs = timeMs;
    return change;
  }

  private placeInZones(object: TrackedObject): void {
    const feet = bottomCentre(object.box);
    object.currentZones = Object.entries(this.settings.zones)
      .filter(
        ([, zone]) =>
          (zone.objects === undefined || zone.objects.includes(object.label)) && pointInPolygon(feet, zone.coordinates),
      )
      .map(([name]) => name);
    for (const zone of object.currentZones) if (!object.enteredZones.includes(zone)) object.enteredZones.push(zone);
  }
}

function boxArea(box: readonly [number, number, number, number]): number {
  return Math.max(0, box[2] - box[0]) * Math.max(0, box[3] - box[1]);
}

function centre(box: readonly [number, number, number, number]): [number, number] {
  return [(box[0] + box[2]) / 2, (box[1] + box[3]) / 2];
}

function predictedCentre(track: Track, timeMs: number): [number, number] {
  const dtMs = timeMs - track.object.lastSeenMs;
  return [track.centre[0] + track.velocity[0] * dtMs, track.centre[1] + track.velocity[1] * dtMs];
}

/** Where the motion model expects the object's box at `timeMs` (its latest size). */
function predict(track: Track, timeMs: number): Box {
  const [x, y] = predictedCentre(track, timeMs);
  const [x1, y1, x2, y2] = track.object.box;
  const halfWidth = (x2 - x1) / 2;
  const halfHeight = (y2 - y1) / 2;
  return [x - halfWidth, y - halfHeight, x + halfWidth, y + halfHeight];
}

function median(values: ReadonlyArray<number>): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** Whether the object changed enough since the last message to send another. */
function worthSaying(published: TrackedObject, now: TrackedObject): boolean {
  const [x1, y1, x2, y2] = published.box;
  const movedPx = MOVED_FRACTION * Math.max(x2 - x1, y2 - y1);
  const [px, py] = centre(published.box);
  const [nx, ny] = centre(now.box);
  return (
    Math.hypot(nx - px, ny - py) > movedPx ||
    now.topScore > published.topScore ||
    now.stationary !== published.stationary ||
    now.currentZones.join() !== published.currentZones.join()
  );
}

/** Every other point, keeping the first and the latest. */
function thinned<T>(points: ReadonlyArray<T>): T[] {
  const kept = points.filter((_, i) => i % 2 === 0);
  if (kept.at(-1) !== points.at(-1)) kept.push(points.at(-1)!);
  return kept;
}

function copy(object: TrackedObject): TrackedObject {
  return {
    ...object,
    box: [...object.box],
    bestBox: [...object.bestBox],
    currentZones: [...object.currentZones],
    enteredZones: [...object.enteredZones],
    path: object.path.map((point) => ({ ...point })),
  };
}
