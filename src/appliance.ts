/**
 * The appliance assembly: config → store (SQLite, snapshots) → detectors → cameras → HTTP server, started in
 * that order and stopped in reverse. `ppipe serve` (src/commands/serve.ts) runs it. With a `cluster` section
 * (config/default.yaml
 * has one) detection goes through the distributed runtime: a ClusterHead (broker, controller, frontend) with
 * supervised local worker processes, one ClusterDetector per model. Without it, models run in-process
 * through LocalDetector (the fallback). Both implement the pipeline's Detector interface.
 */
import { accessSync, constants, mkdirSync, statSync } from 'node:fs';
import path from 'node:path';
import pino from 'pino';
import type { AppConfig, Logger, ModelConfig } from './config/index.ts';
import {
  DetectionCluster,
  MqttEventPublisher,
  eventsPrefixConflict,
  readOrCreateApplianceId,
} from './cluster/index.ts';
import type { ClusterHead, Controller, DiscoveredCamera, PlanMessage } from './cluster/index.ts';
import {
  ConfigError,
  defaultTrackedLabels,
  loadAppConfig,
  redactingLogger,
  REPO_ROOT,
  SecretRedactor,
} from './config/index.ts';
import { CameraRegistry, resolveTool } from './ingest/index.ts';
import type { Detector } from './detect/index.ts';
import { LocalDetector, servedModelFile } from './detect/index.ts';
import type { CameraView, StatsResponse } from './server/index.ts';
import type { Plan, ProblemDocument } from './planner/index.ts';
import { artifactDataDir } from './planner/index.ts';
import {
  ApiServer,
  ApplianceMetrics,
  Authenticator,
  CameraService,
  DetectionLoop,
  LiveFeed,
  ObjectEvents,
  PlannerJobs,
  authRequired,
  nodeViews,
  planViewOf,
} from './server/index.ts';
import { DetectionStore, EventStore, SnapshotStore } from './store/index.ts';

/** The repository's demo media (the default config's camera): always a media folder. */
const DEMO_MEDIA_DIR = path.join(REPO_ROOT, 'media', 'demo');

export type ApplianceOptions = {
  configFile: string;
  /** Where changes through the API go (default: configFile); the defaults are copied there on the first. */
  editConfigFile?: string;
  /** The configuration already loaded from configFile (`ppipe start` reads it once); else start() loads it. */
  config?: AppConfig;
  /** Overrides store.dataDir (DATA_DIR). */
  dataDir?: string;
  /** Overrides server.port (PORT). */
  port?: number;
  env?: NodeJS.ProcessEnv;
  logger?: Logger;
  /** Called once the HTTP server listens, before the detectors start (they may profile this machine first). */
  onListening?: (port: number) => void;
  /** Progress of long start-up steps (profiling this machine on a first start), as terminal text. */
  onProgress?: (text: string) => void;
  /** Simulated disk size for the SQLite file, pages (tests). */
  maxPageCount?: number;
};

/** What the appliance serves once it has started: `ppipe start` prints it. */
export interface StartupReport {
  readonly cameras: ReadonlyArray<CameraView>;
  readonly models: ReadonlyArray<ModelConfig>;
  /** The cluster's workers; undefined when detection runs in this process (no cluster section). */
  readonly workers:
    ReadonlyArray<{ id: string; deviceClass: string | null; site: string | null; state: string }> | undefined;
  /** The cluster's current plan (null: none yet). */
  readonly plan: Plan | null;
}

export class Appliance {
  private lastPlan: PlanMessage | undefined;
  private dataDirInUse: string | undefined;
  private readonly planWaiters = new Set<() => void>();
  private config: AppConfig | undefined;
  private store: DetectionStore | undefined;
  private eventLog: EventStore | undefined;
  private objectEvents: ObjectEvents | undefined;
  private objectSweepTimer: NodeJS.Timeout | undefined;
  private snapshots: SnapshotStore | undefined;
  private readonly detectors = new Map<string, { detector: Detector; model: ModelConfig }>();
  private registry: CameraRegistry | undefined;
  private server: ApiServer | undefined;
  private live: LiveFeed | undefined;
  private loop: DetectionLoop | undefined;
  private cameraService: CameraService | undefined;
  private retentionTimer: NodeJS.Timeout | undefined;
  private events: MqttEventPublisher | undefined;
  private cluster: DetectionCluster | undefined;
  /** The cluster's controller once the cluster has started: the API's nodes come from it. */
  private controller: Controller | undefined;
  private planner: PlannerJobs | undefined;
  private readonly startedAtMs = Date.now();
  readonly metrics = new ApplianceMetrics();
  /** Every log line, API error body and camera view passes it; start() registers the config's secrets. */
  private readonly redactor = new SecretRedactor();
  readonly log: Logger;

  constructor(private readonly options: ApplianceOptions) {
    this.log = redactingLogger(options.logger ?? pino({ name: 'ppipe' }), this.redactor);
  }

  get port(): number {
    return this.server?.port ?? 0;
  }

  /** The data folder in use (set once start() has read the config). */
  get dataDir(): string | undefined {
    return this.dataDirInUse;
  }

  get cameras(): CameraRegistry {
    if (!this.registry) throw new Error('the appliance is not started');
    return this.registry;
  }

  /** The cluster head when detection runs on the cluster (config section `cluster`), else undefined. */
  get clusterHead(): ClusterHead | undefined {
    return this.cluster?.head;
  }

  get detectionStore(): DetectionStore {
    if (!this.store) throw new Error('the appliance is not started');
    return this.store;
  }

  /** The tracked objects' events (in the detection log's file, pictures under <dataDir>/events). */
  get eventStore(): EventStore {
    if (!this.eventLog) throw new Error('the appliance is not started');
    return this.eventLog;
  }

  /** The WebSocket live feed (what its clients are sent). */
  get liveFeed(): LiveFeed {
    if (!this.live) throw new Error('the appliance is not started');
    return this.live;
  }

  async start(): Promise<void> {
    const configFile = path.resolve(this.options.configFile);
    const baseDir = path.dirname(configFile);
    const config = this.options.config ?? loadAppConfig(configFile, this.options.env ?? process.env);
    checkModelFiles(config, configFile, baseDir);
    checkMqttPrefixes(config, configFile);
    this.config = config;
    this.redactor.addConfig(config);
    this.redactor.add((this.options.env ?? process.env).PPIPE_ADMIN_PASSWORD);
    try {
      // store
      const dataDir = path.resolve(baseDir, this.options.dataDir ?? config.store.dataDir);
      this.dataDirInUse = dataDir;
      mkdirSync(dataDir, { recursive: true });
      const servedModels = modelsAsServed(config, configFile, baseDir, dataDir);
      const store = new DetectionStore({
        file: path.join(dataDir, 'ppipe.sqlite'),
        retentionDays: config.store.retentionDays,
        maxRows: config.store.maxRows,
        log: this.log.child({ room: 'store' }),
        ...(this.options.maxPageCount ? { maxPageCount: this.options.maxPageCount } : {}),
      });
      store.start();
      this.store = store;
      store.applyRetention();
      const eventLog = new EventStore({
        file: store.file,
        snapshotDir: path.join(dataDir, 'events'),
        retentionDays: config.events.retentionDays,
        maxRows: config.events.maxRows,
        log: this.log.child({ room: 'events' }),
        ...(this.options.maxPageCount ? { maxPageCount: this.options.maxPageCount } : {}),
      });
      eventLog.start();
      this.eventLog = eventLog;
      eventLog.applyRetention();
      if (config.store.snapshots.enabled) {
        const s = config.store.snapshots;
        this.snapshots = new SnapshotStore({
          dir: path.join(dataDir, 'snapshots'),
          minIntervalMs: s.minIntervalMs,
          retentionDays: s.retentionDays,
          maxFiles: s.maxFiles,
          quality: s.quality,
          log: this.log.child({ room: 'snapshots' }),
        });
        this.snapshots.start();
        this.snapshots.applyRetention();
      }
      this.retentionTimer = setInterval(() => {
        store.applyRetention();
        eventLog.applyRetention();
        this.snapshots?.applyRetention();
      }, 60_000);
      this.retentionTimer.unref();
      // live feed, loop, cameras
      const live = new LiveFeed(() => ({
        type: 'snapshot',
        topic: 'ppipe/snapshot',
        cameras: this.cameraService?.list() ?? [],
        detections: this.loop?.recentDetections() ?? [],
      }));
      live.start();
      this.live = live;
      const objectEvents = new ObjectEvents({
        config: () => this.config,
        events: eventLog,
        broadcast: (message) => live.broadcast(message),
        liveClients: () => live.clients,
        sink: () => {
          const mqtt = this.events;
          return (
            mqtt && {
              objectChanged: (change, hasSnapshot) => mqtt.publishObjectChange(change, hasSnapshot),
              objectsInView: (camera, active) => mqtt.publishCounts(camera, active),
              snapshot: (camera, jpeg) => mqtt.publishSnapshot(camera, jpeg),
            }
          );
        },
        log: this.log.child({ room: 'events' }),
      });
      this.objectEvents = objectEvents;
      // Objects of cameras whose frames stopped end once they have been gone for events.endAfterS.
      this.objectSweepTimer = setInterval(() => objectEvents.sweep(Date.now()), 1000);
      this.objectSweepTimer.unref();
      this.loop = new DetectionLoop({
        detectorFor: (id) => this.detectors.get(id),
        modelOf: (cameraId) => this.config?.cameras.find((c) => c.id === cameraId)?.model,
        store,
        snapshots: this.snapshots,
        metrics: this.metrics,
        broadcast: (message) => live.broadcast(message),
        keepAndTrack: (cameraId, model, frame, detections) => objectEvents.observe(cameraId, model, frame, detections),
        liveClients: () => live.clients,
        liveFrames: live,
        log: this.log.child({ room: 'loop' }),
      });
      const loop = this.loop;
      // The system's ffmpeg, or the binaries shipped in the optional registry packages where there is none.
      const ingest = {
        ...config.ingest,
        ffmpegPath: resolveTool('ffmpeg', config.ingest.ffmpegPath),
        ffprobePath: resolveTool('ffprobe', config.ingest.ffprobePath),
      };
      if (ingest.ffmpegPath !== config.ingest.ffmpegPath)
        this.log.info(
          { ffmpeg: ingest.ffmpegPath, ffprobe: ingest.ffprobePath },
          'no ffmpeg on PATH: using the shipped binaries',
        );
      // file: and image: cameras open only what lies in the media folder or the shipped demo media
      const configuredMediaDir = config.ingest.mediaDir;
      const mediaDir =
        configuredMediaDir === undefined ? path.join(dataDir, 'media') : path.resolve(baseDir, configuredMediaDir);
      if (configuredMediaDir === undefined) mkdirSync(mediaDir, { recursive: true });
      this.registry = new CameraRegistry(
        ingest,
        { baseDir, mediaDirs: [mediaDir, DEMO_MEDIA_DIR] },
        (id) => loop.consumerFor(id),
        this.log.child({ room: 'ingest' }),
      );
      this.registry.on((event) => {
        if (event.type === 'status') {
          live.broadcast({
            type: 'camera',
            topic: `ppipe/cameras/${event.camera}/status`,
            camera: event.camera,
            before: event.before,
            after: event.after,
            reason: event.reason,
          });
          this.events?.publishCameraStatus(event.camera, event.after);
        }
      });
      const configFiles = { read: configFile, edit: path.resolve(this.options.editConfigFile ?? configFile) };
      this.cameraService = new CameraService({
        configFiles,
        getConfig: () => this.config!,
        setConfig: (c) => {
          this.config = c;
          this.events?.setCameras(discoveredCameras(c));
          this.cluster?.setCameras(siteCameras(c)).catch((error: unknown) => {
            this.log.warn({ err: error }, 'cluster: re-planning for the changed cameras failed');
          });
        },
        registry: this.registry,
        store,
        redactor: this.redactor,
      });
      this.cameraService.startConfigured(this.log.child({ room: 'ingest' }));
      // server
      this.metrics.bind({
        cameras: () => this.cameraService?.list() ?? [],
        storeStats: () => store.stats(),
        batchSizes: () => this.cluster?.dispatchedBatchSizes() ?? new Map(),
      });
      const port = this.options.port ?? config.server.port;
      const auth = authRequired(config.server)
        ? new Authenticator({
            file: path.join(dataDir, 'auth.json'),
            adminPassword: (this.options.env ?? process.env)['PPIPE_ADMIN_PASSWORD'],
            sessionMs: config.server.sessionHours * 3_600_000,
            log: this.log.child({ room: 'auth' }),
          })
        : undefined;
      await auth?.start();
      const env = this.options.env ?? process.env;
      this.planner = new PlannerJobs({
        examplesDir: path.join(REPO_ROOT, 'examples'),
        defaultProfilesDir: artifactDataDir({ fromEnvironment: env['PPIPE_ARTIFACT_DATA'], repoRoot: REPO_ROOT }),
        clusterProblem: () => this.clusterProblem(),
        ...(config.cluster ? { planTimeLimitS: config.cluster.planTimeLimitS } : {}),
      });
      this.server = new ApiServer({
        host: config.server.host,
        port,
        allowedHosts: config.server.allowedHosts,
        auth,
        cameras: this.cameraService,
        store,
        snapshots: this.snapshots,
        events: eventLog,
        live,
        metrics: this.metrics,
        stats: () => this.stats(),
        nodes: () =>
          this.controller ? nodeViews(this.controller, { epochMs: Date.now(), monotonicMs: performance.now() }) : [],
        plan: () => (this.lastPlan ? planViewOf(this.lastPlan) : null),
        log: this.log.child({ room: 'server' }),
        redactor: this.redactor,
        planner: this.planner,
      });
      await this.server.start();
      this.options.onListening?.(this.port);
      // detectors, after the server listens (a first start profiles this machine): through the cluster when
      // configured, else in-process; frames that arrive before them are skipped
      if (config.cluster) await this.startCluster(config, servedModels, baseDir, dataDir, store);
      else {
        for (const model of servedModels) {
          const detector = new LocalDetector({
            id: model.id,
            kind: model.kind,
            path: model.path,
            threshold: model.threshold,
            iouThreshold: model.iouThreshold,
            intraOpThreads: 1,
            ...(model.inputSize ? { inputSize: model.inputSize } : {}),
            ...(model.labels ? { labels: model.labels } : {}),
          });
          await detector.start();
          this.detectors.set(model.id, { detector, model });
        }
      }
      // MQTT events (optional): a broker that cannot be reached is logged, the appliance runs on.
      // Tracked objects reach it through this.events: publishObjectChange, publishCounts, publishSnapshot.
      if (config.mqtt) {
        const mqttLog = this.log.child({ room: 'mqtt' });
        const caFile = config.mqtt.caFile === undefined ? undefined : path.resolve(baseDir, config.mqtt.caFile);
        const events = new MqttEventPublisher(
          {
            ...config.mqtt,
            eventsPrefix: eventsPrefixOf(config.mqtt, mqttLog),
            applianceId: readOrCreateApplianceId(dataDir),
            cameras: discoveredCameras(config),
            caFile,
            clientId: `ppipe-appliance-${process.pid}`,
          },
          mqttLog,
        );
        try {
          await events.start();
          this.events = events;
        } catch (error) {
          this.log.warn({ url: config.mqtt.url, err: error }, 'MQTT broker unreachable; events are not published');
        }
      }
      this.log.info(
        { host: config.server.host, port: this.port, auth: auth ? 'required' : 'off', config: configFile, dataDir },
        'appliance started',
      );
    } catch (error) {
      await this.stop();
      throw error;
    }
  }

  /** The cluster head and its local workers; the API's nodes and plan follow the controller. */
  private async startCluster(
    config: AppConfig,
    servedModels: ReadonlyArray<ModelConfig>,
    baseDir: string,
    dataDir: string,
    store: DetectionStore,
  ): Promise<void> {
    const log = this.log.child({ room: 'cluster' });
    const recordNodes = (): void => {
      const controller = this.cluster?.head.controller;
      if (!controller) return;
      // Live clients (the Cluster page) see every node's state at each event that may change it.
      const clock = { epochMs: Date.now(), monotonicMs: performance.now() };
      for (const node of nodeViews(controller, clock))
        this.live?.broadcast({ type: 'node', topic: `ppipe/nodes/${node.id}`, node });
      for (const [id, node] of controller.nodes)
        store.upsertNode(id, {
          up: node.up,
          ready: node.ready,
          planId: node.planId,
          deviceClass: node.announcement?.deviceClass ?? null,
          site: node.announcement?.site ?? null,
          endpoint: node.announcement?.dataEndpoint ?? null,
        });
    };
    const cluster = new DetectionCluster(
      {
        cluster: config.cluster!,
        models: [...servedModels],
        dataDir,
        baseDir,
        cameras: siteCameras(config),
        ...(this.options.onProgress ? { onProgress: this.options.onProgress } : {}),
        events: {
          onPlan: (message: PlanMessage) => {
            store.savePlan(message);
            this.lastPlan = message;
            this.live?.broadcast({ type: 'plan', topic: 'ppipe/plan', plan: planViewOf(message) });
            if (message.plan) for (const wake of this.planWaiters) wake();
            recordNodes();
            log.info(
              {
                planId: message.planId,
                reason: message.reason,
                nodes: message.nodes,
                objective: message.plan?.objective ?? null,
              },
              'cluster plan',
            );
          },
          onPlacedPlan: (placedPlan) => {
            recordNodes();
            if (placedPlan) log.info({ planId: placedPlan.planId }, 'cluster serving');
          },
          onNodeDown: () => recordNodes(),
        },
      },
      log,
    );
    this.cluster = cluster;
    await cluster.start();
    this.controller = cluster.head.controller;
    for (const model of config.models)
      this.detectors.set(model.id, { detector: cluster.detectors.get(model.id)!, model });
  }

  /** The planner page's `cluster` problem: what the controller would plan now, or why there is none. */
  private clusterProblem(): { document: ProblemDocument } | { unavailable: string } {
    if (!this.config?.cluster) return { unavailable: 'none: detection runs in this process (no cluster section)' };
    let document: ProblemDocument | undefined;
    try {
      document = this.cluster?.head.controller.problemDocument();
    } catch {
      // The head is made once this machine's profile is measured (a first start takes a while).
      return { unavailable: 'still starting (a first start measures this machine first)' };
    }
    return document ? { document } : { unavailable: 'no worker of a profiled class is up yet' };
  }

  /** Resolves once the cluster has a plan (at once without a cluster section), or after `timeoutMs`. */
  whenPlanned(timeoutMs: number): Promise<void> {
    if (!this.cluster || this.lastPlan?.plan) return Promise.resolve();
    return new Promise((resolve) => {
      const wake = (): void => {
        clearTimeout(timer);
        this.planWaiters.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, timeoutMs);
      this.planWaiters.add(wake);
    });
  }

  startupReport(): StartupReport {
    const nodes = this.cluster?.head.controller?.nodes;
    return {
      cameras: this.cameraService?.list() ?? [],
      models: this.config?.models ?? [],
      workers:
        nodes === undefined
          ? undefined
          : [...nodes].map(([id, node]) => ({
              id,
              deviceClass: node.announcement?.deviceClass ?? null,
              site: node.announcement?.site ?? null,
              state: node.ready ? 'ready' : node.up ? 'up' : 'down',
            })),
      plan: this.lastPlan?.plan ?? null,
    };
  }

  stats(): StatsResponse {
    const store = this.store!.stats();
    const snapshots = this.snapshots?.stats() ?? { written: 0, failedWrites: 0 };
    const loop = this.loop!.stats();
    const cameras = this.cameraService!.list();
    return {
      uptimeS: Math.round((Date.now() - this.startedAtMs) / 1000),
      cameras,
      store: { ...store, snapshotsWritten: snapshots.written, snapshotFailedWrites: snapshots.failedWrites },
      detector: { ...loop, sloAttainment: this.metrics.sloAttainment() },
      cameraDetection: this.loop!.cameraStats(cameras.map((c) => c.id)),
      liveClients: this.live!.clients,
    };
  }

  /** The MQTT publisher of tracked objects, counts and snapshots (undefined: no `mqtt` section or no broker). */
  get mqttEvents(): MqttEventPublisher | undefined {
    return this.events;
  }

  /** Stops everything in reverse order of start; safe to call on a partly started appliance. */
  async stop(): Promise<void> {
    // The live feed's WebSockets first: the HTTP server does not track upgraded sockets, and its close would
    // wait for every open one until its client gives up. Upgrades after this are refused.
    await this.live?.stop();
    this.live = undefined;
    await this.server?.stop();
    this.server = undefined;
    await this.planner?.stop();
    this.planner = undefined;
    await this.registry?.stop();
    this.registry = undefined;
    for (const { detector } of this.detectors.values()) await detector.stop();
    this.detectors.clear();
    this.controller = undefined;
    await this.cluster?.stop();
    this.cluster = undefined;
    clearInterval(this.retentionTimer);
    clearInterval(this.objectSweepTimer);
    this.objectEvents?.stop();
    this.objectEvents = undefined;
    this.eventLog?.stop();
    this.eventLog = undefined;
    this.store?.stop();
    this.store = undefined;
    await this.events?.stop();
    this.events = undefined;
  }
}

/**
 * A model file that cannot be read is a mistake of the config: reported with every other one, once, before
 * anything starts (the cluster would otherwise profile the other models first).
 */
function checkModelFiles(config: AppConfig, configFile: string, baseDir: string): void {
  const issues = config.models.flatMap((model, index) => {
    const file = path.resolve(baseDir, model.path);
    try {
      accessSync(file, constants.R_OK);
      return statSync(file).isFile() ? [] : [`models[${index}].path: expected a model file, ${file} is a folder`];
    } catch {
      return [`models[${index}].path: expected a readable ONNX file or TF.js model.json, there is none at ${file}`];
    }
  });
  if (issues.length > 0) throw new ConfigError(configFile, issues);
}

/** The models with absolute paths of the ONNX files they are served from (TF.js graphs converted into dataDir). */
function modelsAsServed(
  config: AppConfig,
  configFile: string,
  baseDir: string,
  dataDir: string,
): ReadonlyArray<ModelConfig> {
  return config.models.map((model, index) => {
    const file = path.resolve(baseDir, model.path);
    try {
      return {
        ...model,
        path: servedModelFile({ id: model.id, kind: model.kind, file }, path.join(dataDir, 'models')),
      };
    } catch (error) {
      throw new ConfigError(configFile, [`models[${index}].path: ${(error as Error).message}`]);
    }
  });
}

/** The enabled cameras with the model that serves them: the demand at this box's site. */
function siteCameras(config: AppConfig): Array<{ model: string; fps: number }> {
  return config.cameras.filter((camera) => camera.enabled).map((camera) => ({ model: camera.model, fps: camera.fps }));
}

/** `mqtt.eventsPrefix`, or its deprecated name `mqtt.detectionPrefix` (with a warning), or `frigate`. */
function eventsPrefixOf(mqtt: NonNullable<AppConfig['mqtt']>, log: Logger): string {
  if (mqtt.eventsPrefix !== undefined) {
    if (mqtt.detectionPrefix !== undefined)
      log.warn('mqtt.detectionPrefix is deprecated and ignored: mqtt.eventsPrefix is set; remove detectionPrefix');
    return mqtt.eventsPrefix;
  }
  if (mqtt.detectionPrefix === undefined) return 'frigate';
  log.warn(
    { detectionPrefix: mqtt.detectionPrefix },
    'mqtt.detectionPrefix is deprecated: rename it to mqtt.eventsPrefix (same meaning)',
  );
  return mqtt.detectionPrefix;
}

/**
 * The events prefix and the cluster's control-plane prefix must never share topics (a camera's counts would
 * read as control messages, `<p>/events` would carry both): refused before anything starts.
 */
function checkMqttPrefixes(config: AppConfig, configFile: string): void {
  if (!config.mqtt || !config.cluster) return;
  const eventsPrefix = config.mqtt.eventsPrefix ?? config.mqtt.detectionPrefix ?? 'frigate';
  const conflict = eventsPrefixConflict(eventsPrefix, config.cluster.prefix);
  if (conflict === undefined) return;
  const field = config.mqtt.eventsPrefix === undefined ? 'detectionPrefix' : 'eventsPrefix';
  throw new ConfigError(configFile, [
    `mqtt.${field}: "${eventsPrefix}" would share MQTT topics with the cluster's control plane: ${conflict}; ` +
      'choose another prefix',
  ]);
}

/** What Home Assistant discovery and the counts need of each camera: its tracked labels and zones. */
function discoveredCameras(config: AppConfig): DiscoveredCamera[] {
  return config.cameras.map((camera) => {
    const model = config.models.find((m) => m.id === camera.model);
    const trackedLabels = camera.objects.track ?? defaultTrackedLabels(model?.kind ?? '', model?.labels);
    return {
      id: camera.id,
      name: camera.name ?? camera.id,
      trackedLabels,
      zones: Object.entries(camera.zones).map(([name, zone]) => ({
        name,
        labels: (zone.objects ?? trackedLabels).filter((label) => trackedLabels.includes(label)),
      })),
    };
  });
}
