// Shared test fixtures: where the artifact's data lives, and one profile library for every test file.
import { SHARED_PROFILES } from '../../src/config/index.ts';
import { ProfileLibrary } from '../../src/planner/index.ts';

export { REPO_ROOT, SHARED_PROFILES } from '../../src/config/index.ts';

let library: ProfileLibrary | undefined;
export function sharedLibrary(): ProfileLibrary {
  library ??= new ProfileLibrary([SHARED_PROFILES]);
  return library;
}
