/**
 * The wire API, declared once as plain types: HTTP request bodies, HTTP responses and WebSocket messages.
 * No runtime import, so that the UI (`app/ui`, DOM types only) compiles against this file alone. The zod
 * schemas that validate request bodies live in `requestSchemas.ts`; `test/server/wireTypes.test.ts` checks
 * that these types and the schemas' types agree.
 */

export type RtspTransport = 'auto' | 'tcp' | 'udp';

/** A polygon of [x, y] points in the camera's source pixels (closed automatically). */
export type PolygonPoints = Array<[number, number]>;
/** Filters of one label (Frigate's names). */
export type LabelFilterConfig = {
  min_score?: number | undefined;
  threshold?: number | undefined;
  min_area?: number | undefined;
  max_area?: number | undefined;
};
/** A camera's `objects` section: labels tracked, their filters, and masks inside which detections are ignored. */
export type CameraObjectsConfig = {
  track?: string[] | undefined;
  filters?: Record<string, LabelFilterConfig> | undefined;
  mask?: PolygonPoints[] | undefined;
};
/** One named zone of a camera: its polygon and the labels it reports (absent: every tracked label). */
export type ZoneConfigBody = { coordinates: PolygonPoints; objects?: string[] | undefined };

/** POST /api/cameras: one camera (the config's `cameras[]` entry; absent fields take their defaults). */
export type CameraCreateBody = {
  id: string;
  name?: string | undefined;
  url: string;
  fps?: number | undefined;
  width?: number | undefined;
  height?: number | undefined;
  model?: string | undefined;
  enabled?: boolean | undefined;
  rtspTransport?: RtspTransport | undefined;
  objects?: CameraObjectsConfig | undefined;
  zones?: Record<string, ZoneConfigBody> | undefined;
};
/** PATCH /api/cameras/:id: the fields to change (the id cannot change); absent fields stay as they are. */
export type CameraPatchBody = Partial<Omit<CameraCreateBody, 'id'>>;
/** PUT /api/cameras/:id: the whole camera, defaults for the fields not sent; the id is the path's (or absent). */
export type CameraReplaceBody = Omit<CameraCreateBody, 'id'> & { id?: string | undefined };
/** POST /api/cameras/test-connection */
export type TestConnectionBody = { url: string };
/** POST /api/auth/login (also as an HTML form, application/x-www-form-urlencoded) */
export type LoginBody = { password: string };
/** POST /api/auth/setup: the first admin password, with the one-time setup code from the log. */
export type SetupBody = { setupCode: string; password: string; repeat?: string | undefined };
/** POST /api/auth/tokens */
export type TokenCreateBody = { name: string };

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
  rtspTransport: RtspTransport;
  /** As configured (defaults filled in): a PATCH of `objects` replaces the whole section. */
  objects: CameraObjectsConfig;
  /** Zones by name, polygons in source pixels. */
  zones: Record<string, ZoneConfigBody>;
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

/** One tracked object's event: from when the object appeared until it left. Times are epoch milliseconds. */
export type EventItem = {
  /** `<epoch seconds>.<fraction>-<random>`, as Frigate's */
  id: string;
  camera: string;
  label: string;
  /** The latest score and the best one */
  score: number;
  topScore: number;
  startTime: number;
  /** When it was last seen; null while it is in view */
  endTime: number | null;
  /** Latest box, source pixels; area in source pixels² */
  box: [number, number, number, number];
  area: number;
  sourceWidth: number;
  sourceHeight: number;
  currentZones: string[];
  enteredZones: string[];
  stationary: boolean;
  /** Centre points of its box over time (source pixels), thinned to at most 100 */
  path: Array<{ time: number; x: number; y: number }>;
  /** Its best frame: when, and the box then (snapshot.jpg draws it) */
  bestTime: number;
  bestBox: [number, number, number, number];
  hasSnapshot: boolean;
};

/** GET /api/events: newest first (by start time); nextBefore is the cursor of the next page. */
export type EventsResponse = { items: EventItem[]; nextBefore: number | null; total: number };

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
  /** Per configured camera: latency and SLO attainment measured by the detector. */
  cameraDetection: CameraDetectionStats[];
  liveClients: number;
};

/**
 * What is wrong with one field of a request: its path in the body (`['url']`, array indexes as their digits) or
 * in the query (`['minScore']`); an empty path is about the request as a whole.
 */
export type RequestIssue = { path: string[]; message: string };

/** Errors: 4xx/5xx with this body; every 400 carries `issues` (and a 422 of a camera's connection test too). */
export type ErrorResponse = { error: string; issues?: RequestIssue[] };

/** A node of the cluster as GET /api/nodes and the live feed's `node` message show it. */
export type NodeView = {
  id: string;
  /** Up: heartbeating; ready: its assignment is loaded. */
  up: boolean;
  ready: boolean;
  deviceClass: string | null;
  site: string | null;
  endpoint: string | null;
  /** The plan the node last reported it runs (null: none yet). */
  planId: string | null;
  /** ms since the epoch of its last heartbeat (or announcement) */
  lastSeenMs: number;
  /** What it runs in the current plan: one entry per partition instance. */
  runs: Array<{ dnn: string; blocks: [number, number]; batchSize: number; mpsShare: number }>;
};

/** GET /api/nodes */
export type NodesResponse = { items: NodeView[] };

/** One pool of a plan: a partition (blocks) of a model on GPUs of one type. */
export type PlanPoolView = {
  /** First and last block of the model, inclusive. */
  blocks: [number, number];
  gpuType: string;
  /** vGPU instances, their MPS share denominator (each holds 1/mpsShare of a GPU) and GPU equivalents. */
  instances: number;
  mpsShare: number;
  gpus: number;
  batchSize: number;
  throughputRps: number;
  inferUs: number;
  transferUs: number;
  /** Edge-to-cloud: the site of the pool (absent: one site). */
  site?: string;
};

/** A plan as the UI draws it: for every model its pipelines, each a chain of pools. */
export type PlanView = {
  planId: string;
  /** ms since the epoch */
  createdAt: number;
  reason: string;
  nodes: string[];
  algorithm: string | null;
  objective: number | null;
  dnns: Array<{
    name: string;
    sloMs: number;
    blockCount: number;
    throughputRps: number;
    pipelines: Array<{ throughputRps: number; batchSize: number; source?: string; pools: PlanPoolView[] }>;
  }>;
};

/** GET /api/plan (null: no plan yet, e.g. the cluster is off) */
export type PlanResponse = { plan: PlanView | null };

/** Per camera, what the detector measured (in /api/stats). */
export type CameraDetectionStats = {
  camera: string;
  framesAnalysed: number;
  latencyP50Ms: number | null;
  latencyP99Ms: number | null;
  /** Share of frames answered within the model's SLO (null: none analysed yet). */
  sloAttainment: number | null;
};

/** WebSocket /api/live: what a client sends. Until it subscribes it gets events only, no frames. */
export type LiveSubscribe = {
  type: 'subscribe';
  /** The grid: the latest frame of every camera, at most 10 per second each. */
  grid: boolean;
  /** One camera full size, at its own rate (at most 15 per second); null: none. */
  fullSize: string | null;
};

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
  | {
      /** To subscribed clients only: an analysed frame with its detections (possibly none). */
      type: 'frame';
      topic: string;
      camera: string;
      time: number;
      /** JPEG of the frame: grid-sized (width ≤ 640) for the grid, decoded size for the full-size camera. */
      jpegBase64: string;
      /** The JPEG's size and the source's: boxes are in source pixels. */
      width: number;
      height: number;
      sourceWidth: number;
      sourceHeight: number;
      items: DetectionItem[];
      latencyMs: number;
      sloMet: boolean;
    }
  | { type: 'camera'; topic: string; camera: string; before: CameraStatus; after: CameraStatus; reason: string }
  /** A tracked object appeared (new), changed (update, at most once a second) or left (end). */
  | { type: 'event'; topic: string; eventType: 'new' | 'update' | 'end'; event: EventItem }
  | { type: 'node'; topic: string; node: NodeView }
  | { type: 'plan'; topic: string; plan: PlanView }
  /** To the one client whose message was not a valid `LiveSubscribe`: what was wrong (nothing changed). */
  | { type: 'error'; topic: 'ppipe/live'; error: string; issues: RequestIssue[] };

/** The planning algorithms a planner job can compare. */
export type PlannerAlgorithm = 'ppipe' | 'np' | 'dart-r';

/** POST /api/planner/jobs: plan (and optionally sweep) the box's own cluster or an example problem. */
export type PlannerJobBody = {
  /** `cluster`: the measured profiles of the box's nodes; else the name of a problem in `examples/`. */
  problem: string;
  /** Default: all three. */
  algorithms?: PlannerAlgorithm[] | undefined;
  /** Simulate each plan under rising load (attainment against load); default false. */
  sweep?: boolean | undefined;
};

export type PlannerJobState = 'queued' | 'running' | 'done' | 'failed';

/** One algorithm's outcome in a planner job. */
export type PlannerJobPlan = {
  algorithm: PlannerAlgorithm;
  /** min over models of planned throughput / weight (req/s); 0 when nothing is served. */
  objective: number;
  /** optimal | time_limit | infeasible, or failed (see `error`) */
  status: string;
  /** Why this algorithm has no plan (e.g. DART-r needs exactly two GPU classes); null when it planned. */
  error: string | null;
  planSeconds: number;
  plan: PlanView | null;
  /** Busy share of each GPU class's GPUs at the planned throughput, 0..1. */
  utilisationByClass: Record<string, number>;
  /**
   * Attainment (share of requests answered within the SLO, all models together) against load, when swept.
   * Load factor 1 is, per model, the highest throughput any of the job's plans promises for it.
   */
  sweep: Array<{ loadFactor: number; rateRps: number; attainment: number }> | null;
};

/** GET /api/planner/jobs/:id (and the answer of POST /api/planner/jobs, 202) */
export type PlannerJob = {
  id: string;
  problem: string;
  algorithms: PlannerAlgorithm[];
  sweep: boolean;
  state: PlannerJobState;
  /** 0..1 */
  progress: number;
  /** What it is doing now, for a progress line. */
  step: string;
  /** ms since the epoch */
  createdAt: number;
  finishedAt: number | null;
  error: string | null;
  plans: PlannerJobPlan[];
  /** Charts rendered by the server as SVG (no script): attainment, utilisation, algorithms compared. */
  charts: Array<{ title: string; svg: string }>;
};

/** GET /api/planner/problems: what POST /api/planner/jobs accepts as `problem`. */
export type PlannerProblemsResponse = {
  /** `available: false` says why in `description` (e.g. no worker up yet, profiles missing). */
  items: Array<{ name: string; description: string; available: boolean }>;
};

/** GET /api/auth/status: whether log-in is on, and whether this request is logged in. */
export type AuthStatusResponse = {
  auth: 'required' | 'off';
  authenticated: boolean;
  /** The admin password is not set yet: /login offers the setup form. */
  setupRequired: boolean;
  /** The shortest admin password the setup accepts. */
  minPasswordLength: number;
};
/** An API client's bearer token as listed (GET /api/auth/tokens): never the token itself. */
export type TokenItem = { id: string; name: string; createdAt: number };
/** POST /api/auth/tokens: the token, shown this once (send it as `Authorization: Bearer <token>`). */
export type CreatedTokenResponse = TokenItem & { token: string };
