/**
 * The wire API, declared once: HTTP request bodies (zod schemas, validated on arrival), HTTP responses and
 * WebSocket messages (types). The UI imports these types only.
 */
import { z } from 'zod';
import { cameraConfigSchema, cameraUrlSchema } from '../config/index.ts';

/** POST /api/cameras */
export const cameraCreateBodySchema = cameraConfigSchema;
type Patch<Shape extends z.ZodRawShape> = z.ZodObject<{ [K in keyof Shape]: z.ZodOptional<Shape[K]> }>;
/**
 * A patch of an object schema's fields: each one optional and without its default, so that a field absent
 * from a patch stays absent (zod's `.partial()` would fill in the defaults and reset the fields not sent).
 */
function patchSchema<Shape extends z.ZodRawShape>(shape: Shape): Patch<Shape> {
  const fields = Object.entries(shape).map(([key, field]) => {
    return [key, z.optional(field instanceof z.ZodDefault ? field.unwrap() : field)] as const;
  });
  return z.object(Object.fromEntries(fields)).strict() as unknown as Patch<Shape>;
}

/** PATCH /api/cameras/:id: the fields to change (the id cannot change) */
export const cameraPatchBodySchema = patchSchema(cameraConfigSchema.omit({ id: true }).shape);
/** PUT /api/cameras/:id: the whole camera, defaults for the fields not sent; the id is the path's (or absent) */
export const cameraReplaceBodySchema = cameraConfigSchema.partial({ id: true });
/** POST /api/cameras/test-connection */
export const testConnectionBodySchema = z.object({ url: cameraUrlSchema }).strict();

export type CameraCreateBody = z.input<typeof cameraCreateBodySchema>;
export type CameraPatchBody = z.input<typeof cameraPatchBodySchema>;
export type CameraReplaceBody = z.input<typeof cameraReplaceBodySchema>;
export type TestConnectionBody = z.input<typeof testConnectionBodySchema>;

export type CameraStatus = 'connecting' | 'online' | 'reconnecting' | 'offline' | 'disabled';

export type CameraView = {
  id: string;
  name: string;
  /** The URL with any password replaced by ***. */
  url: string;
  fps: number;
  /** The size frames are decoded at: the configured one, else the one learned from the source (null until then). */
  width: number | null;
  height: number | null;
  /** The source's own size: detections' boxes are in these pixels (null until the camera has probed it). */
  sourceWidth: number | null;
  sourceHeight: number | null;
  /** Set when the source could not be probed and boxes are in decoded pixels instead. */
  sourceSizeNote: string | null;
  model: string;
  enabled: boolean;
  status: CameraStatus;
  measuredFps: number;
  framesTotal: number;
  skippedFramesTotal: number;
  restartsTotal: number;
  lastFrameAtMs: number | null;
  lastError: string | null;
};

/** One detection as the API and the live feed show it. */
export type DetectionItem = {
  id: number;
  camera: string;
  /** ms since the epoch */
  time: number;
  label: string;
  score: number;
  /** [x1, y1, x2, y2] in pixels of the camera's source (its own size, not the decoded frame's) */
  box: [number, number, number, number];
  /** The source's size in pixels, which `box` is relative to (null on rows stored before it was recorded) */
  sourceWidth: number | null;
  sourceHeight: number | null;
  model: string;
  latencyMs: number;
  sloMet: boolean;
  /** GET /api/snapshots/:id serves the frame when true */
  snapshot: boolean;
};

/** GET /api/detections */
export type DetectionsResponse = { items: DetectionItem[]; nextBefore: number | null; total: number };

/** POST /api/cameras/test-connection */
export type TestConnectionResponse =
  | { ok: true; codec: string; width: number; height: number; elapsedMs: number }
  | { ok: false; error: string; elapsedMs: number };

/** GET /api/stats */
export type StatsResponse = {
  uptimeS: number;
  cameras: CameraView[];
  store: {
    rows: number;
    failedWrites: number;
    writtenRows: number;
    retentionDeletedRows: number;
    fileBytes: number;
    snapshotsWritten: number;
    snapshotFailedWrites: number;
  };
  detector: {
    framesAnalysed: number;
    framesDropped: number;
    detectionsTotal: number;
    sloAttainment: number | null;
    latencyP50Ms: number | null;
    latencyP99Ms: number | null;
  };
  liveClients: number;
};

/** Errors: 4xx/5xx with this body. */
export type ErrorResponse = { error: string; issues?: string[] };

/** WebSocket /api/live messages (topics as on MQTT). */
export type LiveMessage =
  | { type: 'snapshot'; topic: 'ppipe/snapshot'; cameras: CameraView[]; detections: DetectionItem[] }
  | {
      type: 'detection';
      topic: string;
      camera: string;
      time: number;
      /** Boxes in source pixels (each item's sourceWidth × sourceHeight) */
      items: DetectionItem[];
      /** The decoded frame's size and the source's: scale boxes by width / sourceWidth to draw on the thumbnail */
      frame: { width: number; height: number; sourceWidth: number; sourceHeight: number };
      thumbnailJpegBase64: string | null;
    }
  | { type: 'camera'; topic: string; camera: string; before: CameraStatus; after: CameraStatus; reason: string };

/** POST /api/auth/login (also as an HTML form, application/x-www-form-urlencoded) */
export const loginBodySchema = z.object({ password: z.string().min(1).max(1024) }).strict();
/** POST /api/auth/setup: the first admin password, with the one-time setup code from the log */
export const setupBodySchema = z
  .object({
    setupCode: z.string().min(1).max(256),
    password: z.string().min(1).max(1024),
    /** The form's second entry of the password, when sent: must match. */
    repeat: z.string().max(1024).optional(),
  })
  .strict()
  .refine((body) => body.repeat === undefined || body.repeat === body.password, {
    path: ['repeat'],
    message: 'the two passwords differ',
  });
/** POST /api/auth/tokens */
export const tokenCreateBodySchema = z
  .object({ name: z.string().min(1).max(64).describe('What the token is for (shown in the list)') })
  .strict();

export type LoginBody = z.input<typeof loginBodySchema>;
export type SetupBody = z.input<typeof setupBodySchema>;
export type TokenCreateBody = z.input<typeof tokenCreateBodySchema>;

/** GET /api/auth/status: whether log-in is on, and whether this request is logged in. */
export type AuthStatusResponse = {
  auth: 'required' | 'off';
  authenticated: boolean;
  /** The admin password is not set yet: /login offers the setup form. */
  setupRequired: boolean;
};
/** An API client's bearer token as listed (GET /api/auth/tokens): never the token itself. */
export type TokenItem = { id: string; name: string; createdAt: number };
/** POST /api/auth/tokens: the token, shown this once (send it as `Authorization: Bearer <token>`). */
export type CreatedTokenResponse = TokenItem & { token: string };
