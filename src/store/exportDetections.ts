/**
 * Exports of the detection log as CSV or JSON Lines: a generator of text chunks (about 64 KiB each) over
 * DetectionStore.iterate(), so memory stays constant whatever the number of rows.
 */
import type { DetectionFilter, ExportFormat } from './detectionFilter.ts';
import type { DetectionStore } from './detectionStore.ts';

export const CSV_HEADER = 'id,camera,time,label,score,x1,y1,x2,y2,model,latency_ms,slo_met';

function csvField(value: unknown): string {
  const text = String(value);
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvLine(row: readonly unknown[]): string {
  return row.map(csvField).join(',');
}

/** One JSON line per row, with the field names of the HTTP API. */
export function jsonLine(row: readonly unknown[]): string {
  const [id, camera, time, label, score, x1, y1, x2, y2, model, latencyMs, sloMet] = row;
  return JSON.stringify({ id, camera, time, label, score, box: [x1, y1, x2, y2], model, latencyMs, sloMet: sloMet === 1 });
}

export function* exportChunks(store: DetectionStore, filter: DetectionFilter, format: ExportFormat, chunkChars = 65_536): Generator<string, void, undefined> {
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
