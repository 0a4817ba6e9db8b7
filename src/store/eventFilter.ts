/**
 * Event filters from query strings (GET /api/events and its export): validated with zod; nonsense gets a
 * DetectionFilterError (about "the event filter") that names every bad field at once.
 */
import { z } from 'zod';
import { cameraIdSchema, zonesConfigSchema } from '../config/index.ts';
import { DetectionFilterError, queryNumberSchema, queryTimeSchema } from './detectionFilter.ts';
import type { ExportFormat } from './detectionFilter.ts';
import type { EventFilter, EventQuery } from './eventStore.ts';

const filterFields = {
  camera: cameraIdSchema.optional().describe('Only this camera'),
  label: z.string().min(1).max(100).optional().describe('Only this label'),
  /** The config's own rule for zone names, so that a zone the config refuses is refused here too. */
  zone: zonesConfigSchema.unwrap().keyType.optional().describe('Only events that entered this zone'),
  from: queryTimeSchema.optional().describe('Only events that started at or after this time'),
  to: queryTimeSchema.optional().describe('Only events that started at or before this time'),
};

const querySchema = z
  .object({
    ...filterFields,
    limit: queryNumberSchema(1, 1000)
      .pipe(z.number().int('expected an integer'))
      .optional()
      .describe('Page size, 1-1000 (default 100)'),
    before: queryNumberSchema(0, Number.MAX_SAFE_INTEGER)
      .optional()
      .describe('Only events that started before this time (ms since the epoch): the nextBefore of the last page'),
  })
  .strict();

const exportSchema = z
  .object({ ...filterFields, format: z.enum(['csv', 'jsonl']).default('csv').describe('csv or jsonl') })
  .strict();

const WHAT = 'event filter';

function parse<T extends z.ZodType>(schema: T, params: Record<string, string>): z.output<T> {
  const parsed = schema.safeParse(params);
  if (!parsed.success) throw new DetectionFilterError(parsed.error.issues, WHAT);
  return parsed.data;
}

function toFilter(data: z.output<typeof exportSchema> | z.output<typeof querySchema>): EventFilter {
  const filter: EventFilter = {};
  if (data.camera !== undefined) filter.camera = data.camera;
  if (data.label !== undefined) filter.label = data.label;
  if (data.zone !== undefined) filter.zone = data.zone;
  if (data.from !== undefined) filter.fromMs = data.from;
  if (data.to !== undefined) filter.toMs = data.to;
  if (filter.fromMs !== undefined && filter.toMs !== undefined && filter.fromMs > filter.toMs)
    throw new DetectionFilterError(
      [{ path: ['from'], message: `${filter.fromMs} is after to (${filter.toMs})` }],
      WHAT,
    );
  return filter;
}

/** Parses `camera, label, zone, from, to, limit, before` (all optional strings). */
export function parseEventQuery(params: Record<string, string>): EventQuery {
  const data = parse(querySchema, params);
  const query: EventQuery = { ...toFilter(data), limit: data.limit ?? 100 };
  if (data.before !== undefined) query.beforeMs = data.before;
  return query;
}

/** Parses `format` and the filter fields of an events export. */
export function parseEventExportQuery(params: Record<string, string>): { filter: EventFilter; format: ExportFormat } {
  const data = parse(exportSchema, params);
  return { filter: toFilter(data), format: data.format };
}
