/**
 * The settings the command line takes from its environment, read once at start (src/cli.ts, the benchmarks)
 * and passed to the rooms; no room reads `process.env` on its own.
 *
 * - PPIPE_HIGHS_WORKERS: workers racing a slow MILP solve (1 turns the race off)
 * - PPIPE_HIGHS_IDLE_WORKERS: HiGHS workers kept idle for the next solver (0 ends them with their solver)
 * - PPIPE_ARTIFACT_DATA: the PPipe artifact's profiling data, where `--profiles` names none
 */
import { configureHighs } from '../planner/index.ts';

let artifactData: string | undefined;

/** PPIPE_ARTIFACT_DATA as read at start (undefined when unset). */
export function artifactDataFromEnvironment(): string | undefined {
  return artifactData;
}

/** Applies the environment's settings; returns one line per malformed variable (nothing is applied then). */
export function applyEnvironment(env: NodeJS.ProcessEnv): string[] {
  const problems: string[] = [];
  artifactData = env.PPIPE_ARTIFACT_DATA || undefined;
  const count = (name: string): number | undefined => {
    const value = env[name];
    if (value === undefined || value === '') return undefined;
    if (/^\d+$/.test(value.trim())) return Number(value);
    problems.push(`${name}: expected a whole number, got ${JSON.stringify(value)}`);
    return undefined;
  };
  const workers = count('PPIPE_HIGHS_WORKERS');
  const idleWorkers = count('PPIPE_HIGHS_IDLE_WORKERS');
  if (problems.length === 0) configureHighs({ workers, idleWorkers });
  return problems;
}
