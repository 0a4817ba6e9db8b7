/**
 * The cluster as the UI draws it (GET /api/nodes, GET /api/plan and the live feed's `node` and `plan`
 * messages): pure conversions from what the controller holds. Plans count blocks [first, end); the views
 * give [first, last], inclusive, the way people number them.
 */
import type { Assignment, PlanMessage } from '../cluster/index.ts';
import type { NodeView, PlanPoolView, PlanView } from './api.ts';

/** What the views need of a node's record in the controller's registry. */
export interface NodeState {
  readonly announcement: { deviceClass: string; site: string; dataEndpoint: string } | undefined;
  readonly up: boolean;
  readonly ready: boolean;
  readonly planId: string | null;
  /** When it was last heard from, on the monotonic clock (`performance.now()`), ms. */
  readonly lastSeenMs: number;
}

/** What the views need of the controller (src/cluster/control/controller.ts's Controller has it). */
export interface ClusterState {
  readonly nodes: ReadonlyMap<string, NodeState>;
  assignmentOf(nodeId: string): Assignment | undefined;
}

/** The two clocks' readings at one instant: the controller counts on the monotonic one, the UI on the epoch. */
export type ClockReadings = { epochMs: number; monotonicMs: number };

function inclusive(blocks: readonly [number, number]): [number, number] {
  return [blocks[0], blocks[1] - 1];
}

/** A plan message as pipelines of pools; a message without a plan (no node up) has no models. */
export function planViewOf(message: PlanMessage): PlanView {
  const plan = message.plan;
  return {
    planId: message.planId,
    createdAt: message.createdAt,
    reason: message.reason,
    nodes: [...message.nodes],
    algorithm: plan?.algorithm ?? null,
    objective: plan?.objective ?? null,
    dnns: (plan?.dnns ?? []).map((dnn) => ({
      name: dnn.name,
      sloMs: dnn.sloUs / 1000,
      blockCount: dnn.blockCount,
      throughputRps: dnn.throughputRps,
      pipelines: dnn.pipelines.map((pipeline) => ({
        throughputRps: pipeline.throughputRps,
        batchSize: pipeline.batchSize,
        ...(pipeline.source !== undefined ? { source: pipeline.source } : {}),
        pools: pipeline.partitions.map((part): PlanPoolView => ({
          blocks: inclusive(part.blocks),
          gpuType: part.gpu,
          instances: part.instances,
          mpsShare: part.mpsShare,
          gpus: part.gpus,
          batchSize: pipeline.batchSize,
          throughputRps: part.throughputRps,
          inferUs: part.inferUs,
          transferUs: part.transferUs,
          ...(part.site !== undefined ? { site: part.site } : {}),
        })),
      })),
    })),
  };
}

/** One node: its announcement, liveness and, from its assignment, one run per partition instance it holds. */
export function nodeViewOf(
  id: string,
  node: NodeState,
  assignment: Assignment | undefined,
  clock: ClockReadings,
): NodeView {
  return {
    id,
    up: node.up,
    ready: node.ready,
    deviceClass: node.announcement?.deviceClass ?? null,
    site: node.announcement?.site ?? null,
    endpoint: node.announcement?.dataEndpoint ?? null,
    planId: node.planId,
    lastSeenMs: Math.round(clock.epochMs - (clock.monotonicMs - node.lastSeenMs)),
    runs: (assignment?.partitions ?? []).flatMap((part) =>
      part.instances.map(() => ({
        dnn: part.dnn,
        blocks: inclusive(part.blocks),
        batchSize: part.batchSize,
        mpsShare: part.mpsShare,
      })),
    ),
  };
}

/** Every node the controller knows, by id. */
export function nodeViews(cluster: ClusterState, clock: ClockReadings): NodeView[] {
  return [...cluster.nodes]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([id, node]) => nodeViewOf(id, node, cluster.assignmentOf(id), clock));
}
