/**
 * NP's allocation without a MILP. With whole GPUs and one partition per pipeline, a GPU of type k given to
 * DNN d adds the best per-GPU rate β(d,k) of d's candidates on k, whatever else d runs (an instance is a
 * GPU, so mixing candidates in a pool never beats the best one). The allocation MILP then reduces to
 *
 *   maximise Z  s.t.  Σ_k G(d,k)·β(d,k) ≥ Z·w(d),  Σ_d G(d,k) ≤ N(k),  G integer,
 *
 * which for one or two GPU types is solved exactly here: for a target Z, the fewest type-1 GPUs DNN d
 * needs with a type-0 GPUs is ⌈(Z·w − a·β₀)/β₁⌉, a knapsack-like DP over DNNs splits the type-0 GPUs to
 * minimise the type-1 total, and a bisection on Z finds the largest feasible target. GPUs left over go,
 * one at a time, to the DNN furthest behind, so every GPU is used and the result does not depend on a
 * solver's tie-breaking (NP's throughputs feed PPipe's estXput).
 */
import type { Allocation, AllocationInput, AllocatedPipeline } from './allocation.ts';
import type { Candidate } from './candidates.ts';

interface BestPerGpu {
  readonly rate: number;
  readonly candidate: Candidate | undefined;
}

/** The model this solver covers exactly; anything else (MPS shares, partitions, links, caps) goes to HiGHS. */
function isWholeGpuMaxMin(input: AllocationInput): boolean {
  if (input.gpuCounts.length === 0 || input.gpuCounts.length > 2) return false;
  if (
    (input.links?.length ?? 0) > 0 ||
    input.fewestGpusForObjective !== undefined ||
    (input.interchangeable?.length ?? 0) > 0
  )
    return false;
  const owners = new Set<number>();
  for (const [d, dnn] of input.dnns.entries()) {
    if (dnn.gpuLimits || !(dnn.weight > 0)) return false;
    const owner = dnn.poolOwner ?? d;
    if (owners.has(owner)) return false;
    owners.add(owner);
    if (dnn.candidates.some((c) => c.stages.length !== 1 || c.stages[0]!.share !== 1)) return false;
  }
  return true;
}

function bestPerGpu(input: AllocationInput): BestPerGpu[][] {
  return input.dnns.map((dnn) =>
    input.gpuCounts.map((_, k) => {
      let best: BestPerGpu = { rate: 0, candidate: undefined };
      for (const candidate of dnn.candidates) {
        const stage = candidate.stages[0]!;
        if (stage.gpu === k && stage.rateRps > best.rate) best = { rate: stage.rateRps, candidate };
      }
      return best;
    }),
  );
}

/**
 * GPUs of each type per DNN, [type 0, type 1], that reach Z·w with the fewest type-1 GPUs in all (undefined
 * when no split does within the counts). O(D·N₀²).
 */
function splitForTarget(
  target: number,
  weights: ReadonlyArray<number>,
  rates: ReadonlyArray<readonly [number, number]>,
  counts: readonly [number, number],
): number[][] | undefined {
  const [n0, n1] = counts;
  const typeOneNeeded = (d: number, a: number): number => {
    const missing = target * weights[d]! - a * rates[d]![0];
    if (missing <= 0) return 0;
    return rates[d]![1] > 0 ? Math.ceil(missing / rates[d]![1] - 1e-9) : Infinity;
  };
  // cost[u] = fewest type-1 GPUs for the DNNs so far using u type-0 GPUs; choice[d][u] = a of DNN d.
  let cost = new Array<number>(n0 + 1).fill(Infinity);
  cost[0] = 0;
  const choice: number[][] = [];
  for (let d = 0; d < weights.length; d++) {
    const next = new Array<number>(n0 + 1).fill(Infinity);
    const picks = new Array<number>(n0 + 1).fill(-1);
    for (let used = 0; used <= n0; used++) {
      if (cost[used] === Infinity) continue;
      for (let a = 0; used + a <= n0; a++) {
        const needed = typeOneNeeded(d, a);
        if (cost[used]! + needed < next[used + a]!) {
          next[used + a] = cost[used]! + needed;
          picks[used + a] = a;
        }
        if (needed === 0) break; // more type-0 GPUs cannot lower this DNN's need further
      }
    }
    cost = next;
    choice.push(picks);
  }
  let end = cost.findIndex((c) => c <= n1);
  if (end < 0) return undefined;
  const split: number[][] = weights.map(() => [0, 0]);
  for (let d = weights.length - 1; d >= 0; d--) {
    const a = choice[d]![end]!;
    split[d] = [a, typeOneNeeded(d, a)];
    end -= a;
  }
  return split;
}

/** Exact NP allocation, or undefined when the model is not one this solver covers. */
export function solveWholeGpuMaxMin(input: AllocationInput): Allocation | undefined {
  if (!isWholeGpuMaxMin(input)) return undefined;
  const best = bestPerGpu(input);
  const weights = input.dnns.map((dnn) => dnn.weight);
  const counts: [number, number] = [input.gpuCounts[0]!, input.gpuCounts[1] ?? 0];
  const rates = best.map((perType) => [perType[0]!.rate, perType[1]?.rate ?? 0] as const);

  // Z ≤ (everything on the DNN with the smallest share) bounds the bisection; 60 halvings reach 1e-15.
  let low = 0;
  let high = Math.min(...rates.map(([r0, r1], d) => (counts[0] * r0 + counts[1] * r1) / weights[d]!));
  let allocation = splitForTarget(0, weights, rates, counts)!;
  for (let i = 0; i < 60 && high - low > 1e-12 * Math.max(1, high); i++) {
    const mid = (low + high) / 2;
    const found = splitForTarget(mid, weights, rates, counts);
    if (found) {
      low = mid;
      allocation = found;
    } else high = mid;
  }

  // Every GPU left over goes to the DNN furthest behind that can use it (ties: the earlier DNN).
  const throughput = (d: number): number => allocation[d]![0]! * rates[d]![0] + allocation[d]![1]! * rates[d]![1];
  for (let k = 0; k < 2; k++) {
    let left = counts[k]! - allocation.reduce((sum, g) => sum + g[k]!, 0);
    while (left > 0) {
      let behind = -1;
      for (let d = 0; d < weights.length; d++) {
        if (rates[d]![k]! > 0 && (behind < 0 || throughput(d) / weights[d]! < throughput(behind) / weights[behind]!))
          behind = d;
      }
      if (behind < 0) break;
      allocation[behind]![k]! += 1;
      left -= 1;
    }
  }

  const dnns = allocation.map((perType, d) => {
    const pipelines: AllocatedPipeline[] = [];
    perType.forEach((count, k) => {
      const candidate = best[d]![k]?.candidate;
      if (count > 0 && candidate)
        pipelines.push({ candidate, instances: [count], throughputRps: count * candidate.stages[0]!.rateRps });
    });
    return { pipelines, throughputRps: pipelines.reduce((sum, p) => sum + p.throughputRps, 0) };
  });
  return { dnns, objective: Math.min(...dnns.map((dnn, d) => dnn.throughputRps / weights[d]!)) };
}
