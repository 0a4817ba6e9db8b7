/**
 * The worker node agent: announces itself (retained, with an `offline` will), sends heartbeats, receives
 * its assignment, fetches and loads its partitions (one onnxruntime session per MPS instance) or, when
 * emulated, holds each batch for its profiled latency; serves batches from its tensor link and forwards the
 * result along the batch's path, paced by its NIC, reporting measured timings for feedback.
 */
import os from 'node:os';
import path from 'node:path';
import type { Logger } from '../../config/index.ts';
import type { Device, PartitionExecutor } from '../../models/index.ts';
import { createPartitionExecutor, measureProfile } from '../../models/index.ts';
import { ProfileLibrary, maxProfiledBatch, partitionLatencyUs, toProfileFile } from '../../planner/index.ts';
import type { ModelProfile } from '../../planner/index.ts';
import { Bus } from '../control/bus.ts';
import type {
  Announcement,
  Assignment,
  PartitionAssignment,
  ProfileRequestMessage,
  ProfileResultMessage,
} from '../control/messages.ts';
import { workerClientId } from '../control/acl.ts';
import { PROTOCOL_VERSION } from '../control/messages.ts';
import { ModelCache } from '../data/modelCache.ts';
import type { BatchHeader, FrameHeader, HopTiming, NamedTensor, ResultHeader } from '../data/tensorFrame.ts';
import { encodeFrame, packTensors, unpackTensors } from '../data/tensorFrame.ts';
import { LinkPool, LinkServer, NicPacer } from '../data/tensorLink.ts';

export const PPIPE_VERSION = '0.1.0';

export interface WorkerOptions {
  brokerUrl: string;
  prefix: string;
  id: string;
  deviceClass: string;
  site: string;
  gpus: number;
  mpsLevels: number;
  device: Device;
  emulate: boolean;
  timeScale: number;
  cacheDir: string;
  token: string;
  /**
   * The head's model server (`http(s)://host:port`): models are fetched from there only, so the token goes
   * nowhere else. Absent (emulated workers): no model is fetched.
   */
  modelOrigin?: string;
  host?: string;
  /** Name other nodes reach this worker's link by (default: host, or the machine's name for a wildcard host). */
  advertiseHost?: string;
  brokerUsername?: string;
  brokerPassword?: string;
  brokerCaFile?: string;
  heartbeatMs?: number;
  tls?: { certFile: string; keyFile: string };
  linkCaFile?: string;
}

interface Lane {
  readonly partition: PartitionAssignment;
  readonly executor: PartitionExecutor | undefined;
  readonly profile: ModelProfile | undefined;
  tail: Promise<void>;
}

function sleepMs(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}

export class WorkerNode {
  private bus: Bus | undefined;
  private server: LinkServer | undefined;
  private pool: LinkPool | undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  private lanes = new Map<string, Lane>();
  private assignment: Assignment | undefined;
  /** The plan of the last assignment taken (applied, or queued to be). */
  private acceptedPlanId: string | undefined;
  private ready = false;
  private seq = 0;
  private inflight = 0;
  private readonly startedMs = Date.now();
  private loading: Promise<void> = Promise.resolve();
  private readonly stats = { batches: 0, samples: 0, busyUs: 0, errors: 0 };
  private linkBytesTotal = 0;
  private linkBytesSeen = 0;

  constructor(
    private readonly options: WorkerOptions,
    private readonly log: Logger,
  ) {}

  get endpoint(): string {
    if (!this.server) throw new Error('the worker is not started');
    return this.server.url;
  }

  async start(): Promise<void> {
    try {
      await this.startParts();
    } catch (error) {
      // Without this, the listening link server would keep a worker whose broker refused it alive forever.
      await this.stop().catch(() => undefined);
      throw error;
    }
  }

  private async startParts(): Promise<void> {
    const o = this.options;
    this.pool = new LinkPool(
      { token: o.token, ...(o.linkCaFile ? { caFile: o.linkCaFile } : {}) },
      new NicPacer(null),
      this.log,
    );
    this.server = new LinkServer(
      {
        token: o.token,
        host: o.host ?? '127.0.0.1',
        ...(o.advertiseHost !== undefined ? { advertiseHost: o.advertiseHost } : {}),
        ...(o.tls ? { tls: o.tls } : {}),
      },
      (header, payload) => this.onFrame(header, payload),
      this.log,
    );
    await this.server.start();
    this.bus = new Bus(
      {
        url: o.brokerUrl,
        prefix: o.prefix,
        clientId: workerClientId(o.id),
        willNodeId: o.id,
        ...(o.brokerUsername !== undefined ? { username: o.brokerUsername } : {}),
        ...(o.brokerPassword !== undefined ? { password: o.brokerPassword } : {}),
        ...(o.brokerCaFile !== undefined ? { caFile: o.brokerCaFile } : {}),
      },
      this.log,
    );
    await this.bus.start();
    await this.bus.subscribe(
      'assignment',
      (assignment) => {
        if (assignment.nodeId !== o.id) return;
        // The same plan again (a controller restoring a restarted broker's retained state, a retained message
        // redelivered after a reconnection): already applied, or being applied; loading it twice would only
        // stop serving meanwhile.
        if (assignment.planId === this.acceptedPlanId) return;
        this.acceptedPlanId = assignment.planId;
        this.loading = this.loading
          .then(() => this.apply(assignment))
          .catch((error: unknown) => {
            this.stats.errors++;
            this.log.error({ err: error, planId: assignment.planId }, 'assignment failed');
          });
      },
      o.id,
    );
    await this.bus.subscribe(
      'profileRequest',
      (request) => {
        this.loading = this.loading
          .then(() => this.measureFor(request))
          .catch((error: unknown) => this.log.warn({ err: error }, 'profile answer not sent'));
      },
      o.id,
    );
    const announcement: Announcement = {
      id: o.id,
      role: 'worker',
      deviceClass: o.deviceClass,
      gpus: o.gpus,
      mpsLevels: o.mpsLevels,
      site: o.site,
      dataEndpoint: this.server.url,
      emulated: o.emulate,
      timeScale: o.timeScale,
      versions: { protocol: PROTOCOL_VERSION, ppipe: PPIPE_VERSION, node: process.version },
      startedAt: this.startedMs,
    };
    const presentSelf = async (bus: Bus): Promise<void> => {
      await bus.publish('announce', announcement, o.id, true);
      await bus.publish('available', 'online', o.id, true);
    };
    await presentSelf(this.bus);
    const bus = this.bus;
    bus.onReconnect(() => {
      presentSelf(bus)
        .then(() => this.beat())
        .catch((error: unknown) => this.log.warn({ err: error }, 'announcement after reconnecting not sent'));
    });
    this.heartbeat = setInterval(() => this.beat(), o.heartbeatMs ?? 500);
    this.beat();
    this.log.info(
      { id: o.id, endpoint: this.server.url, deviceClass: o.deviceClass, emulate: o.emulate },
      'worker started',
    );
  }

  async stop(): Promise<void> {
    clearInterval(this.heartbeat);
    const bus = this.bus;
    this.bus = undefined;
    if (bus) {
      // A broker that is gone cannot take the message (the will says offline for us there anyway).
      // It may also be going at this very moment: a publish that never gets its acknowledgement must not
      // hold the stop, so it gets a second at most.
      if (bus.connected)
        await Promise.race([
          bus.publish('available', 'offline', this.options.id, true).catch(() => undefined),
          new Promise((resolve) => setTimeout(resolve, 1000).unref()),
        ]);
      await bus.stop();
    }
    this.pool?.close();
    await this.server?.stop();
    await this.releaseLanes();
  }

  private beat(): void {
    const bus = this.bus;
    if (!bus) return;
    const id = this.options.id;
    bus
      .publish(
        'heartbeat',
        {
          id,
          seq: this.seq++,
          uptimeS: (Date.now() - this.startedMs) / 1000,
          planId: this.assignment?.planId ?? null,
          ready: this.ready,
          inflightBatches: this.inflight,
        },
        id,
      )
      .catch((error: unknown) => this.log.warn({ err: error }, 'heartbeat not sent'));
    if (this.seq % 2 === 0) {
      // Bytes paced on the NIC: the declared tensor bytes (emulated hops send headers only).
      this.linkBytesTotal += (this.pool?.pacer.bytes ?? 0) - this.linkBytesSeen;
      this.linkBytesSeen = this.pool?.pacer.bytes ?? 0;
      bus.publish('nodeStats', { id, ...this.stats, linkBytesSent: this.linkBytesTotal }, id).catch(() => undefined);
    }
  }

  private async releaseLanes(): Promise<void> {
    const lanes = [...this.lanes.values()];
    this.lanes = new Map();
    for (const lane of lanes) {
      await lane.tail.catch(() => undefined);
      await lane.executor?.release();
    }
  }

  private async apply(assignment: Assignment): Promise<void> {
    this.ready = false;
    this.assignment = assignment;
    const bandwidth = assignment.bandwidthGbps === null ? null : assignment.bandwidthGbps / this.options.timeScale;
    if (this.pool && this.pool.pacer.bandwidthGbps !== bandwidth) {
      const old = this.pool;
      this.pool = new LinkPool(
        { token: this.options.token, ...(this.options.linkCaFile ? { caFile: this.options.linkCaFile } : {}) },
        new NicPacer(bandwidth),
        this.log,
      );
      old.close();
      this.linkBytesTotal += old.pacer.bytes - this.linkBytesSeen;
      this.linkBytesSeen = 0;
    }
    await this.releaseLanes();
    let cache: ModelCache | undefined; // emulated workers fetch no model
    const libraries = new Map<string, ProfileLibrary>();
    const lanes = new Map<string, Lane>();
    for (const partition of assignment.partitions) {
      let profile: ModelProfile | undefined;
      let bytes: Uint8Array | undefined;
      if (this.options.emulate) {
        if (partition.profiles === null || partition.profileModel === null)
          throw new Error(`${partition.key}: an emulated worker needs a profiles folder and model in its assignment`);
        let library = libraries.get(partition.profiles);
        if (!library) {
          library = new ProfileLibrary([partition.profiles]);
          libraries.set(partition.profiles, library);
        }
        profile = library.get(partition.profileModel);
      } else {
        if (partition.model === null)
          throw new Error(`${partition.key}: a real worker needs the partition model in its assignment`);
        cache ??= this.modelCache();
        const fetched = await cache.get(partition.model);
        bytes = fetched.bytes;
        this.log.info(
          { key: partition.key, sha256: partition.model.sha256, cached: fetched.cached },
          'partition model ready',
        );
      }
      for (const instance of partition.instances) {
        const executor = bytes ? await createPartitionExecutor(bytes, { device: this.options.device }) : undefined;
        lanes.set(`${partition.key}#${instance}`, { partition, executor, profile, tail: Promise.resolve() });
      }
    }
    this.lanes = lanes;
    this.ready = true;
    this.log.info({ planId: assignment.planId, lanes: lanes.size }, 'assignment loaded');
    this.beat();
  }

  /**
   * Partitions and models from the head: its model server wants the cluster token, and over https:// with a private
   * certificate, the link CA.
   */
  private modelCache(): ModelCache {
    if (this.options.modelOrigin === undefined)
      throw new Error(
        "this worker was started without --model-origin, the head's model server: it fetches no model (the " +
          'cluster token goes to that server only)',
      );
    return new ModelCache(this.options.cacheDir, {
      origin: this.options.modelOrigin,
      token: this.options.token,
      ...(this.options.linkCaFile !== undefined ? { caFile: this.options.linkCaFile } : {}),
    });
  }

  /**
   * Times the head's blocks of a model on this node's device, for a head that has no profile of its device
   * class (it leaves the node out of plans until it has one). Runs between assignments, never beside one.
   */
  private async measureFor(request: ProfileRequestMessage): Promise<void> {
    const o = this.options;
    const reply = (result: Pick<ProfileResultMessage, 'status' | 'device' | 'error'>): Promise<void> =>
      this.bus
        ? this.bus.publish(
            'profileResult',
            { requestId: request.requestId, model: request.model, deviceClass: o.deviceClass, ...result },
            o.id,
          )
        : Promise.resolve();
    if (o.emulate) {
      await reply({
        status: 'error',
        error: 'an emulated worker computes nothing, so it cannot measure; give the head a profile of its device class',
      });
      return;
    }
    try {
      const started = performance.now();
      const { file } = await this.modelCache().get(request.file);
      const measured = await measureProfile({
        file,
        model: request.model,
        device: o.device,
        deviceClass: o.deviceClass,
        maxBatch: request.maxBatch,
        blocks: request.blocks,
        warmup: request.warmup,
        repeats: request.repeats,
      });
      await reply({ status: 'ok', device: toProfileFile(measured.profile).devices[0]! });
      this.log.info(
        {
          model: request.model,
          deviceClass: o.deviceClass,
          blocks: request.blocks.length,
          seconds: (performance.now() - started) / 1000,
        },
        'measured a profile for the head',
      );
    } catch (error) {
      this.log.warn({ model: request.model, err: error }, 'profile measurement failed');
      await reply({ status: 'error', error: error instanceof Error ? error.message : String(error) });
    }
  }

  private onFrame(header: FrameHeader, payload: Buffer): void {
    if (header.type !== 'batch') {
      this.log.warn({ type: header.type }, 'worker: unexpected frame type');
      return;
    }
    const hop = header.path[header.hop];
    const lane = hop && hop.nodeId === this.options.id ? this.lanes.get(`${hop.key}#${hop.instance}`) : undefined;
    if (!lane) {
      this.stats.errors++;
      this.reply(header, [], [], `node ${this.options.id} does not serve ${hop?.key ?? '?'}#${hop?.instance ?? '?'}`);
      return;
    }
    const receivedMs = performance.now();
    this.inflight++;
    lane.tail = lane.tail
      .then(() => this.run(lane, header, payload, receivedMs))
      .catch((error: unknown) => {
        this.stats.errors++;
        this.log.error({ err: error, batchId: header.batchId }, 'batch failed');
        this.reply(header, [], header.timings, String(error));
      })
      .finally(() => {
        this.inflight--;
      });
  }

  private async run(lane: Lane, header: BatchHeader, payload: Buffer, receivedMs: number): Promise<void> {
    const startMs = performance.now();
    const bs = header.requestIds.length;
    const { partition } = lane;
    let outputs: NamedTensor[] = [];
    if (lane.executor) {
      const received = unpackTensors(header.tensors, payload);
      const byName = new Map(received.map((t) => [t.name, t]));
      const feeds: Record<string, NamedTensor> = {};
      for (const name of lane.executor.inputNames) {
        const tensor = byName.get(name);
        if (!tensor) throw new Error(`${partition.key}: input ${name} missing from the batch`);
        feeds[name] = tensor;
      }
      const results = await lane.executor.run(feeds);
      for (const [name, tensor] of Object.entries(results)) byName.set(name, { name, ...tensor });
      outputs = partition.link.map((spec) => {
        const tensor = byName.get(spec.name);
        if (!tensor) throw new Error(`${partition.key}: link tensor ${spec.name} was not produced`);
        return tensor;
      });
    } else if (lane.profile) {
      const profile = lane.profile;
      const batch = Math.min(bs, Math.max(1, maxProfiledBatch(profile, partition.deviceClass, partition.mpsShare)));
      const latencyUs =
        partitionLatencyUs(
          profile,
          partition.deviceClass,
          partition.mpsShare,
          batch,
          partition.blocks[0],
          partition.blocks[1],
        ) *
        (bs / batch);
      await sleepMs((latencyUs * this.options.timeScale) / 1000 - (performance.now() - startMs));
    }
    const inferUs = (performance.now() - startMs) * 1000;
    this.stats.batches++;
    this.stats.samples += bs;
    this.stats.busyUs += inferUs;
    const timing: HopTiming = {
      nodeId: this.options.id,
      key: partition.key,
      instance: header.path[header.hop]!.instance,
      queueUs: (startMs - receivedMs) * 1000,
      inferUs,
      sendUs: 0,
    };
    const linkDtype = this.assignment?.linkDtype ?? 'float16';
    const packed = packTensors(outputs, linkDtype);
    const next = header.path[header.hop + 1];
    if (!next) {
      this.reply(header, outputs, [...header.timings, timing]);
      return;
    }
    const declaredBytes = lane.executor
      ? packed.payload.reduce((sum, b) => sum + b.byteLength, 0)
      : partition.linkBytesPerSample * bs;
    const sendStart = performance.now();
    const forward = async (): Promise<void> => {
      await this.pool!.pacer.take(declaredBytes);
      timing.sendUs = (performance.now() - sendStart) * 1000;
      const frame = encodeFrame(
        { ...header, hop: header.hop + 1, tensors: packed.wire, declaredBytes, timings: [...header.timings, timing] },
        packed.payload,
      );
      await this.pool!.link(next.endpoint).send(frame);
    };
    // The NIC sends while the GPU lane takes its next batch.
    forward().catch((error: unknown) => {
      this.stats.errors++;
      this.log.warn({ err: error, to: next.endpoint, batchId: header.batchId }, 'forward failed');
      this.reply(header, [], [...header.timings, timing], `forward to ${next.nodeId} failed: ${String(error)}`);
    });
  }

  private reply(header: BatchHeader, outputs: NamedTensor[], timings: HopTiming[], error?: string): void {
    const linkDtype = this.assignment?.linkDtype ?? 'float16';
    const packed = packTensors(outputs, linkDtype);
    const result: ResultHeader = {
      type: 'result',
      batchId: header.batchId,
      requestIds: header.requestIds,
      tensors: packed.wire,
      declaredBytes: 0,
      timings,
      ...(error !== undefined ? { error } : {}),
    };
    this.pool
      ?.link(header.replyTo)
      .send(encodeFrame(result, packed.payload))
      .catch((err: unknown) => this.log.warn({ err, to: header.replyTo }, 'result not delivered'));
  }
}

export function defaultCacheDir(): string {
  return path.join(os.tmpdir(), 'ppipe-model-cache');
}
