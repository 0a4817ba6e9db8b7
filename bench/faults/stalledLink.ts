// A worker SIGSTOPped while requests stream in (its TCP connections stay open, nothing answers): ms from
// SIGSTOP to the frontend's link to it marked stalled (unanswered pings) and to the last frame routed to it,
// and from SIGCONT to the link healthy and to frames routed to it again. Two workers, one pipeline with an
// instance on each; the controller's heartbeat timeout is set long so that the link's health alone is measured.
import { RequestStream, emulatedHead, emulatedWorker, median, until } from './support/emulatedCluster.ts';
import type { ClusterHead } from '../../src/cluster/index.ts';

export const name = 'stalledLink';

const STOPS = 3;
const STOPPED_FOR_MS = 4_000;

function framesTo(head: ClusterHead, urls: ReadonlySet<string>): number {
  return head.frontend
    .linkStats()
    .filter((l) => urls.has(l.url))
    .reduce((sum, l) => sum + l.framesSent, 0);
}

interface Stop {
  readonly stalledMs: number;
  readonly lastRoutedMs: number | null;
  readonly healthyMs: number;
  readonly routedBackMs: number;
  readonly stoppedAt: number;
  readonly contAt: number;
}

export async function run(): Promise<object> {
  const { head } = emulatedHead([emulatedWorker('l4-a', 'L4'), emulatedWorker('l4-b', 'L4')], {
    controller: { deadAfterMs: 600_000 },
  });
  await head.start();
  const stops: Stop[] = [];
  try {
    await until('both workers in the served plan', () => head.controller.current?.nodes.length === 2, 60_000);
    await until('the plan served', () => head.placedPlan !== undefined, 60_000);
    const placed = head.placedPlan!;
    const pid = head.workers().find((w) => w.id === 'l4-b')!.pid!;
    const urls = new Set(
      placed.dnns.flatMap((d) =>
        d.pipelines.flatMap((p) =>
          p.partitions.flatMap((q) => q.instances.filter((i) => i.nodeId === 'l4-b').map((i) => i.endpoint)),
        ),
      ),
    );
    const stream = new RequestStream(head, placed.dnns[0]!.name, 20);
    stream.start();
    try {
      for (let s = 0; s < STOPS; s++) {
        await new Promise((resolve) => setTimeout(resolve, 1_000));
        let frames = framesTo(head, urls);
        let lastRoutedAt: number | undefined;
        const stoppedAt = performance.now();
        process.kill(pid, 'SIGSTOP');
        let stalledAt: number | undefined;
        try {
          while (performance.now() - stoppedAt < STOPPED_FOR_MS) {
            const now = framesTo(head, urls);
            if (now > frames) lastRoutedAt = performance.now();
            frames = now;
            if (stalledAt === undefined && head.frontend.stalledLinks().length > 0) stalledAt = performance.now();
            await new Promise((resolve) => setTimeout(resolve, 2));
          }
        } finally {
          process.kill(pid, 'SIGCONT');
        }
        const contAt = performance.now();
        await until('the link healthy', () => head.frontend.stalledLinks().length === 0, 10_000);
        const healthyAt = performance.now();
        const before = framesTo(head, urls);
        await until('frames routed to l4-b again', () => framesTo(head, urls) > before, 10_000);
        stops.push({
          stalledMs: Math.round(stalledAt! - stoppedAt),
          lastRoutedMs: lastRoutedAt === undefined ? null : Math.round(lastRoutedAt - stoppedAt),
          healthyMs: Math.round(healthyAt - contAt),
          routedBackMs: Math.round(performance.now() - contAt),
          stoppedAt,
          contAt,
        });
      }
    } finally {
      await stream.stop();
    }
    return {
      pingIntervalMs: 250,
      stallAfterMs: 1500,
      medianStalledMs: median(stops.map((s) => s.stalledMs)),
      medianRoutedBackMs: median(stops.map((s) => s.routedBackMs)),
      linkStalls: head.frontend.counters.linkStalls,
      stalledDrops: head.frontend.counters.stalledDrops,
      // Counted once the stream has stopped, so that every request submitted while stopped has settled.
      stops: stops.map(({ stoppedAt, contAt, ...stop }) => ({
        ...stop,
        requestsWhileStopped: stream.countsSince(stoppedAt, contAt),
        dropReasonsWhileStopped: stream.dropReasons(stoppedAt, contAt),
      })),
    };
  } finally {
    await head.stop();
  }
}
