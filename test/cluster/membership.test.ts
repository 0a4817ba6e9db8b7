// Emulated workers as real processes: joins and leaves change the plan (PPipe MILP on the shared
// profiles); malformed MQTT payloads are rejected with a logged reason and crash nothing; a killed worker
// is noticed within 3 s and its in-flight requests are re-dispatched or counted as dropped.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import {
  Bus,
  Controller,
  EmbeddedBroker,
  Frontend,
  ModelServer,
  ReservationDispatcher,
} from '../../src/cluster/index.ts';
import type { PlacedPlan, PlanMessage, RequestOutcome } from '../../src/cluster/index.ts';
import { BROKER_ACCOUNT, FIXTURE_PROFILES, TOKEN, memoryLogger, spawnWorker } from './support.ts';
import { waitFor } from '../helpers.ts';

const classesOf = (message: PlanMessage | undefined): string[] =>
  [
    ...new Set((message?.plan?.dnns ?? []).flatMap((d) => d.pipelines.flatMap((p) => p.partitions.map((q) => q.gpu)))),
  ].sort();

it(
  're-plans on join and leave, survives malformed payloads, and accounts for a killed worker',
  { timeout: 80_000 },
  async () => {
    const { log, lines } = memoryLogger();
    const broker = new EmbeddedBroker({ accounts: [BROKER_ACCOUNT] });
    await broker.start();
    const bus = new Bus({ url: broker.url, prefix: 'ppipe', clientId: 'controller', ...BROKER_ACCOUNT }, log);
    const models = new ModelServer();
    const frontend = new Frontend(
      new ReservationDispatcher(),
      { token: TOKEN, linkDtype: 'float16', lostAfterMs: 2000 },
      log,
    );
    let placedPlan: PlacedPlan | undefined;
    const plans: PlanMessage[] = [];
    const downs: Array<{ id: string; atMs: number }> = [];
    const controller = new Controller(
      bus,
      models,
      {
        profiles: FIXTURE_PROFILES,
        models: [{ name: 'efficientnet-b8' }],
        algorithm: 'ppipe',
        bandwidthGbps: 6,
        paceLinks: true,
        linkDtype: 'float16',
        debounceMs: 200,
      },
      {
        onPlacedPlan: (t) => {
          placedPlan = t;
          frontend.setPlacedPlan(t);
        },
        onPlan: (m) => void plans.push(m),
        onNodeDown: (id) => {
          downs.push({ id, atMs: performance.now() });
          frontend.nodeDown(id);
        },
      },
      log,
    );
    const l4 = spawnWorker(broker.url, 'l4-1', ['--device-class', 'L4', '--emulate']);
    const p4 = [spawnWorker(broker.url, 'p4-1', ['--device-class', 'P4', '--mps-levels', '1', '--emulate'])];
    try {
      await bus.start();
      await models.start();
      await frontend.start();
      await controller.start();
      await waitFor(
        'a plan with both workers',
        () =>
          controller.upNodes().length === 2 &&
          plans.at(-1)?.nodes.length === 2 &&
          placedPlan?.planId === plans.at(-1)?.planId,
        40_000,
      );
      assert.deepEqual(classesOf(plans.at(-1)), ['L4', 'P4'], 'with a P4 node the plan pools P4 for early partitions');

      // Malformed payloads on the node's own topics: rejected with a reason, the worker keeps serving.
      await bus.publishRaw('ppipe/nodes/p4-1/assignment', '{"planId": 3}');
      await bus.publishRaw('ppipe/nodes/bogus/heartbeat', 'garbage');
      await bus.publishRaw('ppipe/nodes/bogus/announce', JSON.stringify({ id: 'bogus', role: 'worker' }));
      await waitFor('controller rejections', () => bus.rejected >= 2, 5000);
      assert.ok(
        lines.some((line) => /rejected malformed payload/.test(line) && /deviceClass/.test(line)),
        'the reason names the field',
      );
      await waitFor('worker rejection logged', () => /rejected malformed payload/.test(p4[0]!.stderr), 5000);
      assert.match(p4[0]!.stderr, /nodeId|partitions/);
      const served = await frontend.submit(placedPlan!.dnns[0]!.name);
      assert.notEqual(served.status, 'dropped', `still serving after malformed payloads (${served.reason ?? ''})`);
      assert.equal(p4[0]!.child.exitCode, null);

      // Kill the P4 worker while requests are in flight.
      const outcomes: Array<Promise<RequestOutcome>> = [];
      for (let i = 0; i < 6; i++) outcomes.push(frontend.submit(placedPlan!.dnns[0]!.name));
      await new Promise((resolve) => setTimeout(resolve, 5));
      const killedAt = performance.now();
      p4[0]!.child.kill('SIGKILL');
      await waitFor('death noticed', () => downs.some((d) => d.id === 'p4-1'), 3000);
      assert.ok(downs.find((d) => d.id === 'p4-1')!.atMs - killedAt <= 3000);
      const settled = await Promise.all(outcomes);
      assert.equal(settled.length, 6);
      for (const outcome of settled) assert.ok(['ok', 'late', 'dropped'].includes(outcome.status));
      const stats = frontend.stats();
      assert.equal(stats.requests, stats.completed + stats.dropped + stats.inflight, 'every request is accounted for');
      assert.equal(stats.inflight, 0);
      await waitFor('plan without the P4 node', () => plans.at(-1)?.nodes.join() === 'l4-1', 20_000);
      assert.deepEqual(classesOf(plans.at(-1)), ['L4']);
    } finally {
      await l4.stop();
      for (const worker of p4) await worker.stop();
      await controller.stop();
      await frontend.stop();
      await models.stop();
      await bus.stop();
      await broker.stop();
    }
  },
);
