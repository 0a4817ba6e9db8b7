/**
 * `ppipe plan`: plan a problem file, print or write the plan. Contract: with --json, stdout holds exactly one
 * JSON object {objective, status, seconds, plan}.
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { HighsSolver } from '../planner/index.ts';
import { planFromOutcome, toArtifactPlan } from '../planner/index.ts';
import { planProblem } from '../planner/index.ts';
import { renderPlanTable } from '../planner/index.ts';
import { ALGORITHMS, loadProblem } from '../planner/index.ts';
import type { Algorithm } from '../planner/index.ts';
import type { CommandIo } from './io.ts';
import { MissingDataError, artifactProfiles, errorText } from './io.ts';

export const PLAN_USAGE = `Usage: ppipe plan PROBLEM [options]

Plans a problem file (JSON or YAML): chooses partitions, GPU type, MPS share, instances and batch size of
every pool with an MILP solved by HiGHS.

Options:
  --algorithm A         ppipe | np | dart-r (default: the problem's, else ppipe)
  --max-partitions N    most partitions per pipeline (default: the problem's, else 2)
  --time-limit S        wall-clock limit in seconds for the whole planning run (default 60)
  --profiles DIR        profile folder, in place of the problem's (a problem that names none reads
                        PPIPE_ARTIFACT_DATA, else the PPipe artifact's data beside the repository)
  --out FILE            also write the plan to FILE
  --format F            ours | artifact: format of the written plan (default ours)
  --json                print one JSON object {objective, status, seconds, plan} instead of a table
  --no-spare-gpus       leave the GPUs the solver does not need idle (default: they become extra
                        instances of the pools that limit a pipeline, headroom above the planned throughput)
  --help                this text`;

export async function runPlanCommand(argv: string[], io: CommandIo): Promise<number> {
  const started = performance.now();
  let args;
  try {
    args = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        algorithm: { type: 'string' },
        'max-partitions': { type: 'string' },
        'time-limit': { type: 'string' },
        out: { type: 'string' },
        profiles: { type: 'string' },
        format: { type: 'string', default: 'ours' },
        json: { type: 'boolean', default: false },
        'no-spare-gpus': { type: 'boolean', default: false },
        help: { type: 'boolean', default: false },
      },
    });
  } catch (error) {
    io.stderr(`ppipe plan: ${errorText(error)}\n${PLAN_USAGE}\n`);
    return 2;
  }
  const { values, positionals } = args;
  if (values.help) {
    io.stdout(`${PLAN_USAGE}\n`);
    return 0;
  }
  if (positionals.length !== 1) {
    io.stderr(`ppipe plan: expected one PROBLEM file\n${PLAN_USAGE}\n`);
    return 2;
  }
  const algorithm = values.algorithm as Algorithm | undefined;
  if (algorithm !== undefined && !ALGORITHMS.includes(algorithm)) {
    io.stderr(`ppipe plan: --algorithm must be one of ${ALGORITHMS.join(', ')}, got "${algorithm}"\n`);
    return 2;
  }
  const maxPartitions = values['max-partitions'] === undefined ? undefined : Number(values['max-partitions']);
  if (maxPartitions !== undefined && !(Number.isInteger(maxPartitions) && maxPartitions >= 1 && maxPartitions <= 4)) {
    io.stderr(`ppipe plan: --max-partitions must be an integer from 1 to 4, got "${values['max-partitions']}"\n`);
    return 2;
  }
  const timeLimitS = values['time-limit'] === undefined ? 60 : Number(values['time-limit']);
  if (!(timeLimitS > 0)) {
    io.stderr(`ppipe plan: --time-limit must be a positive number of seconds, got "${values['time-limit']}"\n`);
    return 2;
  }
  if (values.format !== 'ours' && values.format !== 'artifact') {
    io.stderr(`ppipe plan: --format must be ours or artifact, got "${values.format}"\n`);
    return 2;
  }
  const solver = new HighsSolver();
  try {
    solver.start();
    const problem = loadProblem(positionals[0]!, {
      profiles: values.profiles,
      defaultProfiles: () => artifactProfiles(undefined),
    });
    io.stderr(
      `planning ${problem.dnns.map((d) => d.name).join(', ')} on ` +
        `${problem.gpus.map((g) => `${g.count} ${g.type}`).join(' + ')}\n`,
    );
    const outcome = await planProblem(problem, solver, {
      ...(algorithm ? { algorithm } : {}),
      ...(maxPartitions ? { maxPartitions } : {}),
      deadlineMs: started + timeLimitS * 1000,
      spareGpus: !values['no-spare-gpus'],
      onProgress: (message) => io.stderr(`${message}\n`),
    });
    if (outcome.spareInstances > 0)
      io.stderr(`spare GPUs: ${outcome.spareInstances} instances added as headroom above the planned throughput\n`);
    const plan = planFromOutcome(problem, outcome);
    const seconds = (performance.now() - started) / 1000;
    const document = values.format === 'artifact' ? toArtifactPlan(plan, seconds) : plan;
    if (values.out) writeFileSync(values.out, `${JSON.stringify(document, null, 1)}\n`);
    if (values.json)
      io.stdout(`${JSON.stringify({ objective: plan.objective, status: outcome.status, seconds, plan: document })}\n`);
    else io.stdout(`${renderPlanTable(plan, seconds)}\n`);
    return outcome.status === 'infeasible' ? 1 : 0;
  } catch (error) {
    io.stderr(`ppipe plan: ${errorText(error)}\n`);
    return error instanceof MissingDataError ? 2 : 1;
  } finally {
    await solver.stop();
  }
}
