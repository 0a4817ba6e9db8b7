/**
 * The profile of this machine: the planner needs per-block latencies of each served model on the device
 * class the local workers announce. Measured once (`ppipe profile`, a second or so for BlazeFace) into the
 * data folder and reused while the file covers that device class.
 */
import { accessSync, constants, existsSync, mkdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { analyzeGraph, profileModelToFolder, readOnnxModel } from '../../models/index.ts';
import { PrepartitionInfeasibleError, profileFileSchema } from '../../planner/index.ts';

/** Threads per local worker: the configured number, else up to 4 of this machine's cores. */
export function localWorkerThreads(configured?: number): number {
  return configured ?? Math.min(4, os.availableParallelism());
}

/** The device class of a CPU worker with `threads` threads, as profiles and announcements name it. */
export function cpuDeviceClass(threads: number): string {
  return `cpu-${threads}t`;
}

/** A model's name in profiles and plans: its file name without `.onnx`. */
export function profileModelName(modelFile: string): string {
  return path.basename(modelFile).replace(/\.onnx$/i, '');
}

export interface LocalProfileOptions {
  readonly modelFile: string;
  readonly profilesDir: string;
  readonly threads: number;
  readonly deviceClass: string;
  /** Batch sizes to time, 1 … this (1 for a model with a fixed batch); a profile with fewer is measured again. */
  readonly maxBatch: number;
  /** Progress of a measurement (the profile command's bar). */
  readonly stderr?: (text: string) => void;
}

/** A one-line progress report of a measurement, redrawn in place. */
function progressLine(write: (text: string) => void): (done: number, total: number, label: string) => void {
  return (done, total, label) =>
    write(`\rprofiling ${String(Math.round((done / total) * 100)).padStart(3)}% ${label.padEnd(28)}`);
}

/** Block counts tried in turn. */
const PROFILE_BLOCKS = [10, 5, 2];

/**
 * Whether `file` is a profile of ours whose block node ranges cover the compute nodes of `modelFile` and that
 * has timings for `deviceClass` at batch sizes 1 … `maxBatch`. The batch-dynamic copy of a model has the
 * original's name but not its nodes: a profile of one does not do for the other when batching is switched.
 */
function coversDevice(file: string, modelFile: string, deviceClass: string, maxBatch: number): boolean {
  if (!existsSync(file)) return false;
  try {
    const parsed = profileFileSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
    if (!parsed.success || parsed.data.blocks === undefined) return false;
    const computeNodes = analyzeGraph(readOnnxModel(modelFile), modelFile).nodes.length;
    return (
      parsed.data.blocks.at(-1)?.lastNode === computeNodes - 1 &&
      parsed.data.devices.some((d) => d.deviceClass === deviceClass && (d.latencyUs['1']?.[0]?.length ?? 0) >= maxBatch)
    );
  } catch {
    return false;
  }
}

/**
 * Makes the profiles folder and checks that it takes files, so that a data folder that cannot hold profiles
 * fails once, at once, instead of after the minutes of measuring that it cannot keep.
 */
export function prepareProfilesFolder(profilesDir: string): void {
  try {
    mkdirSync(profilesDir, { recursive: true });
    accessSync(profilesDir, constants.W_OK);
  } catch (error) {
    // The code only: the system's message repeats the path.
    const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new Error(`data folder: cannot keep profiles in ${profilesDir}: expected a writable folder (${code})`, {
      cause: error,
    });
  }
}

/** The profile file of the model on this device class, measured now when the data folder has none. */
export async function ensureLocalProfile(
  options: LocalProfileOptions,
): Promise<{ file: string; model: string; measured: boolean }> {
  const model = profileModelName(options.modelFile);
  const file = path.join(options.profilesDir, `${model}.profile.json`);
  if (coversDevice(file, options.modelFile, options.deviceClass, options.maxBatch))
    return { file, model, measured: false };
  // Measured latencies are noisy: when no balanced split into 10 blocks exists this time, fewer blocks do.
  const failures: string[] = [];
  for (const blocks of PROFILE_BLOCKS) {
    try {
      await profileModelToFolder(
        {
          file: options.modelFile,
          device: { kind: 'cpu', threads: options.threads },
          deviceClass: options.deviceClass,
          maxBatch: options.maxBatch,
          blocks,
          warmup: 2,
          repeats: 5,
          ...(options.stderr ? { onProgress: progressLine(options.stderr) } : {}),
        },
        options.profilesDir,
      );
      if (coversDevice(file, options.modelFile, options.deviceClass, options.maxBatch))
        return { file, model, measured: true };
      failures.push(`${blocks} blocks: the written profile has no timings of ${options.deviceClass}`);
    } catch (error) {
      // Only an unlucky measurement is worth another try with fewer blocks: any other failure (an unreadable
      // model, a data folder that cannot be written) would repeat the same minutes of measuring and fail again.
      if (!(error instanceof PrepartitionInfeasibleError))
        throw new Error(
          `profiling ${options.modelFile} on ${options.deviceClass} failed: ${(error as Error).message}`,
          {
            cause: error,
          },
        );
      failures.push(`${blocks} blocks: ${error.message}`);
    } finally {
      options.stderr?.('\n');
    }
  }
  throw new Error(`profiling ${options.modelFile} on ${options.deviceClass} failed (${failures.join('; ')})`);
}
