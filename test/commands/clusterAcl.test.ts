// `ppipe cluster acl` writes the embedded broker's topic rules as a mosquitto ACL file: loaded into a real
// mosquitto (allow_anonymous false, a password file made with mosquitto_passwd), a node publishes on its own
// topics, is refused on another node's, and the head reads everything under the prefix.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import mqtt from 'mqtt';
import type { MqttClient } from 'mqtt';
import { workerClientId } from '../../src/cluster/index.ts';
import { runClusterAclCommand } from '../../src/commands/clusterAcl.ts';
import { NO_MOSQUITTO, startMosquitto } from '../cluster/support.ts';
import { findOnPath, waitFor } from '../helpers.ts';

const MOSQUITTO_PASSWD = findOnPath('mosquitto_passwd');
const SKIP =
  NO_MOSQUITTO || (MOSQUITTO_PASSWD ? false : 'mosquitto_passwd is not on PATH (Debian: apt-get install mosquitto)');

const USERS = { head: 'head-password-0123', 'edge-1': 'edge-1-password-0123', 'edge-2': 'edge-2-password-0123' };

function runAcl(argv: string[]): { code: number; stdout: string; stderr: string } {
  let stdout = '';
  let stderr = '';
  const code = runClusterAclCommand(argv, { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t) });
  return { code, stdout, stderr };
}

describe('ppipe cluster acl', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ppipe-acl-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('takes the prefix and node ids from the config and names a bad node id', () => {
    const config = path.join(dir, 'config.yaml');
    writeFileSync(
      config,
      'version: 1\ncluster:\n  prefix: site-a\n  brokerUsername: head\n  nodes:\n    - { id: gpu-9 }\n',
    );
    const out = path.join(dir, 'from-config.acl');
    const result = runAcl(['--config', config, '--out', out]);
    assert.equal(result.code, 0, result.stderr);
    const text = readFileSync(out, 'utf8');
    assert.match(text, /^user head\ntopic readwrite site-a\/#$/m);
    assert.match(text, /^user gpu-9\ntopic write site-a\/nodes\/gpu-9\/announce$/m);
    assert.match(text, /^topic read site-a\/nodes\/gpu-9\/assignment$/m);
    const bad = runAcl(['--nodes', 'ok,no/such', '--prefix', 'p', '--head-user', 'h', '--out', out]);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /--nodes: "no\/such" is not a node id/);
  });

  it("is enforced by a real mosquitto: own topics yes, another node's no", { skip: SKIP }, async () => {
    const aclFile = path.join(dir, 'ppipe.acl');
    const written = runAcl(['--nodes', 'edge-1,edge-2', '--prefix', 'ppipe', '--head-user', 'head', '--out', aclFile]);
    assert.equal(written.code, 0, written.stderr);
    const mosquitto = await startMosquitto(
      (confDir) => {
        const passwords = path.join(confDir, 'passwd');
        writeFileSync(passwords, '');
        for (const [user, password] of Object.entries(USERS)) {
          const made = spawnSync(MOSQUITTO_PASSWD!, ['-b', passwords, user, password], { encoding: 'utf8' });
          if (made.status !== 0) throw new Error(`mosquitto_passwd: ${made.stderr}`);
        }
        // As root, mosquitto would drop to the `mosquitto` user, who cannot read our 0700 folders.
        return ['user root', 'allow_anonymous false', `password_file ${passwords}`, `acl_file ${aclFile}`];
      },
      { username: 'head', password: USERS.head },
    );
    const clients: MqttClient[] = [];
    const connect = async (user: keyof typeof USERS, clientId: string): Promise<MqttClient> => {
      const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${mosquitto.port}`, {
        clientId,
        username: user,
        password: USERS[user],
        reconnectPeriod: 0,
      });
      clients.push(client);
      return client;
    };
    try {
      await assert.rejects(
        mqtt.connectAsync(`mqtt://127.0.0.1:${mosquitto.port}`, { reconnectPeriod: 0 }),
        /Not authorized/,
        'no anonymous client',
      );
      const head = await connect('head', 'head');
      const received: string[] = [];
      head.on('message', (topic, payload) => received.push(`${topic}=${payload.toString()}`));
      await head.subscribeAsync('ppipe/#', { qos: 1 });
      const edge1 = await connect('edge-1', workerClientId('edge-1'));
      // mosquitto acknowledges a denied publish but delivers it to nobody: the marker published after it
      // on the same connection arrives after it would have, so its arrival closes the check.
      await edge1.publishAsync('ppipe/nodes/edge-2/available', 'offline', { qos: 1, retain: true });
      await edge1.publishAsync('ppipe/nodes/edge-2/assignment', '{}', { qos: 1, retain: true });
      await edge1.publishAsync('ppipe/nodes/edge-1/available', 'online', { qos: 1, retain: true });
      await waitFor('the own-topic message at the head', () => received.length > 0, 5000);
      assert.deepEqual(received, ['ppipe/nodes/edge-1/available=online']);
      // Reading: mosquitto grants any subscription but delivers only what the ACL lets the node read.
      const edge1Received: string[] = [];
      edge1.on('message', (topic) => edge1Received.push(topic));
      await edge1.subscribeAsync(['ppipe/nodes/edge-2/assignment', 'ppipe/nodes/+/profile-request', 'ppipe/plan'], {
        qos: 1,
      });
      await edge1.subscribeAsync('ppipe/nodes/edge-1/assignment', { qos: 1 });
      await head.publishAsync('ppipe/nodes/edge-2/assignment', '{}', { qos: 1 });
      await head.publishAsync('ppipe/nodes/edge-2/profile-request', '{}', { qos: 1 });
      await head.publishAsync('ppipe/plan', '{}', { qos: 1 });
      await head.publishAsync('ppipe/nodes/edge-1/assignment', '{}', { qos: 1 });
      await waitFor('its own assignment at edge-1', () => edge1Received.length > 0, 5000);
      assert.deepEqual(edge1Received, ['ppipe/nodes/edge-1/assignment']);
    } finally {
      for (const client of clients) await client.endAsync(true);
      await mosquitto.stop();
    }
  });
});
