/**
 * `ppipe profile MODEL.onnx [--device …] [--batch-sizes 1-8] [--blocks 10] --out DIR`: measures per-node
 * latencies, pre-partitions into blocks, splits at the block boundaries, times every block at every batch
 * size on the local execution provider (warm-up, repeats, median), and writes the project's profile format.
 */
import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import type { CommandIo } from './io.ts';
import { UsageError, parseCount, reportFailure } from './io.ts';
import { profileModelToFolder } from '../models/index.ts';
import type { WrittenProfile } from '../models/index.ts';
import type { Device } from '../models/index.ts';
import { assertCudaAvailable } from '../models/index.ts';
import type { BlockRange } from '../planner/index.ts';
import { readProfileDocument } from '../planner/index.ts';

export const PROFILE_USAGE = `Usage: ppipe profile MODEL.onnx [--device cpu|cpu:THREADS|cuda[:ID]] [--device-class NAME]
                     [--batch-sizes 1-8] [--blocks 10 | --blocks-from PROFILE] [--warmup 3] [--repeats 10] --out DIR

Profiles a model for the planner: per-node latencies (onnxruntime profiler), pre-partitioning into blocks,
then each block timed at every batch size (median of the repeats). Writes DIR/<model>.profile.json, plus
the cuts and shapes documents of the artifact's layout (DIR/<model>.cuts.json, DIR/<model>.shapes.json).

  --device          cpu (all cores), cpu:THREADS, or cuda[:ID] (needs onnxruntime-node's CUDA provider)
  --device-class    name of the device class in planning problems (default cpu-<threads>t or cuda)
  --batch-sizes     1-N: batch sizes 1 … N (the profile format's columns); models with a fixed batch use 1
  --blocks          number of pre-partitioned blocks (default 10, at most the node count)
  --blocks-from F   time the blocks of the profile file F instead (the same model measured on another device
                    class: both classes then share block boundaries and can be merged into one file)
  --warmup          untimed runs before timing (default 3)
  --repeats         timed runs per batch size; the median is kept (default 10)
  --out DIR         output folder
  --help            this text
`;

export function parseDevice(text: string): Device {
  const cpu = /^cpu(?::(\d+))?$/.exec(text);
  if (cpu)
    return { kind: 'cpu', threads: cpu[1] !== undefined ? parseCount('--device cpu:THREADS', cpu[1], 1) : undefined };
  const cuda = /^cuda(?::(\d+))?$/.exec(text);
  if (cuda) return { kind: 'cuda', deviceId: Number(cuda[1] ?? 0) };
  throw new UsageError(`--device expects cpu, cpu:THREADS, cuda or cuda:ID, got "${text}"`);
}

function parseBatchSizes(text: string): number {
  const range = /^1-(\d+)$/.exec(text);
  if (range) return parseCount('--batch-sizes', range[1]!, 1);
  if (text === '1') return 1;
  throw new UsageError(
    `--batch-sizes expects a range starting at 1 such as 1-8 (the profile's columns are batch sizes 1, 2, …), got ` +
      `"${text}"`,
  );
}

/** A one-line progress bar on stderr, redrawn in place. */
function progressBarOf(io: CommandIo): { tick(done: number, total: number, label: string): void; done(): void } {
  return {
    tick(done: number, total: number, label: string) {
      const width = 30;
      const filled = Math.round((done / total) * width);
      io.stderr(
        `\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ` +
          `${String(Math.round((done / total) * 100)).padStart(3)}% ${label.padEnd(28)}`,
      );
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
        'blocks-from': { type: 'string' },
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
    const deviceClass =
      values['device-class'] ?? (device.kind === 'cpu' ? `cpu-${device.threads ?? availableParallelism()}t` : 'cuda');
    const file = positionals[0]!;
    const maxBatch = parseBatchSizes(values['batch-sizes']);
    const requestedBlocks = parseCount('--blocks', values.blocks, 1);
    const warmup = parseCount('--warmup', values.warmup, 0);
    const repeats = parseCount('--repeats', values.repeats, 1);
    const started = Date.now();

    const bar = progressBarOf(io);
    let written: WrittenProfile;
    try {
      written = await profileModelToFolder(
        {
          file,
          device,
          deviceClass,
          maxBatch,
          blocks: values['blocks-from'] !== undefined ? blocksOf(values['blocks-from']) : requestedBlocks,
          warmup,
          repeats,
          onWarning: (text) => io.stderr(`warning: ${file}: ${text}\n`),
          onProgress: bar.tick,
        },
        values.out,
      );
    } finally {
      bar.done(); // end the progress line, also before an error message
    }
    io.stdout(`${JSON.stringify({ ...written, seconds: (Date.now() - started) / 1000 })}\n`);
    return 0;
  } catch (error) {
    if (error instanceof TypeError && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS'))
      return reportFailure(new UsageError(error.message), io, PROFILE_USAGE);
    return reportFailure(error, io, PROFILE_USAGE);
  }
}

/** The blocks of a profile file, for timing the same boundaries on another device class. */
function blocksOf(file: string): BlockRange[] {
  const parsed = readProfileDocument(file);
  if (!parsed.blocks)
    throw new UsageError(
      `${file}: the profile has no block node ranges (blocks); only profiles written by ppipe profile do`,
    );
  return parsed.blocks;
}
