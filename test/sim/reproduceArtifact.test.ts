// `reproduce --artifact-plans`: the artifact's own plans (one case, G2 on L4-T4, from test/fixtures) pass the
// plan validator and are swept beside ours on the same scale; a corrupted copy is named in the report as rejected.
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { ProfileLibrary } from '../../src/planner/index.ts';
import type { ReproduceOptions } from '../../src/sim/reproduce.ts';
import { readArtifactPlans, reproduce } from '../../src/sim/reproduce.ts';
import { FIXTURE_PROFILES } from '../artifactData.ts';

const PLANS = path.join(FIXTURE_PROFILES, 'plans', 'maf19');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'ppipe-reproduce-artifact-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

function options(outDir: string, artifactPlans: string, cv?: number): ReproduceOptions {
  return {
    profiles: FIXTURE_PROFILES,
    outDir,
    arrivals: cv === undefined ? { kind: 'poisson' } : { kind: 'gamma', cv },
    arrivalsLabel: cv === undefined ? 'poisson' : `gamma:${cv}`,
    durationS: 0.3,
    planTimeLimitS: 5,
    fig10: false,
    seed: 1,
    workers: 1,
    artifactPlans,
    onProgress: () => {},
  };
}

test("the artifact's G2 L4-T4 plans pass the validator, as their three algorithms", () => {
  const read = readArtifactPlans(PLANS, options(tmp, PLANS), new ProfileLibrary([FIXTURE_PROFILES]));
  assert.deepEqual(read.rejected, []);
  assert.deepEqual([...read.caseKeys], ['G2 L4-T4']);
  assert.deepEqual(read.cases.map((c) => c.algorithm).sort(), ['dart-r', 'np', 'ppipe']);
  const ppipe = read.cases.find((c) => c.algorithm === 'ppipe')!;
  // Reference §E: Z = min(1043.08/0.30, 1153.67/0.33, 1286.47/0.37) = 3476.94.
  assert.ok(Math.abs(ppipe.plan.objective - 3476.94) < 0.1, String(ppipe.plan.objective));
});

test('reproduce sweeps the accepted plans beside ours and names a corrupted one as rejected', async () => {
  const dir = path.join(tmp, 'plans');
  mkdirSync(dir);
  for (const file of readdirSync(PLANS)) copyFileSync(path.join(PLANS, file), path.join(dir, file));
  // Corrupt NP's plan: its first partition claims a latency the profiles do not give.
  const npFile = readdirSync(dir).find((f) => f.endsWith('_bl.json'))!;
  const np = JSON.parse(readFileSync(path.join(dir, npFile), 'utf8')) as Array<{
    pipelines: Array<{ partitions: Array<{ lat_infer: number }> }>;
  }>;
  np[0]!.pipelines[0]!.partitions[0]!.lat_infer += 5000;
  writeFileSync(path.join(dir, npFile), JSON.stringify(np));

  const outDir = path.join(tmp, 'out');
  const summary = await reproduce(options(outDir, dir));
  const report = readFileSync(summary.reportFile, 'utf8');
  assert.match(report, /## On the paper's own plans/);
  assert.ok(report.includes(`\`${npFile}\`: `), 'the rejected plan is named');
  assert.match(report, /2 of 3 files swept/);
  assert.match(report, /### Fig\. 6, three ways/);

  const results = JSON.parse(readFileSync(path.join(outDir, 'results.json'), 'utf8')) as {
    artifactPlans: {
      meanLoadFactor: Record<string, number>;
      rejected: Array<{ file: string }>;
      outcomes: Array<{ algorithm: string }>;
    };
    ourPlans: { meanLoadFactor: Record<string, number>; asSolvedMeanLoadFactor: Record<string, number> };
  };
  assert.deepEqual(
    results.artifactPlans.rejected.map((r) => r.file),
    [npFile],
  );
  // NP's artifact plan is left out of every mean; DART-r and PPipe are swept on all three DNNs.
  assert.equal(results.artifactPlans.outcomes.length, 6);
  assert.ok(!results.artifactPlans.outcomes.some((o) => o.algorithm === 'np'));
  for (const a of ['dart-r', 'ppipe']) {
    const lf = results.artifactPlans.meanLoadFactor[a]!;
    assert.ok(lf >= 0.05 && lf <= 1, `${a}: ${lf}`);
  }
  for (const a of ['np', 'dart-r', 'ppipe']) {
    assert.ok(results.ourPlans.meanLoadFactor[a]! >= 0.05, a);
    assert.ok(results.ourPlans.asSolvedMeanLoadFactor[a]! >= 0.05, a);
  }
});

test('with bursty arrivals the three-way comparison says which CV stands in for the MAF 2021 trace', async () => {
  const outDir = path.join(tmp, 'bursty');
  const summary = await reproduce(options(outDir, PLANS, 2));
  const report = readFileSync(summary.reportFile, 'utf8');
  assert.match(report, /3 of 3 files swept/);
  assert.match(report, /The validator accepted every plan\./);
  assert.match(report, /gamma:2, Gamma inter-arrivals with CV 2/);
  assert.match(report, /MAF 2021 trace, which is not reachable here/);
  // The paper's bursty means in the "all" row: NP 0.611, DART-r 0.694, PPipe 0.903 (reference §H).
  assert.match(report, /\| \*\*all\*\* \| 0\.611 \| .* \| 0\.694 \| .* \| 0\.903 \|/);
  const results = JSON.parse(readFileSync(path.join(outDir, 'results.json'), 'utf8')) as {
    artifactPlans: { outcomes: unknown[]; rejected: unknown[] };
  };
  assert.equal(results.artifactPlans.outcomes.length, 9);
  assert.deepEqual(results.artifactPlans.rejected, []);
});
