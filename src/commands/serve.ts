/**
 * `ppipe serve`: runs the appliance (src/appliance.ts assembles it) on a configuration until SIGINT or
 * SIGTERM, then stops it. `ppipe start` ends here too, with the configuration it has already loaded.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { Appliance } from '../appliance.ts';
import type { AppConfig, ConfigFiles } from '../config/index.ts';
import { REPO_ROOT, locateConfig } from '../config/index.ts';
import type { CommandIo } from './io.ts';
import { errorText } from './io.ts';

export const SERVE_USAGE = `Usage: ppipe serve [--config FILE]

Runs the appliance: cameras → detector → SQLite log, with the HTTP API, live feed and metrics. With the
config's cluster section, detection runs on the distributed runtime (embedded broker and local workers by
default); without it, in this process.
Settings: --config FILE is read and edited in place; without it DATA_DIR/config.yaml, else the shipped defaults
(config/default.yaml: a demo camera looping media/demo/astronaut.png), copied to DATA_DIR on the first change.
Environment: PORT overrides server.port, DATA_DIR (default: data/ in this repository) the data folder.`;

export const DEFAULT_CONFIG = path.join(REPO_ROOT, 'config', 'default.yaml');
/** The data folder of a start without DATA_DIR or --config: settings, detection log, snapshots, profiles. */
export const DEFAULT_DATA_DIR = path.join(REPO_ROOT, 'data');

export async function runServeCommand(argv: string[], io: CommandIo): Promise<number> {
  let values: { config?: string; help?: boolean };
  try {
    const options = { config: { type: 'string' }, help: { type: 'boolean', default: false } } as const;
    ({ values } = parseArgs({ args: argv, options }));
  } catch (error) {
    io.stderr(`ppipe serve: ${(error as Error).message}\n${SERVE_USAGE}\n`);
    return 2;
  }
  if (values.help) {
    io.stdout(`${SERVE_USAGE}\n`);
    return 0;
  }
  const { files, dataDir } = locateSettings(values.config);
  return serveAppliance(files, io, dataDir ? { dataDir } : {});
}

/**
 * Which config files the appliance reads and edits, and its data folder: DATA_DIR, else (with --config FILE)
 * the file's store.dataDir, which the appliance resolves (undefined here), else data/ in this repository. Without
 * --config the data folder never comes from the settings file, which may be the copy inside it.
 */
export function locateSettings(explicit: string | undefined): { files: ConfigFiles; dataDir: string | undefined } {
  const dataDir = process.env.DATA_DIR ? path.resolve(process.env.DATA_DIR) : explicit ? undefined : DEFAULT_DATA_DIR;
  const files = locateConfig({ explicit, dataDir: dataDir ?? DEFAULT_DATA_DIR, defaults: DEFAULT_CONFIG });
  return { files, dataDir };
}

export interface ServeOptions {
  /** The configuration, already loaded from files.read (`ppipe start` reads it once); else it is loaded. */
  readonly config?: AppConfig;
  /** The data folder; default: the config's store.dataDir, relative to the config file. */
  readonly dataDir?: string;
  /** Once everything runs. */
  readonly onStarted?: (appliance: Appliance) => void | Promise<void>;
  /** Progress of long start-up steps (profiling this machine on a first start). */
  readonly onProgress?: (text: string) => void;
}

/**
 * Starts the appliance on the config files, prints `listening on …` as soon as the server listens, and runs it
 * until SIGINT or SIGTERM. Exit codes: 0 stopped, 1 it could not start, 2 a bad PORT.
 */
export async function serveAppliance(files: ConfigFiles, io: CommandIo, options: ServeOptions = {}): Promise<number> {
  const port = process.env.PORT === undefined ? undefined : Number(process.env.PORT);
  if (port !== undefined && !(Number.isInteger(port) && port >= 0 && port <= 65535)) {
    io.stderr(`ppipe serve: PORT: expected a TCP port number, got ${JSON.stringify(process.env.PORT)}\n`);
    return 2;
  }
  const appliance = new Appliance({
    configFile: files.read,
    editConfigFile: files.edit,
    ...(options.config ? { config: options.config } : {}),
    ...(port !== undefined ? { port } : {}),
    ...(options.dataDir ? { dataDir: options.dataDir } : {}),
    logger: pino({ name: 'ppipe' }, pino.destination(2)),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    onListening: (listeningPort) => {
      io.stdout(`listening on http://127.0.0.1:${listeningPort}\n`);
      io.stderr(`settings: ${files.read}; data: ${appliance.dataDir ?? '?'}\n`);
    },
  });
  try {
    await appliance.start();
  } catch (error) {
    io.stderr(`ppipe serve: ${errorText(error)}\n`);
    return 1;
  }
  await options.onStarted?.(appliance);
  await new Promise<void>((resolve) => {
    const stop = (): void => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await appliance.stop();
  return 0;
}
