/** The I/O contract every command is given, its usage errors and their exit codes, and option parsers. */
import { REPO_ROOT } from '../config/index.ts';
import { InputError, artifactDataDir, hasArtifactData, missingArtifactDataMessage } from '../planner/index.ts';
import { artifactDataFromEnvironment } from './environment.ts';
import { DeviceUnavailableError, SplitError } from '../models/index.ts';

export interface CommandIo {
  stdout(text: string): void;
  stderr(text: string): void;
}

/** A command-line mistake: exit code 2 and the usage text. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** Maps known failures to one clear line and an exit code; anything else is a bug and is rethrown. */
export function reportFailure(error: unknown, io: CommandIo, usage: string): number {
  if (error instanceof MissingDataError) {
    io.stderr(`error: ${error.message}\n`);
    return 2;
  }
  if (error instanceof UsageError) {
    io.stderr(`error: ${error.message}\n\n${usage}`);
    return 2;
  }
  if (error instanceof InputError || error instanceof SplitError || error instanceof DeviceUnavailableError) {
    io.stderr(`error: ${error.message}\n`);
    return 1;
  }
  throw error;
}

/** An input the command needs is not on this machine (exit code 2, one line saying where to get it). */
export class MissingDataError extends Error {
  override name = 'MissingDataError';
}

/**
 * The PPipe artifact's data for a command: `--profiles DIR`, else PPIPE_ARTIFACT_DATA, else the documented
 * default beside the repository; a MissingDataError when that folder has no block timings.
 */
export function artifactProfiles(explicit: string | undefined): string {
  const dir = artifactDataDir({ explicit, fromEnvironment: artifactDataFromEnvironment(), repoRoot: REPO_ROOT });
  if (!hasArtifactData(dir)) throw new MissingDataError(missingArtifactDataMessage(dir));
  return dir;
}

/** The text of a failure for a one-line report. */
export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** A whole number option value, e.g. `--partitions 3`. */
export function parseCount(option: string, value: string, min: number): number {
  if (!/^\d+$/.test(value) || Number(value) < min)
    throw new UsageError(`${option} expects a whole number ≥ ${min}, got "${value}"`);
  return Number(value);
}
