/**
 * The evaluation setup of the PPipe paper (reference §H): the six DNN groups (the artifact's seeded random
 * grouping, written out), the four heterogeneous clusters and the workload weights. Used by benchmarks,
 * the reproduction report and tests; plain data, no logic.
 */
import type { ProblemDocument } from './problem.ts';

export const PAPER_GROUPS: ReadonlyArray<{ readonly id: string; readonly dnns: readonly [string, string, string] }> = [
  {
    id: 'G1',
    dnns: [
      'efficientnet-b8_3rdparty_8xb32-aa-advprop_in1k',
      'encnet_r101-d8_4xb2-40k_cityscapes-512x1024',
      'rtmdet_x_8xb32-300e_coco',
    ],
  },
  { id: 'G2', dnns: ['colorization-v2', 'googlenet-v3-pytorch', 'repvgg-b3'] },
  {
    id: 'G3',
    dnns: [
      'apcnet_r101-d8_4xb2-40k_cityscapes-512x1024',
      'atss_r101_fpn_1x_coco',
      'gcnet_r101-d8_4xb2-40k_cityscapes-512x1024',
    ],
  },
  {
    id: 'G4',
    dnns: ['fcn-d6_r101-d16_4xb2-40k_cityscapes-512x1024', 'gfl_x101-32x4d_fpn_ms-2x_coco', 'wide_resnet101_2'],
  },
  {
    id: 'G5',
    dnns: ['centernet-update_r50-caffe_fpn_ms-1x_coco', 'convnext_large', 'dnl_r101-d8_4xb2-40k_cityscapes-512x1024'],
  },
  { id: 'G6', dnns: ['fsaf_r101_fpn_1x_coco', 'nonlocal_r101-d8_4xb2-40k_cityscapes-512x1024', 'tf_efficientdet_d1'] },
];

export interface PaperCluster {
  readonly id: string;
  readonly name: string;
  readonly high: string;
  readonly low: string;
  readonly bandwidthGbps: number;
  readonly mpsLevels: readonly [number, number];
  readonly gpusPerServer: readonly [number, number];
}

/** HC1–HC4 of reference §H, with the artifact's bandwidths, MPS levels and GPUs per server. */
export const PAPER_CLUSTERS: ReadonlyArray<PaperCluster> = [
  { id: 'HC1', name: 'L4-P4', high: 'L4', low: 'P4', bandwidthGbps: 6, mpsLevels: [4, 1], gpusPerServer: [1, 1] },
  { id: 'HC2', name: 'L4-T4', high: 'L4', low: 'T4', bandwidthGbps: 10, mpsLevels: [4, 4], gpusPerServer: [4, 2] },
  { id: 'HC3', name: 'V100-P4', high: 'V100', low: 'P4', bandwidthGbps: 6, mpsLevels: [4, 1], gpusPerServer: [2, 1] },
  { id: 'HC4', name: 'V100-T4', high: 'V100', low: 'T4', bandwidthGbps: 10, mpsLevels: [4, 4], gpusPerServer: [4, 2] },
];

/**
 * The artifact's planned objectives Z (max–min weighted throughput, MAF 2019 weights) for the two groups
 * the reference lists (§H, §D.5), keyed "group cluster". Ours should never fall below them.
 */
export const ARTIFACT_OBJECTIVES: Readonly<
  Record<string, { readonly np: number; readonly 'dart-r': number; readonly ppipe: number }>
> = {
  'G1 L4-P4': { np: 845.9335, 'dart-r': 1049.2, ppipe: 1717.1942 },
  'G1 L4-T4': { np: 1353.5, 'dart-r': 1725.3, ppipe: 2106.9 },
  'G1 V100-P4': { np: 1081.6, 'dart-r': 1152.1, ppipe: 1743.9 },
  'G1 V100-T4': { np: 1479.1, 'dart-r': 1536.5, ppipe: 2106.7 },
  'G2 L4-P4': { np: 2710.9, 'dart-r': 2710.9, ppipe: 4284.9 },
  'G2 L4-T4': { np: 2710.9485, 'dart-r': 2710.9, ppipe: 3476.9376 },
  'G2 V100-P4': { np: 2168.4, 'dart-r': 2168.4, ppipe: 2863.1208 },
  'G2 V100-T4': { np: 2168.4, 'dart-r': 2168.4, ppipe: 3132.8 },
};

/** MAF 2019 workload weights of the three DNNs of a group (reference §G). */
export const PAPER_WEIGHTS: readonly [number, number, number] = [0.3, 0.33, 0.37];

/** The planning problem of one group on one cluster, 25 high-class + 75 low-class GPUs by default. */
export function paperProblem(
  profiles: string,
  cluster: PaperCluster,
  dnns: ReadonlyArray<string>,
  options: {
    weights?: ReadonlyArray<number>;
    highCount?: number;
    lowCount?: number;
    marginFraction?: number;
    maxPartitions?: number;
  } = {},
): ProblemDocument {
  return {
    profiles,
    maxPartitions: options.maxPartitions ?? 2,
    bandwidthGbps: cluster.bandwidthGbps,
    batchBuildFactor: 1.3,
    marginFraction: options.marginFraction ?? 0.4,
    gpus: [
      {
        type: cluster.high,
        count: options.highCount ?? 25,
        mpsLevels: cluster.mpsLevels[0],
        gpusPerServer: cluster.gpusPerServer[0],
      },
      {
        type: cluster.low,
        count: options.lowCount ?? 75,
        mpsLevels: cluster.mpsLevels[1],
        gpusPerServer: cluster.gpusPerServer[1],
      },
    ],
    dnns: dnns.map((name, i) => ({ name, weight: options.weights?.[i] ?? 1 })),
  };
}
