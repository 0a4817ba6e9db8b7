// Property tests of the MQTT payload parsers: whatever arrives on a topic, parseMessage never throws, and a
// refusal names the topic; a good payload with one field spoiled is refused naming that field.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import fc from 'fast-check';
import { parseMessage, TOPICS } from '../../src/cluster/index.ts';
import type { Announcement, TopicKind } from '../../src/cluster/index.ts';
import { propertyRuns } from '../fuzz.ts';

const KINDS = Object.keys(TOPICS) as TopicKind[];
const TOPIC = 'ppipe/nodes/fuzz/x';

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

function checkNeverThrows(kind: TopicKind, payload: Uint8Array | string): void {
  const parsed = parseMessage(kind, TOPIC, payload);
  if (!parsed.ok) assert.ok(parsed.reason.startsWith(`${TOPIC}: `), parsed.reason);
}

it('arbitrary bytes on any topic are parsed or refused with the topic named, never thrown', () => {
  fc.assert(
    fc.property(fc.constantFrom(...KINDS), fc.uint8Array({ maxLength: 256 }), (kind, bytes) =>
      checkNeverThrows(kind, bytes),
    ),
    propertyRuns(500),
  );
});

it('arbitrary JSON on any topic is parsed or refused with the topic named, never thrown', () => {
  fc.assert(
    fc.property(fc.constantFrom(...KINDS), fc.jsonValue({ maxDepth: 4 }), (kind, value) =>
      checkNeverThrows(kind, JSON.stringify(value)),
    ),
    propertyRuns(500),
  );
});

it('an announcement with one field replaced by null or an array is refused naming that field', () => {
  const fields = Object.keys(announcement) as Array<keyof Announcement>;
  fc.assert(
    fc.property(
      fc.constantFrom(...fields),
      fc.oneof(fc.constant(null), fc.array(fc.integer(), { maxLength: 3 })),
      (field, spoiled) => {
        const parsed = parseMessage('announce', TOPIC, JSON.stringify({ ...announcement, [field]: spoiled }));
        assert.ok(!parsed.ok, `${field} = ${JSON.stringify(spoiled)} was accepted`);
        assert.match(parsed.reason, new RegExp(`\\b${field}\\b`));
      },
    ),
    propertyRuns(200),
  );
});
