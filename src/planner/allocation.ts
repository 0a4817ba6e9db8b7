/**
 * The allocation MILP over enumerated candidates: integer instance counts per candidate partition, integral
 * GPU pools per (DNN, partition slot, GPU type) as in the reference (§D.2 "integral pools"), GPU totals, and
 * the max–min weighted throughput objective. Built as CPLEX LP text by a pure function; read back by name.
 */
import type { Candidate } from './candidates.ts';

export interface AllocationDnn {
  readonly weight: number;
  readonly candidates: ReadonlyArray<Candidate>;
  /** Optional per-GPU-type cap on this DNN's physical GPUs (DART-r's shares). */
  readonly gpuLimits?: ReadonlyArray<number>;
  /** Groups with the same owner share GPU pools (edge-to-cloud: one DNN's frames from several sites). */
  readonly poolOwner?: number;
}

export interface AllocationInput {
  readonly dnns: ReadonlyArray<AllocationDnn>;
  /** Physical GPUs per type, indexed like the candidates' `gpu`. */
  readonly gpuCounts: ReadonlyArray<number>;
  /** WAN link directions and their capacity; candidates' linkBits refer to them by key. */
  readonly links?: ReadonlyArray<{ readonly key: string; readonly capacityBitsPerSecond: number }>;
  /**
   * Instead of maximising Z: keep Z ≥ this and use as few physical GPUs as possible (DART-r's first step
   * needs the GPUs NP really needs, so that the rest can be shared).
   */
  readonly fewestGpusForObjective?: number;
  /**
   * Runs of interchangeable groups (identical edge sites: same cameras, GPUs and links). Any solution stays
   * a solution when such groups trade places, so requiring served(g₁) ≥ served(g₂) ≥ … keeps an optimum and
   * spares the solver from proving it once per permutation.
   */
  readonly interchangeable?: ReadonlyArray<ReadonlyArray<number>>;
}

export interface AllocatedPipeline {
  readonly candidate: Candidate;
  /** Instances (vGPUs) per partition. */
  readonly instances: ReadonlyArray<number>;
  /**
   * Planned throughput, req/s: the capacity (instances × rate) of the slowest partition as solved, or with WAN
   * links the solver's throughput, which may sit below it; spare GPUs added later as headroom raise the
   * capacity above it (spareGpus.ts).
   */
  readonly throughputRps: number;
}

export interface Allocation {
  readonly dnns: ReadonlyArray<{
    readonly pipelines: ReadonlyArray<AllocatedPipeline>;
    readonly throughputRps: number;
  }>;
  /** min over DNNs of throughput / weight. */
  readonly objective: number;
}

const instanceVar = (d: number, c: number, p: number): string => `n${d}_${c}_${p}`;
const throughputVar = (d: number, c: number): string => `x${d}_${c}`;
const poolVar = (d: number, p: number, k: number): string => `G${d}_${p}_${k}`;
const gpusVar = (d: number, k: number): string => `H${d}_${k}`;

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

/** Least common multiple of all MPS shares, so that pool rows have integer coefficients. */
function shareScale(input: AllocationInput): number {
  let scale = 1;
  for (const dnn of input.dnns)
    for (const c of dnn.candidates) for (const s of c.stages) scale = (scale * s.share) / gcd(scale, s.share);
  return scale;
}

function num(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toPrecision(15).replace(/\.?0+$/, '');
}

/** Sum of coefficient·variable terms, wrapped so that no LP line grows unreasonably long. */
function terms(parts: ReadonlyArray<readonly [number, string]>): string {
  const out: string[] = [];
  parts.forEach(([coef, name], i) => {
    const sign = coef < 0 ? '-' : i === 0 ? '' : '+';
    const magnitude = Math.abs(coef);
    out.push(`${sign}${sign ? ' ' : ''}${magnitude === 1 ? '' : `${num(magnitude)} `}${name}`);
  });
  const lines: string[] = [];
  for (let i = 0; i < out.length; i += 8) lines.push(out.slice(i, i + 8).join(' '));
  return lines.join('\n   ');
}

export function buildAllocationLp(input: AllocationInput): string {
  const scale = shareScale(input);
  const rows: string[] = [];
  const bounds: string[] = [];
  const generals: string[] = [];
  let rowId = 0;
  const row = (expr: string, rhs: string): void => {
    rows.push(` r${rowId++}: ${expr} ${rhs}`);
  };
  // pools.get(`${owner}/${p}/${k}`) = terms of Σ instances·scale/share in that pool.
  const pools = new Map<string, Array<readonly [number, string]>>();
  const linkTerms = new Map<string, Array<readonly [number, string]>>();

  const servedTerms: Array<Array<readonly [number, string]>> = [];
  input.dnns.forEach((dnn, d) => {
    const owner = dnn.poolOwner ?? d;
    const served: Array<readonly [number, string]> = [];
    servedTerms.push(served);
    dnn.candidates.forEach((candidate, c) => {
      candidate.stages.forEach((stage, p) => {
        const name = instanceVar(d, c, p);
        const limit = dnn.gpuLimits?.[stage.gpu] ?? input.gpuCounts[stage.gpu]!;
        bounds.push(` 0 <= ${name} <= ${limit * stage.share}`);
        generals.push(name);
        const key = poolKey(owner, p, stage.gpu);
        pools.set(key, [...(pools.get(key) ?? []), [scale / stage.share, name]]);
      });
      // The pipeline's throughput: R·n of a single partition, or x bounded by every partition.
      let throughput: readonly [number, string];
      if (candidate.stages.length === 1) {
        throughput = [candidate.stages[0]!.rateRps, instanceVar(d, c, 0)];
      } else {
        const x = throughputVar(d, c);
        throughput = [1, x];
        candidate.stages.forEach((stage, p) =>
          row(
            terms([
              [1, x],
              [-stage.rateRps, instanceVar(d, c, p)],
            ]),
            '<= 0',
          ),
        );
      }
      served.push(throughput);
      for (const [key, bits] of candidate.linkBits ?? [])
        linkTerms.set(key, [...(linkTerms.get(key) ?? []), [throughput[0] * bits, throughput[1]]]);
    });
    if (served.length > 0)
      row(terms([[dnn.weight, 'Z'], ...served.map(([coef, name]) => [-coef, name] as const)]), '<= 0');
    else row(terms([[1, 'Z']]), '<= 0');
  });

  const poolsByOwnerGpu = new Map<string, string[]>();
  for (const [key, poolTerms] of pools) {
    const [owner, p, k] = key.split('/').map(Number) as [number, number, number];
    const g = poolVar(owner, p, k);
    row(terms([...poolTerms, [-scale, g]]), '<= 0');
    const limit = input.dnns[owner]?.gpuLimits?.[k] ?? input.gpuCounts[k]!;
    bounds.push(` 0 <= ${g} <= ${limit}`);
    generals.push(g);
    poolsByOwnerGpu.set(`${owner}/${k}`, [...(poolsByOwnerGpu.get(`${owner}/${k}`) ?? []), g]);
  }
  // Each DNN's physical GPUs per type, H = Σ over its slots' pools: the GPU totals (and DART-r's caps) are
  // written over them, and branching on these integers splits the GPUs between DNNs directly, which closes
  // the max–min bound far sooner than branching on single pools (about 3× on the benchmark).
  const gpusByOwnerType: string[][] = input.gpuCounts.map(() => []);
  for (const [key, poolNames] of poolsByOwnerGpu) {
    const [owner, k] = key.split('/').map(Number) as [number, number];
    const h = gpusVar(owner, k);
    row(terms([...poolNames.map((n) => [1, n] as const), [-1, h]]), '= 0');
    const limit = input.dnns[owner]?.gpuLimits?.[k] ?? input.gpuCounts[k]!;
    bounds.push(` 0 <= ${h} <= ${limit}`);
    generals.push(h);
    gpusByOwnerType[k]!.push(h);
  }
  input.gpuCounts.forEach((count, k) => {
    if (gpusByOwnerType[k]!.length > 0) row(terms(gpusByOwnerType[k]!.map((n) => [1, n] as const)), `<= ${count}`);
  });
  for (const link of input.links ?? []) {
    const used = linkTerms.get(link.key);
    if (used) row(terms(used), `<= ${num(link.capacityBitsPerSecond)}`);
  }
  for (const run of input.interchangeable ?? []) {
    for (let i = 0; i + 1 < run.length; i++) {
      const ahead = servedTerms[run[i]!]!;
      const behind = servedTerms[run[i + 1]!]!;
      if (ahead.length > 0 && behind.length > 0)
        row(terms([...ahead, ...behind.map(([coef, name]) => [-coef, name] as const)]), '>= 0');
    }
  }

  let objective = ' obj: Z';
  if (input.fewestGpusForObjective !== undefined) {
    row('Z', `>= ${num(input.fewestGpusForObjective)}`);
    objective = ` obj: ${terms(
      [...pools.keys()].map((key) => {
        const [owner, p, k] = key.split('/').map(Number) as [number, number, number];
        return [-1, poolVar(owner, p, k)] as const;
      }),
    )}`;
  }
  return [
    'Maximize',
    objective,
    'Subject To',
    ...rows,
    'Bounds',
    ...bounds,
    'General',
    ` ${generals.join(' ')}`,
    'End',
    '',
  ].join('\n');
}

/**
 * Reads instance counts back and turns them into pipelines. Without WAN links a pipeline gets its real
 * capacity (min over partitions of instances × rate), dropping the slack a solver may leave on DNNs that
 * do not bind the objective; with links the solver's throughput stands, since the link rows bound it.
 */
export function readAllocation(input: AllocationInput, values: Readonly<Record<string, number>>): Allocation {
  const linked = (input.links?.length ?? 0) > 0;
  const dnns = input.dnns.map((dnn, d) => {
    const pipelines: AllocatedPipeline[] = [];
    dnn.candidates.forEach((candidate, c) => {
      const instances = candidate.stages.map((_, p) => Math.round(values[instanceVar(d, c, p)] ?? 0));
      const capacity = Math.min(...candidate.stages.map((stage, p) => stage.rateRps * instances[p]!));
      const throughputRps =
        linked && candidate.stages.length > 1 ? Math.min(capacity, values[throughputVar(d, c)] ?? 0) : capacity;
      if (throughputRps > 0.1) pipelines.push({ candidate, instances, throughputRps });
    });
    return { pipelines, throughputRps: pipelines.reduce((sum, p) => sum + p.throughputRps, 0) };
  });
  const objective = Math.min(...dnns.map((dnn, d) => dnn.throughputRps / input.dnns[d]!.weight));
  return { dnns, objective };
}

/** Key of an integral pool (reference §D.2): the DNN that owns it, the partition slot and the GPU type. */
export function poolKey(owner: number, slot: number, gpu: number): string {
  return `${owner}/${slot}/${gpu}`;
}

/**
 * Physical GPUs each integral pool fills (Σ instances / share, fractional), by poolKey. `owners[g]` is the
 * DNN whose pools group g's pipelines share.
 */
export function poolGpus(
  groups: ReadonlyArray<ReadonlyArray<Pick<AllocatedPipeline, 'candidate' | 'instances'>>>,
  owners: ReadonlyArray<number>,
): Map<string, number> {
  const pools = new Map<string, number>();
  groups.forEach((pipelines, g) => {
    for (const pipeline of pipelines) {
      pipeline.candidate.stages.forEach((stage, slot) => {
        const key = poolKey(owners[g]!, slot, stage.gpu);
        pools.set(key, (pools.get(key) ?? 0) + pipeline.instances[slot]! / stage.share);
      });
    }
  });
  return pools;
}

/** Whole GPUs per type that the pools hold: a pool's last GPU counts even when its vGPUs fill it partly. */
export function wholeGpusPerType(pools: ReadonlyMap<string, number>, gpuTypes: number): number[] {
  const used = new Array<number>(gpuTypes).fill(0);
  for (const [key, gpus] of pools) used[Number(key.split('/')[2])]! += Math.ceil(gpus - 1e-9);
  return used;
}
