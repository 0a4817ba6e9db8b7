// The appliance publishes over MQTT for home automation: availability with an `offline` will, camera status,
// counts of the tracked labels and Home Assistant discovery documents that follow the cameras changed through
// the API; an unreachable broker never stops it, and a prefix that would share the control plane's topics is
// refused. The tracked objects' events themselves: test/cluster/eventPublisher.test.ts.
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import mqtt from 'mqtt';
import pino from 'pino';
import { Appliance } from '../src/appliance.ts';
import { EmbeddedBroker } from '../src/cluster/index.ts';
import { ConfigError } from '../src/config/index.ts';
import { ASTRONAUT, MODEL } from './applianceSupport.ts';
import { makeTestCertificates } from './cluster/support.ts';
import { waitFor } from './helpers.ts';

/** `mqttExtra`: more lines of the mqtt section (credentials, CA), indented by two spaces. */
function config(dir: string, mqttUrl: string, mqttExtra = '', rest = ''): string {
  const file = path.join(dir, 'config.yaml');
  writeFileSync(
    file,
    `version: 1
models:
  - { id: blazeface, kind: blazeface, path: ${MODEL}, threshold: 0.75 }
cameras:
  - { id: porch, url: "image:${ASTRONAUT}", fps: 4, width: 256, height: 256, model: blazeface }
store:
  dataDir: data
  snapshots: { enabled: false }
server:
  port: 0
${rest}mqtt:
  url: ${mqttUrl}
  prefix: home
  detectionPrefix: home/frigate
${mqttExtra}`,
  );
  return file;
}

describe('appliance over MQTT', () => {
  const account = { username: 'home', password: 'assistant-secret' };
  const broker = new EmbeddedBroker({ port: 0, accounts: [account] });
  after(() => broker.stop());

  it('publishes availability, camera status, counts and discovery that follows camera changes', async () => {
    await broker.start();
    const client = await mqtt.connectAsync(broker.url, account);
    const messages: Array<{ topic: string; payload: string; retain: boolean }> = [];
    client.on('message', (topic, payload, packet) =>
      messages.push({ topic, payload: payload.toString(), retain: packet.retain }),
    );
    await client.subscribeAsync(['home/#', 'homeassistant/#']);
    const logLines: string[] = [];
    const dir = mkdtempSync(path.join(tmpdir(), 'ppipe-mqtt-'));
    const appliance = new Appliance({
      configFile: config(dir, broker.url, `  username: ${account.username}\n  password: ${account.password}\n`),
      logger: pino({ level: 'info' }, { write: (line: string) => void logLines.push(line) }),
    });
    const has = (topic: string, payload: string): boolean =>
      messages.some((m) => m.topic === topic && m.payload === payload);
    try {
      await appliance.start();
      await waitFor('online, camera status and the count', () =>
        ['home/frigate/available=online', 'home/cameras/porch/status=online', 'home/frigate/porch/face=0'].every(
          (entry) => has(entry.split('=')[0]!, entry.split('=')[1]!),
        ),
      );
      const id = readFileSync(path.join(dir, 'data', 'appliance-id'), 'utf8').trim();
      const countSensor = (camera: string): string => `homeassistant/sensor/ppipe_${id}/${camera}_face_count/config`;
      const porch = messages.find((m) => m.topic === countSensor('porch'));
      assert.ok(porch, `no discovery for porch; got ${messages.map((m) => m.topic).join(', ')}`);
      assert.equal((JSON.parse(porch.payload) as { state_topic: string }).state_topic, 'home/frigate/porch/face');
      assert.deepEqual(
        messages.filter((m) => m.topic.startsWith('home/nodes/')),
        [],
        "the appliance's topics stay off the control plane's",
      );
      assert.equal(
        logLines.filter((line) => line.includes('mqtt.detectionPrefix is deprecated')).length,
        1,
        'the deprecated key is read, with one warning',
      );

      const base = `http://127.0.0.1:${appliance.port}/api/cameras`;
      const added = await fetch(base, {
        method: 'POST',
        body: JSON.stringify({ id: 'garage', url: 'rtsp://127.0.0.1:1/stream', enabled: false }),
        headers: { 'content-type': 'application/json' },
      });
      assert.equal(added.status, 201, await added.text());
      await waitFor('discovery of the added camera', () =>
        messages.some((m) => m.topic === countSensor('garage') && m.payload !== ''),
      );
      const removed = await fetch(`${base}/garage`, { method: 'DELETE' });
      assert.equal(removed.status, 204);
      await waitFor("the removed camera's entities cleared", () => has(countSensor('garage'), ''));
      assert.ok(!has(countSensor('porch'), ''), 'the other camera keeps its entities');
    } finally {
      await appliance.stop();
    }
    await waitFor('offline on stop', () => has('home/frigate/available', 'offline'), 5_000);
    await client.endAsync();
  });

  it("refuses an events prefix that shares the cluster control plane's topics", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ppipe-mqtt-'));
    const appliance = new Appliance({
      configFile: config(dir, 'mqtt://127.0.0.1:1', '  eventsPrefix: ppipe\n', 'cluster:\n  prefix: ppipe\n'),
      logger: pino({ level: 'silent' }),
    });
    await assert.rejects(
      () => appliance.start(),
      (error: Error) =>
        error instanceof ConfigError &&
        /mqtt.eventsPrefix: "ppipe" would share MQTT topics with the cluster's control plane: it equals/.test(
          error.message,
        ),
    );
    await appliance.stop();
  });

  it('over mqtts:// with credentials and the CA named in the config (relative to it)', async () => {
    const certs = makeTestCertificates();
    const secure = new EmbeddedBroker({
      port: 0,
      accounts: [{ username: 'home', password: 'assistant-secret' }],
      tls: { certFile: certs.certFile, keyFile: certs.keyFile },
    });
    const dir = mkdtempSync(path.join(tmpdir(), 'ppipe-mqtts-'));
    copyFileSync(certs.caFile, path.join(dir, 'broker-ca.pem'));
    process.env.PPIPE_TEST_MQTT_PASSWORD = 'assistant-secret';
    let appliance: Appliance | undefined;
    try {
      await secure.start();
      assert.match(secure.url, /^mqtts:\/\//);
      const client = await mqtt.connectAsync(secure.url, {
        username: 'home',
        password: 'assistant-secret',
        ca: readFileSync(certs.caFile),
      });
      const available: string[] = [];
      client.on('message', (_topic, payload) => available.push(payload.toString()));
      await client.subscribeAsync('home/frigate/available');
      appliance = new Appliance({
        configFile: config(
          dir,
          secure.url,
          '  username: home\n  password: ${PPIPE_TEST_MQTT_PASSWORD}\n  caFile: broker-ca.pem\n',
        ),
        logger: pino({ level: 'silent' }),
      });
      await appliance.start();
      const deadline = Date.now() + 10_000;
      while (Date.now() < deadline && !available.includes('online')) await new Promise((r) => setTimeout(r, 50));
      assert.ok(available.includes('online'), 'the appliance connected over TLS and announced itself');
      await client.endAsync();
    } finally {
      await appliance?.stop();
      delete process.env.PPIPE_TEST_MQTT_PASSWORD;
      await secure.stop();
      certs.remove();
    }
  });

  it('an unreachable broker is logged and the appliance still serves', async () => {
    const appliance = new Appliance({
      configFile: config(mkdtempSync(path.join(tmpdir(), 'ppipe-mqtt-')), 'mqtt://127.0.0.1:1'),
      logger: pino({ level: 'silent' }),
    });
    try {
      await appliance.start();
      const res = await fetch(`http://127.0.0.1:${appliance.port}/api/detections?limit=1`);
      assert.equal(res.status, 200);
    } finally {
      await appliance.stop();
    }
  });
});
