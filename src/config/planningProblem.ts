/**
 * The schema of a planning problem (profiles, GPU classes, DNNs, SLO defaults). It lives in the config room
 * because the appliance's YAML embeds a problem; the planner resolves and solves it.
 */
import { z } from 'zod';

export const ALGORITHMS = ['ppipe', 'np', 'dart-r'] as const;
export type Algorithm = (typeof ALGORITHMS)[number];

export const gpuEntrySchema = z
  .object({
    type: z.string().min(1).describe('Device class, as named in the profiles (T4, L4, cpu-2t, …)'),
    count: z.number().int().min(0).describe('Number of physical GPUs of this class'),
    mpsLevels: z.number().int().min(1).max(8).default(1).describe('Largest MPS share denominator v usable (1 = whole GPUs only)'),
    gpusPerServer: z.number().int().min(1).default(1).describe('GPUs per server; they share one NIC'),
  })
  .strict();

export const dnnEntrySchema = z
  .object({
    name: z.string().min(1).describe('Model name in the profiles (exact or a unique prefix)'),
    weight: z.number().positive().default(1).describe('Workload share; the objective is max over plans of min over DNNs of throughput/weight'),
    sloUs: z.number().positive().optional().describe('Latency SLO, µs (default sloMultiplier × batch-1 latency on L4)'),
    marginUs: z.number().min(0).optional().describe('SLO margin kept free by the planner, µs (default marginFraction × SLO)'),
    estXput: z.number().positive().optional().describe('Throughput estimate for the batch-building delay, req/s (default: from an NP solve)'),
  })
  .strict();

export const problemSchema = z
  .object({
    profiles: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]).describe('Profile folder(s), relative to the problem file'),
    algorithm: z.enum(ALGORITHMS).default('ppipe').describe('ppipe (pooled pipelines), np (no partitioning) or dart-r'),
    maxPartitions: z.number().int().min(1).max(4).default(2).describe('Most partitions per pooled pipeline'),
    bandwidthGbps: z.number().positive().describe('NIC bandwidth of every server, Gbit/s'),
    batchBuildFactor: z.number().min(0).default(1.3).describe('Factor on the estimated batch-building delay'),
    sloMultiplier: z.number().positive().default(5).describe('Default SLO = this × the L4 batch-1 latency'),
    marginFraction: z.number().min(0).max(0.99).default(0.4).describe('Default margin = this × SLO'),
    gpus: z.array(gpuEntrySchema).min(1).describe('GPU classes of the cluster'),
    dnns: z.array(dnnEntrySchema).min(1).describe('DNNs served together'),
  })
  .strict()
  .superRefine((doc, ctx) => {
    const seen = new Set<string>();
    doc.gpus.forEach((gpu, i) => {
      if (seen.has(gpu.type)) ctx.addIssue({ code: 'custom', path: ['gpus', i, 'type'], message: `GPU type ${gpu.type} is listed twice` });
      seen.add(gpu.type);
    });
  });
