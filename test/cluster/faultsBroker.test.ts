// Broker restarts with real worker processes: (a) an external mosquitto killed (SIGKILL) and started again on
// the same port, (b) the head's embedded broker closed and opened again. Afterwards every client is back,
// the retained plan, assignments and announcements are on the broker again, the cluster serves the same
// plan, and each worker applied each plan's assignment exactly once.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { it } from 'node:test';
import mqtt from 'mqtt';
import { ClusterHead } from '../../src/cluster/index.ts';
import type { ExternalBroker } from '../../src/cluster/index.ts';
import { FIXTURE_PROFILES, MOSQUITTO, NO_MOSQUITTO, TOKEN, freePort, memoryLogger, spawnWorker } from './support.ts';
import type { WorkerProcess } from './support.ts';
import { waitFor } from '../helpers.ts';

const PREFIX = 'faults';
const WORKER_IDS = ['l4-a', 'l4-b'];

/** On the embedded broker every worker logs in as itself (its id); the ACL lets it read its own topics only. */
const NODE_ACCOUNTS = WORKER_IDS.map((id) => ({ id, password: `node-secret-of-${id}` }));

function emulatedHead(broker?: ExternalBroker): ClusterHead {
  return new ClusterHead(
    {
      prefix: PREFIX,
      token: TOKEN,
      ...(broker ? { broker } : { nodes: NODE_ACCOUNTS }),
      controller: {
        profiles: FIXTURE_PROFILES,
        models: [{ name: 'efficientnet-b8' }],
        algorithm: 'ppipe',
        bandwidthGbps: 6,
        paceLinks: false,
        linkDtype: 'float16',
      },
    },
    memoryLogger().log,
  );
}

function startWorkers(brokerUrl: string, ownAccounts = false): WorkerProcess[] {
  return NODE_ACCOUNTS.map(({ id, password }) =>
    spawnWorker(
      brokerUrl,
      id,
      ['--prefix', PREFIX, '--device-class', 'L4', '--mps-levels', '1', '--emulate'],
      ownAccounts ? { username: id, password } : undefined,
    ),
  );
}

/** Plan ids of the assignments a worker loaded, in order (its `assignment loaded` log lines). */
function appliedPlans(worker: WorkerProcess): string[] {
  return worker.stderr
    .split('\n')
    .filter((line) => line.includes('"assignment loaded"'))
    .map((line) => (JSON.parse(line) as { planId: string }).planId);
}

/** The retained messages on the broker now, by topic (a fresh client receives them on subscribing). */
async function retainedMessages(brokerUrl: string): Promise<Map<string, string>> {
  const client = await mqtt.connectAsync(brokerUrl, { reconnectPeriod: 0, connectTimeout: 2000 });
  const retained = new Map<string, string>();
  client.on('message', (topic, payload, packet) => {
    if (packet.retain && payload.length > 0) retained.set(topic, payload.toString('utf8'));
  });
  await client.subscribeAsync(`${PREFIX}/#`, { qos: 1 });
  // The broker sends retained messages after the SUBACK, at its own pace; the caller probes again if short.
  await new Promise((resolve) => setTimeout(resolve, 500));
  await client.endAsync();
  return retained;
}

async function servingWithEveryWorker(head: ClusterHead): Promise<string> {
  return waitFor(
    'both workers in the served plan',
    () => {
      const current = head.controller.current;
      return current?.nodes.length === WORKER_IDS.length && head.placedPlan?.planId === current.planId
        ? current.planId
        : undefined;
    },
    60_000,
  );
}

/** The whole restart drill: `restart` cuts the broker off and brings it back on the same URL. */
async function survivesRestart(
  head: ClusterHead,
  workers: WorkerProcess[],
  restart: () => Promise<void>,
  observeRetained: boolean,
) {
  const planBefore = await servingWithEveryWorker(head);
  const dnn = head.placedPlan!.dnns[0]!.name;
  assert.notEqual((await head.frontend.submit(dnn)).status, 'dropped');
  const seqBefore = head.controller.nodes.get('l4-a')!.lastSeenMs;

  await restart();

  await waitFor('the head reconnected', () => head.bus.connected || undefined, 15_000);
  await waitFor(
    'heartbeats of both workers after the restart',
    () => WORKER_IDS.every((id) => head.controller.nodes.get(id)!.lastSeenMs > seqBefore) || undefined,
    15_000,
  );
  // The embedded broker's ACL admits no observer (an anonymous client is refused, a node reads only its own
  // topics under its worker's client id): there the head's and the workers' own state below tell.
  if (observeRetained) {
    let seen = new Map<string, string>();
    const retained = await waitFor(
      'the plan, assignments, announcements and availability retained again',
      async () => {
        const messages = await retainedMessages(head.brokerUrl).catch(() => new Map<string, string>());
        seen = messages;
        const complete =
          messages.get(`${PREFIX}/plan`)?.includes(planBefore) &&
          WORKER_IDS.every(
            (id) =>
              messages.get(`${PREFIX}/nodes/${id}/assignment`)?.includes(planBefore) &&
              messages.get(`${PREFIX}/nodes/${id}/available`) === 'online' &&
              messages.has(`${PREFIX}/nodes/${id}/announce`),
          );
        return complete ? messages : undefined;
      },
      15_000,
    ).catch((error: unknown) => {
      throw new Error(`${String(error)}; retained: ${[...seen.keys()].join(', ') || 'nothing'}`);
    });
    assert.ok(retained.size >= 1 + 3 * WORKER_IDS.length);
  }
  // Nothing was lost to the cluster: the same plan is served, on both workers, and it serves.
  assert.equal(head.controller.current!.planId, planBefore, 'no re-plan for a broker restart');
  assert.equal(head.placedPlan?.planId, planBefore);
  assert.deepEqual(
    head.controller.upNodes().map((n) => n.id),
    WORKER_IDS,
  );
  const after = await head.frontend.submit(dnn);
  assert.notEqual(after.status, 'dropped', after.reason);
  for (const worker of workers) {
    const applied = appliedPlans(worker);
    assert.equal(new Set(applied).size, applied.length, `${worker.id} applied a plan twice: ${applied.join(', ')}`);
    assert.equal(applied.at(-1), planBefore, `${worker.id} runs the plan in force`);
  }
}

function runMosquitto(port: number, dir: string): { child: ChildProcess; exited: Promise<unknown> } {
  const config = path.join(dir, 'mosquitto.conf');
  writeFileSync(config, [`listener ${port} 127.0.0.1`, 'allow_anonymous true', 'persistence false', ''].join('\n'));
  const child = spawn(MOSQUITTO!, ['-c', config], { stdio: 'ignore' });
  return { child, exited: new Promise((resolve) => child.once('exit', resolve)) };
}

it(
  'an external mosquitto killed and restarted on its port: every client back, the plan restored',
  { skip: NO_MOSQUITTO, timeout: 120_000 },
  async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'ppipe-faults-mosquitto-'));
    const port = await freePort();
    const url = `mqtt://127.0.0.1:${port}`;
    let mosquitto = runMosquitto(port, dir);
    const head = emulatedHead({ url });
    const workers = startWorkers(url);
    try {
      await waitFor(
        'mosquitto listening',
        () =>
          mqtt
            .connectAsync(url, { reconnectPeriod: 0, connectTimeout: 500 })
            .then((c) => c.endAsync().then(() => true))
            .catch(() => undefined),
        10_000,
      );
      await head.start();
      await survivesRestart(
        head,
        workers,
        async () => {
          mosquitto.child.kill('SIGKILL');
          await mosquitto.exited;
          mosquitto = runMosquitto(port, dir);
        },
        true,
      );
    } finally {
      for (const worker of workers) await worker.stop();
      await head.stop();
      mosquitto.child.kill('SIGTERM');
      await mosquitto.exited;
      rmSync(dir, { recursive: true, force: true });
    }
  },
);

it(
  'the embedded broker closed and opened again by the head: every client back, the plan restored',
  { timeout: 120_000 },
  async () => {
    const head = emulatedHead();
    await head.start();
    const workers = startWorkers(head.brokerUrl, true);
    try {
      await survivesRestart(head, workers, () => head.restartEmbeddedBroker(), false);
    } finally {
      for (const worker of workers) await worker.stop();
      await head.stop();
    }
  },
);
