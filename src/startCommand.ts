/**
 * `ppipe start` (what `npm start` runs): the appliance's main job. It plans the cluster of the
 * configuration's planner section and prints the plan (the control plane's view), then runs the appliance:
 * cameras, detection, the SQLite log, the HTTP API and live feed (`ppipe serve`).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { runServeCommand } from './appliance.ts';
import { ConfigError, loadAppConfig } from './config/index.ts';
import type { CommandIo } from './planner/index.ts';
import { HighsSolver, parseProblem, planFromOutcome, planProblem, renderPlanTable, resolveProblem } from './planner/index.ts';

export const START_USAGE = `Usage: ppipe start [--config FILE] [--plan-only]

Starts the appliance on a configuration (default: config/default.yaml of this repository): plans the
configured cluster and DNNs (planner section) and prints the plan, then serves cameras, detections, the
SQLite log, the HTTP API and the live feed until interrupted. PORT and DATA_DIR override the config.

Options:
  --config FILE   the YAML configuration
  --plan-only     print the plan and exit`;

export const DEFAULT_CONFIG = path.join(path.dirname(new URL(import.meta.url).pathname), '..', 'config', 'default.yaml');

function message(error: unknown): string {
  return error instanceof ConfigError || error instanceof Error ? error.message : String(error);
}

/** Plans the configured cluster and prints the table; returns false when it could not. */
async function printPlan(file: string, io: CommandIo): Promise<boolean> {
  const started = performance.now();
  const solver = new HighsSolver();
  try {
    const config = loadAppConfig(file);
    if (!config.planner) {
      io.stderr(`${file}: no planner section; skipping the plan\n`);
      return false;
    }
    const base = path.dirname(path.resolve(file));
    const folders = [config.planner.problem.profiles].flat().map((folder) => path.resolve(base, folder));
    const missing = folders.filter((folder) => !existsSync(folder));
    if (missing.length > 0) {
      io.stderr(`planner: profiles not found (${missing.join(', ')}); skipping the plan\n`);
      return false;
    }
    solver.start();
    const problem = resolveProblem(parseProblem(file, config.planner.problem), base, undefined, file);
    io.stderr(`planning ${problem.dnns.map((d) => d.name).join(', ')} on ${problem.gpus.map((g) => `${g.count} ${g.type}`).join(' + ')} (${file})\n`);
    const outcome = await planProblem(problem, solver, { deadlineMs: started + config.planner.timeLimitS * 1000, onProgress: (m) => io.stderr(`${m}\n`) });
    io.stdout(`${renderPlanTable(planFromOutcome(problem, outcome), (performance.now() - started) / 1000)}\n`);
    return true;
  } catch (error) {
    io.stderr(`ppipe start: planning failed: ${message(error)}\n`);
    return false;
  } finally {
    await solver.stop();
  }
}

export async function runStartCommand(argv: string[], io: CommandIo): Promise<number> {
  let values: { config?: string; help?: boolean; 'plan-only'?: boolean };
  try {
    ({ values } = parseArgs({ args: argv, options: { config: { type: 'string' }, 'plan-only': { type: 'boolean', default: false }, help: { type: 'boolean', default: false } } }));
  } catch (error) {
    io.stderr(`ppipe start: ${message(error)}\n${START_USAGE}\n`);
    return 2;
  }
  if (values.help) {
    io.stdout(`${START_USAGE}\n`);
    return 0;
  }
  const file = values.config ?? DEFAULT_CONFIG;
  const planned = await printPlan(file, io);
  if (values['plan-only']) return planned ? 0 : 1;
  return runServeCommand(['--config', file], io);
}
