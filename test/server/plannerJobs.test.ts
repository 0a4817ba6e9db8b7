// /api/planner over real HTTP on 127.0.0.1: jobs plan an example problem and the box's cluster in a worker
// thread, one at a time, and finish with plans, a simulated sweep and SVG charts; bad bodies and unknown ids
// are answered with what was wrong.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import { SecretRedactor } from '../../src/config/index.ts';
import type { ProblemDocument } from '../../src/planner/index.ts';
import { ApiServer, PlannerJobs } from '../../src/server/index.ts';
import type {
  ApiServerDeps,
  ErrorResponse,
  PlannerJob,
  PlannerJobBody,
  PlannerProblemsResponse,
} from '../../src/server/index.ts';
import { FIXTURE_PROFILES } from '../artifactData.ts';
import { REPO_ROOT } from '../helpers.ts';

/** What the box's controller would plan: two L4 (one GPU class) for one model of the fixtures. */
const CLUSTER_PROBLEM: ProblemDocument = {
  profiles: FIXTURE_PROFILES,
  bandwidthGbps: 10,
  gpus: [{ type: 'L4', count: 2, mpsLevels: 2, gpusPerServer: 2 }],
  dnns: [{ name: 'repvgg-b3', weight: 1 }],
};

describe('planner jobs over HTTP', () => {
  let clusterDocument: ProblemDocument | undefined = CLUSTER_PROBLEM;
  const planner = new PlannerJobs({
    examplesDir: path.join(REPO_ROOT, 'examples'),
    defaultProfilesDir: FIXTURE_PROFILES,
    clusterProblem: () => (clusterDocument ? { document: clusterDocument } : { unavailable: 'no worker is up yet' }),
    maxFinishedJobs: 1,
  });
  const deps = {
    host: '127.0.0.1',
    port: 0,
    log: pino({ level: 'silent' }),
    redactor: new SecretRedactor(),
    planner,
  } as unknown as ApiServerDeps; // only the planner routes are used
  const server = new ApiServer(deps);
  before(() => server.start());
  after(async () => {
    await server.stop();
    await planner.stop();
  });

  const url = (route: string): string => `http://127.0.0.1:${server.port}${route}`;
  const get = async <T>(route: string): Promise<{ status: number; body: T }> => {
    const res = await fetch(url(route));
    return { status: res.status, body: (await res.json()) as T };
  };
  const post = async <T>(body: unknown): Promise<{ status: number; body: T }> => {
    const res = await fetch(url('/api/planner/jobs'), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as T };
  };
  const finished = async (id: string): Promise<PlannerJob> => {
    for (;;) {
      const { status, body } = await get<PlannerJob>(`/api/planner/jobs/${id}`);
      assert.equal(status, 200);
      assert.ok(body.progress >= 0 && body.progress <= 1, `progress ${body.progress}`);
      if (body.state === 'done' || body.state === 'failed') return body;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };

  it('lists the box cluster and the examples', async () => {
    const { status, body } = await get<PlannerProblemsResponse>('/api/planner/problems');
    assert.equal(status, 200);
    assert.deepEqual(
      body.items.map((p) => [p.name, p.available]),
      [
        ['cluster', true],
        ['g2-l4-t4', true],
      ],
    );
    assert.match(body.items[1]!.description, /colorization-v2, googlenet-v3-pytorch, repvgg-b3 on 25 L4 \+ 75 T4/);
  });

  it('runs jobs one at a time: plans per algorithm, a sweep and SVG charts; forgets the oldest', async () => {
    const exampleBody: PlannerJobBody = { problem: 'g2-l4-t4', algorithms: ['ppipe', 'np'], sweep: true };
    const first = await post<PlannerJob>(exampleBody);
    assert.equal(first.status, 202);
    const second = await post<PlannerJob>({ problem: 'cluster', algorithms: ['np', 'dart-r'] });
    assert.equal(second.status, 202);
    assert.equal(second.body.state, 'queued', 'the second job waits for the first');
    assert.match(second.body.step, /queued behind 1 job/);

    const example = await finished(first.body.id);
    assert.equal(example.error, null);
    assert.equal(example.state, 'done');
    assert.deepEqual(
      example.plans.map((p) => p.algorithm),
      ['ppipe', 'np'],
    );
    for (const plan of example.plans) {
      assert.equal(plan.error, null);
      assert.ok(plan.plan, `${plan.algorithm} has a plan`);
      assert.ok(plan.objective > 0, `${plan.algorithm} serves every model`);
      assert.deepEqual(
        plan.plan.dnns.map((d) => d.name),
        ['colorization-v2', 'googlenet-v3-pytorch', 'repvgg-b3'],
      );
      for (const dnn of plan.plan.dnns)
        for (const pool of dnn.pipelines.flatMap((p) => p.pools)) {
          assert.ok(pool.blocks[0] <= pool.blocks[1] && pool.blocks[1] < dnn.blockCount, `blocks ${pool.blocks}`);
          assert.ok(['L4', 'T4'].includes(pool.gpuType));
        }
      assert.deepEqual(Object.keys(plan.utilisationByClass).sort(), ['L4', 'T4']);
      for (const share of Object.values(plan.utilisationByClass)) assert.ok(share >= 0 && share <= 1);
      assert.deepEqual(
        plan.sweep?.map((p) => p.loadFactor),
        [0.4, 0.6, 0.8, 1, 1.2],
      );
      for (const point of plan.sweep!) assert.ok(point.attainment >= 0 && point.attainment <= 1);
    }
    const [ppipe, np] = example.plans;
    // Reference §D: PPipe's candidates include NP's, so its optimum is at least NP's.
    assert.ok(ppipe!.objective >= np!.objective, `PPipe ${ppipe!.objective} < NP ${np!.objective}`);
    assert.equal(ppipe!.plan!.algorithm, 'ppipe');
    assert.ok(
      np!.plan!.dnns.every((d) => d.pipelines.every((p) => p.pools.length === 1)),
      'NP never partitions a model',
    );
    assert.deepEqual(
      example.charts.map((c) => c.title),
      ['SLO attainment against load', 'Utilisation by GPU class', 'PPipe vs NP: planned throughput'],
    );
    for (const chart of example.charts) {
      assert.match(chart.svg, /^<svg[\s\S]*<\/svg>$/);
      assert.doesNotMatch(chart.svg, /<script|javascript:|\son\w+=/i, 'no script in an SVG the UI shows');
    }
    assert.match(example.charts[0]!.svg, /PPipe/);
    // Each algorithm keeps its colour in every chart (PPipe blue, NP amber), whichever others are shown.
    for (const chart of example.charts) assert.match(chart.svg, /#1d4ed8[\s\S]*#d97706|#d97706[\s\S]*#1d4ed8/);

    // DART-r pairs two GPU classes: on one class it has no plan and says why, and NP's result stands.
    const cluster = await finished(second.body.id);
    assert.equal(cluster.state, 'done');
    assert.equal(cluster.error, null);
    const [clusterNp, clusterDart] = cluster.plans;
    assert.deepEqual(
      [clusterNp!.algorithm, clusterNp!.error, clusterNp!.plan?.dnns.map((d) => d.name), clusterNp!.sweep],
      ['np', null, ['repvgg-b3'], null],
    );
    assert.ok(clusterNp!.objective > 0);
    assert.deepEqual(Object.keys(clusterNp!.utilisationByClass), ['L4']);
    assert.deepEqual([clusterDart!.algorithm, clusterDart!.status, clusterDart!.plan], ['dart-r', 'failed', null]);
    assert.match(clusterDart!.error ?? '', /DART-r pairs two GPU types/);
    assert.deepEqual(
      cluster.charts.map((c) => c.title),
      ['Utilisation by GPU class', 'NP: planned throughput'],
    );
    for (const chart of cluster.charts) {
      assert.match(chart.svg, /#d97706/, 'NP amber here too');
      assert.doesNotMatch(chart.svg, /#1d4ed8|#059669/, 'the legend lists only the algorithms shown');
    }
    // maxFinishedJobs 1: the older finished job is gone.
    const forgotten = await get<ErrorResponse>(`/api/planner/jobs/${first.body.id}`);
    assert.equal(forgotten.status, 404);
  });

  it('answers 404 for an unknown job', async () => {
    const { status, body } = await get<ErrorResponse>('/api/planner/jobs/job-nope-1');
    assert.equal(status, 404);
    assert.match(body.error, /no planner job "job-nope-1"/);
  });

  it('answers 400 naming the field of a bad body', async () => {
    const badAlgorithm = await post<ErrorResponse>({ problem: 'g2-l4-t4', algorithms: ['fastest'] });
    assert.equal(badAlgorithm.status, 400);
    assert.match(badAlgorithm.body.error, /algorithms/);
    const noProblem = await post<ErrorResponse>({ sweep: true });
    assert.equal(noProblem.status, 400);
    assert.match(noProblem.body.error, /problem/);
    const twice = await post<ErrorResponse>({ problem: 'cluster', algorithms: ['np', 'np'] });
    assert.equal(twice.status, 400);
    assert.match(twice.body.error, /algorithms: expected each algorithm at most once/);
    const unknown = await post<ErrorResponse>({ problem: 'g9' });
    assert.equal(unknown.status, 400);
    assert.match(unknown.body.error, /^problem: expected one of "cluster", "g2-l4-t4", got "g9"$/);
  });

  it('answers 409 while the box has no cluster to plan', async () => {
    clusterDocument = undefined;
    try {
      const listed = await get<PlannerProblemsResponse>('/api/planner/problems');
      assert.deepEqual(listed.body.items[0], {
        name: 'cluster',
        description: "This box's cluster: no worker is up yet",
        available: false,
      });
      const { status, body } = await post<ErrorResponse>({ problem: 'cluster' });
      assert.equal(status, 409);
      assert.match(body.error, /^problem: "cluster" cannot be planned now: .*no worker is up yet/);
    } finally {
      clusterDocument = CLUSTER_PROBLEM;
    }
  });
});
