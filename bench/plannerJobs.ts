// Planner-job benchmark (prints one JSON object per case): the Planner page's job on examples/g2-l4-t4.yaml
// (PPipe, NP and DART-r, with the short sweep) through POST /api/planner/jobs on loopback, polled as the page
// polls it. It reports the job's wall time (the first case pays the worker thread's start) and how long the
// HTTP server takes to answer a poll while the job runs: the job's CPU work is off the server's thread, so
// a poll should stay in milliseconds. Run: node --import tsx bench/plannerJobs.ts (needs the artifact data:
// PPIPE_ARTIFACT_DATA, else its documented default, src/planner/artifactData.ts).
import path from 'node:path';
import { pino } from 'pino';
import { REPO_ROOT, SecretRedactor, percentileOfSorted } from '../src/config/index.ts';
import { artifactDataDir, hasArtifactData, missingArtifactDataMessage } from '../src/planner/index.ts';
import { ApiServer, PlannerJobs } from '../src/server/index.ts';
import type { ApiServerDeps, PlannerJob } from '../src/server/index.ts';

const profiles = artifactDataDir({ fromEnvironment: process.env['PPIPE_ARTIFACT_DATA'], repoRoot: REPO_ROOT });
if (!hasArtifactData(profiles)) throw new Error(missingArtifactDataMessage(profiles));
const planner = new PlannerJobs({
  examplesDir: path.join(REPO_ROOT, 'examples'),
  defaultProfilesDir: profiles,
  clusterProblem: () => ({ unavailable: 'not benchmarked' }),
});
const deps = { host: '127.0.0.1', port: 0, log: pino({ level: 'silent' }), redactor: new SecretRedactor(), planner };
const server = new ApiServer(deps as unknown as ApiServerDeps); // the planner routes need nothing else
await server.start();
const base = `http://127.0.0.1:${server.port}/api/planner/jobs`;
try {
  for (const run of ['first (worker thread starts cold)', 'second']) {
    const started = performance.now();
    const response = await fetch(base, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ problem: 'g2-l4-t4', sweep: true }),
    });
    let job = (await response.json()) as PlannerJob;
    const pollMs: number[] = [];
    while (job.state === 'queued' || job.state === 'running') {
      await new Promise((resolve) => setTimeout(resolve, 50));
      const asked = performance.now();
      job = (await (await fetch(`${base}/${job.id}`)).json()) as PlannerJob;
      pollMs.push(performance.now() - asked);
      process.stderr.write(`${run}: ${Math.round(job.progress * 100)}% ${job.step}\n`);
    }
    if (job.state === 'failed') throw new Error(`job failed: ${job.error}`);
    pollMs.sort((a, b) => a - b);
    const round = (x: number): number => Math.round(x * 10) / 10;
    console.log(
      JSON.stringify({
        case: `planner job g2-l4-t4, ppipe+np+dart-r with sweep, ${run}`,
        jobS: round((performance.now() - started) / 1000),
        objectives: Object.fromEntries(job.plans.map((p) => [p.algorithm, round(p.objective)])),
        charts: job.charts.length,
        polls: pollMs.length,
        pollMsP50: round(percentileOfSorted(pollMs, 0.5, 'floor') ?? 0),
        pollMsMax: round(pollMs.at(-1) ?? 0),
      }),
    );
  }
} finally {
  await server.stop();
  await planner.stop();
}
