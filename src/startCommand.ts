/**
 * `ppipe start`: the appliance's main job. Until the serving runtime exists, it plans the cluster of the
 * configuration (config/default.yaml by default) on its profiles and prints the plan as a table.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError, loadAppConfig } from './config/index.ts';
import type { CommandIo } from './planner/index.ts';
import { HighsSolver, parseProblem, planFromOutcome, planProblem, renderPlanTable, resolveProblem } from './planner/index.ts';

export const START_USAGE = `Usage: ppipe start [--config FILE]

Starts the appliance on a configuration (default: config/default.yaml of this repository). For now it
plans the configured cluster and DNNs and prints the plan.`;

export const DEFAULT_CONFIG = path.join(path.dirname(new URL(import.meta.url).pathname), '..', 'config', 'default.yaml');

export async function runStartCommand(argv: string[], io: CommandIo): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { config: { type: 'string' }, help: { type: 'boolean', default: false } } });
  if (values.help) {
    io.stdout(`${START_USAGE}\n`);
    return 0;
  }
  const file = values.config ?? DEFAULT_CONFIG;
  const started = performance.now();
  const solver = new HighsSolver();
  try {
    const config = loadAppConfig(file);
    if (!config.planner) throw new Error(`${file}: planner: the section is missing; \`ppipe start\` needs a planning problem`);
    solver.start();
    const problem = resolveProblem(parseProblem(file, config.planner.problem), path.dirname(path.resolve(file)));
    io.stderr(`planning ${problem.dnns.map((d) => d.name).join(', ')} on ${problem.gpus.map((g) => `${g.count} ${g.type}`).join(' + ')} (${file})\n`);
    const outcome = await planProblem(problem, solver, { deadlineMs: started + config.planner.timeLimitS * 1000, onProgress: (m) => io.stderr(`${m}\n`) });
    io.stdout(`${renderPlanTable(planFromOutcome(problem, outcome), (performance.now() - started) / 1000)}\n`);
    return 0;
  } catch (error) {
    io.stderr(`ppipe start: ${error instanceof ConfigError || error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  } finally {
    await solver.stop();
  }
}
