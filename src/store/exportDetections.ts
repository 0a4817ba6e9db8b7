/**
 * Exports of the detection log as CSV or JSON Lines: a generator of text chunks (about 64 KiB each) over
 * DetectionStore.iterate(), so memory stays constant whatever the number of rows. Both carry exactly the fields
 * of GET /api/detections' items, by the same names and in the same order, plus `timeIso` (ISO 8601, UTC) beside
 * `time` (ms since the epoch). A CSV cell holds the field's JSON value: numbers as JSON writes them, `true` or
 * `false`, the box as `[x1,y1,x2,y2]` (in the camera's source pixels), an empty cell for null; strings as they are.
 */
import type { DetectionFilter, ExportFormat } from './detectionFilter.ts';
import type { DetectionStore } from './detectionStore.ts';

/** One exported detection: an /api/detections item with `timeIso` after `time`. */
export type ExportedDetection = {
  id: number;
  camera: string;
  time: number;
  timeIso: string;
  label: string;
  score: number;
  box: [number, number, number, number];
  sourceWidth: number | null;
  sourceHeight: number | null;
  model: string;
  latencyMs: number;
  sloMet: boolean;
  snapshot: boolean;
};

/** The exported fields in order: the CSV's header, the JSON lines' keys. */
export const EXPORT_FIELDS = [
  'id',
  'camera',
  'time',
  'timeIso',
  'label',
  'score',
  'box',
  'sourceWidth',
  'sourceHeight',
  'model',
  'latencyMs',
  'sloMet',
  'snapshot',
] as const satisfies ReadonlyArray<keyof ExportedDetection>;

export const CSV_HEADER = EXPORT_FIELDS.join(',');

/** A row of DetectionStore.iterate() as an exported detection. */
function exportedDetection(row: readonly unknown[]): ExportedDetection {
  type Row = [number, string, number, string, number, number, number, number, number, string, number, number];
  type Tail = [number | null, number | null, number];
  const [id, camera, time, label, score, x1, y1, x2, y2, model, latencyMs, sloMet, ...tail] = row as [...Row, ...Tail];
  const [sourceWidth, sourceHeight, hasSnapshot] = tail;
  return {
    id,
    camera,
    time,
    timeIso: new Date(time).toISOString(),
    label,
    score,
    box: [x1, y1, x2, y2],
    sourceWidth,
    sourceHeight,
    model,
    latencyMs,
    sloMet: sloMet === 1,
    snapshot: hasSnapshot === 1,
  };
}

/** A CSV cell: a string as it is, null as nothing, anything else as its JSON; quoted when it needs to be. */
export function csvCell(value: unknown): string {
  const text = value === null ? '' : typeof value === 'string' ? value : JSON.stringify(value);
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

function csvLine(detection: ExportedDetection): string {
  return EXPORT_FIELDS.map((field) => csvCell(detection[field])).join(',');
}

/** One JSON object per line, its keys in EXPORT_FIELDS' order (exportedDetection builds them so). */
function jsonLine(detection: ExportedDetection): string {
  return JSON.stringify(detection);
}

export function* exportChunks(
  store: DetectionStore,
  filter: DetectionFilter,
  format: ExportFormat,
  chunkChars = 65_536,
): Generator<string, void, undefined> {
  const line = format === 'csv' ? csvLine : jsonLine;
  let chunk = format === 'csv' ? `${CSV_HEADER}\n` : '';
  for (const row of store.iterate(filter)) {
    chunk += `${line(exportedDetection(row))}\n`;
    if (chunk.length >= chunkChars) {
      yield chunk;
      chunk = '';
    }
  }
  if (chunk.length > 0) yield chunk;
}

export function exportContentType(format: ExportFormat): string {
  return format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8';
}
