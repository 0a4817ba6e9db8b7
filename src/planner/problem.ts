/**
 * The planning problem: a plain document (JSON or YAML) naming profiles, GPUs and DNNs. `resolveProblem`
 * turns it into a `ResolvedProblem` with loaded profiles and every default filled in (SLO, margin).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { InputError } from './inputError.ts';
import type { ModelProfile } from './modelProfile.ts';
import { maxProfiledBatch, partitionLatencyUs, profiledShares } from './modelProfile.ts';
import { ProfileLibrary } from './profileLibrary.ts';
import { describeIssues, problemSchema } from '../config/index.ts';
import type { Algorithm, Placement } from '../config/index.ts';

export { ALGORITHMS, problemSchema } from '../config/index.ts';
export type { Algorithm, Placement } from '../config/index.ts';

export type ProblemDocument = z.input<typeof problemSchema>;
export type ParsedProblem = z.output<typeof problemSchema>;

export interface GpuClass {
  readonly type: string;
  readonly count: number;
  readonly mpsLevels: number;
  readonly gpusPerServer: number;
  /** The site holding these GPUs (edge-to-cloud problems only). */
  readonly site?: string | undefined;
}

/** Frames of one DNN born at one site: what an edge-to-cloud plan must serve. */
export interface SiteDemand {
  readonly dnn: number;
  readonly site: string;
  readonly framesPerSecond: number;
  /** Demand-weighted mean compressed size of one frame, bits. */
  readonly videoBitsPerFrame: number;
}

export interface WanLink {
  readonly from: string;
  readonly to: string;
  readonly bandwidthGbps: number;
  readonly rttUs: number;
}

export interface EdgeNetwork {
  readonly sites: ReadonlyArray<{ readonly name: string; readonly decodeUsPerFrame: number }>;
  readonly demands: ReadonlyArray<SiteDemand>;
  readonly links: ReadonlyArray<WanLink>;
  readonly placement: Placement;
}

export interface DnnTarget {
  readonly name: string;
  readonly profile: ModelProfile;
  readonly weight: number;
  readonly sloUs: number;
  readonly marginUs: number;
  /** Undefined until set or estimated by an NP solve; no batch-building term without it. */
  readonly estXput: number | undefined;
}

export interface ResolvedProblem {
  readonly algorithm: Algorithm;
  readonly maxPartitions: number;
  readonly bandwidthGbps: number;
  readonly batchBuildFactor: number;
  readonly gpus: ReadonlyArray<GpuClass>;
  readonly dnns: ReadonlyArray<DnnTarget>;
  readonly profileFolders: ReadonlyArray<string>;
  /** Sites, camera demands and WAN links; undefined for a data-centre problem. */
  readonly edge?: EdgeNetwork | undefined;
}

export function parseProblem(source: string, data: unknown): ParsedProblem {
  const parsed = problemSchema.safeParse(data);
  if (!parsed.success) throw new InputError(source, undefined, describeIssues(parsed.error.issues));
  return parsed.data;
}

/** Reads a JSON or YAML document; parse errors name the file and line. */
export function readDocument(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new InputError(file, undefined, `cannot be read: ${(error as Error).message}`);
  }
  if (/\.json$/i.test(file)) {
    try {
      return JSON.parse(text) as unknown;
    } catch (error) {
      throw new InputError(file, undefined, `expected JSON: ${(error as Error).message}`);
    }
  }
  try {
    return parseYaml(text) as unknown;
  } catch (error) {
    const linePos = (error as { linePos?: Array<{ line: number }> }).linePos;
    throw new InputError(
      file,
      linePos?.[0] ? `line ${linePos[0].line}` : undefined,
      `expected YAML or JSON: ${(error as Error).message.split('\n')[0]}`,
    );
  }
}

/** Reference device class for default SLOs: L4 when profiled, else the fastest measured one (reference §B.5). */
export function referenceLatencyUs(profile: ModelProfile): { device: string; latencyUs: number } {
  const wholeModel = (device: string): number => {
    const timings = profile.devices.get(device)!;
    return timings.wholeModelUs ?? partitionLatencyUs(profile, device, 1, 1, 0, profile.blockCount);
  };
  if (profile.devices.has('L4')) return { device: 'L4', latencyUs: wholeModel('L4') };
  let best: { device: string; latencyUs: number } | undefined;
  for (const device of profile.devices.keys()) {
    if (!profiledShares(profile, device).includes(1) || maxProfiledBatch(profile, device, 1) < 1) continue;
    const latencyUs = wholeModel(device);
    if (!best || latencyUs < best.latencyUs) best = { device, latencyUs };
  }
  if (!best)
    throw new InputError(
      profile.source,
      profile.model,
      'expected at least one device profiled on the whole GPU (MPS share 1)',
    );
  return best;
}

export function defaultSloUs(profile: ModelProfile, multiplier: number): number {
  return multiplier * referenceLatencyUs(profile).latencyUs;
}

/** Resolves profile folders against the problem file's folder and fills every default. */
export function resolveProblem(
  parsed: ParsedProblem,
  baseDir: string,
  library?: ProfileLibrary,
  source = 'problem',
): ResolvedProblem {
  if (parsed.profiles === undefined && !library) throw new InputError(source, 'profiles', 'expected profile folder(s)');
  const named = parsed.profiles ?? [];
  const folders = (Array.isArray(named) ? named : [named]).map((folder) => path.resolve(baseDir, folder));
  const profiles = library ?? new ProfileLibrary(folders);
  const dnns = parsed.dnns.map((dnn, i): DnnTarget => {
    let profile: ModelProfile;
    try {
      profile = profiles.get(dnn.name);
    } catch (error) {
      if (error instanceof InputError && error.file === folders.join(', '))
        throw new InputError(source, `dnns[${i}].name`, `${error.expected} (in ${error.file})`);
      throw error;
    }
    const sloUs = dnn.sloUs ?? defaultSloUs(profile, parsed.sloMultiplier);
    return {
      name: profile.model,
      profile,
      weight: dnn.weight,
      sloUs,
      marginUs: dnn.marginUs ?? Math.round(parsed.marginFraction * sloUs),
      estXput: dnn.estXput,
    };
  });
  parsed.gpus.forEach((gpu, i) => {
    for (const dnn of dnns) {
      if (!dnn.profile.devices.has(gpu.type)) {
        throw new InputError(
          source,
          `gpus[${i}].type`,
          `expected a device class profiled for ${dnn.name}; ${gpu.type} is not (have ` +
            `${[...dnn.profile.devices.keys()].join(', ')})`,
        );
      }
    }
  });
  return {
    algorithm: parsed.algorithm,
    maxPartitions: parsed.maxPartitions,
    bandwidthGbps: parsed.bandwidthGbps,
    batchBuildFactor: parsed.batchBuildFactor,
    gpus: parsed.gpus,
    dnns,
    profileFolders: folders,
    edge: parsed.sites ? resolveEdge(parsed) : undefined,
  };
}

function resolveEdge(parsed: ParsedProblem): EdgeNetwork {
  const sites = parsed.sites!;
  const demands: SiteDemand[] = [];
  for (const site of sites) {
    parsed.dnns.forEach((dnn, d) => {
      const cameras = site.cameras.filter((camera) => camera.dnn === dnn.name);
      if (cameras.length === 0) return;
      const framesPerSecond = cameras.reduce((sum, c) => sum + c.count * c.fps, 0);
      const bitsPerSecond = cameras.reduce((sum, c) => sum + c.count * c.bitrateMbps * 1e6, 0);
      demands.push({ dnn: d, site: site.name, framesPerSecond, videoBitsPerFrame: bitsPerSecond / framesPerSecond });
    });
  }
  return {
    sites: sites.map((site) => ({ name: site.name, decodeUsPerFrame: site.decodeUsPerFrame })),
    demands,
    links: (parsed.links ?? []).map((link) => ({
      from: link.from,
      to: link.to,
      bandwidthGbps: link.bandwidthGbps,
      rttUs: link.rttUs,
    })),
    placement: parsed.placement,
  };
}

/** Reads, validates and resolves a problem file. */
/**
 * Reads and resolves a problem file. `profiles` (a folder, as given on the command line) replaces the file's
 * profile folders; `defaultProfiles` is asked for a folder only where the file names none.
 */
export function loadProblem(
  file: string,
  options: { profiles?: string | undefined; defaultProfiles?: () => string } = {},
): ResolvedProblem {
  const parsed = parseProblem(file, readDocument(file));
  const profiles = options.profiles ? path.resolve(options.profiles) : undefined;
  const withProfiles = { ...parsed, profiles: profiles ?? parsed.profiles ?? options.defaultProfiles?.() };
  return resolveProblem(withProfiles, path.dirname(path.resolve(file)), undefined, file);
}
