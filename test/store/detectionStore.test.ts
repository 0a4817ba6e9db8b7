// The SQLite log on a real file: WAL mode, filters and paging, retention, CSV/JSONL export matching the rows,
// nonsense filters refused, and a full database (max_page_count) reported and counted, never thrown.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import {
  CSV_HEADER,
  DetectionFilterError,
  DetectionStore,
  exportChunks,
  parseDetectionQuery,
  parseExportQuery,
  SnapshotStore,
} from '../../src/store/index.ts';
import type { NewDetection } from '../../src/store/index.ts';
import { SCHEMA_VERSION } from '../../src/store/index.ts';

type JsonSize = { sourceWidth: number | null; sourceHeight: number | null };
import { silentLogger } from '../../src/config/index.ts';
import { exportedFieldsOf, parseDetectionsCsv } from '../helpers.ts';

const quiet = silentLogger;
const dir = mkdtempSync(path.join(tmpdir(), 'ppipe-store-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function row(i: number, overrides: Partial<NewDetection> = {}): NewDetection {
  return {
    camera: i % 2 ? 'cam-b' : 'cam-a',
    timeMs: 1_700_000_000_000 + i * 1000,
    label: i % 3 ? 'face' : 'car',
    score: (i % 10) / 10,
    box: [i, i + 1, i + 10, i + 20.5],
    sourceWidth: 1920,
    sourceHeight: 1080,
    model: 'blazeface',
    latencyMs: 5 + i,
    sloMet: i % 4 !== 0,
    ...overrides,
  };
}

describe('DetectionStore', () => {
  it('uses WAL, filters, pages newest first, and exports CSV that matches the rows', () => {
    const store = new DetectionStore({
      file: path.join(dir, 'a.sqlite'),
      retentionDays: 36500,
      maxRows: 1e9,
      log: quiet,
    });
    store.start();
    try {
      assert.equal(store.journalMode(), 'wal');
      assert.equal(store.insertDetections(Array.from({ length: 50 }, (_, i) => row(i)))!.length, 50);
      const { filter, page } = parseDetectionQuery({ camera: 'cam-a', label: 'face', minScore: '0.2', limit: '3' });
      const first = store.query(filter, page);
      assert.equal(first.length, 3);
      assert.ok(first.every((d) => d.camera === 'cam-a' && d.label === 'face' && d.score >= 0.2));
      assert.ok(first[0]!.timeMs > first[1]!.timeMs);
      const second = store.query(filter, { ...page, before: first.at(-1)!.id });
      assert.ok(second[0]!.timeMs < first.at(-1)!.timeMs);
      const range = parseDetectionQuery({
        from: String(1_700_000_010_000),
        to: new Date(1_700_000_019_000).toISOString(),
      });
      assert.equal(store.count(range.filter), 10);

      const csv = [...exportChunks(store, {}, 'csv', 100)].join('');
      assert.equal(csv.split('\n')[0], CSV_HEADER);
      const all = store.query({}, { limit: 1000 }).reverse();
      assert.deepEqual(parseDetectionsCsv(csv), all.map(exportedFieldsOf));
      assert.equal(all.length, 50);
      const jsonAll = [...exportChunks(store, {}, 'jsonl', 100)].join('').trimEnd().split('\n');
      assert.deepEqual(
        jsonAll.map((l) => JSON.parse(l) as unknown),
        all.map(exportedFieldsOf),
        'JSON Lines carry the same fields as the CSV',
      );
      assert.deepEqual([all[0]!.sourceWidth, all[0]!.sourceHeight], [1920, 1080]);
      type JsonRow = { camera: string; box: number[]; sourceWidth: number; sourceHeight: number };
      const jsonText = [...exportChunks(store, { camera: 'cam-b' }, 'jsonl')].join('');
      const jsonl = jsonText
        .trimEnd()
        .split('\n')
        .map((l) => JSON.parse(l) as JsonRow);
      assert.equal(jsonl.length, 25);
      assert.ok(jsonl.every((d) => d.camera === 'cam-b' && d.box.length === 4));
      assert.ok(jsonl.every((d) => d.sourceWidth === 1920 && d.sourceHeight === 1080));
      // an export in progress does not block writers (its own read-only connection)
      const iterator = store.iterate({});
      iterator.next();
      assert.equal(store.insertDetections([row(99)])!.length, 1);
      iterator.return(undefined);
    } finally {
      store.stop();
    }
  });

  it('opens a file of the schema before source sizes, keeps its rows (source size null) and adds the columns', () => {
    const file = path.join(dir, 'old.sqlite');
    const old = new Database(file);
    old.exec(`CREATE TABLE detections (
      id INTEGER PRIMARY KEY AUTOINCREMENT, camera TEXT NOT NULL, time INTEGER NOT NULL, label TEXT NOT NULL,
      score REAL NOT NULL, x1 REAL NOT NULL, y1 REAL NOT NULL, x2 REAL NOT NULL, y2 REAL NOT NULL,
      model TEXT NOT NULL, latency_ms REAL NOT NULL, slo_met INTEGER NOT NULL, snapshot TEXT);
      CREATE INDEX detections_time ON detections (time);`);
    const insert = old.prepare(
      'INSERT INTO detections (camera, time, label, score, x1, y1, x2, y2, model, ' +
        'latency_ms, slo_met, snapshot) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    );
    insert.run('cam-a', 1_600_000_000_000, 'face', 0.9, 1, 2, 3, 4, 'blazeface', 12, 1, null);
    insert.run('cam-b', 1_600_000_001_000, 'face', 0.8, 5, 6, 7, 8, 'blazeface', 13, 0, 'x.jpg');
    old.close();
    for (let open = 0; open < 2; open++) {
      const store = new DetectionStore({ file, retentionDays: 36500, maxRows: 1e9, log: quiet });
      store.start();
      try {
        const rows = store.query({}, { limit: 10 }).reverse();
        assert.deepEqual(
          rows.slice(0, 2).map((d) => [d.camera, d.box, d.sourceWidth, d.sourceHeight, d.snapshot]),
          [
            ['cam-a', [1, 2, 3, 4], null, null, null],
            ['cam-b', [5, 6, 7, 8], null, null, 'x.jpg'],
          ],
        );
        if (open === 0) assert.equal(store.insertDetections([row(3)])!.length, 1);
        assert.equal(rows.length, open === 0 ? 2 : 3);
        const csv = [...exportChunks(store, {}, 'csv')].join('').trimEnd().split('\n');
        assert.match(csv[1]!, /,,,blazeface,12,true,false$/, 'no source size on an old row');
        assert.match(csv[2]!, /,,,blazeface,13,false,true$/, 'an old row with a snapshot');
        assert.match(csv[3]!, /,1920,1080,/);
        const first = JSON.parse([...exportChunks(store, {}, 'jsonl')].join('').split('\n')[0]!) as JsonSize;
        assert.deepEqual([first.sourceWidth, first.sourceHeight], [null, null]);
      } finally {
        store.stop();
      }
    }
    const check = new Database(file, { readonly: true });
    assert.equal(check.pragma('user_version', { simple: true }), SCHEMA_VERSION);
    check.close();
  });

  it('refuses nonsense filters with every bad field named', () => {
    assert.throws(
      () => parseDetectionQuery({ minScore: 'high', limit: '0', camera: 'A;B', colour: 'red' }),
      (e: unknown) => {
        const m = (e as Error).message;
        return (
          e instanceof DetectionFilterError &&
          /minScore/.test(m) &&
          /limit/.test(m) &&
          /camera/.test(m) &&
          /colour/.test(m)
        );
      },
    );
    assert.throws(() => parseExportQuery({ format: 'xml' }), /format/);
    assert.throws(() => parseExportQuery({ from: 'yesterday-ish' }), /from: expected milliseconds/);
    assert.throws(() => parseDetectionQuery({ from: '2000', to: '1000' }), /after to/);
  });

  it('applies retention by age and by row count', () => {
    const store = new DetectionStore({ file: path.join(dir, 'r.sqlite'), retentionDays: 1, maxRows: 5, log: quiet });
    store.start();
    try {
      const now = Date.now();
      store.insertDetections([
        row(0, { timeMs: now - 3 * 86_400_000 }),
        ...Array.from({ length: 8 }, (_, i) => row(i + 1, { timeMs: now - i })),
      ]);
      assert.equal(store.applyRetention(now), 4);
      assert.equal(store.count({}), 5);
      assert.ok(store.query({}, { limit: 10 }).every((d) => d.timeMs > now - 86_400_000));
    } finally {
      store.stop();
    }
  });

  it('on a full database applies retention first, then counts failed writes without throwing or losing rows', () => {
    const store = new DetectionStore({
      file: path.join(dir, 'full.sqlite'),
      retentionDays: 36500,
      maxRows: 1e9,
      log: quiet,
      maxPageCount: 40,
    });
    store.start();
    try {
      let inserted = 0;
      for (let i = 0; i < 60; i++)
        inserted += store.insertDetections(Array.from({ length: 100 }, (_, j) => row(i * 100 + j)))?.length ?? 0;
      const stats = store.stats();
      assert.ok(stats.retentionDeletedRows > 0, 'retention ran when the database was full');
      assert.ok(inserted > 0 && stats.rows > 0);
      const huge = store.insertDetections([row(1, { label: 'x'.repeat(400_000) })]);
      assert.equal(huge, null);
      assert.ok(store.stats().failedWrites >= 1);
      assert.ok(store.count({}) > 0, 'stored rows survive');
    } finally {
      store.stop();
    }
  });

  it('throttles snapshots per camera and keeps at most maxFiles', () => {
    const snaps = new SnapshotStore({
      dir: path.join(dir, 'snaps'),
      minIntervalMs: 1000,
      retentionDays: 1,
      maxFiles: 2,
      quality: 70,
      log: quiet,
    });
    snaps.start();
    const image = { width: 8, height: 8, data: new Uint8Array(8 * 8 * 3).fill(128) };
    const now = Date.now();
    const refs = [
      snaps.maybeSave('cam-a', image, now),
      snaps.maybeSave('cam-a', image, now + 10),
      snaps.maybeSave('cam-b', image, now + 20),
      snaps.maybeSave('cam-a', image, now + 2000),
    ];
    assert.equal(refs[1], null);
    assert.ok(refs[0] && refs[2] && refs[3]);
    assert.equal(snaps.read(refs[0]!)!.subarray(0, 2).toString('hex'), 'ffd8');
    assert.equal(snaps.read('../../etc/passwd'), undefined);
    assert.equal(snaps.applyRetention(now + 3000), 1);
    assert.equal(snaps.read(refs[0]!), undefined);
  });
});
