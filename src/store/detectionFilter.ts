/**
 * Detection filters from query strings (HTTP, CLI): validated with zod; nonsense gets a DetectionFilterError
 * that names every bad field at once.
 */
import { z } from 'zod';
import { cameraIdSchema, describeIssues } from '../config/index.ts';
import type { IssueLike } from '../config/index.ts';

export type DetectionFilter = { camera?: string; label?: string; minScore?: number; fromMs?: number; toMs?: number };
export type DetectionPage = { limit: number; before?: number };
export type ExportFormat = 'csv' | 'jsonl';

export class DetectionFilterError extends Error {
  /** Each issue's path starts with the query parameter it is about (empty: the query as a whole). */
  constructor(
    readonly issues: ReadonlyArray<IssueLike>,
    what = 'detection filter',
  ) {
    super(`invalid ${what}: ${describeIssues(issues)}`);
    this.name = 'DetectionFilterError';
  }
}

/** A time: milliseconds since the epoch, or an ISO 8601 date. */
export const queryTimeSchema = z.string().transform((text, ctx) => {
  const ms = /^\d{1,16}$/.test(text) ? Number(text) : Date.parse(text);
  if (!Number.isFinite(ms)) {
    ctx.addIssue({
      code: 'custom',
      message: `expected milliseconds since the epoch or an ISO 8601 date, got ${JSON.stringify(text)}`,
    });
    return z.NEVER;
  }
  return ms;
});

/** A number from a query string, within [min, max]. */
export const queryNumberSchema = (min: number, max: number) =>
  z.string().transform((text, ctx) => {
    const n = Number(text);
    if (text.trim() === '' || !Number.isFinite(n) || n < min || n > max) {
      ctx.addIssue({ code: 'custom', message: `expected a number from ${min} to ${max}, got ${JSON.stringify(text)}` });
      return z.NEVER;
    }
    return n;
  });

const filterFields = {
  camera: cameraIdSchema.optional().describe('Only this camera'),
  label: z.string().min(1).max(100).optional().describe('Only this label'),
  minScore: queryNumberSchema(0, 1).optional().describe('Only scores at least this'),
  from: queryTimeSchema.optional().describe('Only detections at or after this time'),
  to: queryTimeSchema.optional().describe('Only detections at or before this time'),
};

const querySchema = z
  .object({
    ...filterFields,
    limit: queryNumberSchema(1, 1000)
      .pipe(z.number().int('expected an integer'))
      .optional()
      .describe('Page size, 1-1000 (default 100)'),
    before: queryNumberSchema(1, Number.MAX_SAFE_INTEGER)
      .pipe(z.number().int('expected an integer'))
      .optional()
      .describe('Only detections older than the one with this id (paging)'),
  })
  .strict();

const exportSchema = z
  .object({ ...filterFields, format: z.enum(['csv', 'jsonl']).default('csv').describe('csv or jsonl') })
  .strict();

function toFilter(data: {
  camera?: string | undefined;
  label?: string | undefined;
  minScore?: number | undefined;
  from?: number | undefined;
  to?: number | undefined;
}): DetectionFilter {
  const filter: DetectionFilter = {};
  if (data.camera !== undefined) filter.camera = data.camera;
  if (data.label !== undefined) filter.label = data.label;
  if (data.minScore !== undefined) filter.minScore = data.minScore;
  if (data.from !== undefined) filter.fromMs = data.from;
  if (data.to !== undefined) filter.toMs = data.to;
  if (filter.fromMs !== undefined && filter.toMs !== undefined && filter.fromMs > filter.toMs)
    throw new DetectionFilterError([{ path: ['from'], message: `${filter.fromMs} is after to (${filter.toMs})` }]);
  return filter;
}

function parse<T extends z.ZodType>(schema: T, params: Record<string, string>): z.output<T> {
  const parsed = schema.safeParse(params);
  if (!parsed.success) throw new DetectionFilterError(parsed.error.issues);
  return parsed.data;
}

/** Parses `camera, label, minScore, from, to, limit, before` (all optional strings). */
export function parseDetectionQuery(params: Record<string, string>): { filter: DetectionFilter; page: DetectionPage } {
  const data = parse(querySchema, params);
  const page: DetectionPage = { limit: data.limit ?? 100 };
  if (data.before !== undefined) page.before = data.before;
  return { filter: toFilter(data), page };
}

/** Parses `format` and the filter fields of an export. */
export function parseExportQuery(params: Record<string, string>): { filter: DetectionFilter; format: ExportFormat } {
  const data = parse(exportSchema, params);
  return { filter: toFilter(data), format: data.format };
}
