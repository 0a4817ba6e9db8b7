// The appliance opens the event store beside the detection log (the same SQLite file, pictures under
// <dataDir>/events), hands it to the HTTP server and exposes it as `appliance.eventStore`: an event written there
// is served by /api/events and its snapshot route, and is still there after a restart.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { it } from 'node:test';
import Database from 'better-sqlite3';
import pino from 'pino';
import { Appliance } from '../src/appliance.ts';
import type { EventsResponse } from '../src/server/index.ts';
import type { EventUpsert } from '../src/store/index.ts';
import { MODEL } from './applianceSupport.ts';

const START_MS = Date.UTC(2024, 0, 1);

const seen: EventUpsert = {
  id: `${START_MS / 1000}.250000-abc123`,
  camera: 'front',
  label: 'person',
  score: 0.8,
  topScore: 0.9,
  startTime: START_MS,
  endTime: null,
  box: [100, 100, 300, 500],
  area: 200 * 400,
  sourceWidth: 640,
  sourceHeight: 480,
  currentZones: [],
  enteredZones: [],
  stationary: false,
  path: [{ time: START_MS, x: 200, y: 300 }],
  bestTime: START_MS,
  bestBox: [100, 100, 300, 500],
};

it('opens the event store in the data folder, serves it over HTTP and keeps it across a restart', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'ppipe-appliance-events-'));
  const configFile = path.join(dir, 'config.yaml');
  const dataDir = path.join(dir, 'data');
  writeFileSync(
    configFile,
    `version: 1\nmodels:\n  - { id: blazeface, kind: blazeface, path: ${MODEL} }\ncameras: []\nserver:\n  port: 0\n` +
      'events:\n  retentionDays: 3650\n',
  );
  const start = async (): Promise<Appliance> => {
    const appliance = new Appliance({ configFile, dataDir, logger: pino({ level: 'silent' }) });
    await appliance.start();
    return appliance;
  };
  let appliance = await start();
  try {
    assert.equal(appliance.eventStore.upsert(seen), true);
    const frame = { width: 320, height: 240, data: new Uint8Array(320 * 240 * 3).fill(60) };
    assert.equal(
      appliance.eventStore.saveSnapshot(seen.id, frame, seen.bestBox, { frameScale: 0.5, quality: 80 }),
      true,
    );
    assert.ok(existsSync(path.join(dataDir, 'events', `${seen.id}.jpg`)));
    await appliance.stop();
    appliance = await start();
    const base = `http://127.0.0.1:${appliance.port}`;
    const page = (await (await fetch(`${base}/api/events?camera=front`)).json()) as EventsResponse;
    assert.deepEqual(page, { items: [{ ...seen, hasSnapshot: true }], nextBefore: null, total: 1 });
    const snapshot = await fetch(`${base}/api/events/${seen.id}/snapshot.jpg`);
    assert.deepEqual([snapshot.status, snapshot.headers.get('content-type')], [200, 'image/jpeg']);
    const db = new Database(appliance.detectionStore.file, { readonly: true });
    assert.deepEqual(db.prepare('SELECT id FROM events').all(), [{ id: seen.id }], "in the detection log's file");
    db.close();
  } finally {
    await appliance.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  assert.throws(() => appliance.eventStore, /not started/);
});
