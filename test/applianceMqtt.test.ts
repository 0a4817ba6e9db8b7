// The appliance publishes over MQTT for home automation: detections as Frigate-style events, camera status
// retained, its availability with an `offline` will; an unreachable broker never stops it.
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import mqtt from 'mqtt';
import pino from 'pino';
import { Appliance } from '../src/appliance.ts';
import { EmbeddedBroker } from '../src/cluster/index.ts';
import { ASTRONAUT, MODEL } from './applianceSupport.ts';
import { makeTestCertificates } from './cluster/support.ts';

/** `mqttExtra`: more lines of the mqtt section (credentials, CA), indented by two spaces. */
function config(dir: string, mqttUrl: string, mqttExtra = ''): string {
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
mqtt:
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

  it('publishes detections with Frigate field names, camera status and availability', async () => {
    await broker.start();
    const client = await mqtt.connectAsync(broker.url, account);
    const messages: Array<{ topic: string; payload: string; retain: boolean }> = [];
    client.on('message', (topic, payload, packet) =>
      messages.push({ topic, payload: payload.toString(), retain: packet.retain }),
    );
    await client.subscribeAsync(['home/frigate/events', 'home/cameras/+/status', 'home/nodes/appliance/available']);
    const appliance = new Appliance({
      configFile: config(
        mkdtempSync(path.join(tmpdir(), 'ppipe-mqtt-')),
        broker.url,
        `  username: ${account.username}\n  password: ${account.password}\n`,
      ),
      logger: pino({ level: 'silent' }),
    });
    try {
      await appliance.start();
      const deadline = Date.now() + 15_000;
      while (Date.now() < deadline && !messages.some((m) => m.topic === 'home/frigate/events'))
        await new Promise((r) => setTimeout(r, 50));
      const event = messages.find((m) => m.topic === 'home/frigate/events');
      assert.ok(event, `no detection event; got ${messages.map((m) => m.topic).join(', ')}`);
      type After = { camera: string; label: string; score: number; box: number[]; frame_time: number };
      type Sized = After & { source_width: number; source_height: number };
      const body = JSON.parse(event.payload) as { type: string; before: unknown; after: Sized };
      assert.equal(body.type, 'new');
      assert.equal(body.before, null);
      assert.equal(body.after.camera, 'porch');
      assert.equal(body.after.label, 'face');
      assert.ok(body.after.score > 0.75 && body.after.box.length === 4 && body.after.frame_time > 1.7e9);
      // decoded at 256x256; the box is in the photograph's own 512x512 pixels
      assert.deepEqual([body.after.source_width, body.after.source_height], [512, 512]);
      assert.ok(body.after.box[2]! > 150 && body.after.box[2]! < 300, `box: ${body.after.box.join(',')}`);
      assert.ok(messages.some((m) => m.topic === 'home/cameras/porch/status' && m.payload === 'online'));
      assert.ok(messages.some((m) => m.topic === 'home/nodes/appliance/available' && m.payload === 'online'));
    } finally {
      await appliance.stop();
    }
    const deadline = Date.now() + 5_000;
    while (
      Date.now() < deadline &&
      !messages.some((m) => m.topic === 'home/nodes/appliance/available' && m.payload === 'offline')
    )
      await new Promise((r) => setTimeout(r, 50));
    assert.ok(
      messages.some((m) => m.topic === 'home/nodes/appliance/available' && m.payload === 'offline'),
      'offline on stop',
    );
    await client.endAsync();
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
      await client.subscribeAsync('home/nodes/appliance/available');
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
