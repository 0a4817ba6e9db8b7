// The three attacks of issue 16 on the cluster head's embedded broker, by a real MQTT client beside real
// worker processes: an anonymous client is refused at CONNECT; a client with another node's valid password
// can neither plant a retained assignment for a worker, nor announce a node that is not there, nor say a
// live worker is offline, nor read another node's topics. Then the rules themselves on a bare broker: wills,
// client-id takeover, and what a node may do on its own topics.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import mqtt from 'mqtt';
import type { IClientOptions, MqttClient } from 'mqtt';
import { Bus, ClusterHead, ControlPlaneAcl, EmbeddedBroker, workerClientId } from '../../src/cluster/index.ts';
import type { Announcement, Assignment, Availability } from '../../src/cluster/index.ts';
import { HEAD_USERNAME } from '../../src/config/index.ts';
import { FIXTURE_PROFILES, TOKEN, memoryLogger } from './support.ts';
import { waitFor } from '../helpers.ts';

const PREFIX = 'ppipe';
const ROGUE = { username: 'n2', password: 'n2-password-0123456789' };

const fakeAnnouncement = (id: string): Announcement => ({
  id,
  role: 'worker',
  deviceClass: 'L4',
  gpus: 4,
  mpsLevels: 4,
  site: 'local',
  dataEndpoint: 'ws://127.0.0.1:9',
  emulated: true,
  timeScale: 1,
  versions: { protocol: 1, ppipe: '0.1.0', node: process.version },
  startedAt: 0,
});

const fakeAssignment = (nodeId: string): Assignment => ({
  planId: 'forged',
  nodeId,
  linkDtype: 'float32',
  bandwidthGbps: null,
  partitions: [],
});

/** A QoS 1 publish: `accepted` on its PUBACK, `refused` when the broker closes the connection instead. */
function tryPublish(client: MqttClient, topic: string, payload: string, retain: boolean): Promise<string> {
  const closed = new Promise<string>((resolve) => client.once('close', () => resolve('refused')));
  const acked = client.publishAsync(topic, payload, { qos: 1, retain }).then(
    () => 'accepted',
    () => 'refused',
  );
  return Promise.race([closed, acked]);
}

function connect(url: string, options: IClientOptions): Promise<MqttClient> {
  return mqtt.connectAsync(url, { reconnectPeriod: 0, connectTimeout: 5000, ...options });
}

/** The retained payload of one topic as a fresh subscription sees it (every test topic has one). */
async function retainedOf(url: string, login: IClientOptions, topic: string): Promise<string> {
  const client = await connect(url, login);
  try {
    const payload = new Promise<string>((resolve) =>
      client.on('message', (t, p) => {
        if (t === topic) resolve(p.toString('utf8'));
      }),
    );
    await client.subscribeAsync(topic, { qos: 1 });
    return await payload;
  } finally {
    await client.endAsync(true);
  }
}

describe("the cluster head's embedded broker", { timeout: 60_000 }, () => {
  const { log } = memoryLogger();
  const head = new ClusterHead(
    {
      prefix: PREFIX,
      token: TOKEN,
      nodes: [{ id: ROGUE.username, password: ROGUE.password }],
      controller: {
        profiles: FIXTURE_PROFILES,
        models: [{ name: 'efficientnet-b8' }],
        algorithm: 'ppipe',
        bandwidthGbps: 6,
        paceLinks: false,
        linkDtype: 'float16',
        debounceMs: 200,
      },
      workers: [
        { id: 'l4-1', args: ['--device-class', 'L4', '--emulate'] },
        { id: 'p4-1', args: ['--device-class', 'P4', '--mps-levels', '1', '--emulate'] },
      ],
    },
    log,
  );
  const assignments = new Map<string, Assignment>();
  const availability = new Map<string, Availability>();

  before(async () => {
    await head.start();
    // The local workers log in with the passwords the head made for them and load the plan's assignments.
    await waitFor(
      'both local workers in the served plan',
      () => head.controller.upNodes().length === 2 && head.placedPlan !== undefined,
      40_000,
    );
    await head.bus.subscribe('assignment', (value, id) => void assignments.set(id!, value));
    await head.bus.subscribe('available', (value, id) => void availability.set(id!, value));
  });
  after(() => head.stop());

  it('refuses an anonymous client and a wrong password', async () => {
    await assert.rejects(connect(head.brokerUrl, { clientId: 'anonymous' }), /Not authorized/);
    await assert.rejects(
      connect(head.brokerUrl, { clientId: workerClientId('n2'), username: 'n2', password: 'guess-guess-guess' }),
      /Not authorized/,
    );
  });

  it("refuses a retained assignment for another node, so the worker's own stays", async () => {
    // The plan may leave one of the two workers out: the victim is one the head assigned partitions to.
    const [victim, before] = (await waitFor('a retained assignment', () => [...assignments.entries()][0], 10_000))!;
    const rogue = await connect(head.brokerUrl, { clientId: workerClientId('n2'), ...ROGUE });
    const forged = JSON.stringify(fakeAssignment(victim));
    assert.equal(await tryPublish(rogue, `${PREFIX}/nodes/${victim}/assignment`, forged, true), 'refused');
    await rogue.endAsync(true);
    const seen: Assignment[] = [];
    await head.bus.subscribe('assignment', (value) => void seen.push(value), victim);
    await waitFor('the retained assignment again', () => seen.length > 0, 5000);
    assert.equal(seen[0]!.planId, before.planId, "the retained assignment is the head's");
  });

  it('refuses an announcement of a node that is not there', async () => {
    const rogue = await connect(head.brokerUrl, { clientId: workerClientId('n2'), ...ROGUE });
    const ghost = JSON.stringify(fakeAnnouncement('ghost'));
    assert.equal(await tryPublish(rogue, `${PREFIX}/nodes/ghost/announce`, ghost, true), 'refused');
    await rogue.endAsync(true);
    assert.deepEqual(
      head.controller
        .upNodes()
        .map((n) => n.id)
        .sort(),
      ['l4-1', 'p4-1'],
    );
  });

  it('refuses a retained offline for a live worker, which stays in the plan', async () => {
    const rogue = await connect(head.brokerUrl, { clientId: workerClientId('n2'), ...ROGUE });
    assert.equal(await tryPublish(rogue, `${PREFIX}/nodes/p4-1/available`, 'offline', true), 'refused');
    await rogue.endAsync(true);
    const seen: Availability[] = [];
    await head.bus.subscribe('available', (value) => void seen.push(value), 'p4-1');
    await waitFor('the retained availability again', () => seen.length > 0, 5000);
    assert.equal(seen[0], 'online');
    assert.ok(head.controller.upNodes().some((n) => n.id === 'p4-1'));
  });

  it("refuses a node's subscription to another node's topics, one by one or by wildcard", async () => {
    const rogue = await connect(head.brokerUrl, { clientId: workerClientId('n2'), ...ROGUE });
    try {
      await assert.rejects(rogue.subscribeAsync(`${PREFIX}/nodes/l4-1/assignment`, { qos: 1 }), /Subscribe error/);
      await assert.rejects(rogue.subscribeAsync(`${PREFIX}/nodes/+/assignment`, { qos: 1 }), /Subscribe error/);
      await assert.rejects(rogue.subscribeAsync(`${PREFIX}/#`, { qos: 1 }), /Subscribe error/);
      // Its own assignment topic it may read.
      await rogue.subscribeAsync(`${PREFIX}/nodes/n2/assignment`, { qos: 1 });
    } finally {
      await rogue.endAsync(true);
    }
  });
});

describe('the control-plane ACL on a bare embedded broker', () => {
  const headLogin = { username: HEAD_USERNAME, password: 'head-password-0123456789' };
  const n1 = { username: 'n1', password: 'n1-password-0123456789' };
  const broker = new EmbeddedBroker({
    accounts: [headLogin, n1, ROGUE],
    authorizer: new ControlPlaneAcl({ prefix: PREFIX, headUsername: HEAD_USERNAME }),
  });
  before(() => broker.start());
  after(() => broker.stop());

  it('lets a node use its own topics: announce, availability with its will, heartbeats, stats, profiles', async () => {
    const { log } = memoryLogger();
    const node = new Bus(
      { url: broker.url, prefix: PREFIX, clientId: workerClientId('n1'), willNodeId: 'n1', ...n1 },
      log,
    );
    await node.start();
    try {
      await node.publish('announce', fakeAnnouncement('n1'), 'n1', true);
      await node.publish('available', 'online', 'n1', true);
      await node.publish(
        'heartbeat',
        {
          id: 'n1',
          seq: 0,
          uptimeS: 1,
          planId: null,
          ready: false,
          inflightBatches: 0,
        },
        'n1',
      );
      await node.subscribe('assignment', () => undefined, 'n1');
      await node.subscribe('profileRequest', () => undefined, 'n1');
      assert.equal(node.connected, true);
      assert.equal(
        await retainedOf(broker.url, { clientId: 'checker', ...headLogin }, `${PREFIX}/nodes/n1/announce`),
        JSON.stringify(fakeAnnouncement('n1')),
      );
    } finally {
      await node.stop();
    }
  });

  it("refuses a will on another node's topic when the broker is about to publish it", async () => {
    const victim = await connect(broker.url, { clientId: workerClientId('n1'), ...n1 });
    await victim.publishAsync(`${PREFIX}/nodes/n1/available`, 'online', { qos: 1, retain: true });
    const clientsBefore = broker.connectedClients;
    const rogue = await connect(broker.url, {
      clientId: workerClientId('n2'),
      ...ROGUE,
      will: { topic: `${PREFIX}/nodes/n1/available`, payload: Buffer.from('offline'), qos: 1, retain: true },
    });
    await waitFor('the rogue connected', () => broker.connectedClients === clientsBefore + 1, 5000);
    rogue.stream.destroy(); // vanish without DISCONNECT: the broker decides on the will
    await waitFor('the broker dropping the rogue', () => broker.connectedClients === clientsBefore, 5000);
    const login = { clientId: 'checker', ...headLogin };
    assert.equal(await retainedOf(broker.url, login, `${PREFIX}/nodes/n1/available`), 'online');
    await rogue.endAsync(true);
    await victim.endAsync(true);
  });

  it("refuses a node that takes another node's client id (which would cut that node off)", async () => {
    await assert.rejects(connect(broker.url, { clientId: workerClientId('n1'), ...ROGUE }), /Not authorized/);
    await assert.rejects(connect(broker.url, { clientId: workerClientId('n1'), ...headLogin }), /Not authorized/);
  });

  it('lets the head use the whole prefix and nothing outside it', async () => {
    const headClient = await connect(broker.url, { clientId: 'head', ...headLogin });
    await headClient.subscribeAsync(`${PREFIX}/#`, { qos: 1 });
    assert.equal(
      await tryPublish(headClient, `${PREFIX}/nodes/n1/assignment`, JSON.stringify(fakeAssignment('n1')), true),
      'accepted',
    );
    await assert.rejects(headClient.subscribeAsync('#', { qos: 1 }), /Subscribe error/);
    assert.equal(await tryPublish(headClient, 'elsewhere/topic', 'x', false), 'refused');
    await headClient.endAsync(true);
  });
});
