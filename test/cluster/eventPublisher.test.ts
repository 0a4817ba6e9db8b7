// The appliance's MQTT publisher on a real broker (Debian mosquitto): Frigate's new/update/end events, counts
// per label and zone, the snapshot image, availability with its will, and Home Assistant discovery documents,
// each checked against schemas written from the documentation (documentedSchemas.ts names the pages).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import mqtt from 'mqtt';
import type { MqttClient } from 'mqtt';
import { Bus, MqttEventPublisher, REQUEST_ACTIONS, TOPICS } from '../../src/cluster/index.ts';
import type { DiscoveredCamera, TopicKind } from '../../src/cluster/index.ts';
import type { ObjectChange, TrackedObject } from '../../src/detect/index.ts';
import { waitFor } from '../helpers.ts';
import { DISCOVERY_TOPIC, HA_COMPONENT_SCHEMAS, frigateEvent } from './documentedSchemas.ts';
import type { Mosquitto } from './support.ts';
import { NO_MOSQUITTO, memoryLogger, startMosquitto } from './support.ts';

type Message = { topic: string; payload: Buffer; retain: boolean };

const PORCH: DiscoveredCamera = {
  id: 'porch',
  name: 'Front porch',
  trackedLabels: ['person', 'car'],
  zones: [{ name: 'driveway', labels: ['person'] }],
};
const APPLIANCE_ID = '0123456789ab';

/** A client that records every message under the given filters. */
async function recorder(url: string, filters: string[]): Promise<{ client: MqttClient; messages: Message[] }> {
  const client = await mqtt.connectAsync(url, { reconnectPeriod: 0 });
  const messages: Message[] = [];
  client.on('message', (topic, payload, packet) => messages.push({ topic, payload, retain: packet.retain }));
  await client.subscribeAsync(filters, { qos: 1 });
  return { client, messages };
}

/** The retained messages of a filter now, as a fresh subscriber gets them (empty payloads are no message). */
async function retainedNow(url: string, filter: string, expected: number): Promise<Map<string, Buffer>> {
  const { client, messages } = await recorder(url, [filter]);
  try {
    if (expected > 0) await waitFor(`${expected} retained messages on ${filter}`, () => messages.length >= expected);
    // A round trip through the broker: every retained message was delivered before this one comes back.
    await client.subscribeAsync('ppipe-test/sync');
    await client.publishAsync('ppipe-test/sync', 'x', { qos: 1 });
    await waitFor('the sync message', () => messages.some((m) => m.topic === 'ppipe-test/sync'));
    return new Map(messages.filter((m) => m.retain && m.topic !== 'ppipe-test/sync').map((m) => [m.topic, m.payload]));
  } finally {
    await client.endAsync();
  }
}

function person(overrides: Partial<TrackedObject>): TrackedObject {
  return {
    id: '1733300000.123456-ab12cd',
    camera: 'porch',
    label: 'person',
    score: 0.8,
    topScore: 0.8,
    startTimeMs: 1_733_300_000_123,
    lastSeenMs: 1_733_300_000_123,
    endTimeMs: null,
    box: [100, 200, 180, 400],
    area: 80 * 200,
    sourceWidth: 1280,
    sourceHeight: 720,
    currentZones: [],
    enteredZones: [],
    stationary: false,
    path: [{ timeMs: 1_733_300_000_123, x: 140, y: 400 }],
    bestTimeMs: 1_733_300_000_123,
    bestBox: [100, 200, 180, 400],
    ...overrides,
  };
}

describe('MQTT event publisher on mosquitto', { skip: NO_MOSQUITTO }, () => {
  let broker: Mosquitto;
  let url: string;
  before(async () => {
    broker = await startMosquitto(() => ['allow_anonymous true']);
    url = `mqtt://127.0.0.1:${broker.port}`;
  });
  after(() => broker?.stop());

  /** Only the discovery test publishes discovery documents: the others leave no retained ones behind. */
  function publisher(cameras: DiscoveredCamera[], clientId: string, discovery = false): MqttEventPublisher {
    return new MqttEventPublisher(
      {
        url,
        prefix: 'ppipe',
        eventsPrefix: 'frigate',
        discoveryPrefix: 'homeassistant',
        discovery,
        applianceId: APPLIANCE_ID,
        cameras,
        clientId,
      },
      memoryLogger().log,
    );
  }

  it('publishes new, update and end in Frigate format with counts per label and zone', async () => {
    const { client, messages } = await recorder(url, ['frigate/#']);
    const events = publisher([PORCH], 'events-sequence');
    try {
      await events.start();
      await waitFor('zero counts at start', () => messages.filter((m) => m.payload.toString() === '0').length === 3);
      const seen = person({});
      const inZone = person({
        score: 0.9,
        topScore: 0.9,
        lastSeenMs: 1_733_300_001_323,
        box: [300, 250, 380, 450],
        currentZones: ['driveway'],
        enteredZones: ['driveway'],
      });
      const ended = { ...inZone, currentZones: [], endTimeMs: inZone.lastSeenMs };
      const changes: ObjectChange[] = [
        { type: 'new', before: null, after: seen, bestChanged: true },
        { type: 'update', before: seen, after: inZone, bestChanged: true },
        { type: 'end', before: inZone, after: ended, bestChanged: false },
      ];
      const active = [[seen], [inZone], []];
      changes.forEach((change, i) => {
        events.publishObjectChange(change, i > 0);
        events.publishCounts('porch', active[i]!);
      });
      await waitFor('three events', () => messages.filter((m) => m.topic === 'frigate/events').length === 3);
      const bodies = messages
        .filter((m) => m.topic === 'frigate/events')
        .map((m) => frigateEvent.parse(JSON.parse(m.payload.toString())));
      assert.deepEqual(
        bodies.map((b) => b.type),
        ['new', 'update', 'end'],
      );
      assert.equal(bodies[0]!.before, null);
      assert.deepEqual(bodies[1]!.before, bodies[0]!.after, 'update: before is the state the new event announced');
      assert.deepEqual(bodies[2]!.before, bodies[1]!.after);
      assert.ok(bodies.every((b) => b.after.id === '1733300000.123456-ab12cd' && !b.after.stationary));
      assert.deepEqual(
        bodies.map((b) => b.after.end_time),
        [null, null, 1733300001.323],
        'end_time: null until the end, then when the object was last seen',
      );
      assert.equal(bodies[0]!.after.start_time, 1733300000.123);
      assert.deepEqual(bodies[1]!.after.current_zones, ['driveway']);
      assert.deepEqual(bodies[2]!.after.current_zones, []);
      assert.deepEqual(bodies[2]!.after.entered_zones, ['driveway']);
      assert.deepEqual(bodies[1]!.after.box, [300, 250, 380, 450]);
      assert.equal(bodies[1]!.after.area, 16_000);
      assert.deepEqual(
        bodies.map((b) => b.after.has_snapshot),
        [false, true, true],
      );
      assert.ok(messages.filter((m) => m.topic === 'frigate/events').every((m) => !m.retain));
      await waitFor('counts back to 0', () => messages.filter((m) => m.topic === 'frigate/porch/person').length === 3);
      const countsOf = (topic: string): string[] =>
        messages.filter((m) => m.topic === topic).map((m) => m.payload.toString());
      assert.deepEqual(countsOf('frigate/porch/person'), ['0', '1', '0']);
      assert.deepEqual(countsOf('frigate/porch/driveway/person'), ['0', '1', '0'], 'zone: out, in, out');
      assert.deepEqual(countsOf('frigate/porch/car'), ['0'], 'a count is published when it changes only');
      const retained = await retainedNow(url, 'frigate/porch/#', 3);
      assert.deepEqual([...retained].map(([topic, payload]) => `${topic}=${payload.toString()}`).sort(), [
        'frigate/porch/car=0',
        'frigate/porch/driveway/person=0',
        'frigate/porch/person=0',
      ]);
    } finally {
      await events.stop();
      await client.endAsync();
    }
  });

  it('refuses an event its schema does not allow (an end without end_time) and publishes nothing', async () => {
    const { client, messages } = await recorder(url, ['frigate/events']);
    const events = publisher([PORCH], 'events-refusal');
    try {
      await events.start();
      const seen = person({});
      events.publishObjectChange({ type: 'end', before: seen, after: seen, bestChanged: false }, false);
      events.publishObjectChange({ type: 'new', before: null, after: seen, bestChanged: true }, false);
      await waitFor('the valid event', () => messages.length === 1);
      assert.equal(events.failed, 1);
      assert.equal(JSON.parse(messages[0]!.payload.toString()).type, 'new');
    } finally {
      await events.stop();
      await client.endAsync();
    }
  });

  it('publishes Home Assistant discovery as documented, again on its birth, and clears removed entities', async () => {
    const events = publisher([PORCH], 'events-discovery', true);
    try {
      await events.start();
      // status, image; per label a count sensor and an occupancy binary_sensor; the same for driveway × person
      const documents = await retainedNow(url, 'homeassistant/#', 8);
      assert.equal(documents.size, 8, [...documents.keys()].join('\n'));
      const states = await retainedNow(url, 'frigate/#', 4);
      for (const [topic, payload] of documents) {
        const match = DISCOVERY_TOPIC.exec(topic);
        assert.ok(match, `${topic}: <discovery_prefix>/<component>/<node_id>/<object_id>/config`);
        const [, prefix, component, nodeId, objectId] = match as unknown as [string, string, string, string, string];
        assert.equal(prefix, 'homeassistant');
        assert.equal(nodeId, `ppipe_${APPLIANCE_ID}`);
        const schema = HA_COMPONENT_SCHEMAS[component as keyof typeof HA_COMPONENT_SCHEMAS];
        const parsed = schema.safeParse(JSON.parse(payload.toString()));
        assert.ok(parsed.success, `${topic}: ${parsed.error?.message}`);
        const config = parsed.data as Record<string, unknown> & { device: { identifiers: string[]; name: string } };
        assert.equal(config.unique_id, `ppipe_${APPLIANCE_ID}_${objectId}`);
        assert.match(objectId, /^porch_/);
        assert.deepEqual(config.device.identifiers, [`ppipe_${APPLIANCE_ID}_porch`]);
        assert.equal(config.device.name, 'Front porch');
        assert.deepEqual(config.availability, [
          { topic: 'frigate/available', payload_available: 'online', payload_not_available: 'offline' },
        ]);
        // every count entity reads a retained state that is there from the start
        if (component !== 'image' && objectId !== 'porch_status')
          assert.equal(states.get(config.state_topic as string)?.toString(), '0', `${topic} reads a retained count`);
      }
      const zone = JSON.parse(
        documents
          .get(`homeassistant/binary_sensor/ppipe_${APPLIANCE_ID}/porch_driveway_person_occupancy/config`)!
          .toString(),
      ) as Record<string, unknown>;
      assert.equal(zone.state_topic, 'frigate/porch/driveway/person');
      assert.equal(zone.device_class, 'occupancy');
      const image = JSON.parse(
        documents.get(`homeassistant/image/ppipe_${APPLIANCE_ID}/porch_snapshot/config`)!.toString(),
      ) as Record<string, unknown>;
      assert.equal(image.image_topic, 'frigate/porch/snapshot');
      const status = JSON.parse(
        documents.get(`homeassistant/sensor/ppipe_${APPLIANCE_ID}/porch_status/config`)!.toString(),
      ) as Record<string, unknown>;
      assert.equal(status.state_topic, 'ppipe/cameras/porch/status');

      // Home Assistant's birth message: everything again (its restart may have lost the entities)
      const { client, messages } = await recorder(url, ['homeassistant/+/+/+/config']);
      await waitFor('the retained documents', () => messages.length === 8);
      messages.length = 0;
      await client.publishAsync('homeassistant/status', 'online', { qos: 1 });
      await waitFor('documents published again', () => messages.length === 8);
      assert.deepEqual(messages.map((m) => m.topic).sort(), [...documents.keys()].sort());
      await client.endAsync();

      // car no longer tracked: its entities and count go; then the camera goes
      events.setCameras([{ ...PORCH, trackedLabels: ['person'] }]);
      const afterDrop = await retainedNow(url, 'homeassistant/#', 6);
      assert.deepEqual(
        [...afterDrop.keys()].filter((topic) => topic.includes('car')),
        [],
      );
      assert.equal(afterDrop.size, 6);
      assert.equal((await retainedNow(url, 'frigate/porch/car', 0)).size, 0, 'the count of an untracked label goes');
      events.setCameras([]);
      assert.equal((await retainedNow(url, 'homeassistant/#', 0)).size, 0, 'a removed camera leaves no entity');
      assert.equal((await retainedNow(url, 'frigate/porch/#', 0)).size, 0, 'nor counts');
    } finally {
      await events.stop();
    }
  });

  it('publishes the snapshot as JPEG bytes, retained, and refuses what is not a JPEG', async () => {
    const events = publisher([PORCH], 'events-snapshot');
    try {
      await events.start();
      const jpeg = Buffer.concat([
        Buffer.from([0xff, 0xd8, 0xff, 0xe0]),
        Buffer.alloc(2000, 7),
        Buffer.from([0xff, 0xd9]),
      ]);
      events.publishSnapshot('porch', Buffer.from('not a jpeg'));
      events.publishSnapshot('porch', jpeg);
      const retained = await retainedNow(url, 'frigate/porch/snapshot', 1);
      assert.ok(retained.get('frigate/porch/snapshot')?.equals(jpeg));
      assert.equal(events.failed, 1);
    } finally {
      await events.stop();
    }
  });

  it('says online, offline on stop, and the broker says offline (its will) when the publisher vanishes', async () => {
    const events = publisher([PORCH], 'events-will');
    await events.start();
    assert.equal((await retainedNow(url, 'frigate/available', 1)).get('frigate/available')?.toString(), 'online');
    await events.kill();
    await waitFor(
      'the will',
      async () => (await retainedNow(url, 'frigate/available', 1)).get('frigate/available')?.toString() === 'offline',
    );
    const again = publisher([PORCH], 'events-will');
    await again.start();
    assert.equal((await retainedNow(url, 'frigate/available', 1)).get('frigate/available')?.toString(), 'online');
    await again.stop();
    assert.equal((await retainedNow(url, 'frigate/available', 1)).get('frigate/available')?.toString(), 'offline');
  });

  it('publishes its retained state again after a reconnection (a restarted broker has lost it)', async () => {
    const events = publisher([PORCH], 'events-reconnect');
    try {
      await events.start();
      assert.equal((await retainedNow(url, 'frigate/porch/person', 1)).get('frigate/porch/person')?.toString(), '0');
      // A client with the same id takes the session over (the broker drops the publisher) and clears the count,
      // as a broker restart without persistence would; the publisher reconnects and publishes it again.
      const intruder = await mqtt.connectAsync(url, { clientId: 'events-reconnect', reconnectPeriod: 0 });
      await intruder.publishAsync('frigate/porch/person', '', { qos: 1, retain: true });
      await intruder.endAsync();
      await waitFor('the count published again', async () => {
        const retained = await retainedNow(url, 'frigate/#', 0);
        return (
          retained.get('frigate/porch/person')?.toString() === '0' &&
          retained.get('frigate/available')?.toString() === 'online'
        );
      });
    } finally {
      await events.stop();
    }
  });

  it('stays off the control plane, even with the same prefix on the same broker (no phantom node)', async () => {
    // Before: `<prefix>/nodes/appliance/available` made the controller list a node "appliance" in /api/nodes.
    const { log } = memoryLogger();
    const controlPlane = new Bus({ url, prefix: 'ppipe', clientId: 'control-plane' }, log);
    await controlPlane.start();
    const heard: string[] = [];
    for (const kind of Object.keys(TOPICS) as TopicKind[])
      if (kind !== 'request')
        await controlPlane.subscribe(kind, (_value, param, topic) => void heard.push(`${topic} ${param}`));
    for (const action of REQUEST_ACTIONS) await controlPlane.serve(action, () => void heard.push(`request ${action}`));
    const { client, messages } = await recorder(url, ['ppipe/#']);
    const events = new MqttEventPublisher(
      {
        url,
        prefix: 'ppipe',
        eventsPrefix: 'ppipe/frigate',
        discoveryPrefix: 'homeassistant',
        discovery: false,
        applianceId: APPLIANCE_ID,
        cameras: [PORCH],
        clientId: 'events-same-prefix',
      },
      log,
    );
    try {
      await events.start();
      events.publishCameraStatus('porch', 'online');
      events.publishCounts('porch', [person({ currentZones: ['driveway'] })]);
      await waitFor('the zone count', () =>
        messages.some((m) => m.topic === 'ppipe/frigate/porch/driveway/person' && m.payload.toString() === '1'),
      );
      await events.kill();
      await waitFor('the will', () =>
        messages.some((m) => m.topic === 'ppipe/frigate/available' && m.payload.toString() === 'offline'),
      );
      assert.ok(messages.some((m) => m.topic === 'ppipe/cameras/porch/status'));
      assert.deepEqual(heard, [], 'a control-plane handler got an appliance message');
      assert.equal(controlPlane.rejected, 0);
      assert.deepEqual(
        messages.filter((m) => m.topic.startsWith('ppipe/nodes/')).map((m) => m.topic),
        [],
      );
    } finally {
      await client.endAsync();
      await controlPlane.stop();
    }
  });
});
