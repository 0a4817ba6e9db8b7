// Planner benchmark: the 6 groups × 4 clusters of reference §H with weights [0.30, 0.33, 0.37], planned
// with PPipe and NP through the same code path as `ppipe plan --json` (profiles loaded per case, NP
// pre-solve included). Prints one JSON line per case, then a summary line. The cases run in one process,
// so after the first one they start on the process's idle HiGHS workers, as the controller's re-plans do;
// PPIPE_HIGHS_IDLE_WORKERS=0 measures every case as a one-shot `ppipe plan` would (fresh workers).
// Options: --profiles DIR (the artifact's data; else PPIPE_ARTIFACT_DATA)  --algorithms ppipe,np[,dart-r]  --time-limit
// S (per case, default 60)  --groups G1,G2
// --ablation: instead, the 18 single-DNN L4-T4 cases with 3 partitions and a 10% margin (reference §D.4,
// §H), PPipe only, reporting status and gap per case.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import {
  PAPER_CLUSTERS,
  PAPER_GROUPS,
  PAPER_WEIGHTS,
  artifactDataDir,
  hasArtifactData,
  missingArtifactDataMessage,
  paperProblem,
} from '../src/planner/index.ts';
import { applyEnvironment } from '../src/commands/index.ts';
import { REPO_ROOT } from '../src/config/index.ts';
import { runPlanCommand } from '../src/commands/plan.ts';

// PPIPE_HIGHS_WORKERS / PPIPE_HIGHS_IDLE_WORKERS, read once here as `ppipe` does.
const environmentProblems = applyEnvironment(process.env);
if (environmentProblems.length > 0) throw new Error(environmentProblems.join('; '));

const { values } = parseArgs({
  options: {
    algorithms: { type: 'string', default: 'ppipe,np' },
    'time-limit': { type: 'string', default: '60' },
    groups: { type: 'string' },
    ablation: { type: 'boolean', default: false },
    profiles: { type: 'string' },
  },
});
const algorithms = values.algorithms.split(',');
const groups = PAPER_GROUPS.filter((g) => !values.groups || values.groups.split(',').includes(g.id));
const profiles = artifactDataDir({
  explicit: values.profiles,
  fromEnvironment: process.env.PPIPE_ARTIFACT_DATA,
  repoRoot: REPO_ROOT,
});
if (!hasArtifactData(profiles)) {
  process.stderr.write(`bench/planner: ${missingArtifactDataMessage(profiles)}\n`);
  process.exit(2);
}
const dir = mkdtempSync(path.join(tmpdir(), 'ppipe-bench-'));

async function planJson(
  file: string,
  args: string[],
): Promise<{ objective: number; status: string; seconds: number; plan: { mipGap: number | null } }> {
  let stdout = '';
  const code = await runPlanCommand([file, ...args, '--time-limit', values['time-limit'], '--json'], {
    stdout: (text) => (stdout += text),
    stderr: () => undefined,
  });
  if (code !== 0) throw new Error(`${file}: plan failed with code ${code}`);
  return JSON.parse(stdout) as { objective: number; status: string; seconds: number; plan: { mipGap: number | null } };
}

if (values.ablation) {
  const models = readFileSync(path.join(profiles, 'model_list.txt'), 'utf8').split('\n').filter(Boolean);
  const cluster = PAPER_CLUSTERS.find((c) => c.name === 'L4-T4')!;
  const cases = [];
  for (const model of models) {
    const file = path.join(dir, `${model}.json`);
    writeFileSync(
      file,
      JSON.stringify(paperProblem(profiles, cluster, [model], { marginFraction: 0.1, maxPartitions: 3 })),
    );
    const out = await planJson(file, ['--algorithm', 'ppipe']);
    const result = {
      model,
      cluster: cluster.name,
      maxPartitions: 3,
      objective: out.objective,
      seconds: out.seconds,
      status: out.status,
      mipGap: out.plan.mipGap,
    };
    cases.push(result);
    console.log(JSON.stringify(result));
  }
  const proved = cases.filter((c) => c.status === 'optimal' && (c.mipGap ?? 1) <= 1e-4).length;
  console.log(
    JSON.stringify({
      summary: true,
      ablation: true,
      cases: cases.length,
      provedOptimal: proved,
      maxSecondsProved: Math.max(...cases.filter((c) => c.status === 'optimal').map((c) => c.seconds)),
      gapsOfOthers: cases.filter((c) => c.status !== 'optimal').map((c) => ({ model: c.model, mipGap: c.mipGap })),
    }),
  );
  rmSync(dir, { recursive: true, force: true });
  process.exit(0);
}

interface CaseResult {
  group: string;
  cluster: string;
  algorithm: string;
  objective: number;
  seconds: number;
  status: string;
}
const results: CaseResult[] = [];
for (const group of groups) {
  for (const cluster of PAPER_CLUSTERS) {
    const file = path.join(dir, `${group.id}-${cluster.name}.json`);
    writeFileSync(file, JSON.stringify(paperProblem(profiles, cluster, group.dnns, { weights: PAPER_WEIGHTS })));
    for (const algorithm of algorithms) {
      const out = await planJson(file, ['--algorithm', algorithm]);
      const result = {
        group: group.id,
        cluster: cluster.name,
        algorithm,
        objective: out.objective,
        seconds: out.seconds,
        status: out.status,
      };
      results.push(result);
      console.log(JSON.stringify(result));
    }
  }
}
rmSync(dir, { recursive: true, force: true });

const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
const summary: Record<string, unknown> = { summary: true };
for (const algorithm of algorithms) {
  const seconds = results.filter((r) => r.algorithm === algorithm).map((r) => r.seconds);
  summary[algorithm] = {
    meanSeconds: mean(seconds),
    maxSeconds: Math.max(...seconds),
    optimal: results.filter((r) => r.algorithm === algorithm && r.status === 'optimal').length,
    cases: seconds.length,
  };
}
if (algorithms.includes('ppipe')) {
  for (const other of algorithms.filter((a) => a !== 'ppipe')) {
    summary[`meanZ_ppipe_over_${other}`] = Object.fromEntries(
      PAPER_CLUSTERS.map((cluster) => {
        const ratios = groups.map((g) => {
          const find = (a: string): number =>
            results.find((r) => r.group === g.id && r.cluster === cluster.name && r.algorithm === a)!.objective;
          return find('ppipe') / find(other);
        });
        return [cluster.name, Number(mean(ratios).toFixed(4))];
      }),
    );
  }
}
console.log(JSON.stringify(summary));
