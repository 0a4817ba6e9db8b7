// The store room: the SQLite detection log (WAL) with cameras, nodes and plans (kept as history); the events of
// tracked objects beside it, with their pictures; retention; validated filters; streamed CSV / JSON Lines exports;
// JPEG snapshots of detection frames.
export { DetectionFilterError, parseDetectionQuery, parseExportQuery } from './detectionFilter.ts';
export { parseEventExportQuery, parseEventQuery } from './eventFilter.ts';
export type { PixelBox } from './eventImages.ts';
export { EVENT_ID_PATTERN, EVENT_SCHEMA_VERSION, EventStore } from './eventStore.ts';
export type {
  EventFilter,
  EventPage,
  EventQuery,
  EventRecord,
  EventStoreOptions,
  EventStoreStats,
  EventUpsert,
  SnapshotKind,
} from './eventStore.ts';
export { EVENT_CSV_HEADER, EVENT_EXPORT_FIELDS, exportEventChunks } from './exportEvents.ts';
export type { ExportedEvent } from './exportEvents.ts';
export type { DetectionFilter, DetectionPage, ExportFormat } from './detectionFilter.ts';
export { DetectionStore, isDiskFull, SCHEMA_VERSION } from './detectionStore.ts';
export type { DetectionStoreOptions, NewDetection, StoredDetection, StoreStats } from './detectionStore.ts';
export { CSV_HEADER, EXPORT_FIELDS, exportChunks, exportContentType } from './exportDetections.ts';
export type { ExportedDetection } from './exportDetections.ts';
export { encodeJpeg, SnapshotStore } from './snapshots.ts';
export type { RgbPixels, SnapshotOptions } from './snapshots.ts';
