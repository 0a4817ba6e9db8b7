/**
 * `ppipe start` (what `npm start` runs): the appliance's main job. It plans the cluster of the
 * configuration's planner section and prints the plan (the control plane's view), profiles the default
 * model on this machine on the first start (cached in the data folder) and plans it there, then runs the
 * appliance: cameras, detection (through the cluster: embedded broker, local workers — when the config has a
 * cluster section), the SQLite log, the HTTP API and live feed (`ppipe serve`).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { runServeCommand } from '../appliance.ts';
import { ConfigError, REPO_ROOT, loadAppConfig } from '../config/index.ts';
import { cpuDeviceClass, ensureLocalProfile, localWorkerThreads } from '../cluster/index.ts';
import type { CommandIo } from './io.ts';
import { HighsSolver, parseProblem, planFromOutcome, planProblem, renderPlanTable, resolveProblem } from '../planner/index.ts';

export const START_USAGE = `Usage: ppipe start [--config FILE] [--plan-only]

Starts the appliance on a configuration (default: config/default.yaml of this repository): plans the
configured cluster and DNNs (planner section) and prints the plan, then serves cameras, detections (on the
distributed runtime with local workers when the config has a cluster section), the SQLite log, the HTTP API
and the live feed until interrupted. PORT and DATA_DIR override the config.

Options:
  --config FILE   the YAML configuration
  --plan-only     print the plan and exit`;

export const DEFAULT_CONFIG = path.join(REPO_ROOT, 'config', 'default.yaml');

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

/**
 * On the first start, profiles the first configured model on this machine's CPU into DATA_DIR/profiles
 * (cached there; the device class is the one the local cluster workers announce), then plans that model on
 * the local device, so the control plane has a profile of the box it runs on. Returns false when it could
 * not; serving goes on without it (a cluster section then profiles again when the appliance starts).
 */
async function profileLocalDevice(file: string, io: CommandIo): Promise<boolean> {
  try {
    const config = loadAppConfig(file);
    const base = path.dirname(path.resolve(file));
    const model = config.models[0];
    if (!model) return false;
    const profiles = path.join(process.env.DATA_DIR ? path.resolve(process.env.DATA_DIR) : path.resolve(base, config.store.dataDir), 'profiles');
    const threads = localWorkerThreads(config.cluster?.workerThreads);
    const deviceClass = cpuDeviceClass(threads);
    const modelFile = path.resolve(base, model.path);
    const profile = await ensureLocalProfile({
      modelFile,
      profilesDir: profiles,
      threads,
      deviceClass,
      stderr: io.stderr,
    });
    if (profile.measured) io.stderr(`first start: profiled ${model.id} on ${deviceClass} (cached in ${profiles})\n`);
    const solver = new HighsSolver({ portfolio: 1 });
    try {
      const problem = resolveProblem(parseProblem('local device', { profiles, bandwidthGbps: 1, gpus: [{ type: deviceClass, count: 1 }], dnns: [{ name: profile.model }] }), '/');
      const outcome = await planProblem(problem, solver, { deadlineMs: performance.now() + 10_000 });
      io.stdout(`${renderPlanTable(planFromOutcome(problem, outcome))}\n`);
    } finally {
      await solver.stop();
    }
    return true;
  } catch (error) {
    io.stderr(`ppipe start: local profile skipped: ${message(error)}\n`);
    return false;
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
  await profileLocalDevice(file, io);
  return runServeCommand(['--config', file], io);
}
