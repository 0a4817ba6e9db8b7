/**
 * Loaders for the PPipe artifact's profiling data (reference §B): block timings per GPU × MPS share × batch,
 * per-cut transfer sizes from the pre-partition mappings, whole-model TensorRT timings, ONNX per-node
 * latencies, cuts and shapes. Every parse error names the file, the line or field, and what was expected.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { InputError } from './inputError.ts';
import type { DeviceTimings, ModelProfile } from './modelProfile.ts';

const BLOCK_TIMING_DIR = ['models', 'block-timing-tf32'];
const BLOCK_TIMING_FILE = /^(.+)-([A-Za-z0-9]+)-(\d+)\.csv$/;

/** Order in which the artifact's MILP loader prefers pre-partition tags (reference §C). */
export const PREPARTITION_TAG_PREFERENCE: ReadonlyArray<readonly [number, number]> = [
  [1.0, 1.0],
  [0.7, 1.3],
  [0.5, 1.5],
  [0.5, 2.0],
  [0.5, 2.5],
  [0.5, 3.0],
  [0.5, 3.5],
  [0.5, 4.0],
  [0.4, 4.0],
];

export function isArtifactFolder(folder: string): boolean {
  return existsSync(path.join(folder, ...BLOCK_TIMING_DIR));
}

/** Model names and the device files found for each, from one directory listing. */
export function listArtifactModels(
  folder: string,
): Map<string, Array<{ device: string; share: number; file: string }>> {
  const dir = path.join(folder, ...BLOCK_TIMING_DIR);
  const models = new Map<string, Array<{ device: string; share: number; file: string }>>();
  for (const name of readdirSync(dir).sort()) {
    const match = BLOCK_TIMING_FILE.exec(name);
    if (!match) continue;
    const [, model, device, share] = match as unknown as [string, string, string, string];
    const entries = models.get(model) ?? [];
    entries.push({ device, share: Number(share), file: path.join(dir, name) });
    models.set(model, entries);
  }
  return models;
}

/** Parses a headerless CSV of numbers: one row per line, every row of the same width. */
export function parseNumberTable(file: string, text: string): number[][] {
  const rows: number[][] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '') continue;
    const row = line.split(',').map((cell, column) => {
      const value = Number(cell);
      if (cell.trim() === '' || !Number.isFinite(value) || value < 0) {
        throw new InputError(
          file,
          `line ${i + 1}, column ${column + 1}`,
          `expected a non-negative number, got "${cell}"`,
        );
      }
      return value;
    });
    if (rows.length > 0 && row.length !== rows[0]!.length) {
      throw new InputError(
        file,
        `line ${i + 1}`,
        `expected ${rows[0]!.length} columns like the first row, got ${row.length}`,
      );
    }
    rows.push(row);
  }
  if (rows.length === 0)
    throw new InputError(file, undefined, 'expected at least one row of numbers, the file is empty');
  return rows;
}

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new InputError(file, undefined, `cannot be read: ${(error as Error).message}`);
  }
}

export function readJson(file: string): unknown {
  const text = readText(file);
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new InputError(file, undefined, `expected JSON: ${(error as Error).message}`);
  }
}

/** The preferred `contraction_trans-size` file of a model, or undefined when the model has no mapping. */
export function findPrepartitionFiles(
  folder: string,
  model: string,
): { tag: string; transSize: string; mapping: string } | undefined {
  const dir = path.join(folder, 'prepartition_mappings', model);
  if (!existsSync(dir)) return undefined;
  const names = readdirSync(dir);
  for (const [lb, ub] of PREPARTITION_TAG_PREFERENCE) {
    const suffix = `-${lb.toFixed(1)}-${ub.toFixed(1)}.csv`;
    const transSize = names.find((n) => n.startsWith('contraction_trans-size_') && n.endsWith(suffix));
    if (transSize) {
      const tag = transSize.slice('contraction_trans-size_'.length, -'.csv'.length);
      return { tag, transSize: path.join(dir, transSize), mapping: path.join(dir, `contraction_mapping_${tag}.csv`) };
    }
  }
  return undefined;
}

/** Mean TensorRT compute time in µs of the whole model at batch 1 (reference §B.5), or undefined if absent. */
export function readWholeModelUs(folder: string, model: string, device: string): number | undefined {
  const file = path.join(
    folder,
    'models',
    'model-profile-tf32',
    model,
    `${device}-1`,
    '1',
    `${model}-${device}.engine.timing.json`,
  );
  if (!existsSync(file)) return undefined;
  const data = readJson(file);
  if (!Array.isArray(data) || data.length === 0)
    throw new InputError(file, undefined, 'expected a non-empty JSON array of trtexec timings');
  let sum = 0;
  data.forEach((entry: unknown, index) => {
    const compute = (entry as { computeMs?: unknown } | null)?.computeMs;
    if (typeof compute !== 'number' || !Number.isFinite(compute)) {
      throw new InputError(file, `[${index}].computeMs`, 'expected a number of milliseconds');
    }
    sum += compute;
  });
  return (sum / data.length) * 1000;
}

/** Bytes of one tensor per sample under the artifact's rule: float32 as 2 bytes (fp16), int64 as 4 (§B.4). */
export function tensorBytesPerSample(dtype: string, shape: ReadonlyArray<number>): number {
  const elements = shape.reduce((product, dim) => product * Math.abs(dim), 1);
  const itemSize = dtypeWireBytes(dtype);
  return elements * itemSize;
}

function dtypeWireBytes(dtype: string): number {
  const code = dtype.replace(/^[<>|=]/, '');
  switch (code) {
    case 'f4':
      return 2;
    case 'i8':
      return 4;
    case 'f8':
      return 8;
    case 'f2':
    case 'i2':
    case 'u2':
      return 2;
    case 'i4':
    case 'u4':
      return 4;
    case 'i1':
    case 'u1':
    case 'b1':
      return 1;
    default:
      throw new Error(`unknown dtype ${dtype}`);
  }
}

export interface TensorShape {
  dtype: string;
  shape: number[];
}

/** Reads `shapes/<model>.json`: tensor name → dtype and shape with −1 for the batch dimension. */
export function readShapes(file: string): Map<string, TensorShape> {
  const data = readJson(file);
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new InputError(file, undefined, 'expected an object mapping tensor names to {dtype, shape}');
  }
  const shapes = new Map<string, TensorShape>();
  for (const [name, value] of Object.entries(data as Record<string, unknown>)) {
    const entry = value as { dtype?: unknown; shape?: unknown } | null;
    if (typeof entry?.dtype !== 'string')
      throw new InputError(file, `${name}.dtype`, 'expected a numpy dtype string such as "<f4"');
    if (!Array.isArray(entry.shape) || !entry.shape.every((d) => Number.isInteger(d))) {
      throw new InputError(file, `${name}.shape`, 'expected an array of integers (−1 for the batch dimension)');
    }
    try {
      dtypeWireBytes(entry.dtype);
    } catch {
      throw new InputError(file, `${name}.dtype`, `expected a known numpy dtype, got "${entry.dtype}"`);
    }
    shapes.set(name, { dtype: entry.dtype, shape: entry.shape as number[] });
  }
  return shapes;
}

/** Reads `cuts-no-const/<model>.json`: for each position, the node before it and the live tensors across it. */
export function readCuts(file: string): Array<{ node: string; cut: string[] }> {
  const data = readJson(file);
  if (!Array.isArray(data) || data.length < 2)
    throw new InputError(file, undefined, 'expected a JSON array of {node, cut} with $input$ and $output$ entries');
  return data.map((entry: unknown, index) => {
    const e = entry as { node?: unknown; cut?: unknown } | null;
    if (typeof e?.node !== 'string') throw new InputError(file, `[${index}].node`, 'expected a node name');
    if (!Array.isArray(e.cut) || !e.cut.every((t) => typeof t === 'string')) {
      throw new InputError(file, `[${index}].cut`, 'expected an array of tensor names');
    }
    return { node: e.node, cut: e.cut as string[] };
  });
}

/** Reads `node-profile-no-const/<model>-<GPU>.csv` (header `node,latency`, µs per ONNX node). */
export function readNodeProfile(file: string): Array<{ node: string; latencyUs: number }> {
  const lines = readText(file).split(/\r?\n/);
  if (lines[0]?.trim() !== 'node,latency') throw new InputError(file, 'line 1', 'expected the header "node,latency"');
  const rows: Array<{ node: string; latencyUs: number }> = [];
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.trim() === '') continue;
    const comma = line.lastIndexOf(',');
    const value = Number(line.slice(comma + 1));
    if (comma <= 0 || !Number.isFinite(value) || value < 0) {
      throw new InputError(file, `line ${i + 1}`, `expected "node,latency" with a non-negative latency, got "${line}"`);
    }
    rows.push({ node: line.slice(0, comma), latencyUs: value });
  }
  return rows;
}

/** Loads one model's profile from an artifact folder (block timings, cut sizes, whole-model timings). */
export function loadArtifactModel(
  folder: string,
  model: string,
  files: ReadonlyArray<{ device: string; share: number; file: string }>,
): ModelProfile {
  const byDevice = new Map<string, Map<number, number[][]>>();
  let blockCount: number | undefined;
  let firstFile = '';
  for (const { device, share, file } of files) {
    const rows = parseNumberTable(file, readText(file));
    if (blockCount === undefined) {
      blockCount = rows.length;
      firstFile = file;
    } else if (rows.length !== blockCount) {
      throw new InputError(
        file,
        undefined,
        `expected ${blockCount} rows (one per block) like ${path.basename(firstFile)}, got ${rows.length}`,
      );
    }
    const shares = byDevice.get(device) ?? new Map<number, number[][]>();
    shares.set(share, rows);
    byDevice.set(device, shares);
  }
  if (blockCount === undefined)
    throw new InputError(path.join(folder, ...BLOCK_TIMING_DIR), model, 'expected block-timing files for this model');

  const prepartition = findPrepartitionFiles(folder, model);
  if (!prepartition)
    throw new InputError(
      path.join(folder, 'prepartition_mappings', model),
      undefined,
      'expected a contraction_trans-size_<tag>.csv file',
    );
  const cutRows = parseNumberTable(prepartition.transSize, readText(prepartition.transSize));
  const cutBytes = cutRows.map((row, i) => {
    if (row.length !== 1)
      throw new InputError(prepartition.transSize, `line ${i + 1}`, 'expected one integer per line');
    return row[0]!;
  });
  if (cutBytes.length !== blockCount - 1) {
    throw new InputError(
      prepartition.transSize,
      undefined,
      `expected ${blockCount - 1} rows (blocks − 1, from the block timings), got ${cutBytes.length}`,
    );
  }

  const devices = new Map<string, DeviceTimings>();
  for (const [device, shares] of byDevice) {
    const latencyUs = new Map<number, number[][]>();
    // Stored as [block][batch − 1], exactly the file's rows and columns.
    for (const share of [...shares.keys()].sort((a, b) => a - b)) latencyUs.set(share, shares.get(share)!);
    devices.set(device, { deviceClass: device, latencyUs, wholeModelUs: readWholeModelUs(folder, model, device) });
  }
  return { model, blockCount, cutBytes, inputBytes: readInputBytes(folder, model), devices, source: folder };
}

function readInputBytes(folder: string, model: string): number | undefined {
  const cutsFile = path.join(folder, 'models', 'cuts-no-const', `${model}.json`);
  const shapesFile = path.join(folder, 'models', 'shapes', `${model}.json`);
  if (!existsSync(cutsFile) || !existsSync(shapesFile)) return undefined;
  const first = readCuts(cutsFile)[0]!;
  const shapes = readShapes(shapesFile);
  let bytes = 0;
  for (const tensor of first.cut) {
    const shape = shapes.get(tensor);
    if (!shape) throw new InputError(shapesFile, tensor, 'expected a shape for this input tensor');
    bytes += tensorBytesPerSample(shape.dtype, shape.shape);
  }
  return bytes;
}
