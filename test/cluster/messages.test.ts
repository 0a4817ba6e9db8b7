// The MQTT message model: good payloads pass, bad ones are rejected with the topic and field named.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { matchTopic, parseMessage, topicOf } from '../../src/cluster/index.ts';
import type { Announcement } from '../../src/cluster/index.ts';

const announcement: Announcement = {
  id: 'l4-1',
  role: 'worker',
  deviceClass: 'L4',
  gpus: 1,
  mpsLevels: 4,
  site: 'cloud',
  dataEndpoint: 'ws://127.0.0.1:9000',
  emulated: true,
  timeScale: 1,
  versions: { protocol: 1, ppipe: '0.1.0', node: 'v20.0.0' },
  startedAt: 1,
};

it('topics round-trip through topicOf and matchTopic', () => {
  assert.equal(topicOf('ppipe', 'available', 'l4-1'), 'ppipe/nodes/l4-1/available');
  assert.deepEqual(matchTopic('ppipe', 'ppipe/nodes/l4-1/heartbeat'), { kind: 'heartbeat', param: 'l4-1' });
  assert.deepEqual(matchTopic('ppipe', 'ppipe/request/replan'), { kind: 'request', param: 'replan' });
  assert.equal(matchTopic('ppipe', 'other/nodes/x/heartbeat'), undefined);
});

it('accepts a good announcement and availability', () => {
  const parsed = parseMessage('announce', 't', JSON.stringify(announcement));
  assert.ok(parsed.ok);
  assert.deepEqual(parseMessage('available', 't', 'offline'), { ok: true, value: 'offline' });
});

it('rejects bad payloads naming the topic and the field', () => {
  const bad = parseMessage(
    'announce',
    'ppipe/nodes/x/announce',
    JSON.stringify({ ...announcement, gpus: 0, dataEndpoint: 'http://x' }),
  );
  assert.ok(!bad.ok);
  assert.match(bad.reason, /ppipe\/nodes\/x\/announce/);
  assert.match(bad.reason, /gpus/);
  assert.match(bad.reason, /dataEndpoint/);
  const notJson = parseMessage('heartbeat', 'ppipe/nodes/x/heartbeat', '{oops');
  assert.ok(!notJson.ok && /expected JSON/.test(notJson.reason));
  const unknownKey = parseMessage(
    'heartbeat',
    't',
    JSON.stringify({ id: 'x', seq: 1, uptimeS: 1, planId: null, ready: true, inflightBatches: 0, extra: 1 }),
  );
  assert.ok(!unknownKey.ok && /extra/.test(unknownKey.reason));
  const availability = parseMessage('available', 't', 'maybe');
  assert.ok(!availability.ok && /\(root\)/.test(availability.reason));
  const request = parseMessage('request', 't', JSON.stringify({ data: 3, transaction: 'a' }));
  assert.ok(!request.ok && /data/.test(request.reason));
  const detection = parseMessage(
    'events',
    't',
    JSON.stringify({ type: 'new', kind: 'node', before: null, after: null }),
  );
  assert.ok(detection.ok);
});
