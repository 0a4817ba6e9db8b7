// What the Cluster page says about nodes and plans, as plain data: status in words, what a node runs, and
// each model's pipelines as chains of pool boxes with the share of the model's blocks each pool covers.
import type { NodeView, PlanPoolView, PlanView } from '../../../../src/server/api.ts';
import { rateText, usAsMsText } from './format.ts';

export function nodeStatusText(node: Pick<NodeView, 'up' | 'ready'>): string {
  if (!node.up) return 'down';
  return node.ready ? 'up, ready' : 'up, loading its assignment';
}

export function blocksText(blocks: readonly [number, number]): string {
  return blocks[0] === blocks[1] ? `block ${blocks[0]}` : `blocks ${blocks[0]}–${blocks[1]}`;
}

/** "face blocks 0–3, batch 4, MPS 1/2" for each partition instance, identical ones counted once ("×2"). */
export function nodeRunsText(runs: NodeView['runs']): string[] {
  const counts = new Map<string, number>();
  for (const run of runs) {
    const mps = run.mpsShare > 1 ? `, MPS 1/${run.mpsShare}` : '';
    const text = `${run.dnn} ${blocksText(run.blocks)}, batch ${run.batchSize}${mps}`;
    counts.set(text, (counts.get(text) ?? 0) + 1);
  }
  return [...counts].map(([text, count]) => (count > 1 ? `${text} ×${count}` : text));
}

export type PoolBox = {
  key: string;
  blocks: string;
  gpuType: string;
  /** "2 instances of 1/2 GPU = 1 GPU" */
  instances: string;
  mps: string;
  batch: string;
  throughput: string;
  timing: string;
  site: string | null;
  /** The pool's blocks as a share of the model's, for a bar: start and width in percent. */
  coverageStartPct: number;
  coverageWidthPct: number;
};

export type PipelineLayout = { key: string; title: string; summary: string; source: string | null; pools: PoolBox[] };
export type ModelLayout = { name: string; summary: string; pipelines: PipelineLayout[] };

function gpusText(gpus: number): string {
  const rounded = Number.isInteger(gpus) ? gpus.toString() : gpus.toFixed(2).replace(/0+$/, '');
  return `${rounded} GPU${gpus === 1 ? '' : 's'}`;
}

function poolBox(pool: PlanPoolView, blockCount: number, key: string): PoolBox {
  const share = pool.mpsShare > 1 ? `1/${pool.mpsShare} GPU` : 'a whole GPU';
  const count = `${pool.instances} instance${pool.instances === 1 ? '' : 's'}`;
  const blocksTotal = Math.max(blockCount, pool.blocks[1] + 1, 1);
  return {
    key,
    blocks: blocksText(pool.blocks),
    gpuType: pool.gpuType,
    instances: `${count} of ${share} = ${gpusText(pool.gpus)}`,
    mps: pool.mpsShare > 1 ? `MPS 1/${pool.mpsShare}` : 'no MPS sharing',
    batch: `batch ${pool.batchSize}`,
    throughput: rateText(pool.throughputRps, 'req/s'),
    timing: `infer ${usAsMsText(pool.inferUs)}, transfer ${usAsMsText(pool.transferUs)}`,
    site: pool.site ?? null,
    coverageStartPct: (pool.blocks[0] / blocksTotal) * 100,
    coverageWidthPct: ((pool.blocks[1] - pool.blocks[0] + 1) / blocksTotal) * 100,
  };
}

export function layoutPlan(plan: PlanView): ModelLayout[] {
  return plan.dnns.map((dnn) => ({
    name: dnn.name,
    summary:
      `SLO ${dnn.sloMs} ms, ${dnn.blockCount} blocks, ${rateText(dnn.throughputRps, 'req/s')} in ` +
      `${dnn.pipelines.length} pipeline${dnn.pipelines.length === 1 ? '' : 's'}`,
    pipelines: dnn.pipelines.map((pipeline, index) => ({
      key: `${dnn.name}-${index}`,
      title: `Pipeline ${index + 1}`,
      summary: `${rateText(pipeline.throughputRps, 'req/s')}, batch ${pipeline.batchSize}`,
      source: pipeline.source ?? null,
      pools: pipeline.pools.map((pool, poolIndex) =>
        poolBox(pool, dnn.blockCount, `${dnn.name}-${index}-${poolIndex}`),
      ),
    })),
  }));
}

/** Upserts a node from a `node` message into the list, keeping the list sorted by id. */
export function mergeNode(nodes: readonly NodeView[], node: NodeView): NodeView[] {
  const others = nodes.filter((existing) => existing.id !== node.id);
  return [...others, node].sort((a, b) => a.id.localeCompare(b.id));
}
