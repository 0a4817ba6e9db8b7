/**
 * What a camera keeps of its detections and where (Frigate's names, so its users know them): `objects.track`
 * (labels), `objects.filters.<label>` (scores and sizes), `objects.mask` (polygons inside which detections are
 * ignored) and `zones.<name>` (polygons objects enter and leave). Polygons are in the camera's source pixels.
 */
import { z } from 'zod';

export const polygonSchema = z
  .array(z.tuple([z.number().min(0), z.number().min(0)]))
  .min(3, 'expected at least 3 points [x, y]')
  .max(100)
  .describe("Polygon of [x, y] points in the camera's source pixels (closed automatically)");

export const labelFilterSchema = z
  .object({
    min_score: z
      .number()
      .min(0)
      .max(1)
      .optional()
      .describe("Detections scoring less are ignored (default: the model's threshold)"),
    threshold: z
      .number()
      .min(0)
      .max(1)
      .optional()
      .describe('Median score a tracked object needs before it becomes an event (default: min_score)'),
    min_area: z.number().min(0).default(0).describe('Smallest box area kept, source pixels²'),
    max_area: z.number().positive().default(24_000_000).describe('Largest box area kept, source pixels²'),
  })
  .strict()
  .describe('Filters of one label');

export const objectsConfigSchema = z
  .object({
    track: z
      .array(z.string().min(1))
      .min(1)
      .optional()
      .describe(
        "Labels to keep, logged and tracked (default: the model's main label, person for COCO models, face for " +
          'BlazeFace)',
      ),
    filters: z.record(z.string().min(1), labelFilterSchema).default({}).describe('Per label: scores and box sizes'),
    mask: z
      .array(polygonSchema)
      .default([])
      .describe("Polygons inside which detections are ignored (a box's bottom centre decides)"),
  })
  .strict()
  .describe('Which detections this camera keeps');

export const zoneNameSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, 'expected 1-64 characters: lower-case letters, digits, "-" or "_"');

export const zoneConfigSchema = z
  .object({
    coordinates: polygonSchema,
    objects: z.array(z.string().min(1)).optional().describe('Labels this zone reports (default: every tracked label)'),
  })
  .strict()
  .describe("A named area; an object is in it when its box's bottom centre is");

export const zonesConfigSchema = z
  .record(zoneNameSchema, zoneConfigSchema)
  .default({})
  .describe('Named polygons objects enter and leave (events say which)');

export type Polygon = z.output<typeof polygonSchema>;
export type LabelFilter = z.output<typeof labelFilterSchema>;
export type ObjectsConfig = z.output<typeof objectsConfigSchema>;
export type ZoneConfig = z.output<typeof zoneConfigSchema>;

/** The label a model tracks when `objects.track` is not given. */
export function defaultTrackedLabels(modelKind: string, modelLabels: ReadonlyArray<string> | undefined): string[] {
  if (modelKind === 'blazeface') return ['face'];
  if (modelKind === 'centernet') return ['person'];
  return modelLabels?.includes('person') ? ['person'] : [modelLabels?.[0] ?? 'class0'];
}

/** Camera ids that would collide with the events topics `<eventsPrefix>/events|available|stats`. */
export const RESERVED_CAMERA_IDS = ['events', 'available', 'stats'] as const;

export const eventsConfigSchema = z
  .object({
    retentionDays: z.number().positive().default(30).describe('Events that ended more than this many days ago go'),
    maxRows: z.number().int().positive().default(100_000).describe('At most this many events are kept (oldest go)'),
    endAfterS: z
      .number()
      .positive()
      .max(600)
      .default(5)
      .describe('An object not seen for this long has left; its event ends at the time it was last seen'),
    stationaryAfterS: z
      .number()
      .positive()
      .default(10)
      .describe('An object whose box barely moved for this long is stationary'),
    snapshotQuality: z.number().int().min(1).max(100).default(85).describe("JPEG quality of events' snapshots"),
  })
  .strict()
  .describe('Tracked objects: one event per object, from when it appears until it leaves');

export type EventsConfig = z.output<typeof eventsConfigSchema>;
