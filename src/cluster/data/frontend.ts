/**
 * The frontend: receives requests, asks the Dispatcher for batches, sends each batch to the first hop of
 * its path over a tensor link, and collects results on its own link server. It counts completed, late and
 * dropped requests and each request's end-to-end latency; when a node dies, its in-flight batches are
 * re-dispatched if their deadlines allow, else counted as dropped, so that no request is lost without a trace.
 */
import type { Logger } from '../../config/index.ts';
import { percentileOfSorted } from '../../config/index.ts';
import type { Dispatcher, DispatchDecision, DispatchedBatch, PendingRequest, PlacedPlan } from './dispatcher.ts';
import type { FrontendStats } from '../control/messages.ts';
import type { FrameHeader, NamedTensor } from './tensorFrame.ts';
import { encodeFrame, packTensors, unpackTensors } from './tensorFrame.ts';
import { LinkPool, LinkServer, NicPacer } from './tensorLink.ts';

export type RequestStatus = 'ok' | 'late' | 'dropped';

export interface RequestOutcome {
  readonly id: string;
  readonly status: RequestStatus;
  readonly latencyUs: number;
  readonly outputs: NamedTensor[];
  readonly reason?: string;
}

export interface FrontendOptions {
  token: string;
  /** Address the frontend's tensor link (results coming back) listens on; default 127.0.0.1. */
  host?: string;
  /** Name workers reach it by (default: host, or the machine's name for a wildcard host). */
  advertiseHost?: string;
  /** PEM files: serve the frontend's tensor links (results coming back) over wss://. */
  tls?: { certFile: string; keyFile: string };
  /** CA of workers whose links use a private certificate (wss://). */
  linkCaFile?: string;
  linkDtype: 'float16' | 'float32';
  /** Factor on SLOs (emulated clusters slowed down by --time-scale). */
  timeScale?: number;
  /** A batch not answered this long after its planned completion is given up. */
  lostAfterMs?: number;
  /** Ping interval on the tensor links to the plan's workers (default 250 ms). */
  pingIntervalMs?: number;
  /** A worker whose link answers no ping this long is stalled: no batch is routed through it (default 1500 ms). */
  stallAfterMs?: number;
}

interface StalledLink {
  readonly sinceMs: number;
  /** Nodes at the link's endpoint that the dispatcher was told are stalled. */
  readonly nodes: Set<string>;
}

interface Inflight {
  readonly batch: DispatchedBatch;
  readonly sentUs: number;
  readonly batchId: string;
}

interface Waiting {
  readonly request: PendingRequest;
  readonly inputs: NamedTensor[];
  readonly resolve: (outcome: RequestOutcome) => void;
  redispatched: boolean;
}

function nowUs(): number {
  return performance.now() * 1000;
}

/** Concatenates per-request tensors along the batch dimension. */
function concatBatch(parts: ReadonlyArray<ReadonlyArray<NamedTensor>>): NamedTensor[] {
  const first = parts[0] ?? [];
  return first.map((tensor, t) => {
    const pieces = parts.map((p) => p[t]!);
    const total = pieces.reduce((sum, piece) => sum + piece.data.length, 0);
    const Kind = tensor.data.constructor as new (n: number) => typeof tensor.data;
    const data = new Kind(total);
    let offset = 0;
    for (const piece of pieces) {
      (data as Float32Array).set(piece.data as Float32Array, offset);
      offset += piece.data.length;
    }
    return {
      name: tensor.name,
      dtype: tensor.dtype,
      dims: [pieces.reduce((sum, piece) => sum + (piece.dims[0] ?? 1), 0), ...tensor.dims.slice(1)],
      data,
    };
  });
}

/** Splits batch outputs back into one tensor set per request (batch dimension first), as views: no copies. */
function splitBatch(tensors: ReadonlyArray<NamedTensor>, count: number): NamedTensor[][] {
  const out: NamedTensor[][] = Array.from({ length: count }, () => []);
  for (const tensor of tensors) {
    const per = tensor.data.length / count;
    for (let i = 0; i < count; i++)
      out[i]!.push({
        name: tensor.name,
        dtype: tensor.dtype,
        dims: [1, ...tensor.dims.slice(1)],
        data: tensor.data.subarray(i * per, (i + 1) * per),
      });
  }
  return out;
}

export class Frontend {
  private server: LinkServer | undefined;
  private pool: LinkPool | undefined;
  private timer: NodeJS.Timeout | undefined;
  private sweep: NodeJS.Timeout | undefined;
  private readonly waiting = new Map<string, Waiting>();
  private readonly inflight = new Map<string, Inflight>();
  private placedPlan: PlacedPlan | undefined;
  /** Stalled tensor links by endpoint. */
  private readonly stalled = new Map<string, StalledLink>();
  /** Nodes known dead since the placed plan (for the reason a request cannot be routed). */
  private readonly deadNodes = new Set<string>();
  private nextRequest = 0;
  private nextBatch = 0;
  readonly latenciesUs: number[] = [];
  /** Batches sent to a first hop, by their number of requests (a re-dispatched batch counts again). */
  readonly batchSizes = new Map<number, number>();
  readonly counters = {
    requests: 0,
    completed: 0,
    late: 0,
    dropped: 0,
    redispatched: 0,
    batches: 0,
    dispatchUs: 0,
    errors: 0,
    /** Tensor links marked stalled, and requests dropped because every pipeline went through one. */
    linkStalls: 0,
    stalledDrops: 0,
  };

  constructor(
    private readonly dispatcher: Dispatcher,
    private readonly options: FrontendOptions,
    private readonly log: Logger,
  ) {}

  get endpoint(): string {
    if (!this.server) throw new Error('the frontend is not started');
    return this.server.url;
  }

  async start(): Promise<void> {
    const { token, host, tls, linkCaFile } = this.options;
    const { pingIntervalMs, stallAfterMs } = this.options;
    this.pool = new LinkPool(
      {
        token,
        ...(linkCaFile !== undefined ? { caFile: linkCaFile } : {}),
        ...(pingIntervalMs !== undefined ? { pingIntervalMs } : {}),
        ...(stallAfterMs !== undefined ? { stallAfterMs } : {}),
        onHealth: (url, stalled, silentMs) => this.onLinkHealth(url, stalled, silentMs),
      },
      new NicPacer(null),
      this.log,
    );
    const { advertiseHost } = this.options;
    this.server = new LinkServer(
      {
        token,
        host: host ?? '127.0.0.1',
        ...(advertiseHost !== undefined ? { advertiseHost } : {}),
        ...(tls ? { tls } : {}),
      },
      (header, payload) => this.onFrame(header, payload),
      this.log,
    );
    await this.server.start();
    this.sweep = setInterval(() => this.sweepLost(), 250);
  }

  async stop(): Promise<void> {
    clearTimeout(this.timer);
    clearInterval(this.sweep);
    for (const [id, waiting] of this.waiting) this.finish(id, waiting, 'dropped', [], 'frontend stopped');
    this.pool?.close();
    await this.server?.stop();
  }

  setPlacedPlan(placedPlan: PlacedPlan | undefined): void {
    this.placedPlan = placedPlan;
    this.deadNodes.clear();
    // Links already stalled stay routed around in the new plan; every endpoint of the plan is watched
    // (pinged) from now on, so that a stall anywhere on a path is seen, not only on first hops.
    for (const [url, link] of this.stalled) this.tellStalled(url, link);
    for (const url of this.endpoints())
      this.pool
        ?.link(url)
        .connect()
        .catch(() => undefined);
    this.apply(this.timed(() => this.dispatcher.setPlacedPlan(placedPlan, nowUs())));
    this.apply(this.timed(() => this.dispatcher.onTick(nowUs())));
  }

  get serving(): PlacedPlan | undefined {
    return this.placedPlan;
  }

  sloUs(dnn: string): number | undefined {
    const slo = this.placedPlan?.dnns.find((d) => d.name === dnn)?.sloUs;
    return slo === undefined ? undefined : slo * (this.options.timeScale ?? 1);
  }

  /** Submits one request (inputs with batch dimension 1, or none on an emulated cluster). */
  submit(dnn: string, inputs: NamedTensor[] = [], sloUs?: number): Promise<RequestOutcome> {
    const arrivalUs = nowUs();
    const slo = sloUs ?? this.sloUs(dnn) ?? 1e6;
    const request: PendingRequest = { id: `r${this.nextRequest++}`, dnn, arrivalUs, deadlineUs: arrivalUs + slo };
    this.counters.requests++;
    return new Promise((resolve) => {
      this.waiting.set(request.id, { request, inputs, resolve, redispatched: false });
      const stalledReason = this.unroutableByStall(dnn);
      if (stalledReason !== undefined) {
        this.counters.stalledDrops++;
        this.finish(request.id, this.waiting.get(request.id)!, 'dropped', [], stalledReason);
        return;
      }
      this.apply(this.timed(() => this.dispatcher.onRequest(request, nowUs())));
    });
  }

  /** Endpoints whose tensor links are stalled (peer not answering pings). */
  stalledLinks(): string[] {
    return [...this.stalled.keys()];
  }

  /** The frontend's outgoing tensor links: frames sent on each, stalls, health. */
  linkStats(): ReturnType<LinkPool['linkStats']> {
    return this.pool?.linkStats() ?? [];
  }

  /** A node died: its in-flight batches are re-dispatched when their deadlines allow, else dropped. */
  nodeDown(nodeId: string): void {
    this.deadNodes.add(nodeId);
    const dispatcher = this.dispatcher;
    if (dispatcher.onNodeDown) this.apply(this.timed(() => dispatcher.onNodeDown!(nodeId, nowUs())));
    for (const [batchId, entry] of this.inflight) {
      if (!entry.batch.path.some((hop) => hop.nodeId === nodeId)) continue;
      this.inflight.delete(batchId);
      this.retry(entry.batch, `node ${nodeId} died`);
    }
  }

  stats(): FrontendStats {
    const sorted = Float64Array.from(this.latenciesUs).sort();
    const at = (q: number): number | null => percentileOfSorted(sorted, q, 'floor') ?? null;
    const { requests, completed, late, dropped, redispatched } = this.counters;
    return {
      requests,
      completed,
      late,
      dropped,
      redispatched,
      inflight: this.waiting.size,
      p50LatencyUs: at(0.5),
      p99LatencyUs: at(0.99),
    };
  }

  /** µs of frontend work (dispatcher + framing) per dispatched batch. */
  usPerBatch(): number {
    return this.counters.batches === 0 ? 0 : this.counters.dispatchUs / this.counters.batches;
  }

  private endpoints(): Set<string> {
    const urls = new Set<string>();
    for (const dnn of this.placedPlan?.dnns ?? [])
      for (const p of dnn.pipelines)
        for (const q of p.partitions) for (const instance of q.instances) urls.add(instance.endpoint);
    return urls;
  }

  private nodesAt(url: string): Set<string> {
    const nodes = new Set<string>();
    for (const dnn of this.placedPlan?.dnns ?? [])
      for (const p of dnn.pipelines)
        for (const q of p.partitions)
          for (const instance of q.instances) if (instance.endpoint === url) nodes.add(instance.nodeId);
    return nodes;
  }

  private stallReason(url: string, link: StalledLink): string {
    const nodes = [...link.nodes].join(', ') || 'no node of the plan';
    const silentMs = Math.round(performance.now() - link.sinceMs);
    return `tensor link to ${nodes} (${url}) stalled: no answer to pings for ${silentMs} ms`;
  }

  /** Tells the dispatcher that the nodes at a stalled endpoint (in the current plan) are stalled. */
  private tellStalled(url: string, link: StalledLink): void {
    const dispatcher = this.dispatcher;
    for (const nodeId of this.nodesAt(url)) {
      link.nodes.add(nodeId);
      if (dispatcher.onNodeStalled) this.apply(this.timed(() => dispatcher.onNodeStalled!(nodeId, true, nowUs())));
    }
  }

  private onLinkHealth(url: string, stalled: boolean, silentMs: number): void {
    const dispatcher = this.dispatcher;
    if (stalled) {
      if (this.stalled.has(url)) return;
      const link: StalledLink = { sinceMs: performance.now() - silentMs, nodes: new Set() };
      this.stalled.set(url, link);
      this.counters.linkStalls++;
      this.tellStalled(url, link);
      this.log.warn(
        { url, nodes: [...link.nodes], silentMs: Math.round(silentMs) },
        'tensor link stalled: routing around it',
      );
      const reason = this.stallReason(url, link);
      for (const [batchId, entry] of this.inflight) {
        if (!entry.batch.path.some((hop) => hop.endpoint === url)) continue;
        this.inflight.delete(batchId);
        this.retry(entry.batch, reason);
      }
      return;
    }
    const link = this.stalled.get(url);
    if (!link) return;
    this.stalled.delete(url);
    this.log.info({ url, nodes: [...link.nodes], silentMs: Math.round(silentMs) }, 'tensor link healthy again');
    for (const nodeId of new Set([...link.nodes, ...this.nodesAt(url)]))
      if (dispatcher.onNodeStalled) this.apply(this.timed(() => dispatcher.onNodeStalled!(nodeId, false, nowUs())));
  }

  /**
   * Why a request of `dnn` cannot be routed when every pipeline of the plan goes through a dead or stalled
   * node and at least one through a stalled link; undefined otherwise (the dispatcher decides).
   */
  private unroutableByStall(dnn: string): string | undefined {
    if (this.stalled.size === 0) return undefined;
    const pipelines = this.placedPlan?.dnns.find((d) => d.name === dnn)?.pipelines ?? [];
    if (pipelines.length === 0) return undefined;
    let reason: string | undefined;
    for (const p of pipelines) {
      let blocked = false;
      for (const q of p.partitions) {
        const usable = q.instances.filter((i) => !this.deadNodes.has(i.nodeId) && !this.stalled.has(i.endpoint));
        if (usable.length > 0) continue;
        blocked = true;
        const at = q.instances.find((i) => this.stalled.has(i.endpoint));
        if (at && reason === undefined) reason = this.stallReason(at.endpoint, this.stalled.get(at.endpoint)!);
      }
      if (!blocked) return undefined;
    }
    return reason;
  }

  private retry(batch: DispatchedBatch, reason: string): void {
    for (const request of batch.requests) {
      const waiting = this.waiting.get(request.id);
      if (!waiting) continue;
      if (waiting.redispatched || nowUs() > request.deadlineUs) {
        this.finish(request.id, waiting, 'dropped', [], reason);
        continue;
      }
      const stalledReason = this.unroutableByStall(request.dnn);
      if (stalledReason !== undefined) {
        this.counters.stalledDrops++;
        this.finish(request.id, waiting, 'dropped', [], stalledReason);
        continue;
      }
      waiting.redispatched = true;
      this.counters.redispatched++;
      this.apply(this.timed(() => this.dispatcher.onRequest(request, nowUs())));
    }
  }

  private timed(work: () => DispatchDecision | void): DispatchDecision | undefined {
    const started = process.hrtime.bigint();
    const decision = work() ?? undefined;
    this.counters.dispatchUs += Number(process.hrtime.bigint() - started) / 1000;
    return decision;
  }

  private apply(decision: DispatchDecision | undefined): void {
    if (decision) {
      for (const { request, reason } of decision.dropped) {
        const waiting = this.waiting.get(request.id);
        if (waiting) this.finish(request.id, waiting, 'dropped', [], reason);
      }
      for (const batch of decision.batches) this.send(batch);
    }
    clearTimeout(this.timer);
    const wake = this.dispatcher.nextWakeUs();
    if (wake !== undefined) {
      this.timer = setTimeout(
        () => this.apply(this.timed(() => this.dispatcher.onTick(nowUs()))),
        Math.max(0, (wake - nowUs()) / 1000),
      );
    }
  }

  private send(batch: DispatchedBatch): void {
    const started = process.hrtime.bigint();
    const batchId = `b${this.nextBatch++}`;
    const inputs = batch.requests.map((r) => this.waiting.get(r.id)?.inputs ?? []);
    const tensors = inputs.every((i) => i.length > 0) ? concatBatch(inputs) : [];
    const packed = packTensors(tensors, 'float32');
    const frame = encodeFrame(
      {
        type: 'batch',
        batchId,
        dnn: batch.dnn,
        requestIds: batch.requests.map((r) => r.id),
        hop: 0,
        path: batch.path.map((hop) => ({ ...hop })),
        replyTo: this.endpoint,
        tensors: packed.wire,
        declaredBytes: 0,
        timings: [],
      },
      packed.payload,
    );
    this.inflight.set(batchId, { batch, sentUs: nowUs(), batchId });
    this.counters.batches++;
    this.batchSizes.set(batch.requests.length, (this.batchSizes.get(batch.requests.length) ?? 0) + 1);
    this.counters.dispatchUs += Number(process.hrtime.bigint() - started) / 1000;
    this.pool!.send(batch.path[0]!.endpoint, frame, 0).catch((error: unknown) => {
      this.counters.errors++;
      this.log.warn({ err: error, batchId }, 'batch not sent');
      if (this.inflight.delete(batchId)) this.retry(batch, `first hop unreachable: ${String(error)}`);
    });
  }

  private onFrame(header: FrameHeader, payload: Buffer): void {
    if (header.type !== 'result') {
      this.log.warn({ type: header.type }, 'frontend: unexpected frame type');
      return;
    }
    const entry = this.inflight.get(header.batchId);
    if (!entry) return; // already re-dispatched or given up
    this.inflight.delete(header.batchId);
    for (const timing of header.timings) {
      this.dispatcher.onFeedback({
        key: timing.key,
        nodeId: timing.nodeId,
        instance: timing.instance,
        batchSize: header.requestIds.length,
        inferUs: timing.inferUs,
        queueUs: timing.queueUs,
        sendUs: timing.sendUs,
      });
    }
    if (header.error !== undefined) {
      this.log.warn({ batchId: header.batchId, error: header.error }, 'batch failed on a worker');
      this.retry(entry.batch, header.error);
      return;
    }
    let outputs: NamedTensor[][] = header.requestIds.map(() => []);
    try {
      if (header.tensors.length > 0)
        outputs = splitBatch(unpackTensors(header.tensors, payload), header.requestIds.length);
    } catch (error) {
      this.log.warn({ err: error }, 'result tensors unreadable');
    }
    const now = nowUs();
    header.requestIds.forEach((id, i) => {
      const waiting = this.waiting.get(id);
      if (!waiting) return;
      this.finish(id, waiting, now <= waiting.request.deadlineUs ? 'ok' : 'late', outputs[i] ?? []);
    });
  }

  private sweepLost(): void {
    const now = nowUs();
    const graceUs = (this.options.lostAfterMs ?? 3000) * 1000;
    for (const [batchId, entry] of this.inflight) {
      if (now - entry.sentUs > entry.batch.plannedLatencyUs * (this.options.timeScale ?? 1) + graceUs) {
        this.inflight.delete(batchId);
        for (const request of entry.batch.requests) {
          const waiting = this.waiting.get(request.id);
          if (waiting) this.finish(request.id, waiting, 'dropped', [], 'no result: lost in flight');
        }
      }
    }
  }

  private finish(id: string, waiting: Waiting, status: RequestStatus, outputs: NamedTensor[], reason?: string): void {
    this.waiting.delete(id);
    const latencyUs = nowUs() - waiting.request.arrivalUs;
    if (status === 'dropped') this.counters.dropped++;
    else {
      this.counters.completed++;
      if (status === 'late') this.counters.late++;
      this.latenciesUs.push(latencyUs);
    }
    waiting.resolve({ id, status, latencyUs, outputs, ...(reason !== undefined ? { reason } : {}) });
  }
}
