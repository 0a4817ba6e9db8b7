// Events on a real SQLite file beside the detection log: upsert of new/update/end (hasSnapshot kept), filters
// (camera, label, entered zone, start-time range) and their total, paging by start-time cursor where several
// events start at the same millisecond, retention by end time and by row count deleting the pictures, pictures
// written with the box drawn and a small crop, and the failure cases: a full database and a picture that cannot
// be written are logged and counted (nothing stored is lost), a newer or corrupt file is refused with its name.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import jpeg from 'jpeg-js';
import { silentLogger } from '../../src/config/index.ts';
import {
  DetectionFilterError,
  DetectionStore,
  EVENT_SCHEMA_VERSION,
  EventStore,
  parseEventExportQuery,
  parseEventQuery,
} from '../../src/store/index.ts';
import type { EventStoreOptions, EventUpsert, RgbPixels } from '../../src/store/index.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'ppipe-events-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const T0 = 1_700_000_000_000;

function event(i: number, overrides: Partial<EventUpsert> = {}): EventUpsert {
  return {
    id: `${1_700_000_000 + i}.${100 + i}-ev${i}`,
    camera: i % 2 ? 'back' : 'front',
    label: i % 3 ? 'person' : 'car',
    score: 0.6,
    topScore: 0.8,
    startTime: T0 + i * 1000,
    endTime: null,
    box: [10, 20, 110, 220],
    area: 100 * 200,
    sourceWidth: 1280,
    sourceHeight: 720,
    currentZones: [],
    enteredZones: i % 4 === 0 ? ['driveway', 'porch'] : i % 4 === 1 ? ['porch'] : [],
    stationary: false,
    path: [{ time: T0 + i * 1000, x: 60, y: 120 }],
    bestTime: T0 + i * 1000,
    bestBox: [10, 20, 110, 220],
    ...overrides,
  };
}

function open(name: string, overrides: Partial<EventStoreOptions> = {}): EventStore {
  const store = new EventStore({
    file: path.join(dir, name, 'ppipe.sqlite'),
    snapshotDir: path.join(dir, name, 'events'),
    retentionDays: 36500,
    maxRows: 1e9,
    log: silentLogger,
    ...overrides,
  });
  store.start();
  return store;
}

function grey(width: number, height: number): RgbPixels {
  return { width, height, data: new Uint8Array(width * height * 3).fill(90) };
}

describe('EventStore', () => {
  it('upserts an event as it starts, changes and ends, keeping hasSnapshot, beside the detection log', () => {
    const detections = new DetectionStore({
      file: path.join(dir, 'life', 'ppipe.sqlite'),
      retentionDays: 36500,
      maxRows: 1e9,
      log: silentLogger,
    });
    detections.start();
    const store = open('life');
    try {
      const first = event(0);
      assert.equal(store.upsert(first), true);
      assert.deepEqual(store.get(first.id), { ...first, hasSnapshot: false });
      assert.equal(store.saveSnapshot(first.id, grey(64, 36), first.bestBox, { frameScale: 0.05, quality: 80 }), true);
      const updated = {
        ...first,
        score: 0.9,
        topScore: 0.9,
        box: [30, 20, 130, 220] as [number, number, number, number],
        currentZones: ['porch'],
        enteredZones: ['porch'],
        stationary: true,
        path: [...first.path, { time: T0 + 500, x: 80, y: 120 }],
      };
      assert.equal(store.upsert(updated), true);
      assert.deepEqual(store.get(first.id), { ...updated, hasSnapshot: true }, 'an update keeps the pictures');
      assert.equal(store.upsert({ ...updated, endTime: T0 + 4000, currentZones: [] }), true);
      assert.equal(store.get(first.id)!.endTime, T0 + 4000);
      assert.equal(store.query({}).total, 1, 'one row per event');
      // the detection log shares the file and still works
      assert.equal(detections.insertDetections([{ ...detectionAt(T0) }])!.length, 1);
      assert.equal(detections.count({}), 1);
      const check = new Database(detections.file, { readonly: true });
      assert.equal(check.pragma('journal_mode', { simple: true }), 'wal');
      const version = check.prepare("SELECT version FROM schema_versions WHERE part = 'events'").get();
      assert.deepEqual(version, { version: EVENT_SCHEMA_VERSION });
      check.close();
      assert.equal(store.get('1.2-nope'), undefined);
      assert.equal(store.upsert(event(1, { id: '../../etc/passwd' })), false, 'an id unfit for a file name');
      assert.equal(store.stats().failedWrites, 1);
    } finally {
      store.stop();
      detections.stop();
    }
  });

  it('filters by camera, label, entered zone and start time, with the total of the whole filter', () => {
    const store = open('filters');
    try {
      for (let i = 0; i < 24; i++) assert.equal(store.upsert(event(i)), true);
      const ids = (q: Parameters<EventStore['query']>[0]): string[] => store.query(q).items.map((e) => e.id);
      const expected = (keep: (i: number) => boolean): string[] =>
        Array.from({ length: 24 }, (_, i) => i)
          .filter(keep)
          .reverse()
          .map((i) => event(i).id);
      assert.deepEqual(
        ids({}),
        expected(() => true),
        'newest start first',
      );
      assert.deepEqual(
        ids({ camera: 'front', label: 'car' }),
        expected((i) => i % 2 === 0 && i % 3 === 0),
      );
      assert.deepEqual(
        ids({ zone: 'porch' }),
        expected((i) => i % 4 <= 1),
        'entered zones match',
      );
      assert.deepEqual(
        ids({ zone: 'driveway' }),
        expected((i) => i % 4 === 0),
      );
      assert.deepEqual(ids({ zone: 'drive' }), [], 'a zone matches whole names only');
      assert.deepEqual(
        ids({ fromMs: T0 + 5000, toMs: T0 + 9000 }),
        expected((i) => i >= 5 && i <= 9),
      );
      const page = store.query({ camera: 'back', limit: 4 });
      assert.equal(page.items.length, 4);
      assert.equal(page.total, 12, 'total counts the filter, not the page');
      assert.equal(page.nextBefore, page.items.at(-1)!.startTime);
      assert.equal(store.count({ zone: 'porch', camera: 'front' }), 6);
    } finally {
      store.stop();
    }
  });

  it('pages by start-time cursor without losing or repeating events that start at the same millisecond', () => {
    const store = open('ties');
    try {
      // start times (s): 9, 8, 8, 8, 7, 6, 6, 5, 4, 4, 4, 4, 3 — groups of ties across page ends
      const seconds = [9, 8, 8, 8, 7, 6, 6, 5, 4, 4, 4, 4, 3];
      seconds.forEach((s, i) => store.upsert(event(i, { startTime: T0 + s * 1000 })));
      const seen: string[] = [];
      const pageSizes: number[] = [];
      let before: number | undefined;
      for (let guard = 0; guard < 20; guard++) {
        const page = store.query({ limit: 2, ...(before === undefined ? {} : { beforeMs: before }) });
        assert.equal(page.total, seconds.length);
        seen.push(...page.items.map((e) => e.id));
        pageSizes.push(page.items.length);
        const times = page.items.map((e) => e.startTime);
        assert.deepEqual(
          times,
          [...times].sort((a, b) => b - a),
          'newest first within a page',
        );
        if (page.nextBefore === null) break;
        assert.equal(page.nextBefore, times.at(-1));
        before = page.nextBefore;
      }
      assert.deepEqual([...seen].sort(), seconds.map((_, i) => event(i).id).sort(), 'every event once');
      assert.equal(new Set(seen).size, seen.length);
      // 9,8 | +8,8 (tie) → 4; 7,6 | +6 → 3; 5,4 | +4,4,4 → 5; 3 → 1
      assert.deepEqual(pageSizes, [4, 3, 5, 1]);
      const exact = store.query({ limit: 13 });
      assert.equal(exact.nextBefore, null, 'no cursor when nothing older is left');
    } finally {
      store.stop();
    }
  });

  it('writes the best frame with the box drawn and a crop at most 180 px tall, atomically', () => {
    const store = open('pictures');
    try {
      const e = event(3, { bestBox: [400, 200, 800, 600] });
      store.upsert(e);
      // the frame is decoded at half the 1280×720 source: the box lands on 200..400 × 100..300 of it
      const frame = grey(640, 360);
      assert.equal(store.saveSnapshot(e.id, frame, e.bestBox, { frameScale: 0.5, quality: 90 }), true);
      const full = jpeg.decode(store.readSnapshot(e.id, 'snapshot')!, { useTArray: true });
      assert.deepEqual([full.width, full.height], [640, 360]);
      const at = (x: number, y: number): number[] => [...full.data.subarray((y * 640 + x) * 4, (y * 640 + x) * 4 + 3)];
      const near = (a: number[], b: number[]): boolean => a.every((v, k) => Math.abs(v - b[k]!) <= 24);
      assert.ok(near(at(201, 200), [255, 96, 0]), `left edge drawn: ${at(201, 200).join(',')}`);
      assert.ok(near(at(300, 298), [255, 96, 0]), `bottom edge drawn: ${at(300, 298).join(',')}`);
      assert.ok(near(at(300, 200), [90, 90, 90]), 'inside untouched');
      assert.ok(near(at(100, 50), [90, 90, 90]), 'outside untouched');
      const thumb = jpeg.decode(store.readSnapshot(e.id, 'thumbnail')!, { useTArray: true });
      // the box 200×200 with a 40 px margin: 280×280, scaled to 180×180
      assert.deepEqual([thumb.width, thumb.height], [180, 180]);
      assert.equal(store.get(e.id)!.hasSnapshot, true);
      assert.deepEqual(readdirSync(path.join(dir, 'pictures', 'events')).sort(), [`${e.id}-thumb.jpg`, `${e.id}.jpg`]);
      assert.equal(store.saveSnapshot('9.9-unknown', frame, e.bestBox, { frameScale: 0.5, quality: 90 }), false);
      assert.equal(store.readSnapshot('../ppipe', 'snapshot'), undefined);
      assert.deepEqual(store.stats().snapshotsWritten, 1);
    } finally {
      store.stop();
    }
  });

  it('deletes events that ended before retentionDays and the oldest beyond maxRows, with their pictures', () => {
    const now = T0 + 100 * 86_400_000;
    const store = open('retention', { retentionDays: 2, maxRows: 4 });
    const pictures = path.join(dir, 'retention', 'events');
    try {
      const longAgo = now - 3 * 86_400_000;
      const rows = [
        event(0, { startTime: longAgo - 5000, endTime: longAgo }), // ended too long ago
        event(1, { startTime: longAgo - 4000, endTime: null }), // still in view: age alone keeps it…
        event(2, { startTime: now - 9000, endTime: now - 8000 }),
        event(3, { startTime: now - 7000, endTime: null }),
        event(4, { startTime: now - 6000, endTime: now - 1000 }),
        event(5, { startTime: now - 5000, endTime: null }),
      ];
      for (const e of rows) {
        store.upsert(e);
        store.saveSnapshot(e.id, grey(32, 18), e.bestBox, { frameScale: 0.025, quality: 70 });
      }
      assert.equal(readdirSync(pictures).length, 12);
      // …but then it is the oldest beyond maxRows 4 (of the five left)
      assert.equal(store.applyRetention(now), 2);
      assert.deepEqual(
        store.query({}).items.map((e) => e.id),
        [rows[5]!, rows[4]!, rows[3]!, rows[2]!].map((e) => e.id),
      );
      assert.deepEqual(
        readdirSync(pictures).sort(),
        rows
          .slice(2)
          .flatMap((e) => [`${e.id}-thumb.jpg`, `${e.id}.jpg`])
          .sort(),
        'the deleted events took their pictures along',
      );
      assert.equal(store.stats().retentionDeletedRows, 2);
      assert.equal(store.applyRetention(now), 0);
    } finally {
      store.stop();
    }
  });

  it('removes pictures left without an event, and temporary files, when it starts', () => {
    const first = open('orphans');
    const e = event(7);
    first.upsert(e);
    first.saveSnapshot(e.id, grey(16, 16), e.bestBox, { frameScale: 0.01, quality: 70 });
    first.stop();
    const pictures = path.join(dir, 'orphans', 'events');
    writeFileSync(path.join(pictures, '1.2-gone.jpg'), 'x');
    writeFileSync(path.join(pictures, '1.2-gone-thumb.jpg'), 'x');
    writeFileSync(path.join(pictures, `${e.id}.jpg.1-2.tmp`), 'x');
    const again = open('orphans');
    again.stop();
    assert.deepEqual(readdirSync(pictures).sort(), [`${e.id}-thumb.jpg`, `${e.id}.jpg`]);
  });

  it('on a full database drops the oldest events first, then counts failed writes, losing nothing stored', () => {
    const store = open('full', { maxPageCount: 40 });
    try {
      const longPath = Array.from({ length: 100 }, (_, k) => ({ time: T0 + k, x: k, y: k }));
      let stored = 0;
      for (let i = 0; i < 400; i++) if (store.upsert(event(i, { path: longPath }))) stored++;
      assert.equal(stored, 400, 'each write succeeded, after dropping old events when full');
      const stats = store.stats();
      assert.ok(stats.retentionDeletedRows > 0, 'the oldest events were dropped to make room');
      const rows = stats.rows;
      assert.ok(rows > 0 && rows < 400);
      const huge = event(999, { label: 'x'.repeat(400_000) });
      assert.equal(store.upsert(huge), false, 'a write that cannot fit fails without throwing');
      assert.ok(store.stats().failedWrites >= 1);
      assert.ok(store.count({}) > 0, 'stored events survive');
      assert.ok(store.get(event(399).id), 'the newest event is kept');
    } finally {
      store.stop();
    }
  });

  it('counts a picture that cannot be written and leaves the event without one', () => {
    const store = open('unwritable');
    try {
      const e = event(2);
      store.upsert(e);
      // a directory where the snapshot's file should go: the rename fails, whoever runs the test
      mkdirSync(path.join(dir, 'unwritable', 'events', `${e.id}.jpg`));
      assert.equal(store.saveSnapshot(e.id, grey(16, 16), e.bestBox, { frameScale: 0.01, quality: 70 }), false);
      assert.equal(store.get(e.id)!.hasSnapshot, false);
      assert.equal(store.stats().snapshotFailedWrites, 1);
      const leftovers = readdirSync(path.join(dir, 'unwritable', 'events')).filter((n) => n.endsWith('.tmp'));
      assert.deepEqual(leftovers, [], 'no temporary file is left');
    } finally {
      store.stop();
    }
  });

  it('refuses a file whose events table is newer, and a file that is not a database, naming the file', () => {
    const newer = open('newer');
    newer.stop();
    const file = path.join(dir, 'newer', 'ppipe.sqlite');
    const db = new Database(file);
    db.prepare("UPDATE schema_versions SET version = ? WHERE part = 'events'").run(EVENT_SCHEMA_VERSION + 1);
    db.close();
    assert.throws(
      () => open('newer'),
      (e: unknown) => {
        const m = (e as Error).message;
        return m.includes(file) && /newer than this version understands/.test(m);
      },
    );
    mkdirSync(path.join(dir, 'corrupt'));
    const corrupt = path.join(dir, 'corrupt', 'ppipe.sqlite');
    writeFileSync(corrupt, 'this is not a database, but it is long enough to look like a file header...');
    assert.throws(
      () => open('corrupt'),
      (e: unknown) => (e as Error).message.startsWith(`${corrupt}: cannot open`),
    );
    assert.ok(existsSync(corrupt), 'the file is left for its owner to look at');
  });

  it('parses query strings and refuses nonsense with every bad field named', () => {
    assert.deepEqual(parseEventQuery({ camera: 'front', zone: 'porch', from: '1000', before: '1700000000000.5' }), {
      camera: 'front',
      zone: 'porch',
      fromMs: 1000,
      limit: 100,
      beforeMs: 1_700_000_000_000.5,
    });
    assert.throws(
      () => parseEventQuery({ zone: 'Front Door', limit: '0', before: 'soon', colour: 'red' }),
      (e: unknown) => {
        const m = (e as Error).message;
        return (
          e instanceof DetectionFilterError &&
          /^invalid event filter/.test(m) &&
          ['zone', 'limit', 'before', 'colour'].every((f) => m.includes(f))
        );
      },
    );
    assert.throws(() => parseEventExportQuery({ format: 'xml' }), /format/);
    assert.throws(() => parseEventQuery({ from: '2000', to: '1000' }), /from: 2000 is after to/);
    assert.deepEqual(parseEventExportQuery({ label: 'car' }), { filter: { label: 'car' }, format: 'csv' });
  });
});

function detectionAt(timeMs: number) {
  return {
    camera: 'front',
    timeMs,
    label: 'person',
    score: 0.7,
    box: [1, 2, 3, 4] as [number, number, number, number],
    model: 'm',
    latencyMs: 3,
    sloMet: true,
  };
}
