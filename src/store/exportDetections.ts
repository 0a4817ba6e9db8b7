/**
 * Exports of the detection log as CSV or JSON Lines: a generator of text chunks (about 64 KiB each) over
 * DetectionStore.iterate(), so memory stays constant whatever the number of rows. Boxes are in the camera's
 * source pixels; source_width/source_height (sourceWidth/sourceHeight) say the size (empty/null on old rows).
 */
import type { DetectionFilter, ExportFormat } from './detectionFilter.ts';
import type { DetectionStore } from './detectionStore.ts';

export const CSV_HEADER = 'id,camera,time,label,score,x1,y1,x2,y2,model,latency_ms,slo_met,source_width,source_height';

function csvField(value: unknown): string {
  const text = value === null || value === undefined ? '' : String(value);
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvLine(row: readonly unknown[]): string {
  return row.map(csvField).join(',');
}

/** One JSON line per row, with the field names of the HTTP API. */
export function jsonLine(row: readonly unknown[]): string {
  const [id, camera, time, label, score, x1, y1, x2, y2, model, latencyMs, sloMet, sourceWidth, sourceHeight] = row;
  const box = [x1, y1, x2, y2];
  return JSON.stringify({
    id,
    camera,
    time,
    label,
    score,
    box,
    sourceWidth: sourceWidth ?? null,
    sourceHeight: sourceHeight ?? null,
    model,
    latencyMs,
    sloMet: sloMet === 1,
  });
}

export function* exportChunks(
  store: DetectionStore,
  filter: DetectionFilter,
  format: ExportFormat,
  chunkChars = 65_536,
): Generator<string, void, undefined> {
  const format1 = format === 'csv' ? csvLine : jsonLine;
  let chunk = format === 'csv' ? `${CSV_HEADER}\n` : '';
  for (const row of store.iterate(filter)) {
    chunk += `${format1(row)}\n`;
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
