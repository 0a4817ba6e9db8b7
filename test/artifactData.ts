// Where tests find the PPipe artifact's data: a few of its measurement files as fixtures in this repository
// (enough for one or a few models), and the whole data set only when it is present (PPIPE_ARTIFACT_DATA, or the
// documented default beside the checkout); tests of the whole set skip, saying why, where it is absent.
import path from 'node:path';
import { artifactDataDir, hasArtifactData } from '../src/planner/index.ts';
import { FIXTURES, REPO_ROOT } from './helpers.ts';

/** The artifact's measurement files of five models (test/fixtures/ppipe-artifact/README.md). */
export const FIXTURE_PROFILES = path.join(FIXTURES, 'ppipe-artifact');

/** The whole artifact data set (18 models), when present. */
export const ARTIFACT_DATA = artifactDataDir({ fromEnvironment: process.env.PPIPE_ARTIFACT_DATA, repoRoot: REPO_ROOT });

/** `{ skip }` for a test of the whole data set: false where it is present, else the reason it is skipped. */
export const NEEDS_ARTIFACT_DATA: { skip: string | false } = {
  skip: hasArtifactData(ARTIFACT_DATA)
    ? false
    : `needs the PPipe artifact's whole data set, not found at ${ARTIFACT_DATA} (set PPIPE_ARTIFACT_DATA)`,
};
