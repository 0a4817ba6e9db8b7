// A local worker SIGKILLed while requests stream in: time until the cluster serves again, (a) with the only
// worker (the supervisor restarts it and the plan comes back) and (b) beside a survivor (the plan is made
// again without it). Several kills per case; medians and each kill's phases.
import { RequestStream, emulatedHead, emulatedWorker, median, phasesSince, until } from './support/emulatedCluster.ts';
import type { LocalWorkerSpec } from '../../src/cluster/index.ts';

export const name = 'workerKill';

const KILLS = 2;
/** The supervisor counts a run this long as healthy (localWorkers.ts): each kill is then a first failure. */
const HEALTHY_RUN_MS = 31_000;

interface Kill {
  readonly servedAgainMs: number | null;
  readonly noticedMs: number | null;
  readonly phases: string[];
}

async function killCase(workers: ReadonlyArray<LocalWorkerSpec>, victim: string): Promise<object> {
  const { head, events } = emulatedHead(workers);
  await head.start();
  try {
    const allServedSince = (sinceMs: number) => (): boolean => {
      const current = head.controller.current;
      return (
        current?.nodes.length === workers.length &&
        events.some((e) => e.atMs >= sinceMs && e.what === `serving ${current.planId}`)
      );
    };
    await until('every worker in the served plan', allServedSince(0), 60_000);
    const stream = new RequestStream(head, head.placedPlan!.dnns[0]!.name);
    const kills: Kill[] = [];
    stream.start();
    try {
      let upSinceMs = performance.now();
      for (let k = 0; k < KILLS; k++) {
        await new Promise((resolve) => setTimeout(resolve, upSinceMs + HEALTHY_RUN_MS - performance.now()));
        await until('a request served', () => stream.firstServedSince(performance.now() - 500) !== undefined, 30_000);
        const killedMs = performance.now();
        head.killWorker(victim);
        await until('served again', () => stream.firstServedSince(killedMs) !== undefined, 60_000);
        // The restarted worker back in the served plan before the next kill.
        await until('every worker in a plan served after the kill', allServedSince(killedMs), 90_000);
        upSinceMs = performance.now();
        const served = stream.firstServedSince(killedMs)!;
        const noticed = events.find((e) => e.atMs >= killedMs && e.what.startsWith(`node ${victim} down`));
        kills.push({
          servedAgainMs: Math.round(served.settledMs - killedMs),
          noticedMs: noticed ? Math.round(noticed.atMs - killedMs) : null,
          phases: phasesSince(events, killedMs).slice(0, 6),
        });
      }
    } finally {
      await stream.stop();
    }
    const again = kills.map((k) => k.servedAgainMs!);
    return {
      workers: workers.map((w) => w.id),
      killed: victim,
      medianServedAgainMs: median(again),
      maxServedAgainMs: Math.max(...again),
      requests: stream.countsSince(0),
      kills,
    };
  } finally {
    await head.stop();
  }
}

export async function run(): Promise<object> {
  return {
    onlyWorker: await killCase([emulatedWorker('l4-a', 'L4')], 'l4-a'),
    withSurvivor: await killCase([emulatedWorker('l4-a', 'L4'), emulatedWorker('l4-b', 'L4')], 'l4-b'),
  };
}
