/**
 * The edge-to-cloud scenarios of `ppipe reproduce --edge`: 8 edge sites with one low-class GPU and 8
 * cameras each, a cloud pool of 8 L4 behind a WAN link per site, swept over WAN bandwidth, edge GPU and
 * model. Plain data that builds planning problems; the placement strategy is a problem field.
 */
import type { Placement } from '../config/index.ts';
import type { ProblemDocument } from './problem.ts';

export interface EdgeScenario {
  readonly id: string;
  readonly model: string;
  readonly edgeGpu: 'T4' | 'P4';
  readonly wanMbps: number;
}

export const EDGE_SITES = 8;
export const CAMERAS_PER_SITE = 8;
export const CLOUD_L4 = 8;
/** A 1080p H.264 camera: 15 frames/s at 4 Mbit/s. */
export const CAMERA = { fps: 15, bitrateMbps: 4 } as const;
/** CPU decode of one 1080p frame, µs, wherever frames are decoded. */
export const DECODE_US_PER_FRAME = 3000;
/** Round trip between an edge site and the cloud region, µs. */
export const WAN_RTT_US = 10_000;
/**
 * SLO multiplier for the edge scenarios: the paper's 5 × L4 latency leaves no room for a 10 ms WAN round
 * trip plus decoding on fast models, so the scenarios allow 10 × (video analytics SLOs of 50–200 ms).
 */
export const EDGE_SLO_MULTIPLIER = 10;

export const EDGE_MODELS = ['repvgg-b3', 'tf_efficientdet_d1'] as const;
export const EDGE_WAN_MBPS = [100, 300, 1000] as const;

export const EDGE_SCENARIOS: ReadonlyArray<EdgeScenario> = (['T4', 'P4'] as const).flatMap((edgeGpu) =>
  EDGE_MODELS.flatMap((model) =>
    EDGE_WAN_MBPS.map((wanMbps) => ({ id: `${model}-${edgeGpu}-${wanMbps}M`, model, edgeGpu, wanMbps })),
  ),
);

export function edgeSiteName(i: number): string {
  return `edge-${i + 1}`;
}

/** The planning problem of one scenario under one placement strategy. */
export function edgeProblem(profiles: string, scenario: EdgeScenario, placement: Placement): ProblemDocument {
  const sites = Array.from({ length: EDGE_SITES }, (_, i) => ({
    name: edgeSiteName(i),
    decodeUsPerFrame: DECODE_US_PER_FRAME,
    cameras: [{ count: CAMERAS_PER_SITE, dnn: scenario.model, fps: CAMERA.fps, bitrateMbps: CAMERA.bitrateMbps }],
  }));
  return {
    profiles,
    algorithm: 'ppipe',
    maxPartitions: 2,
    bandwidthGbps: 10,
    sloMultiplier: EDGE_SLO_MULTIPLIER,
    marginFraction: 0.4,
    placement,
    gpus: [
      ...sites.map((site) => ({
        type: scenario.edgeGpu,
        count: 1,
        mpsLevels: scenario.edgeGpu === 'P4' ? 1 : 4,
        gpusPerServer: 1,
        site: site.name,
      })),
      { type: 'L4', count: CLOUD_L4, mpsLevels: 4, gpusPerServer: 4, site: 'cloud' },
    ],
    dnns: [{ name: scenario.model }],
    sites: [...sites, { name: 'cloud', decodeUsPerFrame: DECODE_US_PER_FRAME, cameras: [] }],
    links: sites.map((site) => ({
      from: site.name,
      to: 'cloud',
      bandwidthGbps: scenario.wanMbps / 1000,
      rttUs: WAN_RTT_US,
    })),
  };
}
