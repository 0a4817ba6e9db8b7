/**
 * `ppipe start` (what `npm start` runs): the appliance's main job, about this box. It listens first, then
 * brings up detection (with a cluster section: embedded broker, local workers, this machine's profile measured
 * on the first start, and the plan for the workers that are up) and prints what it serves: where the UI is,
 * the cameras and models, the workers it found and the plan it made for them.
 */
import { parseArgs } from 'node:util';
import type { StartupReport } from '../appliance.ts';
import type { AppConfig } from '../config/index.ts';
import { loadAppConfig } from '../config/index.ts';
import { renderPlanTable } from '../planner/index.ts';
import type { CommandIo } from './io.ts';
import { errorText } from './io.ts';
import { locateSettings, serveAppliance } from './serve.ts';

export const START_USAGE = `Usage: ppipe start [--config FILE]

Starts the appliance: listens on http://127.0.0.1:8080 (the UI and the HTTP API), starts the cameras, then
detection, and prints the cameras, models, workers and the plan they serve; runs until interrupted.

Settings: --config FILE is read and edited in place. Without it the appliance reads DATA_DIR/config.yaml when
it exists, else the shipped defaults (config/default.yaml, never written); the first change through the API
copies the defaults to DATA_DIR/config.yaml. DATA_DIR (default: data/ in this repository) holds the settings,
the detection log, snapshots and this machine's profiles; PORT overrides the port.

Options:
  --config FILE   the YAML configuration`;

/** How long the start-up report waits for the cluster's first plan. */
const PLAN_WAIT_MS = 30_000;

export async function runStartCommand(argv: string[], io: CommandIo): Promise<number> {
  let values: { config?: string; help?: boolean };
  try {
    const options = { config: { type: 'string' }, help: { type: 'boolean', default: false } } as const;
    ({ values } = parseArgs({ args: argv, options }));
  } catch (error) {
    io.stderr(`ppipe start: ${errorText(error)}\n${START_USAGE}\n`);
    return 2;
  }
  if (values.help) {
    io.stdout(`${START_USAGE}\n`);
    return 0;
  }
  // Read once: the appliance works from this one configuration.
  const { files, dataDir } = locateSettings(values.config);
  let config: AppConfig;
  try {
    config = loadAppConfig(files.read);
  } catch (error) {
    io.stderr(`ppipe start: ${errorText(error)}\n`);
    return 1;
  }
  return serveAppliance(files, io, {
    config,
    ...(dataDir ? { dataDir } : {}),
    onProgress: (text) => io.stderr(text),
    onStarted: async (appliance) => {
      // The first plan follows the local worker's start (and, on a first start, this machine's profile).
      await appliance.whenPlanned(PLAN_WAIT_MS);
      io.stdout(describeStart(appliance.startupReport()));
    },
  });
}

/** What a person wants to know once the appliance runs: what it watches, with what, where and how. */
export function describeStart(report: StartupReport): string {
  const lines: string[] = [];
  lines.push(`cameras (${report.cameras.length}):`);
  for (const camera of report.cameras) {
    const state = camera.enabled ? `${camera.fps} fps` : 'disabled';
    lines.push(`  ${camera.id}  ${camera.url}  ${state}, model ${camera.model}`);
  }
  lines.push(`models (${report.models.length}):`);
  for (const model of report.models) lines.push(`  ${model.id}  ${model.kind}, SLO ${model.sloMs} ms`);
  if (report.workers === undefined) {
    lines.push('detection: in this process (the config has no cluster section)');
  } else {
    lines.push(`workers (${report.workers.length}):`);
    for (const worker of report.workers) {
      lines.push(
        `  ${worker.id}  ${worker.deviceClass ?? 'unknown class'}, site ${worker.site ?? '-'}, ${worker.state}`,
      );
    }
    lines.push(report.plan ? renderPlanTable(report.plan) : 'plan: none yet (no worker of a profiled class is up)');
  }
  return `${lines.join('\n')}\n`;
}
