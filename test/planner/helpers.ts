// Shared test fixtures: where the artifact's data lives, and one profile library for every test file.
import path from 'node:path';
import { ProfileLibrary } from '../../src/planner/index.ts';

export const REPO_ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');
export const SHARED_PROFILES = path.resolve(REPO_ROOT, '..', 'shared', 'ppipe-data');

let library: ProfileLibrary | undefined;
export function sharedLibrary(): ProfileLibrary {
  library ??= new ProfileLibrary([SHARED_PROFILES]);
  return library;
}
