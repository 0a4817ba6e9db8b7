/**
 * `ppipe profile MODEL.onnx [--device …] [--batch-sizes 1-8] [--blocks 10] --out DIR`: measures per-node
 * latencies, pre-partitions into blocks, splits at the block boundaries, times every block at every batch
 * size on the local execution provider (warm-up, repeats, median), and writes the project's profile format.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, hostname } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import ort from 'onnxruntime-node';
import type { CommandIo } from './commandSupport.ts';
import { UsageError, parseCount, reportFailure } from './commandSupport.ts';
import { artifactDocuments, internalCutBytes, loadModel, tensorsBytes } from './modelReport.ts';
import { profileNodes } from './nodeProfiler.ts';
import { encodeOnnxModel, readOnnxModel } from './onnxModel.ts';
import type { Device } from './ortSupport.ts';
import { assertCudaAvailable, createSession, randomFeeds } from './ortSupport.ts';
import { loadPipeline, runPipeline } from './partitionRunner.ts';
import type { ModelProfile } from '../../planner/index.ts';
import { prepartitionChain, writeProfileFile } from '../../planner/index.ts';
import { splitModel } from './splitModel.ts';

export const PROFILE_USAGE = `Usage: ppipe profile MODEL.onnx [--device cpu|cpu:THREADS|cuda[:ID]] [--device-class NAME]
                     [--batch-sizes 1-8] [--blocks 10] [--warmup 3] [--repeats 10] --out DIR

Profiles a model for the planner: per-node latencies (onnxruntime profiler), pre-partitioning into blocks,
then each block timed at every batch size (median of the repeats). Writes DIR/<model>.profile.json, plus
the cuts and shapes documents of the artifact's layout (DIR/<model>.cuts.json, DIR/<model>.shapes.json).

  --device          cpu (all cores), cpu:THREADS, or cuda[:ID] (needs onnxruntime-node's CUDA provider)
  --device-class    name of the device class in planning problems (default cpu-<threads>t or cuda)
  --batch-sizes     1-N: batch sizes 1 … N (the profile format's columns); models with a fixed batch use 1
  --blocks          number of pre-partitioned blocks (default 10, at most the node count)
  --warmup          untimed runs before timing (default 3)
  --repeats         timed runs per batch size; the median is kept (default 10)
  --out DIR         output folder
  --help            this text
`;

export function parseDevice(text: string): Device {
  const cpu = /^cpu(?::(\d+))?$/.exec(text);
  if (cpu) return { kind: 'cpu', threads: cpu[1] !== undefined ? parseCount('--device cpu:THREADS', cpu[1], 1) : undefined };
  const cuda = /^cuda(?::(\d+))?$/.exec(text);
  if (cuda) return { kind: 'cuda', deviceId: Number(cuda[1] ?? 0) };
  throw new UsageError(`--device expects cpu, cpu:THREADS, cuda or cuda:ID, got "${text}"`);
}

function parseBatchSizes(text: string): number {
  const range = /^1-(\d+)$/.exec(text);
  if (range) return parseCount('--batch-sizes', range[1]!, 1);
  if (text === '1') return 1;
  throw new UsageError(`--batch-sizes expects a range starting at 1 such as 1-8 (the profile's columns are batch sizes 1, 2, …), got "${text}"`);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** A one-line progress bar on stderr, redrawn in place. */
function progressBar(io: CommandIo, total: number): { tick(label: string): void; done(): void } {
  let done = 0;
  return {
    tick(label: string) {
      done = Math.min(total, done + 1);
      const width = 30;
      const filled = Math.round((done / total) * width);
      io.stderr(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(Math.round((done / total) * 100)).padStart(3)}% ${label.padEnd(28)}`);
    },
    done() {
      io.stderr('\n');
    },
  };
}

export async function runProfileCommand(argv: ReadonlyArray<string>, io: CommandIo): Promise<number> {
  try {
    const { values, positionals } = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        device: { type: 'string', default: 'cpu' },
        'device-class': { type: 'string' },
        'batch-sizes': { type: 'string', default: '1-8' },
        blocks: { type: 'string', default: '10' },
        warmup: { type: 'string', default: '3' },
        repeats: { type: 'string', default: '10' },
        out: { type: 'string' },
        help: { type: 'boolean' },
      },
    });
    if (values.help) {
      io.stdout(PROFILE_USAGE);
      return 0;
    }
    if (positionals.length !== 1) throw new UsageError('expected exactly one MODEL.onnx');
    if (!values.out) throw new UsageError('--out DIR is required');
    const device = parseDevice(values.device);
    if (device.kind === 'cuda') assertCudaAvailable();
    const deviceClass = values['device-class'] ?? (device.kind === 'cpu' ? `cpu-${device.threads ?? availableParallelism()}t` : 'cuda');
    const file = positionals[0]!;
    const maxBatch = parseBatchSizes(values['batch-sizes']);
    const requestedBlocks = parseCount('--blocks', values.blocks, 1);
    const warmup = parseCount('--warmup', values.warmup, 0);
    const repeats = parseCount('--repeats', values.repeats, 1);
    const started = Date.now();

    readOnnxModel(file); // fail fast with the file's own error before any timing
    const loaded = await loadModel(file);
    for (const warning of loaded.warnings) io.stderr(`warning: ${file}: ${warning}\n`);
    const batches = loaded.shapeInfo.batch.dynamic ? maxBatch : 1;
    if (loaded.shapeInfo.batch.fixedBatch !== undefined && loaded.shapeInfo.batch.fixedBatch !== 1) {
      throw new UsageError(`the model's batch is fixed at ${loaded.shapeInfo.batch.fixedBatch}; profiling needs a dynamic batch or a batch of 1`);
    }
    const nodeRuns = Math.max(3, repeats);
    const bar = progressBar(io, nodeRuns + 1 + batches * 2 * (warmup + repeats));

    const nodeLatencyUs = await profileNodes(loaded, device, nodeRuns, () => bar.tick('node latencies'));
    const cutBytes = internalCutBytes(loaded);
    const prepartition = prepartitionChain(
      { nodeNames: loaded.analysis.nodes.map((node) => node.name), latencyUsByDevice: new Map([[deviceClass, nodeLatencyUs]]), cutBytes },
      { blocks: requestedBlocks },
    );
    const cuts = prepartition.firstNodeOfBlock.slice(1).map((first) => first - 1);
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
          bar.tick(`batch ${batch} warm-up`);
        }
        const samples: number[][] = split.plans.map(() => []);
        for (let run = 0; run < repeats; run++) {
          const result = await runPipeline(pipeline, feeds);
          result.partitionUs.forEach((us, block) => samples[block]!.push(us));
          bar.tick(`batch ${batch}/${batches}`);
        }
        const blockUs = samples.map((list) => median(list));
        const wholeUs = await timeWholeModel(loaded.model, loaded, settings, batch, warmup, repeats, () => bar.tick(`batch ${batch} whole model`));
        wholeUsByBatch.push(wholeUs);
        removeCallOverhead(blockUs, wholeUs).forEach((us, block) => rows[block]!.push(Math.round(us)));
      }
    } finally {
      await pipeline.release();
      bar.done();
    }

    const model = path.basename(file).replace(/\.onnx$/i, '');
    const profile: ModelProfile = {
      model,
      blockCount: split.plans.length,
      cutBytes: split.plans.slice(0, -1).map((plan) => plan.linkBytesPerSample),
      inputBytes: tensorsBytes(loaded.analysis.inputs, loaded.shapeInfo.shapes),
      devices: new Map([[deviceClass, { deviceClass, latencyUs: new Map([[1, rows]]), wholeModelUs: Math.max(1, Math.round(wholeUsByBatch[0]!)) }]]),
      source: file,
    };
    mkdirSync(values.out, { recursive: true });
    const written = writeProfileFile(values.out, profile, {
      blocks: split.plans.map((plan) => ({ firstNode: plan.firstNode, lastNode: plan.lastNode })),
      producer: { tool: 'ppipe profile', version: `onnxruntime-node ${ort.env.versions.node ?? '?'}`, measuredAt: new Date().toISOString(), host: hostname() },
    });
    const documents = artifactDocuments(loaded);
    writeFileSync(path.join(values.out, `${model}.cuts.json`), `${JSON.stringify(documents.cuts)}\n`);
    writeFileSync(path.join(values.out, `${model}.shapes.json`), `${JSON.stringify(documents.shapes)}\n`);
    io.stdout(`${JSON.stringify({ profile: written, model, deviceClass, blocks: profile.blockCount, batchSizes: batches, lb: prepartition.lb, ub: prepartition.ub, wholeModelUs: Math.round(wholeUsByBatch[0]!), seconds: (Date.now() - started) / 1000 })}\n`);
    return 0;
  } catch (error) {
    if (error instanceof TypeError && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS')) return reportFailure(new UsageError(error.message), io, PROFILE_USAGE);
    return reportFailure(error, io, PROFILE_USAGE);
  }
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
  model: Parameters<typeof encodeOnnxModel>[0],
  loaded: Awaited<ReturnType<typeof loadModel>>,
  settings: { device: Device; optimization: 'all' },
  batch: number,
  warmup: number,
  repeats: number,
  onRun: () => void,
): Promise<number> {
  const session = await createSession(encodeOnnxModel(model), settings);
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
