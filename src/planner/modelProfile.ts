/**
 * The in-memory profile of one model: block latencies per device class, MPS share and batch size, and the
 * bytes per sample that cross each block boundary. Both file formats (the artifact's and ours) load into it.
 */

/** Latencies of one device class. `latencyUs.get(v)[block][batch - 1]` is µs on a 1/v MPS share. */
export interface DeviceTimings {
  readonly deviceClass: string;
  readonly latencyUs: ReadonlyMap<number, ReadonlyArray<ReadonlyArray<number>>>;
  /** Whole-model latency at batch 1 on the full device, when measured (fixes the default SLO). */
  readonly wholeModelUs: number | undefined;
}

export interface ModelProfile {
  readonly model: string;
  readonly blockCount: number;
  /** `cutBytes[c - 1]` is the bytes per sample crossing the cut between block c−1 and block c. */
  readonly cutBytes: ReadonlyArray<number>;
  /** Bytes per sample of the model's input tensors, when known (edge sites ship them over the WAN). */
  readonly inputBytes: number | undefined;
  readonly devices: ReadonlyMap<string, DeviceTimings>;
  /** Where it was read from, for error messages. */
  readonly source: string;
}

/** MPS shares (denominators v of 1/v) profiled for a device class, ascending. */
export function profiledShares(profile: ModelProfile, deviceClass: string): number[] {
  const device = profile.devices.get(deviceClass);
  return device ? [...device.latencyUs.keys()].sort((a, b) => a - b) : [];
}

/** Largest batch size profiled for a device class at share 1/v (0 when not profiled). */
export function maxProfiledBatch(profile: ModelProfile, deviceClass: string, share: number): number {
  const rows = profile.devices.get(deviceClass)?.latencyUs.get(share);
  return rows?.[0]?.length ?? 0;
}

/**
 * Latency in µs of blocks [first, end) at a batch size, clipped to ≥ 1 µs per block as the reference MILP
 * does for numerical stability (reference §B.1). Throws when the cell was not profiled.
 */
export function partitionLatencyUs(
  profile: ModelProfile,
  deviceClass: string,
  share: number,
  batch: number,
  first: number,
  end: number,
): number {
  const rows = profile.devices.get(deviceClass)?.latencyUs.get(share);
  if (!rows) throw new Error(`${profile.model}: no profile for ${deviceClass} at MPS share 1/${share}`);
  let sum = 0;
  for (let block = first; block < end; block++) {
    const value = rows[block]?.[batch - 1];
    if (value === undefined) {
      throw new Error(`${profile.model}: no latency for ${deviceClass} 1/${share} block ${block} batch ${batch}`);
    }
    sum += Math.max(1, value);
  }
  return sum;
}

/** Per-sample transfer time in µs of the cut before block c at a bandwidth (bytes·8 / bandwidth). */
export function cutTransferUs(profile: ModelProfile, cut: number, bandwidthGbps: number): number {
  const bytes = profile.cutBytes[cut - 1];
  if (bytes === undefined) throw new Error(`${profile.model}: no cut ${cut} (blocks ${profile.blockCount})`);
  return (bytes * 8) / (bandwidthGbps * 1e3);
}
