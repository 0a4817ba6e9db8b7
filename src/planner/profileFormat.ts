/**
 * The project's own profile format (`*.profile.json`), written by `ppipe profile` for models measured on
 * local devices and read by the planner beside the artifact's data. Documented in docs/profile-format.md.
 */
import { readdirSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { readJson } from './artifactProfiles.ts';
import { describeIssues } from '../config/index.ts';
import { InputError } from './inputError.ts';
import type { DeviceTimings, ModelProfile } from './modelProfile.ts';

export const PROFILE_FORMAT = 'ppipe-profile/1';
export const PROFILE_SUFFIX = '.profile.json';

export const blockRangeSchema = z
  .object({ firstNode: z.number().int().min(0), lastNode: z.number().int().min(0) })
  .strict();

export const profileDeviceSchema = z
  .object({
    deviceClass: z
      .string()
      .min(1)
      .describe('Free-form device class shared with GPU entries of planning problems, e.g. T4, L4, cpu-2t'),
    mpsShares: z
      .array(z.number().int().min(1))
      .min(1)
      .describe('MPS share denominators v covered (1 = the whole device, 2 = half, …)'),
    wholeModelUs: z.number().positive().optional().describe('Whole-model latency at batch 1 on the whole device, µs'),
    latencyUs: z
      .record(z.string().regex(/^\d+$/), z.array(z.array(z.number().nonnegative()).min(1)))
      .describe('Per MPS share v (key "v"): rows = blocks in model order, columns = batch sizes 1, 2, …; µs'),
  })
  .strict();

export const profileFileSchema = z
  .object({
    format: z.literal(PROFILE_FORMAT).describe('Format tag and version'),
    model: z.string().min(1).describe('Model name, as planning problems refer to it'),
    blockCount: z.number().int().min(1).describe('Number of pre-partitioned blocks'),
    cutBytes: z
      .array(z.number().nonnegative())
      .describe(
        'Bytes per sample crossing each internal block boundary (blockCount − 1 entries; float32 counted as 2 bytes)',
      ),
    inputBytes: z.number().nonnegative().optional().describe('Bytes per sample of the model inputs, same rule'),
    blocks: z.array(blockRangeSchema).optional().describe('Topological node range [firstNode, lastNode] of each block'),
    devices: z.array(profileDeviceSchema).min(1).describe('Measured device classes'),
    producer: z
      .object({
        tool: z.string(),
        version: z.string().optional(),
        measuredAt: z.string().optional(),
        host: z.string().optional(),
      })
      .strict()
      .optional()
      .describe('What measured the profile, for provenance'),
  })
  .strict()
  .superRefine((doc, ctx) => {
    if (doc.cutBytes.length !== doc.blockCount - 1) {
      ctx.addIssue({
        code: 'custom',
        path: ['cutBytes'],
        message: `expected blockCount − 1 = ${doc.blockCount - 1} entries, got ${doc.cutBytes.length}`,
      });
    }
    if (doc.blocks && doc.blocks.length !== doc.blockCount) {
      ctx.addIssue({
        code: 'custom',
        path: ['blocks'],
        message: `expected ${doc.blockCount} blocks, got ${doc.blocks.length}`,
      });
    }
    doc.devices.forEach((device, d) => {
      const keys = Object.keys(device.latencyUs)
        .map(Number)
        .sort((a, b) => a - b);
      const shares = [...device.mpsShares].sort((a, b) => a - b);
      if (keys.join(',') !== shares.join(',')) {
        ctx.addIssue({
          code: 'custom',
          path: ['devices', d, 'latencyUs'],
          message: `expected exactly the keys of mpsShares (${shares.join(', ')}), got ${keys.join(', ')}`,
        });
      }
      for (const [share, rows] of Object.entries(device.latencyUs)) {
        if (rows.length !== doc.blockCount) {
          ctx.addIssue({
            code: 'custom',
            path: ['devices', d, 'latencyUs', share],
            message: `expected ${doc.blockCount} rows (one per block), got ${rows.length}`,
          });
        }
        rows.forEach((row, r) => {
          if (row.length !== rows[0]!.length) {
            ctx.addIssue({
              code: 'custom',
              path: ['devices', d, 'latencyUs', share, r],
              message: `expected ${rows[0]!.length} batch sizes like row 0, got ${row.length}`,
            });
          }
        });
      }
    });
  });

export type ProfileFile = z.infer<typeof profileFileSchema>;
/** A block as a topological node range [firstNode, lastNode]. */
export type BlockRange = NonNullable<ProfileFile['blocks']>[number];

/** A profile file as its validated document (with block node ranges and provenance). */
export function readProfileDocument(file: string, data: unknown = readJson(file)): ProfileFile {
  const parsed = profileFileSchema.safeParse(data);
  if (!parsed.success) throw new InputError(file, undefined, describeIssues(parsed.error.issues));
  return parsed.data;
}

export function parseProfileFile(file: string, data: unknown): ModelProfile {
  const doc = readProfileDocument(file, data);
  const devices = new Map<string, DeviceTimings>();
  for (const device of doc.devices) {
    const latencyUs = new Map<number, number[][]>();
    for (const share of [...device.mpsShares].sort((a, b) => a - b))
      latencyUs.set(share, device.latencyUs[String(share)]!);
    devices.set(device.deviceClass, { deviceClass: device.deviceClass, latencyUs, wholeModelUs: device.wholeModelUs });
  }
  return {
    model: doc.model,
    blockCount: doc.blockCount,
    cutBytes: doc.cutBytes,
    inputBytes: doc.inputBytes,
    devices,
    source: file,
  };
}

export function isProfileFile(name: string): boolean {
  return name.endsWith(PROFILE_SUFFIX);
}

/** Model name → file of every profile in a folder of our format. */
export function listProfileFiles(folder: string): Map<string, string> {
  const files = new Map<string, string>();
  for (const name of readdirSync(folder).sort()) {
    if (!isProfileFile(name)) continue;
    const file = path.join(folder, name);
    const doc = readJson(file) as { model?: unknown };
    if (typeof doc?.model !== 'string') throw new InputError(file, 'model', 'expected the model name (a string)');
    files.set(doc.model, file);
  }
  return files;
}

/** Serialises a profile in our format; the inverse of parseProfileFile. */
export function toProfileFile(
  profile: ModelProfile,
  extra: Pick<ProfileFile, 'blocks' | 'producer'> = {},
): ProfileFile {
  return {
    format: PROFILE_FORMAT,
    model: profile.model,
    blockCount: profile.blockCount,
    cutBytes: [...profile.cutBytes],
    ...(profile.inputBytes !== undefined ? { inputBytes: profile.inputBytes } : {}),
    ...(extra.blocks ? { blocks: extra.blocks } : {}),
    devices: [...profile.devices.values()].map((device) => ({
      deviceClass: device.deviceClass,
      mpsShares: [...device.latencyUs.keys()],
      ...(device.wholeModelUs !== undefined ? { wholeModelUs: device.wholeModelUs } : {}),
      latencyUs: Object.fromEntries(
        [...device.latencyUs].map(([share, rows]) => [String(share), rows.map((row) => [...row])]),
      ),
    })),
    ...(extra.producer ? { producer: extra.producer } : {}),
  };
}

export function writeProfileFile(
  folder: string,
  profile: ModelProfile,
  extra: Pick<ProfileFile, 'blocks' | 'producer'> = {},
): string {
  const file = path.join(folder, `${profile.model}${PROFILE_SUFFIX}`);
  writeProfileDocument(file, toProfileFile(profile, extra));
  return file;
}

/**
 * Writes a profile document whole (temporary file, then rename), so a planner reading the folder never sees half a
 * file.
 */
export function writeProfileDocument(file: string, doc: ProfileFile): void {
  const partial = `${file}.${process.pid}.part`;
  writeFileSync(partial, `${JSON.stringify(doc, null, 1)}\n`);
  renameSync(partial, file);
}
