/**
 * Exports of the events as CSV or JSON Lines, streamed in chunks (about 64 KiB) over EventStore.iterate(), oldest
 * start time first. Both carry the fields of GET /api/events' items by the same names, plus `startTimeIso` and
 * `endTimeIso` (ISO 8601, UTC; empty/null while the event goes on) beside the ms times, in EVENT_EXPORT_FIELDS'
 * order. A CSV cell holds the field's JSON value as the detection export's do: numbers, `true`/`false`, boxes as
 * `[x1,y1,x2,y2]` (source pixels), zones as `["a","b"]`, the path as `[{"time":…,"x":…,"y":…},…]`; an empty cell
 * for null; strings as they are.
 */
import type { ExportFormat } from './detectionFilter.ts';
import type { EventFilter, EventRecord, EventStore } from './eventStore.ts';
import { csvCell } from './exportDetections.ts';

/** One exported event: an /api/events item with the ISO times beside the ms ones. */
export type ExportedEvent = EventRecord & { startTimeIso: string; endTimeIso: string | null };

/** The exported fields in order: the CSV's header, the JSON lines' keys. The path, the longest, comes last. */
export const EVENT_EXPORT_FIELDS = [
  'id',
  'camera',
  'label',
  'score',
  'topScore',
  'startTime',
  'startTimeIso',
  'endTime',
  'endTimeIso',
  'box',
  'area',
  'sourceWidth',
  'sourceHeight',
  'currentZones',
  'enteredZones',
  'stationary',
  'bestTime',
  'bestBox',
  'hasSnapshot',
  'path',
] as const satisfies ReadonlyArray<keyof ExportedEvent>;

export const EVENT_CSV_HEADER = EVENT_EXPORT_FIELDS.join(',');

function exportedEvent(event: EventRecord): ExportedEvent {
  return {
    ...event,
    startTimeIso: new Date(event.startTime).toISOString(),
    endTimeIso: event.endTime === null ? null : new Date(event.endTime).toISOString(),
  };
}

function csvLine(event: ExportedEvent): string {
  return EVENT_EXPORT_FIELDS.map((field) => csvCell(event[field])).join(',');
}

function jsonLine(event: ExportedEvent): string {
  return JSON.stringify(Object.fromEntries(EVENT_EXPORT_FIELDS.map((field) => [field, event[field]])));
}

export function* exportEventChunks(
  store: EventStore,
  filter: EventFilter,
  format: ExportFormat,
  chunkChars = 65_536,
): Generator<string, void, undefined> {
  const line = format === 'csv' ? csvLine : jsonLine;
  let chunk = format === 'csv' ? `${EVENT_CSV_HEADER}\n` : '';
  for (const event of store.iterate(filter)) {
    chunk += `${line(exportedEvent(event))}\n`;
    if (chunk.length >= chunkChars) {
      yield chunk;
      chunk = '';
    }
  }
  if (chunk.length > 0) yield chunk;
}
