/**
 * Measures a model's profile on this machine's execution provider: per-node latencies, pre-partitioning into
 * blocks (or the blocks of an existing profile, so that a second device class is timed on the same block
 * boundaries), then every block at every batch size (warm-up, repeats, median). Used by `ppipe profile`
 * and by workers that measure their own device class for the head.
 */
import path from 'node:path';
import type { BlockRange, ModelProfile } from '../planner/index.ts';
import { InputError, prepartitionChain } from '../planner/index.ts';
import { internalCutBytes, loadModel, tensorsBytes } from './modelReport.ts';
import { profileNodes } from './nodeProfiler.ts';
import { encodeOnnxModel, readOnnxModel } from './onnxModel.ts';
import type { Device } from './ortSupport.ts';
import { createSession, randomFeeds } from './ortSupport.ts';
import { loadPipeline, runPipeline } from './partitionRunner.ts';
import { splitModel } from './splitModel.ts';

export interface ProfileRequest {
  readonly file: string;
  /** Name of the model in the profile (default: the file name without `.onnx`). */
  readonly model?: string;
  readonly device: Device;
  readonly deviceClass: string;
  /** Largest batch size timed (models with a fixed batch of 1 are timed at 1 only). */
  readonly maxBatch: number;
  /** A block count to pre-partition into, or the blocks of an existing profile to time as they are. */
  readonly blocks: number | ReadonlyArray<BlockRange>;
  readonly warmup: number;
  readonly repeats: number;
  readonly onWarning?: (text: string) => void;
  /** Progress: steps done, steps in all, what is being timed. */
  readonly onProgress?: (done: number, total: number, label: string) => void;
}

export interface MeasuredProfile {
  readonly profile: ModelProfile;
  readonly blocks: BlockRange[];
  readonly batchSizes: number;
  readonly wholeModelUs: number;
  /** Pre-partitioning's bounds on the slowest block, µs (absent when the blocks were given). */
  readonly bounds?: { readonly lb: number; readonly ub: number };
  readonly loaded: Awaited<ReturnType<typeof loadModel>>;
}

export async function measureProfile(request: ProfileRequest): Promise<MeasuredProfile> {
  const { file, device, deviceClass, warmup, repeats } = request;
  readOnnxModel(file); // fail fast with the file's own error before any timing
  const loaded = await loadModel(file);
  for (const warning of loaded.warnings) request.onWarning?.(warning);
  const batches = loaded.shapeInfo.batch.dynamic ? request.maxBatch : 1;
  if (loaded.shapeInfo.batch.fixedBatch !== undefined && loaded.shapeInfo.batch.fixedBatch !== 1) {
    throw new InputError(
      file,
      undefined,
      `the model's batch is fixed at ${loaded.shapeInfo.batch.fixedBatch}; profiling needs a dynamic batch or a ` +
        `batch of 1`,
    );
  }
  const given = typeof request.blocks === 'number' ? undefined : request.blocks;
  const nodeRuns = given ? 0 : Math.max(5, repeats);
  const total = nodeRuns + (given ? 0 : 1) + batches * 2 * (warmup + repeats);
  let done = 0;
  const tick = (label: string): void => request.onProgress?.(++done, total, label);

  let cuts: number[];
  let bounds: { lb: number; ub: number } | undefined;
  if (given) cuts = cutsOfBlocks(given, loaded.analysis.nodes.length, file);
  else {
    const nodeLatencyUs = await profileNodes(loaded, device, nodeRuns, () => tick('node latencies'));
    const prepartition = prepartitionChain(
      {
        nodeNames: loaded.analysis.nodes.map((node) => node.name),
        latencyUsByDevice: new Map([[deviceClass, nodeLatencyUs]]),
        cutBytes: internalCutBytes(loaded),
      },
      { blocks: request.blocks as number },
    );
    cuts = prepartition.firstNodeOfBlock.slice(1).map((first) => first - 1);
    bounds = { lb: prepartition.lb, ub: prepartition.ub };
  }
  const split = splitModel(loaded.model, loaded.analysis, loaded.shapeInfo, cuts);
  const settings = { device, optimization: 'all' as const };
  const pipeline = await loadPipeline(split.models.map(encodeOnnxModel), split.plans, settings);
  const rows: number[][] = split.plans.map(() => []);
  const wholeUsByBatch: number[] = [];
  try {
    for (let batch = 1; batch <= batches; batch++) {
      const feeds = randomFeeds(loaded.analysis.inputs, loaded.shapeInfo.shapes, batch, 100 + batch);
      for (let run = 0; run < warmup; run++) {
        await runPipeline(pipeline, feeds);
        tick(`batch ${batch} warm-up`);
      }
      const samples: number[][] = split.plans.map(() => []);
      for (let run = 0; run < repeats; run++) {
        const result = await runPipeline(pipeline, feeds);
        result.partitionUs.forEach((us, block) => samples[block]!.push(us));
        tick(`batch ${batch}/${batches}`);
      }
      const blockUs = samples.map((list) => median(list));
      const wholeUs = await timeWholeModel(loaded, settings, batch, warmup, repeats, () =>
        tick(`batch ${batch} whole model`),
      );
      wholeUsByBatch.push(wholeUs);
      removeCallOverhead(blockUs, wholeUs).forEach((us, block) => rows[block]!.push(Math.round(us)));
    }
  } finally {
    await pipeline.release();
  }
  const wholeModelUs = Math.max(1, Math.round(wholeUsByBatch[0]!));
  const profile: ModelProfile = {
    model: request.model ?? path.basename(file).replace(/\.onnx$/i, ''),
    blockCount: split.plans.length,
    cutBytes: split.plans.slice(0, -1).map((plan) => plan.linkBytesPerSample),
    inputBytes: tensorsBytes(loaded.analysis.inputs, loaded.shapeInfo.shapes),
    devices: new Map([[deviceClass, { deviceClass, latencyUs: new Map([[1, rows]]), wholeModelUs }]]),
    source: file,
  };
  return {
    profile,
    blocks: split.plans.map((plan) => ({ firstNode: plan.firstNode, lastNode: plan.lastNode })),
    batchSizes: batches,
    wholeModelUs,
    ...(bounds ? { bounds } : {}),
    loaded,
  };
}

/** Split points (last node of every block but the last) of given blocks, which must tile the model's nodes. */
function cutsOfBlocks(blocks: ReadonlyArray<BlockRange>, nodeCount: number, file: string): number[] {
  let next = 0;
  for (const [i, block] of blocks.entries()) {
    if (block.firstNode !== next || block.lastNode < block.firstNode) {
      throw new InputError(
        file,
        undefined,
        `block ${i} covers nodes [${block.firstNode}, ${block.lastNode}], expected it to start at node ${next}: the ` +
          `blocks belong to another model`,
      );
    }
    next = block.lastNode + 1;
  }
  if (next !== nodeCount)
    throw new InputError(
      file,
      undefined,
      `the blocks end at node ${next - 1}, the model has ${nodeCount} nodes: they belong to another model`,
    );
  return blocks.slice(1).map((block) => block.firstNode - 1);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/**
 * Each block is timed as its own session run, so each carries the fixed cost of one run (binding, output
 * allocation: 0.2–0.5 ms on CPU), while a partition of several blocks pays it once. With B blocks,
 * Σ blocks − whole model = (B − 1) × that cost; it is removed from every block but the first, so that
 * blocks sum to the whole model and a partition that starts the model still pays one run's cost.
 */
export function removeCallOverhead(blockUs: ReadonlyArray<number>, wholeUs: number): number[] {
  if (blockUs.length < 2) return [...blockUs];
  const callUs = Math.max(0, (blockUs.reduce((a, b) => a + b, 0) - wholeUs) / (blockUs.length - 1));
  return blockUs.map((us, block) => (block === 0 ? us : Math.max(1, us - callUs)));
}

async function timeWholeModel(
  loaded: Awaited<ReturnType<typeof loadModel>>,
  settings: { device: Device; optimization: 'all' },
  batch: number,
  warmup: number,
  repeats: number,
  onRun: () => void,
): Promise<number> {
  const session = await createSession(encodeOnnxModel(loaded.model), settings);
  try {
    const feeds = randomFeeds(loaded.analysis.inputs, loaded.shapeInfo.shapes, batch, 100 + batch);
    const samples: number[] = [];
    for (let run = 0; run < warmup + repeats; run++) {
      const begin = process.hrtime.bigint();
      await session.run(feeds);
      if (run >= warmup) samples.push(Number(process.hrtime.bigint() - begin) / 1000);
      onRun();
    }
    return median(samples);
  } finally {
    await session.release();
  }
}
