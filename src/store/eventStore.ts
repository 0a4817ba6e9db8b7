/**
 * Events (one per tracked object) in the detection log's SQLite file, in a table of their own on a connection of
 * their own (WAL: the two writers take turns, readers never wait), with their pictures under `snapshotDir`:
 * `<id>.jpg` (the best frame, the box drawn) and `<id>-thumb.jpg` (the crop around the box).
 *
 * Like the detection log, writes never throw into the frame loop: a full disk (SQLITE_FULL, ENOSPC) first drops
 * the oldest tenth of the events and retries once, then the failure is logged and counted; what was stored stays.
 * Retention deletes events that ended more than retentionDays ago and the oldest beyond maxRows, and their files.
 */
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { Logger } from '../config/index.ts';
import { isDiskFull } from './detectionStore.ts';
import { drawBox, scaleBox, thumbnailOf } from './eventImages.ts';
import type { PixelBox } from './eventImages.ts';
import { encodeJpeg } from './snapshots.ts';
import type { RgbPixels } from './snapshots.ts';

export type EventBox = [number, number, number, number];

/** One event as stored: the fields of the API's EventItem, by the same names (times in ms since the epoch). */
export type EventRecord = {
  /** `<epoch seconds>.<fraction>-<random>`, as Frigate's (EVENT_ID_PATTERN) */
  id: string;
  camera: string;
  label: string;
  score: number;
  topScore: number;
  startTime: number;
  /** When it was last seen, once it has left; null while it is in view */
  endTime: number | null;
  /** The latest box, in source pixels; area in source pixels² */
  box: EventBox;
  area: number;
  sourceWidth: number;
  sourceHeight: number;
  currentZones: string[];
  enteredZones: string[];
  stationary: boolean;
  /** Centre points of its box over time (source pixels) */
  path: Array<{ time: number; x: number; y: number }>;
  /** Its best frame: when, and the box then (source pixels) */
  bestTime: number;
  bestBox: EventBox;
  /** Whether saveSnapshot() stored its pictures; the store alone sets it */
  hasSnapshot: boolean;
};

/** What the tracker writes on every new/update/end: everything but hasSnapshot. */
export type EventUpsert = Omit<EventRecord, 'hasSnapshot'>;

/** Which events: all fields optional; `zone` matches the zones an event entered, from/to its start time. */
export type EventFilter = { camera?: string; label?: string; zone?: string; fromMs?: number; toMs?: number };

/**
 * A page of events, newest start time first. `beforeMs` is the cursor: only events that started before it. A page
 * never splits events that started at the same millisecond: when its last event shares its start time with
 * others, those come on the same page too (the page then holds more than `limit`), so the next page's cursor,
 * that start time, skips none.
 */
export type EventQuery = EventFilter & { limit?: number; beforeMs?: number };
export type EventPage = { items: EventRecord[]; nextBefore: number | null; total: number };

export type EventStoreOptions = {
  /** The SQLite file (the detection log's) */
  file: string;
  /** Where the events' pictures go (<dataDir>/events) */
  snapshotDir: string;
  retentionDays: number;
  maxRows: number;
  log: Logger;
  /** Caps the database size in pages (tests use it to simulate a full disk). */
  maxPageCount?: number;
};

export type EventStoreStats = {
  rows: number;
  writtenEvents: number;
  failedWrites: number;
  retentionDeletedRows: number;
  snapshotsWritten: number;
  snapshotFailedWrites: number;
};

export type SnapshotKind = 'snapshot' | 'thumbnail';

/** Frigate's id shape; it also keeps ids safe as file names (no separators, and never ending in `-thumb`). */
export const EVENT_ID_PATTERN = /^\d{1,12}\.\d{1,9}-[A-Za-z0-9]{1,32}$/;
const PICTURE_FILE = /^(\d{1,12}\.\d{1,9}-[A-Za-z0-9]{1,32})(-thumb)?\.jpg$/;

/** The events table's version, kept in `schema_versions` (PRAGMA user_version belongs to the detection log). */
export const EVENT_SCHEMA_VERSION = 1;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS schema_versions (part TEXT PRIMARY KEY, version INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS events (
  id TEXT PRIMARY KEY,
  camera TEXT NOT NULL,
  label TEXT NOT NULL,
  score REAL NOT NULL,
  top_score REAL NOT NULL,
  start_time INTEGER NOT NULL,
  end_time INTEGER,
  x1 REAL NOT NULL, y1 REAL NOT NULL, x2 REAL NOT NULL, y2 REAL NOT NULL,
  area REAL NOT NULL,
  source_width INTEGER NOT NULL,
  source_height INTEGER NOT NULL,
  current_zones TEXT NOT NULL,
  entered_zones TEXT NOT NULL,
  stationary INTEGER NOT NULL,
  path TEXT NOT NULL,
  best_time INTEGER NOT NULL,
  best_x1 REAL NOT NULL, best_y1 REAL NOT NULL, best_x2 REAL NOT NULL, best_y2 REAL NOT NULL,
  has_snapshot INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS events_start ON events (start_time, id);
CREATE INDEX IF NOT EXISTS events_camera_start ON events (camera, start_time);
CREATE INDEX IF NOT EXISTS events_label_start ON events (label, start_time);
CREATE INDEX IF NOT EXISTS events_end ON events (end_time);
`;

type Row = {
  id: string;
  camera: string;
  label: string;
  score: number;
  top_score: number;
  start_time: number;
  end_time: number | null;
  x1: number;
  y1: number;
  x2: number;
  y2: number;
  area: number;
  source_width: number;
  source_height: number;
  current_zones: string;
  entered_zones: string;
  stationary: number;
  path: string;
  best_time: number;
  best_x1: number;
  best_y1: number;
  best_x2: number;
  best_y2: number;
  has_snapshot: number;
};

const ORDER_NEWEST = 'ORDER BY start_time DESC, id DESC';

/** Records this code's version of the events table; a file written by a newer version is refused, not guessed at. */
function migrate(db: Database.Database, file: string): void {
  const row = db.prepare("SELECT version FROM schema_versions WHERE part = 'events'").get() as
    { version: number } | undefined;
  if (row && row.version > EVENT_SCHEMA_VERSION)
    throw new Error(
      `${file}: its events table is version ${row.version}, newer than this version understands ` +
        `(${EVENT_SCHEMA_VERSION}); upgrade the appliance`,
    );
  db.prepare("INSERT OR REPLACE INTO schema_versions (part, version) VALUES ('events', ?)").run(EVENT_SCHEMA_VERSION);
}

function whereOf(filter: EventFilter): { clauses: string[]; params: Record<string, string | number> } {
  const clauses: string[] = [];
  const params: Record<string, string | number> = {};
  if (filter.camera !== undefined) {
    clauses.push('camera = @camera');
    params.camera = filter.camera;
  }
  if (filter.label !== undefined) {
    clauses.push('label = @label');
    params.label = filter.label;
  }
  if (filter.zone !== undefined) {
    clauses.push('EXISTS (SELECT 1 FROM json_each(entered_zones) WHERE value = @zone)');
    params.zone = filter.zone;
  }
  if (filter.fromMs !== undefined) {
    clauses.push('start_time >= @fromMs');
    params.fromMs = filter.fromMs;
  }
  if (filter.toMs !== undefined) {
    clauses.push('start_time <= @toMs');
    params.toMs = filter.toMs;
  }
  return { clauses, params };
}

const whereSql = (clauses: readonly string[]): string => (clauses.length ? `WHERE ${clauses.join(' AND ')}` : '');

function fromRow(row: Row): EventRecord {
  return {
    id: row.id,
    camera: row.camera,
    label: row.label,
    score: row.score,
    topScore: row.top_score,
    startTime: row.start_time,
    endTime: row.end_time,
    box: [row.x1, row.y1, row.x2, row.y2],
    area: row.area,
    sourceWidth: row.source_width,
    sourceHeight: row.source_height,
    currentZones: JSON.parse(row.current_zones) as string[],
    enteredZones: JSON.parse(row.entered_zones) as string[],
    stationary: row.stationary === 1,
    path: JSON.parse(row.path) as EventRecord['path'],
    bestTime: row.best_time,
    bestBox: [row.best_x1, row.best_y1, row.best_x2, row.best_y2],
    hasSnapshot: row.has_snapshot === 1,
  };
}

/** The columns toParams() fills, in its order. */
const UPSERT_COLUMNS = [
  'id',
  'camera',
  'label',
  'score',
  'top_score',
  'start_time',
  'end_time',
  'x1',
  'y1',
  'x2',
  'y2',
  'area',
  'source_width',
  'source_height',
  'current_zones',
  'entered_zones',
  'stationary',
  'path',
  'best_time',
  'best_x1',
  'best_y1',
  'best_x2',
  'best_y2',
] as const;

function toParams(e: EventUpsert): Record<(typeof UPSERT_COLUMNS)[number], string | number | null> {
  return {
    id: e.id,
    camera: e.camera,
    label: e.label,
    score: e.score,
    top_score: e.topScore,
    start_time: e.startTime,
    end_time: e.endTime,
    x1: e.box[0],
    y1: e.box[1],
    x2: e.box[2],
    y2: e.box[3],
    area: e.area,
    source_width: e.sourceWidth,
    source_height: e.sourceHeight,
    current_zones: JSON.stringify(e.currentZones),
    entered_zones: JSON.stringify(e.enteredZones),
    stationary: e.stationary ? 1 : 0,
    path: JSON.stringify(e.path),
    best_time: e.bestTime,
    best_x1: e.bestBox[0],
    best_y1: e.bestBox[1],
    best_x2: e.bestBox[2],
    best_y2: e.bestBox[3],
  };
}

const UPSERT_SQL =
  `INSERT INTO events (${UPSERT_COLUMNS.join(', ')}) VALUES (${UPSERT_COLUMNS.map((c) => `@${c}`).join(', ')}) ` +
  `ON CONFLICT(id) DO UPDATE SET ${UPSERT_COLUMNS.filter((c) => c !== 'id')
    .map((c) => `${c} = excluded.${c}`)
    .join(', ')}`;

export class EventStore {
  private db: Database.Database | undefined;
  private upsertStatement: Database.Statement | undefined;
  private writtenEvents = 0;
  private failedWrites = 0;
  private retentionDeletedRows = 0;
  private snapshotsWritten = 0;
  private snapshotFailedWrites = 0;
  private tempSequence = 0;

  constructor(private readonly options: EventStoreOptions) {}

  start(): void {
    mkdirSync(path.dirname(this.options.file), { recursive: true });
    mkdirSync(this.options.snapshotDir, { recursive: true });
    const db = new Database(this.options.file);
    try {
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      db.pragma('busy_timeout = 5000');
      if (this.options.maxPageCount !== undefined)
        db.pragma(`max_page_count = ${Math.floor(this.options.maxPageCount)}`);
      db.transaction(() => {
        db.exec(SCHEMA);
        migrate(db, this.options.file);
      })();
    } catch (error) {
      db.close();
      throw new Error(`${this.options.file}: cannot open the events table: ${(error as Error).message}`, {
        cause: error,
      });
    }
    this.db = db;
    this.upsertStatement = db.prepare(UPSERT_SQL);
    this.removeOrphanPictures();
  }

  stop(): void {
    this.db?.close();
    this.db = undefined;
  }

  private get database(): Database.Database {
    if (!this.db) throw new Error('the event store is not started');
    return this.db;
  }

  /**
   * Writes an event (new, updated or ended), replacing every field but hasSnapshot. Returns false when the write
   * failed (logged and counted) or the id is not one of EVENT_ID_PATTERN's.
   */
  upsert(event: EventUpsert): boolean {
    if (!EVENT_ID_PATTERN.test(event.id)) {
      this.failedWrites++;
      this.options.log.error({ id: event.id }, 'event not stored: its id is not <epoch seconds>.<fraction>-<random>');
      return false;
    }
    const ok = this.writeOrFreeSpace(() => this.upsertStatement!.run(toParams(event)), { id: event.id });
    if (ok) this.writtenEvents++;
    else this.failedWrites++;
    return ok;
  }

  /** Runs a write; on a full disk drops the oldest tenth of the events and tries once more. False: it failed. */
  private writeOrFreeSpace(write: () => unknown, context: Record<string, unknown>): boolean {
    try {
      write();
      return true;
    } catch (firstError) {
      let error = firstError;
      if (isDiskFull(error)) {
        this.options.log.warn({ err: error, file: this.options.file }, 'database full; dropping the oldest events');
        try {
          this.freeSpace();
          write();
          return true;
        } catch (retryError) {
          error = retryError;
        }
      }
      this.options.log.error({ err: error, file: this.options.file, ...context }, 'event could not be written');
      return false;
    }
  }

  /** Deletes the oldest tenth of the events (at least one) and their pictures: what a full disk calls for. */
  private freeSpace(): void {
    const drop = Math.max(1, Math.ceil(this.count({}) / 10));
    this.deleteWhere(`id IN (SELECT id FROM events ORDER BY start_time, id LIMIT @drop)`, { drop });
  }

  /** Deletes the matching events in one transaction, then their pictures; returns how many rows went. */
  private deleteWhere(condition: string, params: Record<string, string | number>): number {
    const db = this.database;
    const { deleted, pictured } = db.transaction(() => {
      const withPictures = db
        .prepare(`SELECT id FROM events WHERE has_snapshot = 1 AND ${condition}`)
        .all(params) as Array<{ id: string }>;
      return {
        pictured: withPictures.map((r) => r.id),
        deleted: db.prepare(`DELETE FROM events WHERE ${condition}`).run(params).changes,
      };
    })();
    for (const id of pictured) this.removePictures(id);
    this.retentionDeletedRows += deleted;
    return deleted;
  }

  /**
   * Deletes events that ended more than retentionDays before `nowMs`, then the oldest (by start time) beyond
   * maxRows, with their pictures; returns how many went. Failures are logged, never thrown.
   */
  applyRetention(nowMs: number = Date.now()): number {
    try {
      const cutoffMs = nowMs - this.options.retentionDays * 86_400_000;
      let deleted = this.deleteWhere('end_time IS NOT NULL AND end_time < @cutoffMs', { cutoffMs });
      const cut = this.database
        .prepare(`SELECT start_time, id FROM events ${ORDER_NEWEST} LIMIT 1 OFFSET ?`)
        .get(this.options.maxRows) as { start_time: number; id: string } | undefined;
      if (cut) {
        const older = '(start_time < @cutStart OR (start_time = @cutStart AND id <= @cutId))';
        deleted += this.deleteWhere(older, { cutStart: cut.start_time, cutId: cut.id });
      }
      if (deleted > 0) this.options.log.info({ deleted }, 'retention deleted old events');
      return deleted;
    } catch (error) {
      this.options.log.error({ err: error }, 'event retention failed');
      return 0;
    }
  }

  count(filter: EventFilter): number {
    const { clauses, params } = whereOf(filter);
    return (this.database.prepare(`SELECT COUNT(*) AS n FROM events ${whereSql(clauses)}`).get(params) as { n: number })
      .n;
  }

  /** A page of the matching events, newest start time first (see EventQuery for the cursor and ties). */
  query(query: EventQuery): EventPage {
    const limit = query.limit ?? 100;
    const { clauses, params } = whereOf(query);
    const db = this.database;
    const paged = [...clauses];
    if (query.beforeMs !== undefined) {
      paged.push('start_time < @beforeMs');
      params.beforeMs = query.beforeMs;
    }
    const rows = db
      .prepare(`SELECT * FROM events ${whereSql(paged)} ${ORDER_NEWEST} LIMIT @limit`)
      .all({ ...params, limit }) as Row[];
    const last = rows.at(-1);
    let nextBefore: number | null = null;
    if (last && rows.length === limit) {
      const ties = db
        .prepare(`SELECT * FROM events ${whereSql([...clauses, 'start_time = @tie', 'id < @tieId'])} ${ORDER_NEWEST}`)
        .all({ ...params, tie: last.start_time, tieId: last.id }) as Row[];
      rows.push(...ties);
      const older = db
        .prepare(`SELECT 1 FROM events ${whereSql([...clauses, 'start_time < @tie'])} LIMIT 1`)
        .get({ ...params, tie: last.start_time });
      if (older) nextBefore = last.start_time;
    }
    return { items: rows.map(fromRow), nextBefore, total: this.count(query) };
  }

  get(id: string): EventRecord | undefined {
    const row = this.database.prepare('SELECT * FROM events WHERE id = ?').get(id) as Row | undefined;
    return row ? fromRow(row) : undefined;
  }

  /**
   * Streams the matching events, oldest start time first, through a read-only connection of its own; constant
   * memory. Close the iterator (return()) to release it early.
   */
  *iterate(filter: EventFilter): Generator<EventRecord, void, undefined> {
    const reader = new Database(this.options.file, { readonly: true, fileMustExist: true });
    try {
      const { clauses, params } = whereOf(filter);
      const statement = reader.prepare(`SELECT * FROM events ${whereSql(clauses)} ORDER BY start_time, id`);
      for (const row of statement.iterate(params) as IterableIterator<Row>) yield fromRow(row);
    } finally {
      reader.close();
    }
  }

  picturePath(id: string, kind: SnapshotKind): string {
    return path.join(this.options.snapshotDir, kind === 'snapshot' ? `${id}.jpg` : `${id}-thumb.jpg`);
  }

  /**
   * Stores an event's pictures from its best frame and marks it hasSnapshot: `<id>.jpg`, the frame with the box
   * drawn, and `<id>-thumb.jpg`, the crop around the box (≤ 180 px tall). `boxSourcePx` is in the camera's source
   * pixels; `frameScale` is the frame's size over the source's (frame.width / sourceWidth: below 1 when frames are
   * decoded smaller). Each file is written to a temporary name and renamed, so a reader never sees half a JPEG.
   * Call it after the event's first upsert. Returns false when nothing was stored (logged and counted).
   */
  saveSnapshot(
    id: string,
    frame: RgbPixels,
    boxSourcePx: PixelBox,
    options: { frameScale: number; quality: number },
  ): boolean {
    const refuse = (reason: string): false => {
      this.snapshotFailedWrites++;
      this.options.log.error({ id }, `event snapshot not stored: ${reason}`);
      return false;
    };
    if (!EVENT_ID_PATTERN.test(id)) return refuse('its id is not <epoch seconds>.<fraction>-<random>');
    if (!(options.frameScale > 0)) return refuse(`frameScale must be above 0, got ${options.frameScale}`);
    if (frame.data.length !== frame.width * frame.height * 3)
      return refuse(`the frame holds ${frame.data.length} bytes, not ${frame.width}×${frame.height}×3`);
    if (!this.get(id)) return refuse('no such event (upsert it first)');
    const box = scaleBox(boxSourcePx, options.frameScale);
    const pictures: Array<[SnapshotKind, Buffer]> = [
      ['thumbnail', encodeJpeg(thumbnailOf(frame, box), options.quality)],
      ['snapshot', encodeJpeg(drawBox(frame, box), options.quality)],
    ];
    const written = this.writeOrFreeSpace(
      () => {
        for (const [kind, jpeg] of pictures) this.writeAtomically(this.picturePath(id, kind), jpeg);
        this.database.prepare('UPDATE events SET has_snapshot = 1 WHERE id = ?').run(id);
      },
      { id, what: 'snapshot' },
    );
    if (!written) {
      this.snapshotFailedWrites++;
      return false;
    }
    this.snapshotsWritten++;
    return true;
  }

  private writeAtomically(file: string, bytes: Buffer): void {
    const temp = `${file}.${process.pid}-${this.tempSequence++}.tmp`;
    try {
      writeFileSync(temp, bytes);
      renameSync(temp, file);
    } catch (error) {
      rmSync(temp, { force: true });
      throw error;
    }
  }

  /** An event's picture; undefined when it has none (or the id is not an event id). */
  readSnapshot(id: string, kind: SnapshotKind): Buffer | undefined {
    if (!EVENT_ID_PATTERN.test(id)) return undefined;
    try {
      return readFileSync(this.picturePath(id, kind));
    } catch {
      return undefined;
    }
  }

  private removePictures(id: string): void {
    for (const kind of ['snapshot', 'thumbnail'] as const) rmSync(this.picturePath(id, kind), { force: true });
  }

  /**
   * Removes pictures whose event is gone and temporary files left by a crash: a stop between deleting rows and
   * their files, or in the middle of a write, leaves nothing behind for good.
   */
  private removeOrphanPictures(): void {
    const known = this.database.prepare('SELECT 1 FROM events WHERE id = ?');
    for (const name of readdirSync(this.options.snapshotDir)) {
      const picture = PICTURE_FILE.exec(name);
      const orphan = picture ? known.get(picture[1]) === undefined : name.endsWith('.tmp');
      if (orphan) rmSync(path.join(this.options.snapshotDir, name), { force: true });
    }
  }

  stats(): EventStoreStats {
    return {
      rows: this.count({}),
      writtenEvents: this.writtenEvents,
      failedWrites: this.failedWrites,
      retentionDeletedRows: this.retentionDeletedRows,
      snapshotsWritten: this.snapshotsWritten,
      snapshotFailedWrites: this.snapshotFailedWrites,
    };
  }
}
