/**
 * Pre-partitioning (reference §C): cut a chain of ONNX nodes into N contiguous blocks that minimise the bytes
 * per sample crossing block boundaries, with every block's runtime share balanced on every GPU type.
 */
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { InputError } from './inputError.ts';
import {
  PREPARTITION_TAG_PREFERENCE,
  readCuts,
  readNodeProfile,
  readShapes,
  tensorBytesPerSample,
} from './artifactProfiles.ts';

/** The artifact's relaxation order for (lb, ub): its preference list without the unreachable (1.0, 1.0). */
export const DEFAULT_PREPARTITION_BOUNDS: ReadonlyArray<readonly [number, number]> = PREPARTITION_TAG_PREFERENCE.filter(
  ([lb, ub]) => !(lb === 1.0 && ub === 1.0),
);

export const DEFAULT_PREPARTITION_BLOCKS = 10;

/** GPU types of the artifact, in the order we list them; other device names follow alphabetically. */
const DEVICE_ORDER = ['V100', 'L4', 'T4', 'P4'];

/**
 * Relative slack on the balance test. Block sums come from prefix-sum differences, so a block whose share is
 * exactly lb/N or ub/N on paper can land a few ulps outside; a MILP solver would accept it too.
 */
const SHARE_TOLERANCE = 1e-9;

export interface PrepartitionInput {
  nodeNames: string[];
  /** Per device, one latency per node in µs, in the order of nodeNames. */
  latencyUsByDevice: Map<string, number[]>;
  /** L − 1 internal cuts: entry j is the bytes per sample crossing the cut between node j and node j + 1. */
  cutBytes: number[];
}

export interface PrepartitionOptions {
  blocks?: number;
  bounds?: ReadonlyArray<readonly [number, number]>;
}

export interface PrepartitionResult {
  blocks: number;
  lb: number;
  ub: number;
  blockOfNode: number[];
  /** blocks − 1 entries: bytes per sample crossing the boundary between block c and block c + 1. */
  boundaryBytes: number[];
  totalCutBytes: number;
  firstNodeOfBlock: number[];
  /** The input's node names, echoed so that the result alone is enough to write the mapping CSV. */
  nodeNames: string[];
}

/** Raised when no (lb, ub) pair of the relaxation list admits N balanced blocks. */
export class PrepartitionInfeasibleError extends Error {
  constructor(
    readonly blocks: number,
    readonly bounds: ReadonlyArray<readonly [number, number]>,
  ) {
    super(
      `no split into ${blocks} blocks satisfies the runtime balance for any of the bounds ` +
        `${bounds.map(([lb, ub]) => `(${lb}, ${ub})`).join(', ')}`,
    );
    this.name = 'PrepartitionInfeasibleError';
  }
}

function validateInput(input: PrepartitionInput): number {
  const nodeCount = input.nodeNames.length;
  if (nodeCount === 0) throw new RangeError('prepartition: expected at least one node');
  if (input.cutBytes.length !== nodeCount - 1) {
    throw new RangeError(
      `prepartition: expected ${nodeCount - 1} internal cut sizes for ${nodeCount} nodes, got ${input.cutBytes.length}`,
    );
  }
  input.cutBytes.forEach((bytes, j) => {
    if (!Number.isFinite(bytes) || bytes < 0)
      throw new RangeError(`prepartition: cutBytes[${j}] must be a non-negative number, got ${bytes}`);
  });
  if (input.latencyUsByDevice.size === 0)
    throw new RangeError('prepartition: expected latencies for at least one device');
  for (const [device, latencies] of input.latencyUsByDevice) {
    if (latencies.length !== nodeCount) {
      throw new RangeError(`prepartition: device ${device} has ${latencies.length} latencies for ${nodeCount} nodes`);
    }
    latencies.forEach((latencyUs, j) => {
      if (!Number.isFinite(latencyUs) || latencyUs < 0) {
        throw new RangeError(
          `prepartition: device ${device}, node ${j} (${input.nodeNames[j]}): latency must be a non-negative ` +
            `number, got ${latencyUs}`,
        );
      }
    });
  }
  return nodeCount;
}

/**
 * For a block ending before node `end`, the feasible start positions form one interval [lo, hi], because
 * prefix sums are non-decreasing on every device; intersecting the per-device intervals keeps it one interval.
 * Returns per end position (1..L) the interval, or lo > hi when empty. Both ends are non-decreasing in `end`.
 */
function feasibleStarts(
  prefixes: Float64Array[],
  totals: number[],
  nodeCount: number,
  lowShare: number,
  highShare: number,
): { lo: Int32Array; hi: Int32Array } {
  const lo = new Int32Array(nodeCount + 1);
  const hi = new Int32Array(nodeCount + 1);
  for (let end = 1; end <= nodeCount; end++) {
    lo[end] = 0;
    hi[end] = end - 1; // blocks are non-empty
  }
  prefixes.forEach((prefix, d) => {
    const total = totals[d]!;
    const slack = SHARE_TOLERANCE * total;
    const minUs = lowShare * total - slack;
    const maxUs = highShare * total + slack;
    // Two pointers: smallest start with sum ≤ maxUs, largest start with sum ≥ minUs; both move right with end.
    let first = 0;
    let last = -1;
    for (let end = 1; end <= nodeCount; end++) {
      while (first < end && prefix[end]! - prefix[first]! > maxUs) first++;
      while (last + 1 < end && prefix[end]! - prefix[last + 1]! >= minUs) last++;
      if (first > lo[end]!) lo[end] = first;
      if (last < hi[end]!) hi[end] = last;
    }
  });
  return { lo, hi };
}

/**
 * Exact DP over (block index, end position): best[i][e] is the least cut bytes splitting nodes [0, e) into
 * i + 1 balanced blocks. Ties go to the smallest start of the later block, so the result is deterministic
 * (among optimal splits, boundaries read from the last one backwards are as early as possible).
 * Returns the start node of every block, or undefined when infeasible.
 */
function solveBalanced(
  nodeCount: number,
  blocks: number,
  cutBytes: number[],
  starts: { lo: Int32Array; hi: Int32Array } | undefined,
): number[] | undefined {
  const width = nodeCount + 1;
  const best = new Float64Array(blocks * width).fill(Infinity);
  const choice = new Int32Array(blocks * width).fill(-1);
  const startLo = (end: number): number => (starts ? starts.lo[end]! : 0);
  const startHi = (end: number): number => (starts ? starts.hi[end]! : end - 1);
  for (let end = 1; end <= nodeCount; end++) {
    if (startLo(end) === 0 && startHi(end) >= 0) {
      best[end] = 0;
      choice[end] = 0;
    }
  }
  for (let i = 1; i < blocks; i++) {
    const row = i * width;
    const prevRow = (i - 1) * width;
    for (let end = i + 1; end <= nodeCount; end++) {
      const from = Math.max(startLo(end), i);
      const to = startHi(end);
      let bestCost = Infinity;
      let bestStart = -1;
      for (let start = from; start <= to; start++) {
        const before = best[prevRow + start]!;
        if (before === Infinity) continue;
        // The boundary before node `start` is the internal cut after node start − 1.
        const cost = before + cutBytes[start - 1]!;
        if (cost < bestCost) {
          bestCost = cost;
          bestStart = start;
        }
      }
      best[row + end] = bestCost;
      choice[row + end] = bestStart;
    }
  }
  if (best[(blocks - 1) * width + nodeCount] === Infinity) return undefined;
  const firstNodeOfBlock = new Array<number>(blocks);
  let end = nodeCount;
  for (let i = blocks - 1; i >= 0; i--) {
    const start = choice[i * width + end]!;
    firstNodeOfBlock[i] = start;
    end = start;
  }
  return firstNodeOfBlock;
}

function buildResult(input: PrepartitionInput, firstNodeOfBlock: number[], lb: number, ub: number): PrepartitionResult {
  const nodeCount = input.nodeNames.length;
  const blocks = firstNodeOfBlock.length;
  const blockOfNode = new Array<number>(nodeCount);
  for (let b = 0; b < blocks; b++) {
    const end = b + 1 < blocks ? firstNodeOfBlock[b + 1]! : nodeCount;
    for (let j = firstNodeOfBlock[b]!; j < end; j++) blockOfNode[j] = b;
  }
  const boundaryBytes = firstNodeOfBlock.slice(1).map((start) => input.cutBytes[start - 1]!);
  const totalCutBytes = boundaryBytes.reduce((sum, bytes) => sum + bytes, 0);
  return { blocks, lb, ub, blockOfNode, boundaryBytes, totalCutBytes, firstNodeOfBlock, nodeNames: input.nodeNames };
}

/**
 * Splits the chain into `blocks` (default 10) contiguous blocks minimising the total boundary bytes, trying the
 * (lb, ub) bounds in order until one is feasible. With L ≤ N nodes every node is its own block and no balance
 * applies (as in the artifact), reported with the first bounds pair.
 */
export function prepartitionChain(input: PrepartitionInput, options: PrepartitionOptions = {}): PrepartitionResult {
  const nodeCount = validateInput(input);
  const requested = options.blocks ?? DEFAULT_PREPARTITION_BLOCKS;
  if (!Number.isInteger(requested) || requested < 1)
    throw new RangeError(`prepartition: blocks must be a positive integer, got ${requested}`);
  const bounds = options.bounds ?? DEFAULT_PREPARTITION_BOUNDS;
  if (bounds.length === 0) throw new RangeError('prepartition: expected at least one (lb, ub) pair');
  for (const [lb, ub] of bounds) {
    if (!(Number.isFinite(lb) && Number.isFinite(ub) && lb >= 0 && lb <= ub))
      throw new RangeError(`prepartition: bad bounds (${lb}, ${ub}); expected 0 ≤ lb ≤ ub`);
  }

  if (nodeCount <= requested) {
    const [lb, ub] = bounds[0]!;
    return buildResult(
      input,
      input.nodeNames.map((_, j) => j),
      lb,
      ub,
    );
  }

  const devices = [...input.latencyUsByDevice.entries()];
  const prefixes = devices.map(([, latencies]) => {
    const prefix = new Float64Array(nodeCount + 1);
    for (let j = 0; j < nodeCount; j++) prefix[j + 1] = prefix[j]! + latencies[j]!;
    return prefix;
  });
  const totals = prefixes.map((prefix) => prefix[nodeCount]!);
  totals.forEach((total, d) => {
    if (!(total > 0))
      throw new RangeError(
        `prepartition: device ${devices[d]![0]} has a total latency of 0, so runtime shares are undefined`,
      );
  });

  for (const [lb, ub] of bounds) {
    const starts = feasibleStarts(prefixes, totals, nodeCount, lb / requested, ub / requested);
    const firstNodeOfBlock = solveBalanced(nodeCount, requested, input.cutBytes, starts);
    if (firstNodeOfBlock) return buildResult(input, firstNodeOfBlock, lb, ub);
  }
  throw new PrepartitionInfeasibleError(requested, bounds);
}

/** Runtime share of every block on one device's latencies (block sum / total), for checks and summaries. */
export function blockShares(
  latencyUs: ReadonlyArray<number>,
  blockOfNode: ReadonlyArray<number>,
  blocks: number,
): number[] {
  const sums = new Array<number>(blocks).fill(0);
  let total = 0;
  latencyUs.forEach((value, j) => {
    sums[blockOfNode[j]!]! += value;
    total += value;
  });
  return sums.map((sum) => sum / total);
}

/** The artifact's file tag, e.g. `ilpprepart10-0.5-1.5`. */
export function prepartitionTag(result: Pick<PrepartitionResult, 'blocks' | 'lb' | 'ub'>): string {
  return `ilpprepart${result.blocks}-${result.lb.toFixed(1)}-${result.ub.toFixed(1)}`;
}

function orderDevices(devices: string[]): string[] {
  const rank = (d: string): number => {
    const i = DEVICE_ORDER.indexOf(d);
    return i === -1 ? DEVICE_ORDER.length : i;
  };
  return [...devices].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}

export interface ArtifactPrepartitionInput extends PrepartitionInput {
  /** The node-profile file per device, for messages. */
  profileFiles: Map<string, string>;
  cutsFile: string;
  shapesFile: string;
}

/** Device types with a node profile for `model`: files `<model>-<GPU>.csv` in `models/node-profile-no-const`. */
export function listNodeProfileDevices(profilesFolder: string, model: string): Map<string, string> {
  const dir = path.join(profilesFolder, 'models', 'node-profile-no-const');
  if (!existsSync(dir)) throw new InputError(dir, undefined, 'expected a folder of <model>-<GPU>.csv node profiles');
  const found = new Map<string, string>();
  for (const name of readdirSync(dir)) {
    if (!name.startsWith(`${model}-`) || !name.endsWith('.csv')) continue;
    const device = name.slice(model.length + 1, -'.csv'.length);
    if (/^[A-Za-z0-9]+$/.test(device)) found.set(device, path.join(dir, name));
  }
  const ordered = new Map<string, string>();
  for (const device of orderDevices([...found.keys()])) ordered.set(device, found.get(device)!);
  return ordered;
}

/** Model names that have node profiles in `profilesFolder`, sorted. */
export function listNodeProfileModels(profilesFolder: string): string[] {
  const dir = path.join(profilesFolder, 'models', 'node-profile-no-const');
  if (!existsSync(dir)) throw new InputError(dir, undefined, 'expected a folder of <model>-<GPU>.csv node profiles');
  const models = new Set<string>();
  for (const name of readdirSync(dir)) {
    const match = /^(.+)-([A-Za-z0-9]+)\.csv$/.exec(name);
    if (match) models.add(match[1]!);
  }
  return [...models].sort();
}

/**
 * Loads the artifact's pre-partition inputs for one model (reference §B.2–B.4): node latencies on every GPU
 * found, and the L − 1 internal cut sizes. Node names must agree across GPUs and with the cuts file.
 */
export function loadArtifactPrepartitionInput(profilesFolder: string, model: string): ArtifactPrepartitionInput {
  const profileFiles = listNodeProfileDevices(profilesFolder, model);
  if (profileFiles.size === 0) {
    throw new InputError(
      path.join(profilesFolder, 'models', 'node-profile-no-const'),
      model,
      `expected files ${model}-<GPU>.csv`,
    );
  }
  let nodeNames: string[] | undefined;
  let firstFile = '';
  const latencyUsByDevice = new Map<string, number[]>();
  for (const [device, file] of profileFiles) {
    const rows = readNodeProfile(file);
    if (rows.length === 0) throw new InputError(file, undefined, 'expected at least one node row after the header');
    if (nodeNames === undefined) {
      nodeNames = rows.map((row) => row.node);
      firstFile = file;
    } else {
      const names = nodeNames;
      if (rows.length !== names.length) {
        throw new InputError(
          file,
          undefined,
          `expected ${names.length} nodes like ${path.basename(firstFile)}, got ${rows.length}`,
        );
      }
      const mismatch = rows.findIndex((row, j) => row.node !== names[j]);
      if (mismatch !== -1) {
        throw new InputError(
          file,
          `line ${mismatch + 2}`,
          `expected node "${names[mismatch]}" as in ${path.basename(firstFile)} (same nodes in the same order on ` +
            `every GPU), got "${rows[mismatch]!.node}"`,
        );
      }
    }
    latencyUsByDevice.set(
      device,
      rows.map((row) => row.latencyUs),
    );
  }
  const names = nodeNames!;

  const cutsFile = path.join(profilesFolder, 'models', 'cuts-no-const', `${model}.json`);
  const shapesFile = path.join(profilesFolder, 'models', 'shapes', `${model}.json`);
  const cuts = readCuts(cutsFile);
  if (cuts.length !== names.length + 2) {
    throw new InputError(
      cutsFile,
      undefined,
      `expected ${names.length + 2} entries ($input$, one per node of ${path.basename(firstFile)}, $output$), got ` +
        `${cuts.length}`,
    );
  }
  if (cuts[0]!.node !== '$input$')
    throw new InputError(cutsFile, '[0].node', `expected "$input$", got "${cuts[0]!.node}"`);
  if (cuts[names.length + 1]!.node !== '$output$')
    throw new InputError(
      cutsFile,
      `[${names.length + 1}].node`,
      `expected "$output$", got "${cuts[names.length + 1]!.node}"`,
    );
  names.forEach((name, j) => {
    if (cuts[j + 1]!.node !== name) {
      throw new InputError(
        cutsFile,
        `[${j + 1}].node`,
        `expected node "${name}" (node ${j} of ${path.basename(firstFile)}), got "${cuts[j + 1]!.node}"`,
      );
    }
  });
  const shapes = readShapes(shapesFile);
  const cutBytes: number[] = [];
  for (let j = 0; j + 1 < names.length; j++) {
    let bytes = 0;
    for (const tensor of cuts[j + 1]!.cut) {
      const shape = shapes.get(tensor);
      if (!shape)
        throw new InputError(
          shapesFile,
          tensor,
          `expected a shape for this tensor (live after node "${names[j]}" in ${path.basename(cutsFile)})`,
        );
      bytes += tensorBytesPerSample(shape.dtype, shape.shape);
    }
    cutBytes.push(bytes);
  }
  return { nodeNames: names, latencyUsByDevice, cutBytes, profileFiles, cutsFile, shapesFile };
}

/** The two CSVs of reference §B.6 as text: mapping `layer_name,block_id` per node, and one size per boundary. */
export function formatPrepartitionCsvs(result: PrepartitionResult): {
  mappingName: string;
  mappingCsv: string;
  transSizeName: string;
  transSizeCsv: string;
} {
  const tag = prepartitionTag(result);
  const mappingCsv = result.nodeNames.map((name, j) => `${name},${result.blockOfNode[j]}\n`).join('');
  const transSizeCsv = result.boundaryBytes.map((bytes) => `${Math.round(bytes)}\n`).join('');
  return {
    mappingName: `contraction_mapping_${tag}.csv`,
    mappingCsv,
    transSizeName: `contraction_trans-size_${tag}.csv`,
    transSizeCsv,
  };
}

/** Writes the two CSVs into `<outDir>/<model>/` and returns their paths. */
export function writePrepartitionCsvs(
  outDir: string,
  model: string,
  result: PrepartitionResult,
): { mappingFile: string; transSizeFile: string } {
  const dir = path.join(outDir, model);
  mkdirSync(dir, { recursive: true });
  const csvs = formatPrepartitionCsvs(result);
  const mappingFile = path.join(dir, csvs.mappingName);
  const transSizeFile = path.join(dir, csvs.transSizeName);
  writeFileSync(mappingFile, csvs.mappingCsv);
  writeFileSync(transSizeFile, csvs.transSizeCsv);
  return { mappingFile, transSizeFile };
}
