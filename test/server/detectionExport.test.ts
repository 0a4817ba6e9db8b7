// The detection log's exports over real HTTP on a real SQLite file: for several filters, the CSV's rows and the
// JSON lines equal the filtered /api/detections items field by field (same names, same values), each with
// `timeIso` beside `time`; and a bad filter is a 400 whose issues name the parameter.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { SecretRedactor, silentLogger } from '../../src/config/index.ts';
import { ApiServer } from '../../src/server/index.ts';
import type { ApiServerDeps, DetectionsResponse, ErrorResponse } from '../../src/server/index.ts';
import { CSV_HEADER, DetectionStore } from '../../src/store/index.ts';
import { parseDetectionsCsv } from '../helpers.ts';

describe('detection exports equal /api/detections', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'ppipe-export-'));
  const store = new DetectionStore({
    file: path.join(dir, 'log.sqlite'),
    retentionDays: 36500,
    maxRows: 1e9,
    log: silentLogger,
  });
  const deps = { host: '127.0.0.1', port: 0, store, log: silentLogger, redactor: new SecretRedactor() };
  const server = new ApiServer(deps as unknown as ApiServerDeps);
  const get = async (route: string): Promise<{ status: number; text: string }> => {
    const res = await fetch(`http://127.0.0.1:${server.port}${route}`);
    return { status: res.status, text: await res.text() };
  };
  const T0 = Date.UTC(2024, 0, 2, 3, 4, 5, 678);

  before(async () => {
    store.start();
    store.insertDetections(
      Array.from({ length: 40 }, (_, i) => ({
        camera: i % 3 === 0 ? 'front' : 'back, yard',
        timeMs: T0 + i * 1500,
        label: i % 2 ? 'face' : 'person "tall"',
        score: (i % 10) / 10 + 0.05,
        box: [i, i + 0.5, i + 10, i + 20.25] as [number, number, number, number],
        sourceWidth: i % 5 === 0 ? null : 1920,
        sourceHeight: i % 5 === 0 ? null : 1080,
        model: 'blazeface',
        latencyMs: 3 + i / 4,
        sloMet: i % 4 !== 0,
        snapshot: i % 7 === 0 ? `snap-${i}.jpg` : null,
      })),
    );
    await server.start();
  });
  after(async () => {
    await server.stop();
    store.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  for (const query of [
    '',
    'camera=front',
    'label=face&minScore=0.5',
    `from=${new Date(T0 + 9000).toISOString()}&to=${T0 + 30_000}`,
  ]) {
    it(`CSV and JSON Lines of "${query}" hold the filtered items, field by field`, async () => {
      const page = JSON.parse((await get(`/api/detections?limit=1000&${query}`)).text) as DetectionsResponse;
      assert.ok(page.items.length > 0 && page.items.length === page.total);
      const expected = page.items
        .map((item) => {
          const { id, camera, time, ...rest } = item;
          return { id, camera, time, timeIso: new Date(time).toISOString(), ...rest };
        })
        .reverse();
      const csv = await get(`/api/detections/export?format=csv&${query}`);
      assert.equal(csv.status, 200);
      assert.equal(csv.text.split('\n')[0], CSV_HEADER);
      assert.deepEqual(parseDetectionsCsv(csv.text), expected);
      const jsonl = await get(`/api/detections/export?format=jsonl&${query}`);
      const lines = jsonl.text.trimEnd().split('\n');
      assert.deepEqual(
        lines.map((line) => JSON.parse(line) as unknown),
        expected,
      );
      // Same names in the same order as the API's items, timeIso right after time.
      assert.deepEqual(Object.keys(JSON.parse(lines[0]!) as object), Object.keys(expected[0]!));
      assert.deepEqual(CSV_HEADER.split(','), Object.keys(expected[0]!));
    });
  }

  it('the ISO time is UTC with milliseconds', async () => {
    const rows = parseDetectionsCsv((await get('/api/detections/export?format=csv')).text);
    assert.deepEqual([rows[0]!.time, rows[0]!.timeIso], [T0, '2024-01-02T03:04:05.678Z']);
  });

  it('a bad filter is a 400 whose issues name each parameter', async () => {
    const bad = await get('/api/detections/export?format=xls&minScore=2');
    assert.equal(bad.status, 400);
    const body = JSON.parse(bad.text) as ErrorResponse;
    assert.match(body.error, /^invalid detection filter: /);
    assert.deepEqual(body.issues?.map((issue) => issue.path).sort(), [['format'], ['minScore']]);
    const backwards = JSON.parse((await get(`/api/detections?from=${T0 + 1}&to=${T0}`)).text) as ErrorResponse;
    assert.deepEqual(backwards.issues, [{ path: ['from'], message: `${T0 + 1} is after to (${T0})` }]);
  });
});
