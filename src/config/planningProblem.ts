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
    mpsLevels: z
      .number()
      .int()
      .min(1)
      .max(8)
      .default(1)
      .describe('Largest MPS share denominator v usable (1 = whole GPUs only)'),
    gpusPerServer: z.number().int().min(1).default(1).describe('GPUs per server; they share one NIC'),
    site: z.string().min(1).optional().describe('Site that holds these GPUs (required when the problem has sites)'),
  })
  .strict();

export const cameraGroupSchema = z
  .object({
    count: z.number().int().min(1).describe('Cameras of this kind at the site'),
    dnn: z.string().min(1).describe('DNN that serves them (a name of dnns[])'),
    fps: z.number().positive().describe('Frames per second of each camera'),
    bitrateMbps: z.number().positive().describe('Compressed video bitrate of each camera, Mbit/s'),
  })
  .strict();

export const siteSchema = z
  .object({
    name: z.string().min(1).describe('Site name (an edge box, a cloud region)'),
    cameras: z.array(cameraGroupSchema).default([]).describe('Cameras whose frames are born at this site'),
    decodeUsPerFrame: z.number().min(0).default(0).describe('CPU time to decode one compressed frame at this site, µs'),
  })
  .strict();

export const linkSchema = z
  .object({
    from: z.string().min(1).describe('Site at one end'),
    to: z
      .string()
      .min(1)
      .describe('Site at the other end (links are full duplex: the bandwidth holds in each direction)'),
    bandwidthGbps: z.number().positive().describe('Link bandwidth per direction, Gbit/s'),
    rttUs: z.number().min(0).default(0).describe('Round-trip time, µs; every crossing pays it'),
  })
  .strict();

export const PLACEMENTS = ['any', 'edge-only', 'cloud-only'] as const;
export type Placement = (typeof PLACEMENTS)[number];

export const dnnEntrySchema = z
  .object({
    name: z.string().min(1).describe('Model name in the profiles (exact or a unique prefix)'),
    weight: z
      .number()
      .positive()
      .default(1)
      .describe('Workload share; the objective is max over plans of min over DNNs of throughput/weight'),
    sloUs: z.number().positive().optional().describe('Latency SLO, µs (default sloMultiplier × batch-1 latency on L4)'),
    marginUs: z
      .number()
      .min(0)
      .optional()
      .describe('SLO margin kept free by the planner, µs (default marginFraction × SLO)'),
    estXput: z
      .number()
      .positive()
      .optional()
      .describe('Throughput estimate for the batch-building delay, req/s (default: from an NP solve)'),
  })
  .strict();

export const problemSchema = z
  .object({
    profiles: z
      .union([z.string().min(1), z.array(z.string().min(1)).min(1)])
      .optional()
      .describe(
        "Profile folder(s), relative to the problem file (default: the PPipe artifact's data, PPIPE_ARTIFACT_DATA)",
      ),
    algorithm: z.enum(ALGORITHMS).default('ppipe').describe('ppipe (pooled pipelines), np (no partitioning) or dart-r'),
    maxPartitions: z.number().int().min(1).max(4).default(2).describe('Most partitions per pooled pipeline'),
    bandwidthGbps: z.number().positive().describe('NIC bandwidth of every server, Gbit/s'),
    batchBuildFactor: z.number().min(0).default(1.3).describe('Factor on the estimated batch-building delay'),
    sloMultiplier: z.number().positive().default(5).describe('Default SLO = this × the L4 batch-1 latency'),
    marginFraction: z.number().min(0).max(0.99).default(0.4).describe('Default margin = this × SLO'),
    gpus: z.array(gpuEntrySchema).min(1).describe('GPU classes of the cluster'),
    dnns: z.array(dnnEntrySchema).min(1).describe('DNNs served together'),
    sites: z.array(siteSchema).min(1).optional().describe('Edge-to-cloud: the sites, with the cameras born at each'),
    links: z.array(linkSchema).optional().describe('Edge-to-cloud: WAN links between sites'),
    placement: z
      .enum(PLACEMENTS)
      .default('any')
      .describe(
        'Edge-to-cloud: any (the planner chooses), edge-only (no WAN), or cloud-only (video up, every partition off ' +
          'the camera site)',
      ),
  })
  .strict()
  .superRefine((doc, ctx) => {
    const seen = new Set<string>();
    doc.gpus.forEach((gpu, i) => {
      const key = `${gpu.type}@${gpu.site ?? ''}`;
      if (seen.has(key))
        ctx.addIssue({
          code: 'custom',
          path: ['gpus', i, 'type'],
          message: `GPU type ${gpu.type} is listed twice${gpu.site ? ` at site ${gpu.site}` : ''}`,
        });
      seen.add(key);
    });
    if (!doc.sites) {
      doc.gpus.forEach(
        (gpu, i) =>
          gpu.site !== undefined &&
          ctx.addIssue({ code: 'custom', path: ['gpus', i, 'site'], message: 'a GPU site needs a sites list' }),
      );
      if (doc.links) ctx.addIssue({ code: 'custom', path: ['links'], message: 'links need a sites list' });
      return;
    }
    const names = new Set<string>();
    doc.sites.forEach((site, i) => {
      if (names.has(site.name))
        ctx.addIssue({ code: 'custom', path: ['sites', i, 'name'], message: `site ${site.name} is listed twice` });
      names.add(site.name);
      site.cameras.forEach((camera, c) => {
        if (!doc.dnns.some((dnn) => dnn.name === camera.dnn)) {
          ctx.addIssue({
            code: 'custom',
            path: ['sites', i, 'cameras', c, 'dnn'],
            message: `expected one of the dnns (${doc.dnns.map((d) => d.name).join(', ')}), got ${camera.dnn}`,
          });
        }
      });
    });
    doc.gpus.forEach((gpu, i) => {
      if (gpu.site === undefined || !names.has(gpu.site))
        ctx.addIssue({
          code: 'custom',
          path: ['gpus', i, 'site'],
          message: `expected one of the sites (${[...names].join(', ')}), got ${gpu.site ?? 'nothing'}`,
        });
    });
    (doc.links ?? []).forEach((link, i) => {
      for (const end of ['from', 'to'] as const) {
        if (!names.has(link[end]))
          ctx.addIssue({
            code: 'custom',
            path: ['links', i, end],
            message: `expected one of the sites (${[...names].join(', ')}), got ${link[end]}`,
          });
      }
      if (link.from === link.to)
        ctx.addIssue({ code: 'custom', path: ['links', i, 'to'], message: 'a link joins two different sites' });
    });
    if (!doc.sites.some((site) => site.cameras.length > 0))
      ctx.addIssue({ code: 'custom', path: ['sites'], message: 'expected cameras at one site at least' });
  });
