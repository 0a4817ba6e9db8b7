/**
 * The SQLite log (better-sqlite3, WAL): detections, cameras, nodes and plans. Writes never throw into the
 * frame loop: a full disk (SQLITE_FULL, ENOSPC) first triggers retention and one retry, then the failure is
 * logged and counted. Exports read through their own read-only connection, so they never block writers.
 */
import { mkdirSync, statSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { Logger } from '../config/index.ts';
import type { DetectionFilter, DetectionPage } from './detectionFilter.ts';

export type NewDetection = {
  camera: string;
  timeMs: number;
  label: string;
  score: number;
  /** [x1, y1, x2, y2] in pixels of the camera's source, which is sourceWidth × sourceHeight */
  box: [number, number, number, number];
  /** The source's size; null (or absent) when unknown, as on rows stored before it was recorded */
  sourceWidth?: number | null;
  sourceHeight?: number | null;
  model: string;
  latencyMs: number;
  sloMet: boolean;
  snapshot?: string | null;
};

export type StoredDetection = NewDetection & {
  id: number;
  snapshot: string | null;
  sourceWidth: number | null;
  sourceHeight: number | null;
};

export type DetectionStoreOptions = {
  file: string;
  retentionDays: number;
  maxRows: number;
  log: Logger;
  /** Caps the database size in pages (tests use it to simulate a full disk). */
  maxPageCount?: number;
};

export type StoreStats = {
  rows: number;
  failedWrites: number;
  writtenRows: number;
  retentionDeletedRows: number;
  fileBytes: number;
};

type Row = {
  id: number;
  camera: string;
  time: number;
  label: string;
  score: number;
  x1: number;
  y1: number;
  x2: number;
  y2: number;
  model: string;
  latency_ms: number;
  slo_met: number;
  snapshot: string | null;
  source_width: number | null;
  source_height: number | null;
};

const SCHEMA = `
CREATE TABLE IF NOT EXISTS detections (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  camera TEXT NOT NULL,
  time INTEGER NOT NULL,
  label TEXT NOT NULL,
  score REAL NOT NULL,
  x1 REAL NOT NULL, y1 REAL NOT NULL, x2 REAL NOT NULL, y2 REAL NOT NULL,
  model TEXT NOT NULL,
  latency_ms REAL NOT NULL,
  slo_met INTEGER NOT NULL,
  snapshot TEXT,
  source_width INTEGER,
  source_height INTEGER
);
CREATE INDEX IF NOT EXISTS detections_time ON detections (time);
CREATE INDEX IF NOT EXISTS detections_camera_time ON detections (camera, time);
CREATE INDEX IF NOT EXISTS detections_label_time ON detections (label, time);
CREATE TABLE IF NOT EXISTS cameras (id TEXT PRIMARY KEY, name TEXT NOT NULL, url TEXT NOT NULL,
  created_ms INTEGER NOT NULL, updated_ms INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS nodes (id TEXT PRIMARY KEY, info TEXT NOT NULL, last_seen_ms INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS plans (id INTEGER PRIMARY KEY AUTOINCREMENT, created_ms INTEGER NOT NULL,
  plan TEXT NOT NULL);
`;

/** The schema version this code writes (PRAGMA user_version). 1: detections carry the source size. */
export const SCHEMA_VERSION = 1;

/**
 * Brings a database made by an older version up to SCHEMA_VERSION, keeping every row: the source size
 * columns are added (NULL on old rows, whose box pixels were the decoded frame's).
 */
function migrate(db: Database.Database): void {
  const info = db.prepare('PRAGMA table_info(detections)').all() as Array<{ name: string }>;
  const columns = new Set(info.map((c) => c.name));
  db.transaction(() => {
    for (const column of ['source_width', 'source_height']) {
      if (!columns.has(column)) db.exec(`ALTER TABLE detections ADD COLUMN ${column} INTEGER`);
    }
    db.pragma(`user_version = ${SCHEMA_VERSION}`);
  })();
}

export function isDiskFull(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'SQLITE_FULL' || code === 'ENOSPC' || code === 'SQLITE_IOERR_WRITE';
}

function whereOf(filter: DetectionFilter): { sql: string; params: Record<string, string | number> } {
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
  if (filter.minScore !== undefined) {
    clauses.push('score >= @minScore');
    params.minScore = filter.minScore;
  }
  if (filter.fromMs !== undefined) {
    clauses.push('time >= @fromMs');
    params.fromMs = filter.fromMs;
  }
  if (filter.toMs !== undefined) {
    clauses.push('time <= @toMs');
    params.toMs = filter.toMs;
  }
  return { sql: clauses.length ? `WHERE ${clauses.join(' AND ')}` : '', params };
}

function fromRow(row: Row): StoredDetection {
  return {
    id: row.id,
    camera: row.camera,
    timeMs: row.time,
    label: row.label,
    score: row.score,
    box: [row.x1, row.y1, row.x2, row.y2],
    sourceWidth: row.source_width,
    sourceHeight: row.source_height,
    model: row.model,
    latencyMs: row.latency_ms,
    sloMet: row.slo_met === 1,
    snapshot: row.snapshot,
  };
}

export class DetectionStore {
  private db: Database.Database | undefined;
  private insertStatement: Database.Statement | undefined;
  private failedWrites = 0;
  private writtenRows = 0;
  private retentionDeletedRows = 0;

  constructor(private readonly options: DetectionStoreOptions) {}

  get file(): string {
    return this.options.file;
  }

  start(): void {
    mkdirSync(path.dirname(this.options.file), { recursive: true });
    const db = new Database(this.options.file);
    try {
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      db.pragma('busy_timeout = 5000');
      if (this.options.maxPageCount !== undefined)
        db.pragma(`max_page_count = ${Math.floor(this.options.maxPageCount)}`);
      db.exec(SCHEMA);
      migrate(db);
    } catch (error) {
      db.close();
      throw new Error(`${this.options.file}: cannot open the detection database: ${(error as Error).message}`, {
        cause: error,
      });
    }
    this.db = db;
    this.insertStatement = db.prepare(
      'INSERT INTO detections (camera, time, label, score, x1, y1, x2, y2, source_width, source_height, model, ' +
        'latency_ms, slo_met, snapshot) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    );
  }

  stop(): void {
    this.db?.close();
    this.db = undefined;
  }

  private get database(): Database.Database {
    if (!this.db) throw new Error('the detection store is not started');
    return this.db;
  }

  journalMode(): string {
    return String(this.database.pragma('journal_mode', { simple: true }));
  }

  /** Inserts rows in one transaction; returns their ids, or null when the write failed (logged and counted). */
  insertDetections(rows: readonly NewDetection[]): number[] | null {
    if (rows.length === 0) return [];
    const write = (): number[] =>
      this.database.transaction(() =>
        rows.map((r) => {
          const source = [r.sourceWidth ?? null, r.sourceHeight ?? null];
          const values = [r.camera, Math.round(r.timeMs), r.label, r.score, ...r.box, ...source, r.model, r.latencyMs];
          return Number(this.insertStatement!.run(...values, r.sloMet ? 1 : 0, r.snapshot ?? null).lastInsertRowid);
        }),
      )();
    try {
      const ids = write();
      this.writtenRows += ids.length;
      return ids;
    } catch (firstError) {
      let error = firstError;
      if (isDiskFull(error)) {
        this.options.log.warn(
          { err: error, file: this.options.file },
          'database full; applying retention before retrying',
        );
        try {
          this.freeSpace();
          const ids = write();
          this.writtenRows += ids.length;
          return ids;
        } catch (retryError) {
          error = retryError;
        }
      }
      this.failedWrites += rows.length;
      this.options.log.error(
        { err: error, file: this.options.file, rows: rows.length, failedWrites: this.failedWrites },
        'detections could not be written',
      );
      return null;
    }
  }

  /** Deletes the oldest tenth of the rows: what retention does when the disk is full. */
  private freeSpace(): void {
    const rows = this.count({});
    const drop = Math.max(1, Math.ceil(rows / 10));
    const deleted = this.database
      .prepare('DELETE FROM detections WHERE id IN (SELECT id FROM detections ORDER BY id LIMIT ?)')
      .run(drop).changes;
    this.retentionDeletedRows += deleted;
  }

  /** Deletes detections older than retentionDays and beyond maxRows; returns how many went. */
  applyRetention(nowMs: number = Date.now()): number {
    try {
      const db = this.database;
      let deleted = db
        .prepare('DELETE FROM detections WHERE time < ?')
        .run(nowMs - this.options.retentionDays * 86_400_000).changes;
      const cut = db
        .prepare('SELECT id FROM detections ORDER BY id DESC LIMIT 1 OFFSET ?')
        .get(this.options.maxRows) as { id: number } | undefined;
      if (cut) deleted += db.prepare('DELETE FROM detections WHERE id <= ?').run(cut.id).changes;
      this.retentionDeletedRows += deleted;
      if (deleted > 0) this.options.log.info({ deleted }, 'retention deleted old detections');
      return deleted;
    } catch (error) {
      this.options.log.error({ err: error }, 'retention failed');
      return 0;
    }
  }

  count(filter: DetectionFilter): number {
    const { sql, params } = whereOf(filter);
    return (this.database.prepare(`SELECT COUNT(*) AS n FROM detections ${sql}`).get(params) as { n: number }).n;
  }

  /** Newest first; `before` is the id of the last row of the previous page. */
  query(filter: DetectionFilter, page: DetectionPage): StoredDetection[] {
    const { sql, params } = whereOf(filter);
    let where = sql;
    if (page.before !== undefined) {
      where =
        `${sql ? `${sql} AND` : 'WHERE'} (time, id) < (SELECT time, id FROM detections WHERE id = @before ` +
        `UNION ALL SELECT @beforeTime, @before LIMIT 1)`;
      params.before = page.before;
      params.beforeTime = Number.MAX_SAFE_INTEGER;
    }
    const rows = this.database
      .prepare(`SELECT * FROM detections ${where} ORDER BY time DESC, id DESC LIMIT @limit`)
      .all({ ...params, limit: page.limit }) as Row[];
    return rows.map(fromRow);
  }

  get(id: number): StoredDetection | undefined {
    const row = this.database.prepare('SELECT * FROM detections WHERE id = ?').get(id) as Row | undefined;
    return row ? fromRow(row) : undefined;
  }

  /**
   * Streams matching rows, oldest first, as raw value arrays in column order
   * (id, camera, time, label, score, x1, y1, x2, y2, model, latency_ms, slo_met, source_width,
   * source_height, has_snapshot) through a read-only
   * connection of its own; constant memory. Close the iterator (return()) to release it early.
   */
  *iterate(filter: DetectionFilter): Generator<unknown[], void, undefined> {
    const reader = new Database(this.options.file, { readonly: true, fileMustExist: true });
    try {
      const { sql, params } = whereOf(filter);
      const columns =
        'id, camera, time, label, score, x1, y1, x2, y2, model, latency_ms, slo_met, source_width, source_height, ' +
        'snapshot IS NOT NULL';
      const statement = reader.prepare(`SELECT ${columns} FROM detections ${sql} ORDER BY id`).raw(true);
      yield* statement.iterate(params) as IterableIterator<unknown[]>;
    } finally {
      reader.close();
    }
  }

  upsertCamera(camera: { id: string; name: string; url: string }, nowMs: number = Date.now()): void {
    this.database
      .prepare(
        'INSERT INTO cameras (id, name, url, created_ms, updated_ms) VALUES (@id, @name, @url, @now, @now) ON ' +
          'CONFLICT(id) DO UPDATE SET name = @name, url = @url, updated_ms = @now',
      )
      .run({ ...camera, now: nowMs });
  }

  removeCamera(id: string): void {
    this.database.prepare('DELETE FROM cameras WHERE id = ?').run(id);
  }

  listCameras(): Array<{ id: string; name: string; url: string; createdMs: number; updatedMs: number }> {
    return (
      this.database.prepare('SELECT * FROM cameras ORDER BY id').all() as Array<{
        id: string;
        name: string;
        url: string;
        created_ms: number;
        updated_ms: number;
      }>
    ).map((r) => ({ id: r.id, name: r.name, url: r.url, createdMs: r.created_ms, updatedMs: r.updated_ms }));
  }

  upsertNode(id: string, info: unknown, nowMs: number = Date.now()): void {
    this.database
      .prepare(
        'INSERT INTO nodes (id, info, last_seen_ms) VALUES (?, ?, ?) ON CONFLICT(id) DO UPDATE SET info = ' +
          'excluded.info, last_seen_ms = excluded.last_seen_ms',
      )
      .run(id, JSON.stringify(info), nowMs);
  }

  savePlan(plan: unknown, nowMs: number = Date.now()): number {
    return Number(
      this.database.prepare('INSERT INTO plans (created_ms, plan) VALUES (?, ?)').run(nowMs, JSON.stringify(plan))
        .lastInsertRowid,
    );
  }

  stats(): StoreStats {
    let fileBytes = 0;
    for (const suffix of ['', '-wal']) {
      try {
        fileBytes += statSync(this.options.file + suffix).size;
      } catch {
        // the WAL file may not exist
      }
    }
    return {
      rows: this.count({}),
      failedWrites: this.failedWrites,
      writtenRows: this.writtenRows,
      retentionDeletedRows: this.retentionDeletedRows,
      fileBytes,
    };
  }
}
