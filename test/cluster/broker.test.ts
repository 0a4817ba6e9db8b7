// Both brokers — the embedded aedes and Debian's mosquitto — carry announcements, retained availability
// and the `offline` will of a node that vanishes; requests get envelope responses; bad payloads are rejected.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import mqtt from 'mqtt';
import { Bus, EmbeddedBroker } from '../../src/cluster/index.ts';
import type { Announcement, Availability, ResponseEnvelope } from '../../src/cluster/index.ts';
import { BROKER_ACCOUNT, NO_MOSQUITTO, memoryLogger, startMosquitto } from './support.ts';
import { waitFor } from '../helpers.ts';

const announcement: Announcement = {
  id: 'n1',
  role: 'worker',
  deviceClass: 'T4',
  gpus: 2,
  mpsLevels: 4,
  site: 'edge-1',
  dataEndpoint: 'ws://127.0.0.1:1',
  emulated: true,
  timeScale: 1,
  versions: { protocol: 1, ppipe: '0.1.0', node: process.version },
  startedAt: 0,
};

async function exercise(url: string, login: { username?: string; password?: string } = {}): Promise<void> {
  const { log, lines } = memoryLogger();
  const node = new Bus({ url, prefix: 'test', clientId: 'node-n1', willNodeId: 'n1', ...login }, log);
  await node.start();
  await node.publish('announce', announcement, 'n1', true);
  await node.publish('available', 'online', 'n1', true);
  await node.serve('health', (data) => ({ echo: data }));

  // A controller that connects later still sees the retained announcement and availability.
  const controller = new Bus({ url, prefix: 'test', clientId: 'controller', ...login }, log);
  await controller.start();
  const seen: Announcement[] = [];
  const availability: Availability[] = [];
  const responses: ResponseEnvelope[] = [];
  await controller.subscribe('announce', (value) => void seen.push(value));
  await controller.subscribe('available', (value) => void availability.push(value));
  await controller.subscribe('response', (value) => void responses.push(value));
  await waitFor(
    'retained announcement and availability',
    () => seen.length === 1 && availability.at(-1) === 'online',
    5000,
  );
  assert.equal(seen[0]!.deviceClass, 'T4');

  // Request/response envelope, and an error response for a malformed request with a transaction.
  await controller.publishRaw('test/request/health', JSON.stringify({ data: { a: 1 }, transaction: 't1' }));
  await controller.publishRaw('test/request/health', JSON.stringify({ data: 'nope', transaction: 't2' }));
  await waitFor('responses', () => responses.length === 2, 5000);
  const ok = responses.find((r) => r.transaction === 't1')!;
  assert.deepEqual(ok, { data: { echo: { a: 1 } }, status: 'ok', transaction: 't1' });
  const error = responses.find((r) => r.transaction === 't2')!;
  assert.equal(error.status, 'error');
  assert.match(error.error ?? '', /test\/request\/health.*data/);

  // Malformed announcements are rejected with a logged reason; the bus keeps going.
  await node.publishRaw('test/nodes/n2/announce', JSON.stringify({ ...announcement, id: 'n2', gpus: -1 }));
  await node.publishRaw('test/nodes/n3/announce', 'not json');
  await waitFor('rejections', () => controller.rejected === 2, 5000);
  assert.ok(lines.some((line) => /rejected malformed payload/.test(line) && /gpus/.test(line)));

  // The node vanishes without a clean disconnect: the broker publishes its will, retained.
  await node.kill();
  await waitFor('will', () => availability.at(-1) === 'offline', 5000);
  const late = await mqtt.connectAsync(url, { clientId: 'late', ...login });
  const retained = await new Promise<string>((resolve) => {
    late.on('message', (_topic, payload) => resolve(payload.toString()));
    void late.subscribeAsync('test/nodes/n1/available');
  });
  assert.equal(retained, 'offline');
  await late.endAsync();
  await controller.stop();
}

describe('control plane over MQTT', () => {
  it('works on the embedded broker', async () => {
    const broker = new EmbeddedBroker({ accounts: [BROKER_ACCOUNT] });
    await broker.start();
    try {
      await exercise(broker.url, BROKER_ACCOUNT);
    } finally {
      await broker.stop();
    }
  });

  it('works on mosquitto', async (t) => {
    if (NO_MOSQUITTO) {
      t.skip(NO_MOSQUITTO);
      return;
    }
    const mosquitto = await startMosquitto(() => ['allow_anonymous true']);
    try {
      await exercise(`mqtt://127.0.0.1:${mosquitto.port}`);
    } finally {
      await mosquitto.stop();
    }
  });
});
