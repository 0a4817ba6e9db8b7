// Edge-to-cloud from the appliance's cluster section: this box's cameras become the demand at its site,
// the configured links join it to the cloud, and a real cluster head with two emulated worker processes
// (a T4 at the edge, L4s in the cloud, announcing their sites) plans and serves with GPUs kept at their sites.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ClusterHead, siteEdgeNetwork } from '../../src/cluster/index.ts';
import { clusterConfigSchema } from '../../src/config/index.ts';
import { memoryLogger } from './support.ts';
import { waitFor } from '../helpers.ts';
import { FIXTURE_PROFILES } from '../artifactData.ts';

const section = clusterConfigSchema.parse({
  site: 'shop-1',
  topology: {
    links: [{ from: 'shop-1', to: 'cloud', bandwidthGbps: 0.2, rttUs: 10_000 }],
    decodeUsPerFrame: 3000,
    videoBitrateMbps: 3,
  },
});

describe('siteEdgeNetwork', () => {
  it("groups this box's cameras by model and rate at its site; no topology, no sites", () => {
    const cameras = [
      { dnn: 'repvgg-b3', fps: 15 },
      { dnn: 'repvgg-b3', fps: 15 },
      { dnn: 'repvgg-b3', fps: 5 },
    ];
    const edge = siteEdgeNetwork(section, cameras)!;
    assert.deepEqual(edge.sites, [
      {
        name: 'shop-1',
        decodeUsPerFrame: 3000,
        cameras: [
          { count: 2, dnn: 'repvgg-b3', fps: 15, bitrateMbps: 3 },
          { count: 1, dnn: 'repvgg-b3', fps: 5, bitrateMbps: 3 },
        ],
      },
    ]);
    assert.deepEqual(edge.links, [{ from: 'shop-1', to: 'cloud', bandwidthGbps: 0.2, rttUs: 10_000 }]);
    assert.equal(edge.placement, 'any');
    assert.equal(siteEdgeNetwork(clusterConfigSchema.parse({}), cameras), undefined);
  });

  it('refuses this site among the other sites, and a topology without links', () => {
    const twice = clusterConfigSchema.parse({
      site: 'shop-1',
      topology: { links: section.topology!.links, sites: [{ name: 'shop-1' }] },
    });
    assert.throws(() => siteEdgeNetwork(twice, []), /cluster\.topology\.sites: site "shop-1" is this box/);
    const result = clusterConfigSchema.safeParse({ topology: { links: [] } });
    assert.ok(!result.success);
    assert.deepEqual(result.error.issues[0]!.path, ['topology', 'links']);
  });
});

it(
  'a cluster head plans an edge T4 and cloud L4s by their announced sites and serves from the camera site',
  { timeout: 60_000 },
  async () => {
    const { log } = memoryLogger();
    const edge = siteEdgeNetwork(
      section,
      Array.from({ length: 4 }, () => ({ dnn: 'repvgg-b3', fps: 15 })),
    )!;
    const head = new ClusterHead(
      {
        prefix: 'edge-test',
        token: 'a-token-for-the-edge-test-0123',
        controller: {
          profiles: FIXTURE_PROFILES,
          models: [{ name: 'repvgg-b3', sloUs: 150_000 }],
          algorithm: 'ppipe',
          bandwidthGbps: 10,
          paceLinks: false,
          linkDtype: 'float16',
          debounceMs: 200,
          edge,
        },
        workers: [
          { id: 'shop-t4', args: ['--site', 'shop-1', '--device-class', 'T4', '--mps-levels', '4', '--emulate'] },
          {
            id: 'cloud-l4',
            args: ['--site', 'cloud', '--device-class', 'L4', '--gpus', '4', '--mps-levels', '4', '--emulate'],
          },
        ],
      },
      log,
    );
    try {
      await head.start();
      await waitFor(
        'both workers serving one plan',
        () =>
          head.placedPlan !== undefined &&
          head.controller.current?.nodes.length === 2 &&
          head.placedPlan.planId === head.controller.current.planId,
        40_000,
      );
      const plan = head.controller.current!.plan!;
      assert.deepEqual(plan.cluster.gpus.map((g) => [g.type, g.count, g.site]).sort(), [
        ['L4', 4, 'cloud'],
        ['T4', 1, 'shop-1'],
      ]);
      assert.ok(plan.objective > 0);
      const pipelines = plan.dnns.flatMap((dnn) => dnn.pipelines);
      assert.ok(
        pipelines.length > 0 && pipelines.every((p) => p.source === 'shop-1'),
        'every pipeline starts where the cameras are',
      );
      assert.ok(
        pipelines.some((p) => p.partitions.some((part) => part.site === 'cloud')),
        'the cloud L4s serve frames from the shop over the WAN',
      );
      // Enough requests at once to fill a batch, so they go at once (a lone request waits until the last
      // moment its batch fits, which a loaded test machine may overshoot; reservationDispatcher.test.ts covers
      // that on a fake clock). The first round may be late while the tensor links connect. Nothing is ever
      // dropped; within three more rounds one is wholly on time (a loaded machine can make one round late).
      const round = (): Promise<string[]> =>
        Promise.all(Array.from({ length: 6 }, () => head.frontend.submit(plan.dnns[0]!.name))).then((all) =>
          all.map((o) => o.status),
        );
      const rounds = [await round()];
      while (rounds.length < 4 && !rounds.at(-1)!.every((status) => status === 'ok')) rounds.push(await round());
      assert.ok(!rounds.flat().includes('dropped'), `no request dropped: ${JSON.stringify(rounds)}`);
      assert.deepEqual(
        rounds.at(-1),
        Array.from({ length: 6 }, () => 'ok'),
        `one round on time within four: ${JSON.stringify(rounds)}`,
      );
    } finally {
      await head.stop();
    }
  },
);
