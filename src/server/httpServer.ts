/**
 * The HTTP API on node:http (binds 127.0.0.1 by default): cameras, detections and events (paged, filtered),
 * streamed exports, events' pictures, nodes, plan, stats, snapshots, the config JSON Schema, Prometheus metrics,
 * the built web UI at / and the WebSocket live feed. Every request body and query is validated; errors are JSON
 * `{error, issues}`.
 */
import { STATUS_CODES, createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { z } from 'zod';
import { appConfigJsonSchema, describeIssues } from '../config/index.ts';
import type { Logger, SecretRedactor } from '../config/index.ts';
import type { DetectionStore, EventRecord, EventStore, SnapshotStore, StoredDetection } from '../store/index.ts';
import {
  DetectionFilterError,
  exportChunks,
  exportContentType,
  exportEventChunks,
  parseDetectionQuery,
  parseEventExportQuery,
  parseEventQuery,
  parseExportQuery,
} from '../store/index.ts';
import type {
  DetectionItem,
  DetectionsResponse,
  ErrorResponse,
  EventItem,
  EventsResponse,
  NodeView,
  NodesResponse,
  PlanResponse,
  PlanView,
  StatsResponse,
} from './api.ts';
import {
  cameraCreateBodySchema,
  cameraPatchBodySchema,
  cameraReplaceBodySchema,
  testConnectionBodySchema,
} from './requestSchemas.ts';
import { AccessGate } from './accessGate.ts';
import type { Authenticator } from './auth.ts';
import { ApiError } from './cameraService.ts';
import type { CameraService } from './cameraService.ts';
import type { LiveFeed } from './liveFeed.ts';
import type { ApplianceMetrics } from './metrics.ts';
import { RequestGuard, allowedHostNames, readBodyText, requireMediaType } from './requestGuard.ts';
import { requestIssues, send } from './responses.ts';
import { StaticUi, isUiPath } from './staticUi.ts';
import type { PlannerJobs } from './plannerJobs.ts';
import { plannerJobBodySchema } from './plannerJobSchema.ts';

export type ApiServerDeps = {
  host: string;
  port: number;
  cameras: CameraService;
  store: DetectionStore;
  snapshots: SnapshotStore | undefined;
  /** The tracked objects' events (/api/events), in the detection log's file. */
  events: EventStore;
  live: LiveFeed;
  metrics: ApplianceMetrics;
  stats: () => StatsResponse;
  /** The cluster's nodes and current plan (none without a cluster section): see clusterViews.ts. */
  nodes: () => NodeView[];
  plan: () => PlanView | null;
  log: Logger;
  /** Masks credentials in error bodies (an error may quote a camera URL, or ffmpeg quoting it). */
  redactor: SecretRedactor;
  /** Host names browsers may use besides loopback ones and the listening address (server.allowedHosts). */
  allowedHosts?: ReadonlyArray<string>;
  /** The admin log-in, when required (server.auth); without it every client on loopback is trusted. */
  auth?: Authenticator;
  /** The built web UI's folder (default: app/ui/dist of the repository). */
  uiDir?: string;
  /** Planner jobs (/api/planner); without it those routes answer 404. */
  planner?: PlannerJobs;
};

const MAX_BODY_BYTES = 1 << 20;

export function toItem(d: StoredDetection): DetectionItem {
  return {
    id: d.id,
    camera: d.camera,
    time: d.timeMs,
    label: d.label,
    score: d.score,
    box: d.box,
    sourceWidth: d.sourceWidth,
    sourceHeight: d.sourceHeight,
    model: d.model,
    latencyMs: d.latencyMs,
    sloMet: d.sloMet,
    snapshot: d.snapshot !== null,
  };
}

/** The store's record as the wire's item, field by field (a field added to one and not the other fails to compile). */
export function toEventItem(e: EventRecord): EventItem {
  return {
    id: e.id,
    camera: e.camera,
    label: e.label,
    score: e.score,
    topScore: e.topScore,
    startTime: e.startTime,
    endTime: e.endTime,
    box: e.box,
    area: e.area,
    sourceWidth: e.sourceWidth,
    sourceHeight: e.sourceHeight,
    currentZones: e.currentZones,
    enteredZones: e.enteredZones,
    stationary: e.stationary,
    path: e.path,
    bestTime: e.bestTime,
    bestBox: e.bestBox,
    hasSnapshot: e.hasSnapshot,
  };
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  requireMediaType(req, ['application/json']);
  const text = await readBodyText(req, MAX_BODY_BYTES);
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new ApiError(400, 'body: expected a JSON object');
  }
}

async function body<T extends z.ZodType>(req: IncomingMessage, schema: T): Promise<z.output<T>> {
  const parsed = schema.safeParse(await readJson(req));
  if (!parsed.success) throw invalidRequest('body', parsed.error);
  return parsed.data;
}

/** A 400 naming every field a zod schema refused (`what`: the body, or '' for a request checked as a whole). */
function invalidRequest(what: string, error: z.ZodError): ApiError {
  const summary = `invalid request${what === '' ? '' : ` ${what}`}: ${describeIssues(error.issues)}`;
  return new ApiError(400, summary, requestIssues(error.issues));
}

function decodePathSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new ApiError(400, `path: "${segment}" has a malformed percent-escape (expected %XX of UTF-8 bytes)`);
  }
}

function queryOf(url: URL): Record<string, string> {
  return Object.fromEntries(url.searchParams.entries());
}

/** A refused WebSocket upgrade gets an HTTP answer saying why before the socket closes. */
function refuseUpgrade(socket: Duplex, refusal: ApiError): void {
  const body = JSON.stringify({ error: refusal.message } satisfies ErrorResponse);
  socket.end(
    `HTTP/1.1 ${refusal.status} ${STATUS_CODES[refusal.status] ?? ''}\r\n` +
      `content-type: application/json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\n` +
      `connection: close\r\n\r\n${body}`,
  );
}

function needPlanner(deps: ApiServerDeps): PlannerJobs {
  if (!deps.planner) throw new ApiError(404, 'the planner is not available on this server');
  return deps.planner;
}

export class ApiServer {
  private server: Server | undefined;
  private gate: AccessGate | undefined;
  private readonly ui: StaticUi;

  constructor(private readonly deps: ApiServerDeps) {
    this.ui = new StaticUi(deps.uiDir);
  }

  /** The bound port (after start()). */
  get port(): number {
    return (this.server?.address() as AddressInfo | null)?.port ?? 0;
  }

  async start(): Promise<void> {
    const hosts = allowedHostNames(this.deps.host, this.deps.allowedHosts ?? []);
    const gate = new AccessGate(new RequestGuard(hosts), this.deps.auth);
    this.gate = gate;
    const server = createServer((req, res) => {
      this.handle(req, res).catch((error: unknown) => this.fail(req, res, error));
    });
    server.on('upgrade', (req, socket, head) => {
      if (new URL(req.url ?? '/', 'http://localhost').pathname !== '/api/live') {
        socket.destroy();
        return;
      }
      const refusal = gate.refuseUpgrade(req);
      if (refusal) refuseUpgrade(socket, refusal);
      else this.deps.live.handleUpgrade(req, socket, head);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.deps.port, this.deps.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.server = server;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** 4xx: the client's mistake, explained. 5xx: logged with the stack; the body tells nothing internal. */
  private fail(req: IncomingMessage, res: ServerResponse, thrown: unknown): void {
    let status = 500;
    let payload: ErrorResponse;
    const error = thrown instanceof z.ZodError ? invalidRequest('', thrown) : thrown;
    if (error instanceof ApiError && error.status < 500) {
      status = error.status;
      // A 400 without field issues is about the request as a whole: one issue with an empty path.
      const issues = error.issues ?? (status === 400 ? [{ path: [], message: error.message }] : undefined);
      payload = { error: error.message, ...(issues ? { issues } : {}) };
    } else if (error instanceof DetectionFilterError) {
      status = 400;
      payload = { error: error.message, issues: requestIssues(error.issues) };
    } else {
      if (error instanceof ApiError) status = error.status;
      const path = new URL(req.url ?? '/', 'http://localhost').pathname;
      this.deps.log.error({ err: error, method: req.method, path, status }, 'request failed');
      payload = { error: error instanceof ApiError ? error.message : 'internal error' };
    }
    if (res.headersSent) {
      res.destroy();
      return;
    }
    send(res, status, this.deps.redactor.redactValue(payload));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const method = req.method ?? 'GET';
    if (await this.gate!.intercept(req, res, method, url)) return;
    const parts = url.pathname.split('/').filter(Boolean).map(decodePathSegment);
    // /api/cameras/<id>, /api/snapshots/<id> and /api/events/<id> route as :id (but /api/cameras/test-connection
    // and /api/events/export are routes).
    const isId = (p: string, i: number): boolean =>
      (i >= 2 &&
        parts[0] === 'api' &&
        (parts[1] === 'cameras' || parts[1] === 'snapshots') &&
        !(parts[1] === 'cameras' && p === 'test-connection')) ||
      (i === 2 && parts[0] === 'api' && parts[1] === 'events' && p !== 'export') ||
      (i === 3 && parts[1] === 'planner' && parts[2] === 'jobs');
    const route = `${method} /${parts.map((p, i) => (isId(p, i) ? ':id' : p)).join('/')}`;
    const { deps } = this;
    switch (route) {
      case 'GET /metrics': {
        const text = await deps.metrics.registry.metrics();
        res.writeHead(200, { 'content-type': deps.metrics.registry.contentType });
        res.end(text);
        return;
      }
      case 'GET /api/cameras':
        return send(res, 200, { items: deps.cameras.list() });
      case 'POST /api/cameras':
        return send(res, 201, await deps.cameras.add(await body(req, cameraCreateBodySchema)));
      case 'POST /api/cameras/test-connection': {
        const { url: cameraUrl } = await body(req, testConnectionBodySchema);
        return send(res, 200, await deps.cameras.testConnection(cameraUrl));
      }
      case 'GET /api/cameras/:id': {
        const camera = deps.cameras.get(parts[2]!);
        if (!camera) throw new ApiError(404, `no camera "${parts[2]}"`);
        return send(res, 200, camera);
      }
      case 'PUT /api/cameras/:id':
        return send(res, 200, await deps.cameras.replace(parts[2]!, await body(req, cameraReplaceBodySchema)));
      case 'PATCH /api/cameras/:id':
        return send(res, 200, await deps.cameras.update(parts[2]!, await body(req, cameraPatchBodySchema)));
      case 'DELETE /api/cameras/:id':
        await deps.cameras.remove(parts[2]!);
        res.writeHead(204).end();
        return;
      case 'GET /api/detections': {
        const { filter, page } = parseDetectionQuery(queryOf(url));
        const rows = deps.store.query(filter, page);
        const response: DetectionsResponse = {
          items: rows.map(toItem),
          nextBefore: rows.length === page.limit ? rows.at(-1)!.id : null,
          total: deps.store.count(filter),
        };
        return send(res, 200, response);
      }
      case 'GET /api/detections/export': {
        const { filter, format } = parseExportQuery(queryOf(url));
        const chunks = exportChunks(deps.store, filter, format);
        res.writeHead(200, {
          'content-type': exportContentType(format),
          'content-disposition': `attachment; filename="detections.${format}"`,
        });
        try {
          await pipeline(Readable.from(chunks), res);
        } finally {
          chunks.return(undefined);
        }
        return;
      }
      case 'GET /api/snapshots/:id': {
        const id = Number(parts[2]);
        const detection = Number.isInteger(id) && id > 0 ? deps.store.get(id) : undefined;
        const jpeg = detection?.snapshot ? deps.snapshots?.read(detection.snapshot) : undefined;
        if (!jpeg) throw new ApiError(404, `no snapshot for detection ${JSON.stringify(parts[2])}`);
        res.writeHead(200, { 'content-type': 'image/jpeg', 'content-length': jpeg.length });
        res.end(jpeg);
        return;
      }
      case 'GET /api/events': {
        const page = deps.events.query(parseEventQuery(queryOf(url)));
        const response: EventsResponse = { ...page, items: page.items.map(toEventItem) };
        return send(res, 200, response);
      }
      case 'GET /api/events/export': {
        const { filter, format } = parseEventExportQuery(queryOf(url));
        const chunks = exportEventChunks(deps.events, filter, format);
        res.writeHead(200, {
          'content-type': exportContentType(format),
          'content-disposition': `attachment; filename="events.${format}"`,
        });
        try {
          await pipeline(Readable.from(chunks), res);
        } finally {
          chunks.return(undefined);
        }
        return;
      }
      case 'GET /api/events/:id': {
        const event = deps.events.get(parts[2]!);
        if (!event) throw new ApiError(404, `no event "${parts[2]}" (ended events are kept for events.retentionDays)`);
        return send(res, 200, toEventItem(event));
      }
      case 'GET /api/events/:id/snapshot.jpg':
      case 'GET /api/events/:id/thumbnail.jpg': {
        const kind = parts[3] === 'snapshot.jpg' ? 'snapshot' : 'thumbnail';
        const event = deps.events.get(parts[2]!);
        if (!event) throw new ApiError(404, `no event "${parts[2]}"`);
        const jpeg = event.hasSnapshot ? deps.events.readSnapshot(event.id, kind) : undefined;
        if (!jpeg) throw new ApiError(404, `event "${event.id}" has no ${kind}`);
        res.writeHead(200, { 'content-type': 'image/jpeg', 'content-length': jpeg.length });
        res.end(jpeg);
        return;
      }
      case 'GET /api/nodes':
        return send(res, 200, { items: deps.nodes() } satisfies NodesResponse);
      case 'GET /api/plan':
        return send(res, 200, { plan: deps.plan() } satisfies PlanResponse);
      case 'GET /api/stats':
        return send(res, 200, deps.stats());
      case 'GET /api/planner/problems':
        return send(res, 200, needPlanner(deps).problems());
      case 'POST /api/planner/jobs':
        return send(res, 202, needPlanner(deps).submit(await body(req, plannerJobBodySchema)));
      case 'GET /api/planner/jobs/:id': {
        const job = needPlanner(deps).get(parts[3]!);
        if (!job) throw new ApiError(404, `no planner job "${parts[3]}" (finished jobs are kept for a while only)`);
        return send(res, 200, job);
      }
      case 'GET /api/config/schema':
        return send(res, 200, appConfigJsonSchema());
      default:
        if ((method === 'GET' || method === 'HEAD') && isUiPath(url.pathname)) return this.ui.serve(res, url.pathname);
        throw new ApiError(404, `no route ${method} ${url.pathname}`);
    }
  }
}
