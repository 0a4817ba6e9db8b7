// Shared test fixtures: where the artifact's data lives, and one profile library per folder for every test file.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ProfileLibrary } from '../../src/planner/index.ts';
import { ARTIFACT_DATA, FIXTURE_PROFILES, NEEDS_ARTIFACT_DATA } from '../artifactData.ts';

export { REPO_ROOT } from '../helpers.ts';

const FIXTURE_MODELS = new Set(readFileSync(path.join(FIXTURE_PROFILES, 'model_list.txt'), 'utf8').split('\n'));

/** The fixtures when they hold every model named, else the whole artifact data set (tests skip without it). */
export function profilesFor(models: ReadonlyArray<string>): string {
  return models.every((model) => FIXTURE_MODELS.has(model)) ? FIXTURE_PROFILES : ARTIFACT_DATA;
}

const libraries = new Map<string, ProfileLibrary>();
/** One library per folder, shared by the test files of a process. */
export function libraryOf(folder: string): ProfileLibrary {
  let library = libraries.get(folder);
  if (!library) libraries.set(folder, (library = new ProfileLibrary([folder])));
  return library;
}

/** `{ skip }` for a test of these models: it runs on the fixtures, or on the whole data set where present. */
export function needsProfilesOf(models: ReadonlyArray<string>): { skip: string | false } {
  return profilesFor(models) === FIXTURE_PROFILES ? { skip: false } : NEEDS_ARTIFACT_DATA;
}
