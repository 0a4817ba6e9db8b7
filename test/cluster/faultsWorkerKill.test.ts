// A local worker SIGKILLed: the head learns it from the process's exit or the broker's will, whichever comes
// first (never from a heartbeat timeout), restarts it at once, and the cluster serves again on it.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { ClusterHead } from '../../src/cluster/index.ts';
import { FIXTURE_PROFILES, TOKEN, memoryLogger } from './support.ts';
import { waitFor } from '../helpers.ts';

it(
  'a killed local worker is known dead at once, restarted at once, and serves again',
  { timeout: 90_000 },
  async () => {
    const downs: string[] = [];
    const { log, lines } = memoryLogger();
    const head = new ClusterHead(
      {
        prefix: 'faults',
        token: TOKEN,
        workers: [{ id: 'l4-a', args: ['--device-class', 'L4', '--mps-levels', '1', '--emulate'] }],
        controller: {
          profiles: FIXTURE_PROFILES,
          models: [{ name: 'efficientnet-b8' }],
          algorithm: 'ppipe',
          bandwidthGbps: 6,
          paceLinks: false,
          linkDtype: 'float16',
        },
        events: { onNodeDown: (id, reason) => void downs.push(`${id}: ${reason}`) },
      },
      log,
    );
    try {
      await head.start();
      const planBefore = await waitFor('the worker serving', () => head.placedPlan?.planId, 60_000);
      assert.ok(head.killWorker('l4-a'));
      await waitFor('the node down', () => downs.length > 0 || undefined, 15_000);
      // Both signals are immediate; under load the broker may see the socket close before Node reports the exit.
      assert.equal(downs.length, 1, `one node-down, got ${downs.join('; ')}`);
      assert.match(downs[0]!, /^l4-a: (process exited \(SIGKILL\)|offline)$/, 'the exit or the will, not a timeout');
      const restart = await waitFor(
        'the exit logged',
        () =>
          lines
            .map((line) => JSON.parse(line) as { msg: string; restartInMs?: number })
            .find((l) => l.msg.startsWith('worker process exited')),
        15_000,
      );
      assert.equal(restart?.restartInMs, 0, 'the first failure restarts at once');
      await waitFor(
        'a plan with the restarted worker served',
        () => {
          const served = head.placedPlan?.planId;
          return served !== undefined && served !== planBefore && head.controller.current?.nodes.length === 1;
        },
        30_000,
      );
      const outcome = await head.frontend.submit(head.placedPlan!.dnns[0]!.name);
      assert.notEqual(outcome.status, 'dropped', outcome.reason);
      assert.equal(head.workers()[0]!.restarts, 1);
    } finally {
      await head.stop();
    }
  },
);
