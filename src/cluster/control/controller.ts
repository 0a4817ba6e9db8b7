/**
 * The controller: keeps the node registry (joins and leaves from retained availability and heartbeats; a
 * node silent for more than `deadAfterMs` is declared dead), builds the planning problem from the nodes
 * that are up (GPU classes grouped by device class), plans, places the plan's instances on the nodes'
 * GPUs, publishes the plan and per-node assignments (retained) and re-plans, debounced, on every change.
 */
import type { Logger } from '../../config/index.ts';
import {
  HighsSolver,
  gpuEntryLabel,
  parseProblem,
  planFromOutcome,
  planProblem,
  resolveProblem,
} from '../../planner/index.ts';
import type { Algorithm, Plan, ProblemDocument } from '../../planner/index.ts';
import type { Bus } from './bus.ts';
import type { PlacedPlan } from '../data/dispatcher.ts';
import type { Announcement, Assignment, PartitionAssignment, PlanMessage, TensorSpec } from './messages.ts';
import type { ModelServer } from '../data/modelServer.ts';

export interface RealPartitionModel {
  readonly bytes: Uint8Array;
  readonly inputs: ReadonlyArray<TensorSpec>;
  readonly link: ReadonlyArray<TensorSpec>;
  readonly linkBytesPerSample: number;
}

/** Real partitions by block range `first-end`; a ReadonlyMap is one, PartitionCatalog splits on request. */
export interface PartitionSource {
  get(range: string): RealPartitionModel | undefined;
}

export interface ModelEntry {
  /** Name in the profiles (or in a fixed plan). */
  readonly name: string;
  readonly weight?: number;
  readonly sloUs?: number;
  /** Real partition models by block range `first-end` (real workers need them): a Map, or made on request. */
  readonly partitions?: PartitionSource;
}

export interface ControllerOptions {
  /** Absolute profile folder(s). */
  profiles: string;
  models: ReadonlyArray<ModelEntry>;
  algorithm: Algorithm;
  bandwidthGbps: number;
  maxPartitions?: number;
  /** Pace worker NICs at the plan's bandwidth (emulated clusters on loopback). */
  paceLinks: boolean;
  linkDtype: 'float16' | 'float32';
  deadAfterMs?: number;
  /** Re-plan this long after the last node joined (joins at start-up come in a burst: one plan for them). */
  debounceMs?: number;
  /**
   * Re-plan this long after a node left or a node that had left came back: meanwhile the cluster serves
   * degraded or not at all, so sooner than debounceMs, yet long enough to gather nodes that leave together.
   */
  recoveryDebounceMs?: number;
  planTimeLimitS?: number;
  /**
   * Whether the planner can place work on a node (e.g. its device class is profiled for the models); nodes
   * it cannot stay registered but out of plans, so one unprofiled worker does not stop the others serving.
   */
  plannable?: (node: Announcement) => boolean;
  /** Replaces the MILP (tests with models that have no profiles): the plan for the nodes that are up. */
  planOverride?: (nodes: ReadonlyArray<Announcement>) => Plan | undefined;
  /**
   * Edge-to-cloud: the cameras of each site and the WAN links between sites. With it, GPU entries are
   * per (device class, announced site) and plans place stages where the WAN allows.
   */
  edge?: EdgeNetworkOptions;
}

export interface EdgeNetworkOptions {
  readonly sites: NonNullable<ProblemDocument['sites']>;
  readonly links: NonNullable<ProblemDocument['links']>;
  readonly placement?: ProblemDocument['placement'];
}

/**
 * The planning problem for the nodes that are up: one GPU entry per device class (per class and site with
 * an edge network), counting their GPUs; MPS levels are the smallest any node offers, GPUs per server the
 * largest node. Sites that nodes announce or links join but the edge network does not list join it without
 * cameras.
 */
export function clusterProblem(
  nodes: ReadonlyArray<Announcement>,
  options: Pick<ControllerOptions, 'profiles' | 'algorithm' | 'maxPartitions' | 'bandwidthGbps' | 'models' | 'edge'>,
): ProblemDocument {
  const edge = options.edge;
  const classes = new Map<
    string,
    { type: string; site: string | undefined; count: number; mpsLevels: number; gpusPerServer: number }
  >();
  for (const node of nodes) {
    const site = edge ? node.site : undefined;
    const key = gpuEntryLabel(node.deviceClass, site);
    const entry = classes.get(key);
    if (entry) {
      entry.count += node.gpus;
      entry.mpsLevels = Math.min(entry.mpsLevels, node.mpsLevels);
      entry.gpusPerServer = Math.max(entry.gpusPerServer, node.gpus);
    } else
      classes.set(key, {
        type: node.deviceClass,
        site,
        count: node.gpus,
        mpsLevels: node.mpsLevels,
        gpusPerServer: node.gpus,
      });
  }
  const sites = edge ? [...edge.sites] : undefined;
  if (edge && sites) {
    // A link's far end stays a site while no node is up there (a WAN partition): the edge then plans alone.
    const names = [...nodes.map((n) => n.site), ...edge.links.flatMap((link) => [link.from, link.to])];
    for (const name of names) if (!sites.some((s) => s.name === name)) sites.push({ name, cameras: [] });
  }
  return {
    profiles: options.profiles,
    algorithm: options.algorithm,
    maxPartitions: options.maxPartitions ?? 2,
    bandwidthGbps: options.bandwidthGbps,
    gpus: [...classes.values()].map(({ site, ...c }) => ({ ...c, ...(site !== undefined ? { site } : {}) })),
    dnns: options.models.map((m) => ({
      name: m.name,
      weight: m.weight ?? 1,
      ...(m.sloUs !== undefined ? { sloUs: m.sloUs } : {}),
    })),
    ...(edge ? { sites, links: [...edge.links], ...(edge.placement ? { placement: edge.placement } : {}) } : {}),
  };
}

export interface NodeRecord {
  announcement: Announcement | undefined;
  available: boolean;
  lastSeenMs: number;
  up: boolean;
  /** It was up once and left: its return is a recovery, re-planned without the join debounce. */
  hasLeft: boolean;
  ready: boolean;
  planId: string | null;
}

export interface ControllerEvents {
  onNodeDown?: (nodeId: string, reason: string) => void;
  onPlacedPlan?: (placedPlan: PlacedPlan | undefined) => void;
  onPlan?: (message: PlanMessage) => void;
}

export class Controller {
  readonly nodes = new Map<string, NodeRecord>();
  private solver: HighsSolver | undefined;
  private sweep: NodeJS.Timeout | undefined;
  private debounce: NodeJS.Timeout | undefined;
  private planning: Promise<void> = Promise.resolve();
  private planSeq = 0;
  current: PlanMessage | undefined;
  private assignments = new Map<string, Assignment>();
  private placedPlan: PlacedPlan | undefined;
  private published: PlacedPlan | undefined;
  private stopped = false;

  constructor(
    private readonly bus: Bus,
    private readonly models: ModelServer,
    private options: ControllerOptions,
    private readonly events: ControllerEvents,
    private readonly log: Logger,
  ) {}

  async start(): Promise<void> {
    this.solver = new HighsSolver();
    await this.bus.subscribe('announce', (announcement, param) => {
      if (param !== announcement.id)
        return this.log.warn({ param, id: announcement.id }, 'announcement id does not match its topic');
      const record = this.record(announcement.id);
      record.announcement = announcement;
      this.touch(announcement.id);
    });
    await this.bus.subscribe('available', (state, param) => {
      if (param === undefined) return;
      const record = this.record(param);
      record.available = state === 'online';
      if (state === 'online') this.touch(param);
      else this.markDown(param, 'offline');
    });
    await this.bus.subscribe('heartbeat', (beat, param) => {
      if (param !== beat.id) return;
      const record = this.record(beat.id);
      record.ready = beat.ready;
      record.planId = beat.planId;
      this.touch(beat.id);
      this.checkServing();
    });
    await this.bus.serve('replan', () => {
      this.schedule('requested', 0);
      return { scheduled: true };
    });
    await this.bus.serve('nodes', () =>
      [...this.nodes.entries()].map(([id, r]) => ({
        id,
        up: r.up,
        ready: r.ready,
        planId: r.planId,
        deviceClass: r.announcement?.deviceClass ?? null,
      })),
    );
    await this.bus.serve('plan', () => this.current ?? null);
    await this.bus.serve('health', () => ({
      nodesUp: [...this.nodes.values()].filter((r) => r.up).length,
      planId: this.current?.planId ?? null,
    }));
    this.bus.onReconnect(() => {
      this.restoreRetained().catch((error: unknown) =>
        this.log.warn({ err: error }, 'plan and assignments not restored after reconnecting'),
      );
    });
    this.sweep = setInterval(() => this.checkSilence(), 200);
  }

  /**
   * After a reconnection: the broker may be a restarted one that lost its retained messages, so the current
   * plan and assignments are published again (workers skip an assignment of the plan they already have).
   */
  private async restoreRetained(): Promise<void> {
    const current = this.current;
    if (!current) return;
    await this.bus.publish('plan', current, undefined, true);
    for (const [id, assignment] of this.assignments) await this.bus.publish('assignment', assignment, id, true);
    this.log.info({ planId: current.planId }, 'plan and assignments published again after reconnecting');
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.sweep);
    clearTimeout(this.debounce);
    await this.planning.catch(() => undefined);
    await this.solver?.stop();
  }

  /** Changes what is planned (models, algorithm, bandwidth) and re-plans now. */
  reconfigure(options: Partial<ControllerOptions>): Promise<void> {
    this.options = { ...this.options, ...options };
    this.schedule('reconfigured', 0);
    return this.whenPlanned();
  }

  /** Plans again soon (debounced like node changes), e.g. because the profiles changed. */
  requestReplan(reason: string): void {
    this.schedule(reason);
  }

  /**
   * A node's process is known to have ended (its supervisor saw it exit): it is down now, without waiting
   * for the broker's will or a heartbeat timeout, and only a new `online` brings it back (a heartbeat the
   * dead process sent before it died does not).
   */
  nodeExited(id: string, reason: string): void {
    const record = this.nodes.get(id);
    if (!record) return;
    record.available = false;
    this.markDown(id, reason);
  }

  /** Resolves once the planning run in progress (if any) has published. */
  async whenPlanned(): Promise<void> {
    await new Promise((resolve) => setTimeout(resolve, 0));
    await this.planning;
  }

  /** The node's assignment in the current plan (what the UI shows it runs); undefined: none. */
  assignmentOf(nodeId: string): Assignment | undefined {
    return this.assignments.get(nodeId);
  }

  /** What the controller would plan now: its problem for the plannable nodes that are up (undefined: none). */
  problemDocument(): ProblemDocument | undefined {
    const plannable = this.options.plannable;
    const nodes = this.upNodes().filter((node) => !plannable || plannable(node));
    return nodes.length === 0 ? undefined : clusterProblem(nodes, this.options);
  }

  upNodes(): Announcement[] {
    return [...this.nodes.values()]
      .filter((r) => r.up && r.announcement)
      .map((r) => r.announcement!)
      .sort((a, b) => a.id.localeCompare(b.id));
  }

  private record(id: string): NodeRecord {
    let record = this.nodes.get(id);
    if (!record) {
      record = {
        announcement: undefined,
        available: false,
        lastSeenMs: performance.now(),
        up: false,
        hasLeft: false,
        ready: false,
        planId: null,
      };
      this.nodes.set(id, record);
    }
    return record;
  }

  private touch(id: string): void {
    const record = this.record(id);
    record.lastSeenMs = performance.now();
    if (!record.up && record.available && record.announcement) {
      record.up = true;
      this.log.info({ node: id, deviceClass: record.announcement.deviceClass }, 'node joined');
      this.bus
        .publish('events', {
          type: 'new',
          kind: 'node',
          before: null,
          after: { id, deviceClass: record.announcement.deviceClass },
        })
        .catch(() => undefined);
      this.schedule(`node ${id} joined`, record.hasLeft ? this.recoveryDebounceMs() : undefined);
    }
  }

  private markDown(id: string, reason: string): void {
    const record = this.nodes.get(id);
    if (!record?.up) return;
    record.up = false;
    record.hasLeft = true;
    record.ready = false;
    this.log.warn({ node: id, reason }, 'node left');
    this.bus
      .publish('events', { type: 'end', kind: 'node', before: { id }, after: { id, reason } })
      .catch(() => undefined);
    this.events.onNodeDown?.(id, reason);
    this.schedule(`node ${id} left (${reason})`, this.recoveryDebounceMs());
  }

  private recoveryDebounceMs(): number {
    return this.options.recoveryDebounceMs ?? 50;
  }

  private checkSilence(): void {
    const now = performance.now();
    // While the controller cannot hear anyone (its broker is down or restarting), silence says nothing
    // about the nodes: their clocks start again when it hears again.
    if (!this.bus.connected) {
      for (const record of this.nodes.values()) record.lastSeenMs = now;
      return;
    }
    const limit = this.options.deadAfterMs ?? 3000;
    for (const [id, record] of this.nodes)
      if (record.up && now - record.lastSeenMs > limit) this.markDown(id, `silent for more than ${limit} ms`);
  }

  private schedule(reason: string, delayMs = this.options.debounceMs ?? 300): void {
    if (this.stopped) return;
    clearTimeout(this.debounce);
    this.debounce = setTimeout(() => {
      this.planning = this.planning
        .then(() => this.replan(reason))
        .catch((error: unknown) => this.log.error({ err: error }, 'planning failed'));
    }, delayMs);
  }

  private async makePlan(nodes: ReadonlyArray<Announcement>): Promise<Plan | undefined> {
    if (nodes.length === 0) return undefined;
    if (this.options.planOverride) return this.options.planOverride(nodes);
    const document = clusterProblem(nodes, this.options);
    const problem = resolveProblem(parseProblem('cluster', document), process.cwd());
    const outcome = await planProblem(problem, this.solver!, {
      deadlineMs: performance.now() + (this.options.planTimeLimitS ?? 20) * 1000,
    });
    return planFromOutcome(problem, outcome);
  }

  private async replan(reason: string): Promise<void> {
    if (this.stopped) return;
    const up = this.upNodes();
    const plannable = this.options.plannable;
    const nodes = plannable ? up.filter((node) => plannable(node)) : up;
    if (nodes.length < up.length)
      this.log.warn(
        { left: up.filter((n) => !nodes.includes(n)).map((n) => `${n.id} (${n.deviceClass})`) },
        'nodes left out of the plan: the planner cannot place work on them',
      );
    const planId = `plan-${Date.now().toString(36)}-${++this.planSeq}`;
    let plan: Plan | undefined;
    try {
      plan = await this.makePlan(nodes);
    } catch (error) {
      this.log.error({ err: error, reason }, 'no plan for the nodes that are up');
    }
    const message: PlanMessage = {
      planId,
      createdAt: Date.now(),
      reason,
      nodes: nodes.map((n) => n.id),
      plan: plan ?? null,
    };
    const { assignments, placedPlan } = this.place(planId, plan, nodes);
    // The new placed plan and its assignments change together, before the first await: a heartbeat handled
    // while the plan is being published must check readiness against this plan's assignments, or it could
    // hand the frontend a placed plan whose workers have not loaded their partitions yet.
    const previous = this.assignments;
    this.current = message;
    this.placedPlan = placedPlan;
    this.assignments = assignments;
    this.published = undefined;
    await this.bus.publish('plan', message, undefined, true);
    for (const id of this.nodes.keys()) {
      const assignment = assignments.get(id);
      if (assignment) await this.bus.publish('assignment', assignment, id, true);
      else if (previous.has(id)) await this.bus.publishRaw(`${this.bus.prefix}/nodes/${id}/assignment`, '', true);
    }
    this.log.info({ planId, reason, nodes: nodes.length, objective: plan?.objective ?? null }, 'plan published');
    await this.bus
      .publish('events', {
        type: 'new',
        kind: 'plan',
        before: null,
        after: { planId, reason, objective: plan?.objective ?? null },
      })
      .catch(() => undefined);
    this.events.onPlan?.(message);
    if (!placedPlan) this.events.onPlacedPlan?.(undefined);
    this.checkServing();
  }

  /** Places each pool's instances on the GPUs of nodes of its class, first fit by MPS share. */
  private place(
    planId: string,
    plan: Plan | undefined,
    nodes: ReadonlyArray<Announcement>,
  ): { assignments: Map<string, Assignment>; placedPlan: PlacedPlan | undefined } {
    const assignments = new Map<string, Assignment>();
    for (const node of nodes) {
      assignments.set(node.id, {
        planId,
        nodeId: node.id,
        linkDtype: this.options.linkDtype,
        bandwidthGbps: this.options.paceLinks ? this.options.bandwidthGbps : null,
        partitions: [],
      });
    }
    if (!plan) return { assignments, placedPlan: undefined };
    const free = new Map<string, Array<{ node: Announcement; gpu: number; left: number }>>();
    // GPUs by entry: device class, or device class and site when the plan has sites.
    const entryOf = (deviceClass: string, site: string | undefined): string =>
      gpuEntryLabel(deviceClass, this.options.edge ? site : undefined);
    for (const node of nodes) {
      const key = entryOf(node.deviceClass, node.site);
      const list = free.get(key) ?? [];
      for (let gpu = 0; gpu < node.gpus; gpu++) list.push({ node, gpu, left: 1 });
      free.set(key, list);
    }
    const dnns = plan.dnns.map((dnn) => {
      const entry = this.options.models.find((m) => dnn.name.startsWith(m.name) || m.name.startsWith(dnn.name));
      return {
        name: dnn.name,
        sloUs: dnn.sloUs,
        pipelines: dnn.pipelines.map((pipeline, p) => ({
          pipeline: p,
          batchSize: pipeline.batchSize,
          throughputRps: pipeline.throughputRps,
          partitions: pipeline.partitions.map((partition, q) => {
            const key = `${dnn.name}/${p}/${q}`;
            const real = entry?.partitions?.get(`${partition.blocks[0]}-${partition.blocks[1]}`);
            const model = real ? this.models.add(real.bytes) : null;
            const cutBytes =
              partition.blocks[1] < dnn.blockCount
                ? (dnn.transferUsPerSample[partition.blocks[1] - 1] ?? 0) * plan.cluster.bandwidthGbps * 125
                : 0;
            const byNode = new Map<string, number[]>();
            const instances: Array<{ nodeId: string; instance: number; endpoint: string }> = [];
            const gpus = free.get(entryOf(partition.gpu, partition.site)) ?? [];
            for (let i = 0; i < partition.instances; i++) {
              const share = 1 / partition.mpsShare;
              const slot = gpus.find((g) => g.left + 1e-9 >= share);
              if (!slot) {
                this.log.warn({ key, instance: i }, 'no GPU left for a planned instance');
                break;
              }
              slot.left -= share;
              byNode.set(slot.node.id, [...(byNode.get(slot.node.id) ?? []), i]);
              instances.push({ nodeId: slot.node.id, instance: i, endpoint: slot.node.dataEndpoint });
            }
            for (const [nodeId, numbers] of byNode) {
              const assignment: PartitionAssignment = {
                key,
                dnn: dnn.name,
                pipeline: p,
                partition: q,
                partitionCount: pipeline.partitions.length,
                blocks: partition.blocks,
                deviceClass: partition.gpu,
                mpsShare: partition.mpsShare,
                instances: numbers,
                batchSize: pipeline.batchSize,
                inferUs: partition.inferUs,
                model,
                inputs: real ? [...real.inputs] : [],
                link: real ? [...real.link] : [],
                linkBytesPerSample: real ? real.linkBytesPerSample : cutBytes,
                profiles: real ? null : this.options.profiles,
                profileModel: real ? null : dnn.name,
              };
              assignments.get(nodeId)!.partitions.push(assignment);
            }
            return {
              key,
              inferUs: partition.inferUs,
              transferUs: partition.transferUs,
              instances,
              blocks: partition.blocks,
              gpu: partition.gpu,
              mpsShare: partition.mpsShare,
            };
          }),
        })),
      };
    });
    return { assignments, placedPlan: { planId, dnns } };
  }

  /** Hands the placed plan to the frontend once every node with partitions reports it loaded. */
  private checkServing(): void {
    const placedPlan = this.placedPlan;
    if (!placedPlan || this.published === placedPlan) return;
    for (const [id, assignment] of this.assignments) {
      if (assignment.partitions.length === 0) continue;
      const record = this.nodes.get(id);
      if (!record?.up || !record.ready || record.planId !== placedPlan.planId) return;
    }
    this.published = placedPlan;
    this.events.onPlacedPlan?.(placedPlan);
  }
}
