/**
 * The one way to find the repository's root folder (bin/, config/, node_modules/, test/): two levels above
 * this file, src/config/. Paths beside the checkout (the shared artifact data) hang off it too.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The artifact's profiles beside the checkout (`../shared/ppipe-data`): the default profiles folder. */
export const SHARED_PROFILES = path.resolve(REPO_ROOT, '..', 'shared', 'ppipe-data');
