// The names the appliance's MQTT side stands on: its id in Home Assistant (kept in the data folder) and the
// rule that its topics never land on the cluster's control plane.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import {
  APPLIANCE_ID_FILE,
  cameraStatusTopic,
  eventsPrefixConflict,
  matchTopic,
  readOrCreateApplianceId,
} from '../../src/cluster/index.ts';

describe('appliance id', () => {
  it('is made once at the first start and read back after', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ppipe-id-'));
    const id = readOrCreateApplianceId(dir);
    assert.match(id, /^[0-9a-f]{12}$/);
    assert.equal(readFileSync(path.join(dir, APPLIANCE_ID_FILE), 'utf8').trim(), id);
    assert.equal(readOrCreateApplianceId(dir), id);
    assert.notEqual(readOrCreateApplianceId(mkdtempSync(path.join(tmpdir(), 'ppipe-id-'))), id);
  });

  it('a damaged file is refused, naming it and what it should hold', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ppipe-id-'));
    writeFileSync(path.join(dir, APPLIANCE_ID_FILE), 'my appliance\n');
    assert.throws(
      () => readOrCreateApplianceId(dir),
      (error: Error) =>
        error.message.includes(path.join(dir, APPLIANCE_ID_FILE)) &&
        error.message.includes('expected 12 hex digits') &&
        error.message.includes('"my appliance"'),
    );
  });
});

describe('events prefix and control plane', () => {
  it('refuses prefixes whose topics overlap and allows the rest', () => {
    assert.match(eventsPrefixConflict('ppipe', 'ppipe') ?? '', /equals cluster.prefix "ppipe"/);
    assert.match(eventsPrefixConflict('frigate', 'frigate/cluster') ?? '', /lies under it/);
    assert.match(eventsPrefixConflict('ppipe/nodes', 'ppipe') ?? '', /"ppipe\/nodes\/…"/);
    assert.match(eventsPrefixConflict('ppipe/request/x', 'ppipe') ?? '', /"ppipe\/request\/…"/);
    assert.equal(eventsPrefixConflict('frigate', 'ppipe'), undefined);
    assert.equal(eventsPrefixConflict('ppipe/frigate', 'ppipe'), undefined);
    assert.equal(eventsPrefixConflict('ppipe2', 'ppipe'), undefined);
  });

  it("camera status under the control plane's own prefix is no control-plane topic", () => {
    for (const camera of ['porch', 'nodes', 'plan', 'request'])
      assert.equal(matchTopic('ppipe', cameraStatusTopic('ppipe', camera)), undefined, camera);
  });
});
