// A worker SIGSTOPped (its TCP connections stay open, nothing answers): the frontend's pings on the tensor
// link to it go unanswered, the link is marked stalled within stallAfterMs, and the frontend routes around
// it at once (requests served by the other worker, or dropped naming the stalled link), not after
// lostAfterMs. After SIGCONT the pongs resume, the link is healthy again and routing through it returns.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { ClusterHead } from '../../src/cluster/index.ts';
import { FIXTURE_PROFILES, TOKEN, memoryLogger } from './support.ts';
import { waitFor } from '../helpers.ts';

it(
  'a stalled tensor link is routed around within seconds and used again after SIGCONT',
  { timeout: 120_000 },
  async () => {
    const { log } = memoryLogger();
    const head = new ClusterHead(
      {
        prefix: 'faults',
        token: TOKEN,
        workers: ['l4-a', 'l4-b'].map((id) => ({
          id,
          args: ['--device-class', 'L4', '--mps-levels', '1', '--emulate'],
        })),
        controller: {
          profiles: FIXTURE_PROFILES,
          models: [{ name: 'efficientnet-b8' }],
          algorithm: 'ppipe',
          bandwidthGbps: 6,
          paceLinks: false,
          linkDtype: 'float16',
          // Heartbeats stop too while the worker is stopped: keep the controller from declaring it dead, so
          // that the link's health alone is what routes around it.
          deadAfterMs: 120_000,
        },
      },
      log,
    );
    let stoppedPid: number | undefined;
    try {
      await head.start();
      await waitFor(
        'both workers in the served plan',
        // The placed plan of the current one: the plan of one worker may still be placed when the second joins.
        () => head.controller.current?.nodes.length === 2 && head.placedPlan?.planId === head.controller.current.planId,
        60_000,
      );
      const placed = head.placedPlan!;
      const dnn = placed.dnns[0]!.name;
      const victim = head.workers().find((w) => w.id === 'l4-b')!;
      assert.ok(victim.pid);
      const victimUrls = new Set(
        placed.dnns.flatMap((d) =>
          d.pipelines.flatMap((p) =>
            p.partitions.flatMap((q) => q.instances.filter((i) => i.nodeId === 'l4-b').map((i) => i.endpoint)),
          ),
        ),
      );
      assert.ok(victimUrls.size > 0, 'the plan routes through l4-b');
      await waitFor('links to every endpoint', () => head.frontend.linkStats().length >= 2 || undefined, 10_000);
      for (let i = 0; i < 5; i++) assert.notEqual((await head.frontend.submit(dnn)).status, 'dropped');

      const stoppedMs = performance.now();
      process.kill(victim.pid, 'SIGSTOP');
      stoppedPid = victim.pid;
      await waitFor('the link to l4-b stalled', () => head.frontend.stalledLinks().length > 0 || undefined, 10_000);
      const stalledAfterMs = performance.now() - stoppedMs;
      assert.deepEqual(new Set(head.frontend.stalledLinks()), victimUrls);
      assert.ok(stalledAfterMs < 3_000, `stalled after ${Math.round(stalledAfterMs)} ms`);

      const sentBefore = framesTo(head, victimUrls);
      for (let i = 0; i < 10; i++) {
        const started = performance.now();
        const outcome = await head.frontend.submit(dnn);
        const tookMs = performance.now() - started;
        assert.ok(tookMs < 1_500, `settled in ${Math.round(tookMs)} ms, not after lostAfterMs`);
        if (outcome.status === 'dropped') assert.match(outcome.reason ?? '', /tensor link to l4-b .* stalled/);
      }
      assert.equal(framesTo(head, victimUrls), sentBefore, 'nothing routed to the stalled worker');
      assert.ok(head.frontend.counters.linkStalls >= 1);

      process.kill(victim.pid, 'SIGCONT');
      stoppedPid = undefined;
      await waitFor('the link healthy again', () => head.frontend.stalledLinks().length === 0 || undefined, 10_000);
      await waitFor(
        'a request served through l4-b again',
        async () => {
          const outcome = await head.frontend.submit(dnn);
          return (outcome.status !== 'dropped' && framesTo(head, victimUrls) > sentBefore) || undefined;
        },
        10_000,
      );
    } finally {
      if (stoppedPid !== undefined) process.kill(stoppedPid, 'SIGCONT');
      await head.stop();
    }
  },
);

function framesTo(head: ClusterHead, urls: ReadonlySet<string>): number {
  return head.frontend
    .linkStats()
    .filter((l) => urls.has(l.url))
    .reduce((sum, l) => sum + l.framesSent, 0);
}
