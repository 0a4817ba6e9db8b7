/**
 * Publishes the appliance's detections and camera states over MQTT for home-automation users: detections as
 * events with Frigate's field names (`{type, before, after}` with `camera`, `label`, `score`, `box` in the
 * camera's source pixels, `source_width`, `source_height`, `frame_time`) on `<detectionPrefix>/events`,
 * camera status retained on `<prefix>/cameras/<id>/status`, and
 * the appliance's availability retained with an `offline` will. A broker that is down costs log lines, never
 * the appliance.
 */
import type { Logger } from '../../config/index.ts';
import { describeIssues } from '../../config/index.ts';
import { Bus } from '../control/bus.ts';
import type { DetectionEvent, PublishedDetection } from '../control/messages.ts';
import { detectionEventSchema, detectionTopic } from '../control/messages.ts';

export interface EventPublisherOptions {
  readonly url: string;
  readonly prefix: string;
  readonly detectionPrefix: string;
  readonly username?: string | undefined;
  readonly password?: string | undefined;
  /** CA certificate (PEM file) that signed an mqtts:// or wss:// broker's certificate. */
  readonly caFile?: string | undefined;
  readonly clientId: string;
}

export const APPLIANCE_NODE_ID = 'appliance';

export class MqttEventPublisher {
  private bus: Bus | undefined;
  /** Messages that could not be published (broker down or a payload the schema refused). */
  failed = 0;

  constructor(
    private readonly options: EventPublisherOptions,
    private readonly log: Logger,
  ) {}

  async start(): Promise<void> {
    const { url, prefix, username, password, caFile, clientId } = this.options;
    const bus = new Bus(
      {
        url,
        prefix,
        clientId,
        willNodeId: APPLIANCE_NODE_ID,
        ...(username ? { username } : {}),
        ...(password ? { password } : {}),
        ...(caFile !== undefined ? { caFile } : {}),
      },
      this.log,
    );
    await bus.start();
    this.bus = bus;
    await bus.publishRaw(`${prefix}/nodes/${APPLIANCE_NODE_ID}/available`, 'online', true);
  }

  async stop(): Promise<void> {
    const bus = this.bus;
    this.bus = undefined;
    if (!bus) return;
    await bus
      .publishRaw(`${this.options.prefix}/nodes/${APPLIANCE_NODE_ID}/available`, 'offline', true)
      .catch(() => undefined);
    await bus.stop();
  }

  publishDetection(detection: PublishedDetection): void {
    const event: DetectionEvent = { type: 'new', before: null, after: detection };
    const parsed = detectionEventSchema.safeParse(event);
    if (!parsed.success) {
      this.failed++;
      this.log.warn(
        { camera: detection.camera, issues: describeIssues(parsed.error.issues) },
        'detection event refused by its schema',
      );
      return;
    }
    this.send(detectionTopic(this.options.detectionPrefix), JSON.stringify(parsed.data), false);
  }

  publishCameraStatus(camera: string, status: string): void {
    this.send(`${this.options.prefix}/cameras/${camera}/status`, status, true);
  }

  private send(topic: string, payload: string, retain: boolean): void {
    if (!this.bus) return;
    this.bus.publishRaw(topic, payload, retain).catch((error: unknown) => {
      this.failed++;
      this.log.warn({ topic, err: error }, 'mqtt publish failed');
    });
  }
}
