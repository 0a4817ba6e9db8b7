/**
 * `ppipe split MODEL.onnx (--cuts i,j,… | --partitions N) --out DIR`: writes DIR/part-0.onnx … in pipeline
 * order and DIR/manifest.json describing each partition's node range and its input and output tensors.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { InputError } from '../planner/index.ts';
import type { CommandIo } from './io.ts';
import { UsageError, parseCount, reportFailure } from './io.ts';
import { sha256Hex as sha256 } from '../config/index.ts';
import { internalCutBytes, loadModel } from '../models/index.ts';
import type { LoadedModel } from '../models/index.ts';
import { encodeOnnxModel } from '../models/index.ts';
import { prepartitionChain } from '../planner/index.ts';
import { SplitError, splitModel } from '../models/index.ts';
import type { TensorSpec } from '../models/index.ts';

export const SPLIT_USAGE = `Usage: ppipe split MODEL.onnx (--cuts i,j,… | --partitions N) --out DIR

Splits an ONNX model into partitions that run in sequence and compute exactly what the model computes.

  --cuts i,j,…      cut after these compute nodes (topological indices, Constant nodes not counted)
  --partitions N    choose N−1 cuts by pre-partitioning into N blocks (equal node counts, fewest bytes)
  --out DIR         output folder: part-0.onnx … part-(N−1).onnx and manifest.json
  --help            this text
`;

export interface SplitManifest {
  model: string;
  sha256: string;
  partitions: {
    file: string;
    sha256: string;
    nodes: [number, number];
    inputs: TensorSpec[];
    outputs: TensorSpec[];
    /** Tensors on the link to the next partition and their bytes per sample (float32 as 2 bytes). */
    link: string[];
    linkBytesPerSample: number;
  }[];
}

export async function runSplitCommand(argv: ReadonlyArray<string>, io: CommandIo): Promise<number> {
  try {
    const { values, positionals } = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        cuts: { type: 'string' },
        partitions: { type: 'string' },
        out: { type: 'string' },
        help: { type: 'boolean' },
      },
    });
    if (values.help) {
      io.stdout(SPLIT_USAGE);
      return 0;
    }
    if (positionals.length !== 1) throw new UsageError('expected exactly one MODEL.onnx');
    if ((values.cuts === undefined) === (values.partitions === undefined))
      throw new UsageError('give either --cuts or --partitions');
    if (!values.out) throw new UsageError('--out DIR is required');
    const file = positionals[0]!;
    const bytes = readSource(file);
    const loaded = await loadModel(file, bytes);
    for (const warning of loaded.warnings) io.stderr(`warning: ${file}: ${warning}\n`);
    const cuts =
      values.cuts !== undefined
        ? parseCuts(values.cuts)
        : cutsFromPartitions(loaded, parseCount('--partitions', values.partitions!, 1));
    const manifest = writePartitions(loaded, bytes, cuts, values.out);
    for (const part of manifest.partitions) {
      io.stdout(
        `${part.file}: nodes ${part.nodes[0]}–${part.nodes[1]}, ${part.inputs.length} inputs, ` +
          `${part.outputs.length} outputs, link ${part.linkBytesPerSample} B/sample\n`,
      );
    }
    io.stdout(`wrote ${manifest.partitions.length} partitions and manifest.json to ${values.out}\n`);
    return 0;
  } catch (error) {
    if (error instanceof TypeError && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS'))
      return reportFailure(new UsageError(error.message), io, SPLIT_USAGE);
    return reportFailure(error, io, SPLIT_USAGE);
  }
}

function readSource(file: string): Uint8Array {
  try {
    return readFileSync(file);
  } catch (error) {
    throw new InputError(
      file,
      undefined,
      `expected a readable ONNX file (${error instanceof Error ? error.message : String(error)})`,
    );
  }
}

function parseCuts(text: string): number[] {
  const parts = text.split(',').map((part) => part.trim());
  if (parts.some((part) => !/^\d+$/.test(part)))
    throw new UsageError(`--cuts expects comma-separated node indices such as 10,20, got "${text}"`);
  return parts.map(Number);
}

/** Pre-partitions with unit node costs (no timing needed to split); the real profiler passes latencies. */
export function cutsFromPartitions(loaded: LoadedModel, partitions: number): number[] {
  const count = loaded.analysis.nodes.length;
  if (partitions > count)
    throw new SplitError(`${partitions} partitions need at least ${partitions} compute nodes; the model has ${count}`);
  const result = prepartitionChain(
    {
      nodeNames: loaded.analysis.nodes.map((node) => node.name),
      latencyUsByDevice: new Map([['nodes', loaded.analysis.nodes.map(() => 1)]]),
      cutBytes: internalCutBytes(loaded),
    },
    { blocks: partitions },
  );
  return result.firstNodeOfBlock.slice(1).map((first) => first - 1);
}

export function writePartitions(
  loaded: LoadedModel,
  sourceBytes: Uint8Array,
  cuts: ReadonlyArray<number>,
  outDir: string,
): SplitManifest {
  const split = splitModel(loaded.model, loaded.analysis, loaded.shapeInfo, cuts);
  mkdirSync(outDir, { recursive: true });
  const manifest: SplitManifest = { model: path.basename(loaded.file), sha256: sha256(sourceBytes), partitions: [] };
  split.models.forEach((model, index) => {
    const plan = split.plans[index]!;
    const name = `part-${index}.onnx`;
    const bytes = encodeOnnxModel(model);
    writeFileSync(path.join(outDir, name), bytes);
    manifest.partitions.push({
      file: name,
      sha256: sha256(bytes),
      nodes: [plan.firstNode, plan.lastNode],
      inputs: plan.inputs,
      outputs: plan.outputs,
      link: plan.link.map((spec) => spec.name),
      linkBytesPerSample: plan.linkBytesPerSample,
    });
  });
  writeFileSync(path.join(outDir, 'manifest.json'), `${JSON.stringify(manifest, null, 1)}\n`);
  return manifest;
}
