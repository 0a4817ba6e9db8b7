/**
 * `ppipe serve`: runs the appliance (src/appliance.ts assembles it) on a configuration until SIGINT or
 * SIGTERM, then stops it. `ppipe start` ends here too, with the configuration it has already loaded.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { Appliance } from '../appliance.ts';
import type { AppConfig } from '../config/index.ts';
import type { CommandIo } from './io.ts';
import { errorText } from './io.ts';

export const SERVE_USAGE = `Usage: ppipe serve [--config FILE]

Runs the appliance: cameras → detector → SQLite log, with the HTTP API, live feed and metrics. With the
config's cluster section, detection runs on the distributed runtime (embedded broker and local workers by
default); without it, in this process.
Default config: config/default.yaml of this repository (a demo camera looping media/demo/astronaut.png).
Environment: PORT overrides server.port, DATA_DIR overrides store.dataDir.`;

export const REPO_DIR = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');
export const DEFAULT_CONFIG = path.join(REPO_DIR, 'config', 'default.yaml');

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
  return serveAppliance(values.config ?? DEFAULT_CONFIG, io);
}

/**
 * Starts the appliance on `configFile` (or on `config`, already loaded from it), prints where it listens and
 * runs it until SIGINT or SIGTERM. Exit codes: 0 stopped, 1 it could not start, 2 a bad PORT.
 */
export async function serveAppliance(configFile: string, io: CommandIo, config?: AppConfig): Promise<number> {
  const port = process.env.PORT === undefined ? undefined : Number(process.env.PORT);
  if (port !== undefined && !(Number.isInteger(port) && port >= 0 && port <= 65535)) {
    io.stderr(`ppipe serve: PORT: expected a TCP port number, got ${JSON.stringify(process.env.PORT)}\n`);
    return 2;
  }
  const appliance = new Appliance({
    configFile,
    ...(config ? { config } : {}),
    ...(port !== undefined ? { port } : {}),
    ...(process.env.DATA_DIR ? { dataDir: path.resolve(process.env.DATA_DIR) } : {}),
    logger: pino({ name: 'ppipe' }, pino.destination(2)),
  });
  try {
    await appliance.start();
  } catch (error) {
    io.stderr(`ppipe serve: ${errorText(error)}\n`);
    return 1;
  }
  io.stdout(`listening on http://127.0.0.1:${appliance.port}\n`);
  await new Promise<void>((resolve) => {
    const stop = (): void => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await appliance.stop();
  return 0;
}
