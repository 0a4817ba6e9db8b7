/**
 * Measures a model on this machine and writes what the planner reads of it into a folder: the profile
 * (our format, with block node ranges) and the artifact's cuts and shapes documents. Shared by `ppipe profile`
 * and the cluster head's first-start profiling.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import ort from 'onnxruntime-node';
import { writeProfileFile } from '../planner/index.ts';
import { measureProfile } from './modelProfiler.ts';
import type { ProfileRequest } from './modelProfiler.ts';
import { artifactDocuments } from './modelReport.ts';

export interface WrittenProfile {
  /** The profile file written. */
  readonly profile: string;
  readonly model: string;
  readonly deviceClass: string;
  readonly blocks: number;
  readonly batchSizes: number;
  readonly lb?: number;
  readonly ub?: number;
  readonly wholeModelUs: number;
}

export async function profileModelToFolder(request: ProfileRequest, outDir: string): Promise<WrittenProfile> {
  const measured = await measureProfile(request);
  const { profile, loaded } = measured;
  const model = profile.model;
  mkdirSync(outDir, { recursive: true });
  const written = writeProfileFile(outDir, profile, {
    blocks: measured.blocks,
    producer: {
      tool: 'ppipe profile',
      version: `onnxruntime-node ${ort.env.versions.node ?? '?'}`,
      measuredAt: new Date().toISOString(),
      host: hostname(),
    },
  });
  const documents = artifactDocuments(loaded);
  writeFileSync(path.join(outDir, `${model}.cuts.json`), `${JSON.stringify(documents.cuts)}\n`);
  writeFileSync(path.join(outDir, `${model}.shapes.json`), `${JSON.stringify(documents.shapes)}\n`);
  return {
    profile: written,
    model,
    deviceClass: request.deviceClass,
    blocks: profile.blockCount,
    batchSizes: measured.batchSizes,
    ...(measured.bounds ?? {}),
    wholeModelUs: measured.wholeModelUs,
  };
}
