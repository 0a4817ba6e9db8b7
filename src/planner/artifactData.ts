/**
 * Where the PPipe artifact's profiling data is found. That data (18 CNNs measured on V100, L4, T4 and P4) is
 * an input for reproducing the paper and for benchmarks, never part of this repository: commands take
 * `--profiles DIR`, else the environment's PPIPE_ARTIFACT_DATA, else the documented default below.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';

/** The default, relative to the repository root: the team's machines keep the artifact's data beside it. */
export const DEFAULT_ARTIFACT_DATA = '../shared/ppipe-data';

/** Where to get the data, for messages that say it is missing. */
export const ARTIFACT_DATA_SOURCE =
  "the data/ folder of the PPipe artifact's public repository (JonnyKong/PPipe, commit 03cd8df)";

export interface ArtifactDataOptions {
  /** `--profiles DIR` as given on the command line, relative to the working directory. */
  readonly explicit?: string | undefined;
  /** PPIPE_ARTIFACT_DATA as read from the environment at start. */
  readonly fromEnvironment?: string | undefined;
  readonly repoRoot: string;
}

/** The folder to read: the explicit one, else the environment's, else the default beside the repository. */
export function artifactDataDir(options: ArtifactDataOptions): string {
  if (options.explicit) return path.resolve(options.explicit);
  if (options.fromEnvironment) return path.resolve(options.fromEnvironment);
  return path.resolve(options.repoRoot, DEFAULT_ARTIFACT_DATA);
}

/** Whether `dir` holds the artifact's block timings (the part every plan needs). */
export function hasArtifactData(dir: string): boolean {
  return existsSync(path.join(dir, 'models', 'block-timing-tf32'));
}

/** One line for a user whose command needs the artifact's data and did not find it. */
export function missingArtifactDataMessage(dir: string): string {
  return (
    `the PPipe artifact's profiling data is not at ${dir}: get ${ARTIFACT_DATA_SOURCE} and pass ` +
    '--profiles DIR or set PPIPE_ARTIFACT_DATA'
  );
}
