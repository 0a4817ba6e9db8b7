/**
 * Publishes the appliance's tracked objects and camera states over MQTT for home-automation users, in the
 * conventions they know: Frigate's `{type, before, after}` events on `<eventsPrefix>/events`, objects in view
 * per camera, label and zone (retained counts), `<eventsPrefix>/available` with an `offline` will, the latest
 * event's snapshot, camera status on `<prefix>/cameras/<id>/status`, and Home Assistant discovery documents
 * (homeAssistantDiscovery.ts), published again whenever Home Assistant says `online`. A broker that is down
 * costs log lines, never the appliance. docs/mqtt.md lists every topic.
 */
import type { ObjectChange, TrackedObject } from '../../detect/index.ts';
import { readFileSync } from 'node:fs';
import mqtt from 'mqtt';
import type { IClientOptions, MqttClient } from 'mqtt';
import type { Logger } from '../../config/index.ts';
import { describeIssues } from '../../config/index.ts';
import { describeBrokerError } from '../control/bus.ts';
import type { PublishedObject } from '../control/messages.ts';
import { TOPICS, objectEventSchema, objectEventsTopic } from '../control/messages.ts';
import type { DiscoveredCamera } from './homeAssistantDiscovery.ts';
import {
  availabilityTopic,
  cameraDiscoveryDocuments,
  cameraStatusTopic,
  countTopic,
  homeAssistantStatusTopic,
  snapshotTopic,
  zoneCountTopic,
} from './homeAssistantDiscovery.ts';

export interface EventPublisherOptions {
  readonly url: string;
  /** Camera status: `<prefix>/cameras/<id>/status`. */
  readonly prefix: string;
  /** Events, counts, availability and snapshots. */
  readonly eventsPrefix: string;
  readonly discoveryPrefix: string;
  /** Whether Home Assistant discovery documents are published. */
  readonly discovery: boolean;
  readonly applianceId: string;
  /** The cameras at start; setCameras() follows later changes. */
  readonly cameras: ReadonlyArray<DiscoveredCamera>;
  readonly username?: string | undefined;
  readonly password?: string | undefined;
  /** CA certificate (PEM file) that signed an mqtts:// or wss:// broker's certificate. */
  readonly caFile?: string | undefined;
  readonly clientId: string;
}

const JPEG_MAGIC = Buffer.from([0xff, 0xd8, 0xff]);

export class MqttEventPublisher {
  private client: MqttClient | undefined;
  private cameras = new Map<string, DiscoveredCamera>();
  /** Discovery documents as last published, by topic (removing an entity clears exactly its topic). */
  private discoveryDocuments = new Map<string, string>();
  /** Each object's state as last published (the next message's `before`), until its `end`. */
  private readonly lastPublished = new Map<string, PublishedObject>();
  /** Every count topic of the current cameras with its last published value. */
  private readonly counts = new Map<string, number>();
  /** Messages that could not be published (broker down or a payload the schema refused). */
  failed = 0;

  constructor(
    private readonly options: EventPublisherOptions,
    private readonly log: Logger,
  ) {}

  async start(): Promise<void> {
    const { url, username, password, caFile, clientId, eventsPrefix, discoveryPrefix } = this.options;
    const clientOptions: IClientOptions = {
      clientId,
      reconnectPeriod: 1000,
      connectTimeout: 5000,
      will: { topic: availabilityTopic(eventsPrefix), payload: Buffer.from('offline'), qos: 1, retain: true },
      ...(username !== undefined ? { username } : {}),
      ...(password !== undefined ? { password } : {}),
      ...(caFile !== undefined ? { ca: readFileSync(caFile) } : {}),
    };
    const client = await mqtt.connectAsync(url, clientOptions).catch((error: unknown) => {
      throw new Error(`MQTT broker ${url}: ${describeBrokerError(error)}`, { cause: error });
    });
    this.client = client;
    client.on('error', (error) => this.log.warn({ err: error }, 'mqtt client error'));
    // A reconnection may follow a broker restart that lost every retained message: publish them all again.
    client.on('connect', () => this.publishEverything());
    client.on('message', (topic, payload) => {
      if (topic === homeAssistantStatusTopic(discoveryPrefix) && payload.toString('utf8').trim() === 'online') {
        this.log.info('Home Assistant is online: discovery published again');
        this.publishEverything();
      }
    });
    this.send(availabilityTopic(eventsPrefix), 'online', true);
    this.setCameras(this.options.cameras);
    if (this.options.discovery) await client.subscribeAsync(homeAssistantStatusTopic(discoveryPrefix), { qos: 1 });
  }

  /** Publishes `offline` and disconnects cleanly (the will is for vanishing, not for stopping). */
  async stop(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    if (!client) return;
    if (client.connected)
      await client
        .publishAsync(availabilityTopic(this.options.eventsPrefix), 'offline', { qos: 1, retain: true })
        .catch(() => undefined);
    await client.endAsync(!client.connected);
  }

  /** Ends the connection without a clean disconnect, so the broker publishes the will (tests, crash drills). */
  async kill(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    if (client) await client.endAsync(true);
  }

  /**
   * Follows the cameras (start, and every change through the API): discovery documents of what is new or
   * changed, empty retained documents for entities that went (a removed camera, a label no longer tracked, a
   * zone), `0` on new count topics and empty retained payloads on those that went.
   */
  setCameras(cameras: ReadonlyArray<DiscoveredCamera>): void {
    const { prefix, eventsPrefix } = this.options;
    const removed = [...this.cameras.keys()].filter((id) => !cameras.some((camera) => camera.id === id));
    this.cameras = new Map(cameras.map((camera) => [camera.id, camera]));
    for (const [id, object] of this.lastPublished) if (!this.cameras.has(object.camera)) this.lastPublished.delete(id);
    for (const id of removed) {
      this.send(snapshotTopic(eventsPrefix, id), '', true);
      this.send(cameraStatusTopic(prefix, id), '', true);
    }
    const documents = this.currentDiscoveryDocuments();
    for (const topic of this.discoveryDocuments.keys()) if (!documents.has(topic)) this.send(topic, '', true);
    for (const [topic, payload] of documents)
      if (this.discoveryDocuments.get(topic) !== payload) this.send(topic, payload, true);
    this.discoveryDocuments = documents;
    const countTopics = new Set(cameras.flatMap((camera) => countTopicsOf(eventsPrefix, camera)));
    for (const topic of this.counts.keys())
      if (!countTopics.has(topic)) {
        this.counts.delete(topic);
        this.send(topic, '', true);
      }
    for (const topic of countTopics)
      if (!this.counts.has(topic)) {
        this.counts.set(topic, 0);
        this.send(topic, '0', true);
      }
  }

  /**
   * One change of a tracked object as Frigate's event on `<eventsPrefix>/events` (checked by its schema).
   * `before` is the object as this publisher last published it (so `has_snapshot` and the rest are what
   * subscribers saw), or the change's own `before` for an object it has not published yet.
   */
  publishObjectChange(change: ObjectChange, hasSnapshot: boolean): void {
    const { id } = change.after;
    const before =
      change.type === 'new'
        ? null
        : (this.lastPublished.get(id) ?? (change.before && publishedObject(change.before, hasSnapshot)));
    const event = { type: change.type, before, after: publishedObject(change.after, hasSnapshot) };
    const parsed = objectEventSchema.safeParse(event);
    if (!parsed.success) {
      this.failed++;
      this.log.warn(
        { camera: change.after.camera, id: change.after.id, issues: describeIssues(parsed.error.issues) },
        'object event refused by its schema',
      );
      return;
    }
    if (change.type === 'end') this.lastPublished.delete(id);
    else this.lastPublished.set(id, parsed.data.after);
    this.send(objectEventsTopic(this.options.eventsPrefix), JSON.stringify(parsed.data), false);
  }

  /**
   * The objects in view of one camera after a change: per tracked label and per zone and label, the count is
   * published (retained) where it differs from the last one. Objects of untracked labels are not counted.
   */
  publishCounts(camera: string, activeObjects: ReadonlyArray<TrackedObject>): void {
    const entry = this.cameras.get(camera);
    if (!entry) return;
    const { eventsPrefix } = this.options;
    const update = (topic: string, count: number): void => {
      if (this.counts.get(topic) === count) return;
      this.counts.set(topic, count);
      this.send(topic, String(count), true);
    };
    for (const label of entry.trackedLabels)
      update(countTopic(eventsPrefix, camera, label), activeObjects.filter((o) => o.label === label).length);
    for (const zone of entry.zones)
      for (const label of zone.labels)
        update(
          zoneCountTopic(eventsPrefix, camera, zone.name, label),
          activeObjects.filter((o) => o.label === label && o.currentZones.includes(zone.name)).length,
        );
  }

  /** The latest event's snapshot (JPEG bytes, retained): Home Assistant's image entity of the camera. */
  publishSnapshot(camera: string, jpeg: Buffer): void {
    if (!jpeg.subarray(0, 3).equals(JPEG_MAGIC)) {
      this.failed++;
      this.log.warn({ camera, bytes: jpeg.length }, 'snapshot not published: expected JPEG bytes (FF D8 FF)');
      return;
    }
    this.send(snapshotTopic(this.options.eventsPrefix, camera), jpeg, true);
  }

  publishCameraStatus(camera: string, status: string): void {
    this.send(cameraStatusTopic(this.options.prefix, camera), status, true);
  }

  /** Availability, discovery documents and counts, all retained: after a reconnection or Home Assistant's birth. */
  private publishEverything(): void {
    this.send(availabilityTopic(this.options.eventsPrefix), 'online', true);
    for (const [topic, payload] of this.discoveryDocuments) this.send(topic, payload, true);
    for (const [topic, count] of this.counts) this.send(topic, String(count), true);
  }

  private currentDiscoveryDocuments(): Map<string, string> {
    const documents = new Map<string, string>();
    if (!this.options.discovery) return documents;
    const { prefix, eventsPrefix, discoveryPrefix, applianceId } = this.options;
    for (const camera of this.cameras.values())
      for (const document of cameraDiscoveryDocuments({ prefix, eventsPrefix, discoveryPrefix, applianceId }, camera))
        documents.set(document.topic, JSON.stringify(document.config));
    return documents;
  }

  private send(topic: string, payload: string | Buffer, retain: boolean): void {
    if (!this.client) return;
    this.client.publishAsync(topic, payload, { qos: 1, retain }).catch((error: unknown) => {
      this.failed++;
      this.log.warn({ topic, err: error }, 'mqtt publish failed');
    });
  }
}

function countTopicsOf(eventsPrefix: string, camera: DiscoveredCamera): string[] {
  return [
    ...camera.trackedLabels.map((label) => countTopic(eventsPrefix, camera.id, label)),
    ...camera.zones.flatMap((zone) =>
      zone.labels.map((label) => zoneCountTopic(eventsPrefix, camera.id, zone.name, label)),
    ),
  ];
}

function publishedObject(object: TrackedObject, hasSnapshot: boolean): PublishedObject {
  return {
    id: object.id,
    camera: object.camera,
    label: object.label,
    score: object.score,
    top_score: object.topScore,
    frame_time: object.lastSeenMs / 1000,
    start_time: object.startTimeMs / 1000,
    end_time: object.endTimeMs === null ? null : object.endTimeMs / 1000,
    box: object.box,
    area: object.area,
    source_width: object.sourceWidth,
    source_height: object.sourceHeight,
    current_zones: object.currentZones,
    entered_zones: object.enteredZones,
    has_snapshot: hasSnapshot,
    stationary: object.stationary,
  };
}

/** First topic levels of the control plane (`<clusterPrefix>/nodes/…`, `…/plan`, `…/request/…`, …). */
const CONTROL_PLANE_LEVELS = new Set(Object.values(TOPICS).map((entry) => entry.pattern.split('/')[0]!));

/**
 * Why the events prefix's topics could land on the control plane's (or the reverse) when both share a broker,
 * or undefined when they cannot: the same prefix (`<p>/events` is both), a cluster prefix under the events
 * prefix (a camera's counts would be control messages), or an events prefix under a control-plane level.
 */
export function eventsPrefixConflict(eventsPrefix: string, clusterPrefix: string): string | undefined {
  const under = (inner: string, outer: string): boolean => inner.startsWith(`${outer}/`);
  if (eventsPrefix === clusterPrefix) return `it equals cluster.prefix "${clusterPrefix}"`;
  if (under(clusterPrefix, eventsPrefix)) return `cluster.prefix "${clusterPrefix}" lies under it`;
  if (under(eventsPrefix, clusterPrefix)) {
    const level = eventsPrefix.slice(clusterPrefix.length + 1).split('/')[0]!;
    if (CONTROL_PLANE_LEVELS.has(level))
      return `it lies under the control plane's topics "${clusterPrefix}/${level}/…" (cluster.prefix)`;
  }
  return undefined;
}
