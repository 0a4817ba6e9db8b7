/**
 * The simulator's summary: metrics computed from what the engine recorded (simEngine.ts), namely the
 * requests' outcomes and latencies, GPU utilisation by type and WAN link usage.
 */
import type { ServingTopology } from '../pipeline/index.ts';
import type { RequestLog } from './simEngine.ts';
import { DONE, DROPPED } from './simEngine.ts';

export interface RequestOutcomes {
  /** Arrivals counted: those at or after the warm-up. */
  readonly requests: number;
  /** Completed within the SLO. */
  readonly served: number;
  readonly dropped: number;
  /** Completed after the SLO. */
  readonly late: number;
  /** Arrival-to-completion time of every completed request, in arrival order. */
  readonly latenciesUs: number[];
  /** From the first arrival to the last, warm-up included (at least 1 µs): the span utilisation is over. */
  readonly spanUs: number;
}

/** Counts the outcomes of the arrivals in [warm-up, duration); a request left pending fails the run. */
export function requestOutcomes(log: RequestLog, warmupUs: number, sloUs: number): RequestOutcomes {
  const { arrivalUs, status, completionUs } = log;
  let requests = 0;
  let served = 0;
  let dropped = 0;
  let late = 0;
  let lost = 0;
  const latenciesUs: number[] = [];
  let firstArrival = Infinity;
  let lastArrival = -Infinity;
  for (let id = 0; id < log.count; id++) {
    const a = arrivalUs[id]!;
    firstArrival = Math.min(firstArrival, a);
    lastArrival = Math.max(lastArrival, a);
    if (a < warmupUs) continue;
    requests++;
    const st = status[id];
    if (st === DROPPED) dropped++;
    else if (st === DONE) {
      const latency = completionUs[id]! - a;
      latenciesUs.push(latency);
      if (latency > sloUs) late++;
      else served++;
    } else lost++;
  }
  if (lost > 0) throw new Error(`${lost} requests were neither served nor dropped`);
  return { requests, served, dropped, late, latenciesUs, spanUs: Math.max(1, lastArrival - firstArrival) };
}

export interface GpuUtilization {
  /** Busy share per GPU type over the instances in the plan (reference §G). */
  readonly utilization: Record<string, number>;
  /** Same, divided by the cluster's GPUs of the type (Fig. 8); only the types clusterGpus counts. */
  readonly clusterUtilization: Record<string, number>;
}

/** Busy shares per GPU type from the instances' busy times over spanUs; an instance of share s is 1/s GPU. */
export function gpuUtilization(
  topology: ServingTopology,
  busyUs: Float64Array,
  spanUs: number,
  clusterGpus: Readonly<Record<string, number>> | undefined,
): GpuUtilization {
  const busyByType = new Map<string, number>();
  const capacityByType = new Map<string, number>();
  for (let i = 0; i < topology.instanceCount; i++) {
    const gpu = topology.instanceGpu[i]!;
    const share = topology.instanceShare[i]!;
    busyByType.set(gpu, (busyByType.get(gpu) ?? 0) + busyUs[i]! / share);
    capacityByType.set(gpu, (capacityByType.get(gpu) ?? 0) + 1 / share);
  }
  const utilization: Record<string, number> = {};
  const clusterUtilization: Record<string, number> = {};
  for (const [gpu, busy] of busyByType) {
    utilization[gpu] = Math.min(1, busy / capacityByType.get(gpu)! / spanUs);
    const clusterCount = clusterGpus?.[gpu];
    if (clusterCount) clusterUtilization[gpu] = Math.min(1, busy / clusterCount / spanUs);
  }
  return { utilization, clusterUtilization };
}

export interface WanUsage {
  readonly from: string;
  readonly to: string;
  /** Reserved busy share over spanUs. */
  readonly busyShare: number;
  /** Traffic carried (Mbit/s). */
  readonly mbps: number;
}

/** Per WAN link direction, its reserved busy share and the traffic it carried. */
export function wanUsage(topology: ServingTopology, linkBusyUs: Float64Array, spanUs: number): WanUsage[] {
  return topology.links.map((link, i) => ({
    from: link.from,
    to: link.to,
    busyShare: Math.min(1, linkBusyUs[i]! / spanUs),
    mbps: (linkBusyUs[i]! * link.bandwidthGbps * 1e3) / spanUs,
  }));
}
