/**
 * The one way to find the repository's root folder (bin/, config/, node_modules/, test/): two levels above
 * this file, src/config/.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
