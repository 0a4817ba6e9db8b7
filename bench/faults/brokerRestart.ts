// The head's embedded broker closed and opened again on its port while requests stream in (two emulated
// local workers): time until the head and every worker are heard again and the plan is retained again,
// requests dropped meanwhile, and whether the controller re-planned (it should not).
import mqtt from 'mqtt';
import { RequestStream, emulatedHead, emulatedWorker, until } from './support/emulatedCluster.ts';

export const name = 'brokerRestart';

/** Whether a fresh client gets the retained plan `planId` from the broker. */
async function planRetained(brokerUrl: string, planId: string): Promise<boolean> {
  const client = await mqtt.connectAsync(brokerUrl, { reconnectPeriod: 0, connectTimeout: 1000 });
  let found = false;
  client.on('message', (_topic, payload, packet) => {
    if (packet.retain && payload.toString('utf8').includes(planId)) found = true;
  });
  await client.subscribeAsync('faults/plan', { qos: 1 });
  await new Promise((resolve) => setTimeout(resolve, 200));
  await client.endAsync();
  return found;
}

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
      let retainedMs: number | null = null;
      for (let tries = 0; tries < 50 && retainedMs === null; tries++)
        if (await planRetained(head.brokerUrl, planBefore)) retainedMs = performance.now();
      await new Promise((resolve) => setTimeout(resolve, 2000));
      await stream.stop();
      return {
        reopenMs: Math.round(reopenedMs - restartedMs),
        headBackMs: Math.round(headBackMs - restartedMs),
        workersBackMs: Math.round(workersBackMs - restartedMs),
        planRetainedAgainMs: retainedMs === null ? null : Math.round(retainedMs - restartedMs),
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
