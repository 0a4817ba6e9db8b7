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
}

export interface AllocationInput {
  readonly dnns: ReadonlyArray<AllocationDnn>;
  /** Physical GPUs per type, indexed like the candidates' `gpu`. */
  readonly gpuCounts: ReadonlyArray<number>;
}

export interface AllocatedPipeline {
  readonly candidate: Candidate;
  /** Instances (vGPUs) per partition. */
  readonly instances: ReadonlyArray<number>;
  /** min over partitions of instances × rate: the pipeline's capacity, req/s. */
  readonly throughputRps: number;
}

export interface Allocation {
  readonly dnns: ReadonlyArray<{ readonly pipelines: ReadonlyArray<AllocatedPipeline>; readonly throughputRps: number }>;
  /** min over DNNs of throughput / weight. */
  readonly objective: number;
}

const instanceVar = (d: number, c: number, p: number): string => `n${d}_${c}_${p}`;
const throughputVar = (d: number, c: number): string => `x${d}_${c}`;
const poolVar = (d: number, p: number, k: number): string => `G${d}_${p}_${k}`;

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

/** Least common multiple of all MPS shares, so that pool rows have integer coefficients. */
function shareScale(input: AllocationInput): number {
  let scale = 1;
  for (const dnn of input.dnns) for (const c of dnn.candidates) for (const s of c.stages) scale = (scale * s.share) / gcd(scale, s.share);
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

  input.dnns.forEach((dnn, d) => {
    const served: Array<readonly [number, string]> = [];
    // pools.get(`${p}/${k}`) = terms of Σ instances·scale/share in that pool.
    const pools = new Map<string, Array<readonly [number, string]>>();
    dnn.candidates.forEach((candidate, c) => {
      candidate.stages.forEach((stage, p) => {
        const name = instanceVar(d, c, p);
        const limit = dnn.gpuLimits?.[stage.gpu] ?? input.gpuCounts[stage.gpu]!;
        bounds.push(` 0 <= ${name} <= ${limit * stage.share}`);
        generals.push(name);
        const key = `${p}/${stage.gpu}`;
        const pool = pools.get(key) ?? [];
        pool.push([scale / stage.share, name]);
        pools.set(key, pool);
      });
      if (candidate.stages.length === 1) {
        served.push([candidate.stages[0]!.rateRps, instanceVar(d, c, 0)]);
      } else {
        const x = throughputVar(d, c);
        served.push([1, x]);
        candidate.stages.forEach((stage, p) => row(terms([[1, x], [-stage.rateRps, instanceVar(d, c, p)]]), '<= 0'));
      }
    });
    const poolsByGpu = new Map<number, string[]>();
    for (const [key, poolTerms] of pools) {
      const [p, k] = key.split('/').map(Number) as [number, number];
      const g = poolVar(d, p, k);
      row(terms([...poolTerms, [-scale, g]]), '<= 0');
      const limit = dnn.gpuLimits?.[k] ?? input.gpuCounts[k]!;
      bounds.push(` 0 <= ${g} <= ${limit}`);
      generals.push(g);
      poolsByGpu.set(k, [...(poolsByGpu.get(k) ?? []), g]);
    }
    if (dnn.gpuLimits) {
      for (const [k, names] of poolsByGpu) row(terms(names.map((n) => [1, n] as const)), `<= ${dnn.gpuLimits[k]!}`);
    }
    if (served.length > 0) row(terms([[dnn.weight, 'Z'], ...served.map(([coef, name]) => [-coef, name] as const)]), '<= 0');
    else row(terms([[1, 'Z']]), '<= 0');
  });

  input.gpuCounts.forEach((count, k) => {
    const names: string[] = [];
    input.dnns.forEach((dnn, d) => {
      const slots = new Set<number>();
      dnn.candidates.forEach((c) => c.stages.forEach((s, p) => s.gpu === k && slots.add(p)));
      for (const p of [...slots].sort()) names.push(poolVar(d, p, k));
    });
    if (names.length > 0) row(terms(names.map((n) => [1, n] as const)), `<= ${count}`);
  });

  return ['Maximize', ' obj: Z', 'Subject To', ...rows, 'Bounds', ...bounds, 'General', ` ${generals.join(' ')}`, 'End', ''].join('\n');
}

/** Reads instance counts back and turns them into pipelines with their real capacity (no solver slack). */
export function readAllocation(input: AllocationInput, values: Readonly<Record<string, number>>): Allocation {
  const dnns = input.dnns.map((dnn, d) => {
    const pipelines: AllocatedPipeline[] = [];
    dnn.candidates.forEach((candidate, c) => {
      const instances = candidate.stages.map((_, p) => Math.round(values[instanceVar(d, c, p)] ?? 0));
      const throughputRps = Math.min(...candidate.stages.map((stage, p) => stage.rateRps * instances[p]!));
      if (throughputRps > 0.1) pipelines.push({ candidate, instances, throughputRps });
    });
    return { pipelines, throughputRps: pipelines.reduce((sum, p) => sum + p.throughputRps, 0) };
  });
  const objective = Math.min(...dnns.map((dnn, d) => dnn.throughputRps / input.dnns[d]!.weight));
  return { dnns, objective };
}

/** Column values that encode an allocation, to seed the solver with a known feasible solution. */
export function allocationStart(input: AllocationInput, allocation: Allocation): Record<string, number> {
  const scale = shareScale(input);
  const start: Record<string, number> = {};
  let objective = Infinity;
  input.dnns.forEach((dnn, d) => {
    const pools = new Map<string, number>();
    let served = 0;
    for (const pipeline of allocation.dnns[d]!.pipelines) {
      const c = dnn.candidates.indexOf(pipeline.candidate);
      pipeline.candidate.stages.forEach((stage, p) => {
        start[instanceVar(d, c, p)] = pipeline.instances[p]!;
        const key = poolVar(d, p, stage.gpu);
        pools.set(key, (pools.get(key) ?? 0) + (pipeline.instances[p]! * scale) / stage.share);
      });
      if (pipeline.candidate.stages.length > 1) start[throughputVar(d, c)] = pipeline.throughputRps;
      served += pipeline.throughputRps;
    }
    for (const [key, scaled] of pools) start[key] = Math.ceil(scaled / scale - 1e-9);
    objective = Math.min(objective, served / dnn.weight);
  });
  start.Z = Number.isFinite(objective) ? objective : 0;
  return start;
}
