/**
 * `ppipe check`: validate a plan (ours or the artifact's) against a problem; exits 1 on any violation.
 */
import { parseArgs } from 'node:util';
import { readPlanData } from '../planner/index.ts';
import { loadProblem, readDocument } from '../planner/index.ts';
import { validatePlan } from '../planner/index.ts';
import type { CommandIo } from './io.ts';
import { MissingDataError, artifactProfiles, errorText } from './io.ts';

export const CHECK_USAGE = `Usage: ppipe check PLAN --problem PROBLEM [--profiles DIR]

Recomputes every latency, throughput and GPU count of PLAN (ours or the artifact's format) from the
problem's profiles, GPU counts and SLOs, and checks the plan invariants. Exits 1 on any violation.
--profiles DIR replaces the problem's profile folders (as in ppipe plan).`;

export function runCheckCommand(argv: string[], io: CommandIo): number {
  let args;
  try {
    const options = {
      problem: { type: 'string' },
      profiles: { type: 'string' },
      help: { type: 'boolean', default: false },
    } as const;
    args = parseArgs({ args: argv, allowPositionals: true, options });
  } catch (error) {
    io.stderr(`ppipe check: ${errorText(error)}\n${CHECK_USAGE}\n`);
    return 2;
  }
  if (args.values.help) {
    io.stdout(`${CHECK_USAGE}\n`);
    return 0;
  }
  if (args.positionals.length !== 1 || !args.values.problem) {
    io.stderr(`ppipe check: expected PLAN and --problem PROBLEM\n${CHECK_USAGE}\n`);
    return 2;
  }
  try {
    const problem = loadProblem(args.values.problem, {
      profiles: args.values.profiles,
      defaultProfiles: () => artifactProfiles(undefined),
    });
    const file = args.positionals[0]!;
    const plan = readPlanData(file, readDocument(file), { problem });
    const errors = validatePlan(plan, problem);
    if (errors.length > 0) {
      io.stderr(`${file}: ${errors.length} violation(s)\n${errors.map((e) => `  - ${e}`).join('\n')}\n`);
      return 1;
    }
    io.stdout(
      `${file}: valid (${plan.dnns.length} DNNs, ${plan.dnns.reduce((n, d) => n + d.pipelines.length, 0)} ` +
        `pipelines, objective ${plan.objective.toFixed(2)})\n`,
    );
    return 0;
  } catch (error) {
    io.stderr(`ppipe check: ${errorText(error)}\n`);
    return error instanceof MissingDataError ? 2 : 1;
  }
}
