/**
 * The one message model of the control plane: every MQTT topic and its zod payload schema, declared once.
 * docs/mqtt.md documents the same table for people. Inbound payloads go through `parseMessage`, which never
 * throws and names the topic and the offending field.
 */
import { z } from 'zod';
import { NODE_ID_PATTERN, describeIssues } from '../../config/index.ts';
import { blockRangeSchema, planSchema, profileDeviceSchema } from '../../planner/index.ts';

export const PROTOCOL_VERSION = 1;
export const DEFAULT_PREFIX = 'ppipe';

const nodeId = z.string().regex(NODE_ID_PATTERN, 'expected 1–64 letters, digits, _ . or -');

/** A model file on the head's model server, content-addressed. */
const modelFileSchema = z
  .object({
    sha256: z.string().regex(/^[0-9a-f]{64}$/, 'expected a hex sha256'),
    url: z.string().url(),
    bytes: z.number().int().min(1),
  })
  .strict();

export const availabilitySchema = z.enum(['online', 'offline']);

export const versionsSchema = z
  .object({
    protocol: z.number().int().min(1).describe('Control-plane protocol version'),
    ppipe: z.string().min(1).describe('Version of the ppipe package'),
    node: z.string().min(1).describe('Node.js version'),
  })
  .strict();

export const announcementSchema = z
  .object({
    id: nodeId.describe('Node id, unique in the cluster'),
    role: z.enum(['worker']).describe('What the node does'),
    deviceClass: z.string().min(1).max(64).describe('Device class as named in the profiles (T4, L4, P4, cpu-2t, …)'),
    gpus: z.number().int().min(1).max(64).describe('GPUs (or CPU execution lanes) of the node; they share one NIC'),
    mpsLevels: z.number().int().min(1).max(8).describe('Largest MPS share denominator usable on each GPU'),
    site: z.string().min(1).max(64).describe('Site (edge location or cloud region)'),
    dataEndpoint: z
      .string()
      .regex(/^wss?:\/\/.+/, 'expected a ws:// or wss:// URL')
      .describe('Tensor link endpoint of the node'),
    emulated: z.boolean().describe('True when the node computes nothing and holds batches for their profiled latency'),
    timeScale: z.number().positive().describe('Factor on emulated latencies (1 = real time)'),
    versions: versionsSchema,
    startedAt: z.number().int().min(0).describe('Start time, ms since the epoch'),
  })
  .strict();

export const heartbeatSchema = z
  .object({
    id: nodeId,
    seq: z.number().int().min(0).describe('Increments by one per heartbeat'),
    uptimeS: z.number().min(0),
    planId: z.string().nullable().describe('Plan of the assignment the node serves (null: none)'),
    ready: z.boolean().describe('True when every assigned partition is loaded'),
    inflightBatches: z.number().int().min(0),
  })
  .strict();

export const tensorSpecSchema = z
  .object({
    name: z.string().min(1),
    dtype: z.string().min(1),
    shape: z.array(z.number().int()),
  })
  .strict();

export const partitionAssignmentSchema = z
  .object({
    key: z.string().min(1).describe('Pool key `<dnn>/<pipeline>/<partition>`'),
    dnn: z.string().min(1),
    pipeline: z.number().int().min(0),
    partition: z.number().int().min(0),
    partitionCount: z.number().int().min(1),
    blocks: z.tuple([z.number().int().min(0), z.number().int().min(1)]).describe('Blocks [first, end)'),
    deviceClass: z.string().min(1),
    mpsShare: z.number().int().min(1),
    instances: z.array(z.number().int().min(0)).min(1).describe('Instance numbers within the pool that this node runs'),
    batchSize: z.number().int().min(1),
    inferUs: z.number().min(0).describe('Planned latency at the batch size, µs'),
    model: modelFileSchema.nullable().describe('The partition model (null: emulated partitions only)'),
    inputs: z.array(tensorSpecSchema).describe('Tensors the partition reads'),
    link: z.array(tensorSpecSchema).describe('Tensors sent to the next hop (the model outputs on the last partition)'),
    linkBytesPerSample: z
      .number()
      .min(0)
      .describe('Declared bytes per sample on the outgoing link (float16 counted as 2)'),
    profiles: z.string().nullable().describe('Profiles folder for emulated latencies (null: none)'),
    profileModel: z.string().nullable().describe('Model name in the profiles'),
  })
  .strict();

/** The head asks a worker to time a model on its device class (the head has no profile of that class). */
export const profileRequestSchema = z
  .object({
    requestId: z.string().min(1).max(128),
    model: z.string().min(1).describe("The model's name in profiles and plans"),
    file: modelFileSchema.describe("The whole model, from the head's model server"),
    blocks: z.array(blockRangeSchema).min(1).describe("Node ranges of the blocks to time: those of the head's profile"),
    maxBatch: z.number().int().min(1).max(64).describe('Largest batch size to time'),
    warmup: z.number().int().min(0).max(100),
    repeats: z.number().int().min(1).max(1000),
  })
  .strict();

/** A worker's answer: its device class's timings of the requested blocks, or why it could not measure. */
export const profileResultSchema = z
  .object({
    requestId: z.string().min(1).max(128),
    model: z.string().min(1),
    deviceClass: z.string().min(1),
    status: z.enum(['ok', 'error']),
    device: profileDeviceSchema.optional().describe("The profile format's device entry (status ok)"),
    error: z.string().optional(),
  })
  .strict();

export const assignmentSchema = z
  .object({
    planId: z.string().min(1),
    nodeId: nodeId,
    linkDtype: z.enum(['float16', 'float32']).describe('Dtype of float tensors on the links'),
    bandwidthGbps: z.number().positive().nullable().describe('NIC pacing of the node (null: unpaced)'),
    partitions: z.array(partitionAssignmentSchema),
  })
  .strict();

export const planMessageSchema = z
  .object({
    planId: z.string().min(1),
    createdAt: z.number().int().min(0),
    reason: z.string(),
    nodes: z.array(nodeId).describe('Nodes that were up when the plan was made'),
    plan: planSchema.nullable().describe('The plan (null: no node is up)'),
  })
  .strict();

export const nodeStatsSchema = z
  .object({
    id: nodeId,
    batches: z.number().int().min(0),
    samples: z.number().int().min(0),
    busyUs: z.number().min(0),
    linkBytesSent: z.number().min(0),
    errors: z.number().int().min(0),
  })
  .strict();

export const frontendStatsSchema = z
  .object({
    requests: z.number().int().min(0),
    completed: z.number().int().min(0),
    late: z.number().int().min(0),
    dropped: z.number().int().min(0),
    redispatched: z.number().int().min(0),
    inflight: z.number().int().min(0),
    p50LatencyUs: z.number().min(0).nullable(),
    p99LatencyUs: z.number().min(0).nullable(),
  })
  .strict();

/** Events as Frigate and Home Assistant know them: `{type, before, after}`. */
export const clusterEventSchema = z
  .object({
    type: z.enum(['new', 'update', 'end']),
    kind: z.enum(['node', 'plan', 'request']).describe('What the event is about'),
    before: z.record(z.string(), z.unknown()).nullable(),
    after: z.record(z.string(), z.unknown()).nullable(),
  })
  .strict();

/**
 * A tracked object as published on `<eventsPrefix>/events`, with Frigate's field names (docs.frigate.video,
 * integrations/mqtt, `frigate/events`); `source_width`/`source_height` are ours: the frame `box` is measured in.
 */
export const publishedObjectSchema = z
  .object({
    id: z.string().min(1).describe('Stable id of the tracked object, `<epoch seconds>.<fraction>-<random>`'),
    camera: z.string().min(1),
    label: z.string().min(1),
    score: z.number().min(0).max(1).describe('Score in the latest frame'),
    top_score: z.number().min(0).max(1).describe("The object's best score so far (Frigate's top_score)"),
    frame_time: z.number().min(0).describe('When the object was last seen, seconds since the epoch'),
    start_time: z.number().min(0).describe('When the object appeared, seconds since the epoch'),
    end_time: z.number().min(0).nullable().describe('null until the object has left, then when it was last seen'),
    box: z
      .tuple([z.number(), z.number(), z.number(), z.number()])
      .describe("[x_min, y_min, x_max, y_max] in pixels of the camera's source (source_width × source_height)"),
    area: z.number().min(0).describe('Box area, source pixels²'),
    source_width: z.number().int().positive(),
    source_height: z.number().int().positive(),
    current_zones: z.array(z.string()).describe('Zones the object is in now'),
    entered_zones: z.array(z.string()).describe('Zones the object has entered since it appeared'),
    has_snapshot: z.boolean().describe('Whether the event has a snapshot (GET /api/events/<id>/snapshot.jpg)'),
    stationary: z.boolean(),
  })
  .strict();

/** Frigate's `{type, before, after}`: `before` is null on `new`; `end_time` is set on `end` only. */
export const objectEventSchema = z
  .object({
    type: z.enum(['new', 'update', 'end']),
    before: publishedObjectSchema.nullable(),
    after: publishedObjectSchema,
  })
  .strict()
  .superRefine((event, ctx) => {
    if ((event.type === 'new') !== (event.before === null))
      ctx.addIssue({ code: 'custom', path: ['before'], message: 'expected null on new and an object otherwise' });
    if ((event.type === 'end') !== (event.after.end_time !== null))
      ctx.addIssue({
        code: 'custom',
        path: ['after', 'end_time'],
        message: 'expected a time on end and null otherwise',
      });
    if (event.before !== null && event.before.id !== event.after.id)
      ctx.addIssue({ code: 'custom', path: ['before', 'id'], message: 'expected the id of after' });
  });

export const REQUEST_ACTIONS = ['replan', 'nodes', 'plan', 'health'] as const;
export type RequestAction = (typeof REQUEST_ACTIONS)[number];

export const requestEnvelopeSchema = z
  .object({
    data: z.record(z.string(), z.unknown()).default({}),
    transaction: z.string().min(1).max(128).optional(),
  })
  .strict();

export const responseEnvelopeSchema = z
  .object({
    data: z.unknown(),
    status: z.enum(['ok', 'error']),
    error: z.string().optional(),
    transaction: z.string().optional(),
  })
  .strict();

export type Availability = z.infer<typeof availabilitySchema>;
export type Announcement = z.infer<typeof announcementSchema>;
export type Heartbeat = z.infer<typeof heartbeatSchema>;
export type TensorSpec = z.infer<typeof tensorSpecSchema>;
export type PartitionAssignment = z.infer<typeof partitionAssignmentSchema>;
export type Assignment = z.infer<typeof assignmentSchema>;
export type ProfileRequestMessage = z.infer<typeof profileRequestSchema>;
export type ProfileResultMessage = z.infer<typeof profileResultSchema>;
export type PlanMessage = z.infer<typeof planMessageSchema>;
export type NodeStats = z.infer<typeof nodeStatsSchema>;
export type FrontendStats = z.infer<typeof frontendStatsSchema>;
export type ClusterEvent = z.infer<typeof clusterEventSchema>;
export type PublishedObject = z.infer<typeof publishedObjectSchema>;
export type ObjectEvent = z.infer<typeof objectEventSchema>;
export type RequestEnvelope = z.input<typeof requestEnvelopeSchema>;
export type ResponseEnvelope = z.infer<typeof responseEnvelopeSchema>;

/** Every topic of the scheme; `+` marks a node id. */
export const TOPICS = {
  announce: { pattern: 'nodes/+/announce', retained: true, schema: announcementSchema },
  available: { pattern: 'nodes/+/available', retained: true, schema: availabilitySchema },
  heartbeat: { pattern: 'nodes/+/heartbeat', retained: false, schema: heartbeatSchema },
  assignment: { pattern: 'nodes/+/assignment', retained: true, schema: assignmentSchema },
  profileRequest: { pattern: 'nodes/+/profile-request', retained: false, schema: profileRequestSchema },
  profileResult: { pattern: 'nodes/+/profile', retained: false, schema: profileResultSchema },
  nodeStats: { pattern: 'nodes/+/stats', retained: false, schema: nodeStatsSchema },
  plan: { pattern: 'plan', retained: true, schema: planMessageSchema },
  frontendStats: { pattern: 'frontend/stats', retained: false, schema: frontendStatsSchema },
  events: { pattern: 'events', retained: false, schema: clusterEventSchema },
  request: { pattern: 'request/+', retained: false, schema: requestEnvelopeSchema },
  response: { pattern: 'response/+', retained: false, schema: responseEnvelopeSchema },
} as const;

export type TopicKind = keyof typeof TOPICS;
export type PayloadOf<K extends TopicKind> = z.infer<(typeof TOPICS)[K]['schema']>;

/** The concrete topic of a kind; `param` fills the `+` (a node id or a request action). */
export function topicOf(prefix: string, kind: TopicKind, param?: string): string {
  const pattern = TOPICS[kind].pattern;
  if (pattern.includes('+')) {
    if (param === undefined) throw new Error(`topic ${kind} needs a parameter`);
    return `${prefix}/${pattern.replace('+', param)}`;
  }
  return `${prefix}/${pattern}`;
}

export function subscriptionOf(prefix: string, kind: TopicKind): string {
  return `${prefix}/${TOPICS[kind].pattern}`;
}

/** Frigate's events topic of the tracked objects. */
export function objectEventsTopic(eventsPrefix: string): string {
  return `${eventsPrefix}/events`;
}

/** Which kind a concrete topic belongs to, and its `+` parameter. */
export function matchTopic(prefix: string, topic: string): { kind: TopicKind; param: string | undefined } | undefined {
  if (!topic.startsWith(`${prefix}/`)) return undefined;
  const rest = topic.slice(prefix.length + 1).split('/');
  for (const [kind, entry] of Object.entries(TOPICS) as Array<[TopicKind, (typeof TOPICS)[TopicKind]]>) {
    const parts = entry.pattern.split('/');
    if (parts.length !== rest.length) continue;
    let param: string | undefined;
    if (parts.every((part, i) => (part === '+' ? ((param = rest[i]), true) : part === rest[i]))) return { kind, param };
  }
  return undefined;
}

export type ParseResult<T> = { ok: true; value: T } | { ok: false; reason: string };

/** Decodes and validates an inbound payload; never throws. The reason names the topic and each bad field. */
export function parseMessage<K extends TopicKind>(
  kind: K,
  topic: string,
  payload: Uint8Array | string,
): ParseResult<PayloadOf<K>> {
  const text = typeof payload === 'string' ? payload : Buffer.from(payload).toString('utf8');
  let data: unknown;
  if (kind === 'available') data = text.trim();
  else {
    try {
      data = JSON.parse(text) as unknown;
    } catch (error) {
      return { ok: false, reason: `${topic}: expected JSON: ${(error as Error).message}` };
    }
  }
  const parsed = TOPICS[kind].schema.safeParse(data);
  if (!parsed.success) return { ok: false, reason: `${topic}: ${describeIssues(parsed.error.issues)}` };
  return { ok: true, value: parsed.data as PayloadOf<K> };
}

/** Encodes an outbound payload after validating it (a bug on our side must not reach the wire). */
export function encodeMessage<K extends TopicKind>(kind: K, value: PayloadOf<K>): string {
  const parsed = TOPICS[kind].schema.safeParse(value);
  if (!parsed.success) throw new Error(`outbound ${kind}: ${describeIssues(parsed.error.issues)}`);
  return kind === 'available' ? String(parsed.data) : JSON.stringify(parsed.data);
}
