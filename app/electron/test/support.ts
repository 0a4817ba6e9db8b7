import path from 'node:path';
import type { ApplianceLaunch } from '../src/applianceProcess.js';

/** app/electron, from its compiled tests in dist/test. */
export const PACKAGE_DIR = path.resolve(import.meta.dirname, '..', '..');
/** The repository around app/electron: the appliance. */
export const REPO_ROOT = path.resolve(PACKAGE_DIR, '..', '..');

/** The fake appliance in one of its modes, on the Node.js running the tests. */
export function fakeLaunch(mode: string): ApplianceLaunch {
  return {
    command: process.execPath,
    args: [path.join(PACKAGE_DIR, 'test', 'fixtures', 'fakeAppliance.mjs')],
    cwd: PACKAGE_DIR,
    env: { ...process.env, FAKE_MODE: mode },
  };
}

/** Whether a process with this id still exists. */
export function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw error;
  }
}
