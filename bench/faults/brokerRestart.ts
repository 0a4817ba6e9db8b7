// The head's embedded broker closed and opened again on its port while requests stream in (two emulated
// local workers): time until the head and every worker are heard again,
// requests dropped meanwhile, and whether the controller re-planned (it should not).
import { RequestStream, emulatedHead, emulatedWorker, until } from './support/emulatedCluster.ts';

export const name = 'brokerRestart';

export async function run(): Promise<object> {
  const workers = [emulatedWorker('l4-a', 'L4'), emulatedWorker('l4-b', 'L4')];
  const { head } = emulatedHead(workers);
  await head.start();
  try {
    await until(
      'both workers served',
      () => head.controller.current?.nodes.length === 2 && head.placedPlan?.planId === head.controller.current.planId,
      90_000,
    );
    const planBefore = head.placedPlan!.planId;
    const stream = new RequestStream(head, head.placedPlan!.dnns[0]!.name);
    stream.start();
    try {
      await new Promise((resolve) => setTimeout(resolve, 2000));
      const restartedMs = performance.now();
      await head.restartEmbeddedBroker();
      const reopenedMs = performance.now();
      await until('the head reconnected', () => head.bus.connected, 30_000);
      const headBackMs = performance.now();
      await until(
        'both workers heard again',
        () => workers.every((w) => head.controller.nodes.get(w.id)!.lastSeenMs > headBackMs),
        30_000,
      );
      const workersBackMs = performance.now();
      // The embedded broker's ACL admits no observer of the retained plan (test/cluster/faultsBroker.test.ts checks
      // it on mosquitto); what counts here is that the same plan goes on serving.
      await new Promise((resolve) => setTimeout(resolve, 2000));
      await stream.stop();
      return {
        reopenMs: Math.round(reopenedMs - restartedMs),
        headBackMs: Math.round(headBackMs - restartedMs),
        workersBackMs: Math.round(workersBackMs - restartedMs),
        replanned: head.controller.current!.planId !== planBefore,
        requestsFromRestart: stream.countsSince(restartedMs),
      };
    } finally {
      await stream.stop();
    }
  } finally {
    await head.stop();
  }
}
