/**
 * Profiles of remote device classes, measured by the workers that have them. The planner places work on a
 * node only when the profile of every served model has timings for the node's device class, and the head
 * measures only its own local workers' class at start (localProfile.ts). For any other class, the head asks
 * one node of that class to time the blocks of the head's profile (`nodes/<id>/profile-request`, the model
 * from the head's model server), merges the answer into the profile file and re-plans. Until then the node
 * stays out of plans; a request that fails or goes unanswered is asked again after `retryAfterMs`, of
 * whichever node of the class is up then.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Logger } from '../../config/index.ts';
import { readProfileDocument, writeProfileDocument } from '../../planner/index.ts';
import type { Bus } from './bus.ts';
import type { Announcement, ProfileResultMessage } from './messages.ts';
import type { ModelServer } from '../data/modelServer.ts';

export interface ProfiledModel {
  /** The whole model (ONNX) the blocks belong to. */
  readonly modelFile: string;
  /** Our profile of it: its blocks are what remote nodes time, and their timings are merged into it. */
  readonly profileFile: string;
}

export interface RemoteProfilerOptions {
  /** Planner name → the model and its profile. */
  readonly models: ReadonlyMap<string, ProfiledModel>;
  /** Largest batch size a node times (profiles have columns 1 … this). */
  readonly maxBatch?: number;
  readonly warmup?: number;
  readonly repeats?: number;
  /** A request unanswered this long counts as failed. */
  readonly timeoutMs?: number;
  /** After a failure, the class and model are asked again no sooner than this. */
  readonly retryAfterMs?: number;
}

export interface ProfilerHead {
  readonly bus: Bus;
  readonly models: ModelServer;
  /** Plans again with the profiles as they are now. */
  replan(reason: string): void;
}

interface Pending {
  readonly nodeId: string;
  readonly model: string;
  readonly deviceClass: string;
  readonly timer: NodeJS.Timeout;
}

export class RemoteProfiler {
  private readonly pending = new Map<string, Pending>();
  /** `<deviceClass>/<model>` → when it was last asked (pending or failed). */
  private readonly asked = new Map<string, number>();
  private readonly noticedEmulated = new Set<string>();
  private readonly files = new Map<string, { sha256: string; url: string; bytes: number }>();
  private started = false;
  private stopped = false;
  /** Profiles merged so far (tests and logs). */
  merged = 0;

  constructor(
    private readonly head: ProfilerHead,
    private readonly options: RemoteProfilerOptions,
    private readonly log: Logger,
  ) {}

  /** Listens for answers, then asks the nodes already up that need it. */
  async start(upNodes: ReadonlyArray<Announcement>): Promise<void> {
    await this.head.bus.subscribe('profileResult', (result, nodeId) => this.onResult(result, nodeId ?? '?'));
    this.started = true;
    for (const node of upNodes) if (!this.covers(node)) this.requestMissing(node);
  }

  stop(): void {
    this.stopped = true;
    for (const entry of this.pending.values()) clearTimeout(entry.timer);
    this.pending.clear();
  }

  /** Whether every model's profile has timings for the node's device class. */
  covers(node: Announcement): boolean {
    return [...this.options.models.keys()].every((model) => this.hasTimings(model, node.deviceClass));
  }

  /** Asks the node to measure each model its class lacks, unless its class is being (or was just) asked. */
  requestMissing(node: Announcement): void {
    if (!this.started || this.stopped) return;
    if (node.emulated) {
      if (!this.noticedEmulated.has(node.deviceClass)) {
        this.noticedEmulated.add(node.deviceClass);
        this.log.warn(
          { node: node.id, deviceClass: node.deviceClass },
          'an emulated node cannot measure its device class; add its profile to the profiles folder',
        );
      }
      return;
    }
    const now = performance.now();
    for (const model of this.options.models.keys()) {
      if (this.hasTimings(model, node.deviceClass)) continue;
      const key = `${node.deviceClass}/${model}`;
      const last = this.asked.get(key);
      if (last !== undefined && now - last < (this.options.retryAfterMs ?? 60_000)) continue;
      this.asked.set(key, now);
      this.ask(node, model).catch((error: unknown) =>
        this.log.warn({ node: node.id, model, err: error }, 'profile request not sent'),
      );
    }
  }

  /** Read from the model's profile file at every call: merges (ours, or by hand) count at once. */
  private hasTimings(model: string, deviceClass: string): boolean {
    try {
      return readProfileDocument(this.options.models.get(model)!.profileFile).devices.some(
        (device) => device.deviceClass === deviceClass,
      );
    } catch {
      return false;
    }
  }

  private async ask(node: Announcement, model: string): Promise<void> {
    const entry = this.options.models.get(model)!;
    const blocks = readProfileDocument(entry.profileFile).blocks;
    if (!blocks) throw new Error(`${entry.profileFile}: the profile has no block node ranges to time`);
    let file = this.files.get(model);
    if (!file) {
      file = this.head.models.add(readFileSync(entry.modelFile));
      this.files.set(model, file);
    }
    const requestId = randomUUID();
    const timer = setTimeout(() => {
      this.pending.delete(requestId);
      this.log.warn(
        { node: node.id, model, deviceClass: node.deviceClass },
        'no profile came back in time; asking again later',
      );
    }, this.options.timeoutMs ?? 600_000);
    timer.unref();
    this.pending.set(requestId, { nodeId: node.id, model, deviceClass: node.deviceClass, timer });
    this.log.info(
      { node: node.id, model, deviceClass: node.deviceClass },
      'asking the node to measure its device class',
    );
    await this.head.bus.publish(
      'profileRequest',
      {
        requestId,
        model,
        file,
        blocks,
        maxBatch: this.options.maxBatch ?? 8,
        warmup: this.options.warmup ?? 2,
        repeats: this.options.repeats ?? 5,
      },
      node.id,
    );
  }

  private onResult(result: ProfileResultMessage, nodeId: string): void {
    const request = this.pending.get(result.requestId);
    if (!request || request.nodeId !== nodeId) return;
    this.pending.delete(result.requestId);
    clearTimeout(request.timer);
    const at = { node: nodeId, model: request.model, deviceClass: request.deviceClass };
    if (result.status !== 'ok' || !result.device) {
      this.log.warn({ ...at, reason: result.error ?? 'no timings' }, 'the node could not measure; asking again later');
      return;
    }
    if (result.device.deviceClass !== request.deviceClass) {
      this.log.warn({ ...at, got: result.device.deviceClass }, 'profile answer for another device class ignored');
      return;
    }
    const file = this.options.models.get(request.model)!.profileFile;
    try {
      const doc = readProfileDocument(file);
      // Validated as a whole document (device classes, block count), so a bad answer never reaches the file.
      const merged = readProfileDocument(file, {
        ...doc,
        devices: [...doc.devices.filter((d) => d.deviceClass !== request.deviceClass), result.device],
      });
      writeProfileDocument(file, merged);
    } catch (error) {
      this.log.warn({ ...at, err: error }, 'profile answer refused; asking again later');
      return;
    }
    this.merged++;
    this.asked.delete(`${request.deviceClass}/${request.model}`);
    this.log.info({ ...at, file }, 'merged a remote device class into the profile');
    this.head.replan(`profile of ${request.deviceClass} added`);
  }
}
