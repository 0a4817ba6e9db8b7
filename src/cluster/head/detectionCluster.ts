/**
 * The appliance's detection served by the cluster: from the config's `cluster` section and its models, it
 * makes sure each model has a profile of this machine's workers (measured once into the data folder),
 * offers the controller real partitions of each model at the profile's block boundaries, runs a ClusterHead
 * with the local workers, and gives one ClusterDetector per model. Remote workers of another device class
 * measure it themselves when asked (remoteProfiles.ts) and join the plan once their timings are merged.
 */
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import type { ClusterConfig, Logger, ModelConfig } from '../../config/index.ts';
import { ClusterDetector } from './clusterDetector.ts';
import { ClusterHead } from './clusterHead.ts';
import type { ControllerEvents, EdgeNetworkOptions, ModelEntry } from '../control/controller.ts';
import { cpuDeviceClass, ensureLocalProfile, localWorkerThreads, prepareProfilesFolder } from './localProfile.ts';
import { PartitionCatalog } from './partitionCatalog.ts';
import { batchableModel } from './batchableModel.ts';
import type { ProfiledModel } from '../control/remoteProfiles.ts';
import { RemoteProfiler } from '../control/remoteProfiles.ts';
import { siteEdgeNetwork } from '../control/siteEdgeNetwork.ts';

export interface DetectionClusterOptions {
  readonly cluster: ClusterConfig;
  /** The models to serve, with `path` already absolute. */
  readonly models: ReadonlyArray<ModelConfig>;
  /** Profiles go to <dataDir>/profiles, the workers' partition cache to <dataDir>/model-cache. */
  readonly dataDir: string;
  /** Folder that relative paths of the cluster section (brokerCaFile) are relative to. */
  readonly baseDir: string;
  /** This box's enabled cameras (model id and fps): the demand at its site when the section has a `topology`. */
  readonly cameras?: ReadonlyArray<{ readonly model: string; readonly fps: number }>;
  readonly events?: ControllerEvents;
  readonly echoWorkerStderr?: boolean;
  /** Progress of long steps (the first start's profiling of this machine), as text for a terminal. */
  readonly onProgress?: (text: string) => void;
}

export class DetectionCluster {
  private headInstance: ClusterHead | undefined;
  private profiler: RemoteProfiler | undefined;
  readonly detectors = new Map<string, ClusterDetector>();
  /** Model id → the planner's name of the model (its profile's). */
  private readonly plannerNames = new Map<string, string>();
  /** The edge network of the latest plan request, as JSON (with a `topology` section only). */
  private plannedEdgeNetwork: string | undefined;
  /** Every model the config names, by planner name (weights come from the cameras' demand). */
  private readonly modelEntries = new Map<string, ModelEntry>();
  private plannedModels: string | undefined;

  constructor(
    private readonly options: DetectionClusterOptions,
    private readonly log: Logger,
  ) {}

  get head(): ClusterHead {
    if (!this.headInstance) throw new Error('the detection cluster is not started');
    return this.headInstance;
  }

  async start(): Promise<void> {
    const { cluster, models, dataDir } = this.options;
    const threads = localWorkerThreads(cluster.workerThreads);
    const deviceClass = cpuDeviceClass(threads);
    const profilesDir = path.join(dataDir, 'profiles');
    prepareProfilesFolder(profilesDir);
    const entries = this.modelEntries;
    const profiled = new Map<string, ProfiledModel>();
    const inputs = new Map<string, string>();
    for (const model of models) {
      const progress = this.options.onProgress;
      const served = batchableModel(model.path, dataDir, cluster.maxBatch, this.log);
      const profile = await ensureLocalProfile({
        modelFile: served.file,
        maxBatch: served.maxBatch,
        profilesDir,
        threads,
        deviceClass,
        ...(progress ? { stderr: progress } : {}),
      });
      if (profile.measured)
        this.log.info(
          { model: model.id, deviceClass, profile: profile.file },
          "profiled the model on the local workers' device class",
        );
      if (!entries.has(profile.model)) {
        const catalog = await PartitionCatalog.load(served.file, profile.file);
        const input = catalog.inputs[0];
        if (!input || catalog.inputs.length !== 1)
          throw new Error(
            `model "${model.id}" (${model.path}): expected one input tensor, got ${catalog.inputs.length}`,
          );
        inputs.set(profile.model, input.name);
        entries.set(profile.model, { name: profile.model, sloUs: model.sloMs * 1000, partitions: catalog });
        profiled.set(profile.model, { modelFile: served.file, profileFile: profile.file });
      }
      this.plannerNames.set(model.id, profile.model);
      this.detectors.set(
        model.id,
        new ClusterDetector({
          id: model.id,
          decode: {
            kind: model.kind,
            threshold: model.threshold,
            iouThreshold: model.iouThreshold,
            ...(model.inputSize ? { inputSize: model.inputSize } : {}),
            ...(model.labels ? { labels: model.labels } : {}),
          },
          dnn: profile.model,
          inputName: inputs.get(profile.model)!,
          sloMs: model.sloMs,
          frontend: () => this.head.frontend,
        }),
      );
    }
    const edge = cluster.topology ? this.edgeNetworkFor(this.options.cameras ?? []) : undefined;
    this.plannedEdgeNetwork = edge && JSON.stringify(edge);
    const planned = modelsToPlan(this.modelEntries.values(), this.plannerNames, this.options.cameras ?? []);
    this.plannedModels = JSON.stringify(planned.map(({ name, weight }) => [name, weight]));
    const external = cluster.broker === 'embedded' ? undefined : cluster.broker;
    const fromConfig = (file: string | undefined): string | undefined =>
      file === undefined ? undefined : path.resolve(this.options.baseDir, file);
    const tls =
      cluster.tlsCertFile !== undefined && cluster.tlsKeyFile !== undefined
        ? { certFile: fromConfig(cluster.tlsCertFile)!, keyFile: fromConfig(cluster.tlsKeyFile)! }
        : undefined;
    const linkCaFile = fromConfig(cluster.linkCaFile);
    // Local workers listen where the head does, so that remote workers in the same pipelines reach them too.
    const workerNetworkArgs = [
      '--host',
      cluster.listenHost,
      ...(cluster.advertiseHost !== undefined ? ['--advertise-host', cluster.advertiseHost] : []),
      ...(tls ? ['--tls-cert', tls.certFile, '--tls-key', tls.keyFile] : []),
      ...(linkCaFile !== undefined ? ['--link-ca', linkCaFile] : []),
    ];
    // The profiler reaches the head (made just below) only once both are started: before that it only reads files.
    const profiler = new RemoteProfiler(
      {
        get bus() {
          return head.bus;
        },
        get models() {
          return head.models;
        },
        replan: (reason) => head.controller.requestReplan(reason),
      },
      { models: profiled },
      this.log.child({ room: 'profiles' }),
    );
    const head = new ClusterHead(
      {
        ...(external
          ? {
              broker: {
                url: external,
                ...(cluster.brokerUsername !== undefined ? { username: cluster.brokerUsername } : {}),
                ...(cluster.brokerPassword !== undefined ? { password: cluster.brokerPassword } : {}),
                ...(cluster.brokerCaFile !== undefined ? { caFile: fromConfig(cluster.brokerCaFile)! } : {}),
              },
            }
          : {}),
        // Nodes without a password are listed for an external broker's ACL only.
        nodes: cluster.nodes.flatMap((node) =>
          node.password !== undefined ? [{ id: node.id, password: node.password }] : [],
        ),
        modelServerPort: cluster.modelServerPort,
        listen: {
          host: cluster.listenHost,
          ...(cluster.advertiseHost !== undefined ? { advertiseHost: cluster.advertiseHost } : {}),
          ...(tls ? { tls } : {}),
          ...(linkCaFile !== undefined ? { linkCaFile } : {}),
        },
        prefix: cluster.prefix,
        token: cluster.token ?? randomBytes(24).toString('hex'),
        controller: {
          profiles: profilesDir,
          models: planned,
          algorithm: cluster.algorithm,
          maxPartitions: cluster.maxPartitions,
          bandwidthGbps: cluster.bandwidthGbps,
          paceLinks: false,
          linkDtype: cluster.linkDtype,
          planTimeLimitS: cluster.planTimeLimitS,
          // Read at every plan: a node of a class no profile covers is asked to measure it, and joins the
          // plan that follows the merge.
          plannable: (node) => {
            if (profiler.covers(node)) return true;
            profiler.requestMissing(node);
            return false;
          },
          ...(edge ? { edge } : {}),
        },
        workers: Array.from({ length: cluster.localWorkers }, (_, i) => ({
          id: `local-${i}`,
          // One CPU "GPU" per worker, no MPS sharing: the planner's unit is the whole worker.
          args: [
            '--site',
            cluster.site,
            '--device-class',
            deviceClass,
            '--device',
            `cpu:${threads}`,
            '--gpus',
            '1',
            '--mps-levels',
            '1',
            '--cache',
            path.join(dataDir, 'model-cache'),
            ...workerNetworkArgs,
          ],
        })),
        ...(this.options.echoWorkerStderr !== undefined ? { echoWorkerStderr: this.options.echoWorkerStderr } : {}),
        ...(this.options.events ? { events: this.options.events } : {}),
      },
      this.log,
    );
    this.headInstance = head;
    await head.start();
    this.profiler = profiler;
    await profiler.start(head.controller.upNodes());
  }

  /**
   * Cameras added, changed or removed: with a `topology` section, the demand at this site changes and the plan
   * follows.
   */
  async setCameras(cameras: ReadonlyArray<{ readonly model: string; readonly fps: number }>): Promise<void> {
    if (!this.headInstance) return;
    const edge = this.edgeNetworkFor(cameras);
    const models = modelsToPlan(this.modelEntries.values(), this.plannerNames, cameras);
    const modelsKey = JSON.stringify(models.map(({ name, weight }) => [name, weight]));
    // Any config change lands here; only a different demand is worth a new plan.
    const edgeChanged = edge !== undefined && JSON.stringify(edge) !== this.plannedEdgeNetwork;
    if (!edgeChanged && modelsKey === this.plannedModels) return;
    this.plannedEdgeNetwork = edge && JSON.stringify(edge);
    this.plannedModels = modelsKey;
    await this.headInstance.controller.reconfigure({ models, ...(edge ? { edge } : {}) });
  }

  private edgeNetworkFor(
    cameras: ReadonlyArray<{ readonly model: string; readonly fps: number }>,
  ): EdgeNetworkOptions | undefined {
    const served = cameras.filter((camera) => this.plannerNames.has(camera.model));
    const demand = served.map((camera) => ({ dnn: this.plannerNames.get(camera.model)!, fps: camera.fps }));
    return siteEdgeNetwork(this.options.cluster, demand);
  }

  /** Batches the frontend sent to the workers, by their number of frames (empty before start). */
  dispatchedBatchSizes(): ReadonlyMap<number, number> {
    return this.headInstance?.dispatchedBatchSizes() ?? new Map();
  }

  /** Profiles of remote device classes merged since start. */
  get remoteProfilesMerged(): number {
    return this.profiler?.merged ?? 0;
  }

  async stop(): Promise<void> {
    this.profiler?.stop();
    this.profiler = undefined;
    await this.headInstance?.stop();
    this.headInstance = undefined;
    this.detectors.clear();
  }
}

/**
 * The models the plan serves, weighted by their cameras' frames per second: the planner maximises the least
 * served share of demand, so a model no camera uses (weight 0) would pull that minimum to nothing and leave
 * every model unplanned. Without any camera, every model is planned with weight 1.
 */
export function modelsToPlan(
  entries: Iterable<ModelEntry>,
  plannerNames: ReadonlyMap<string, string>,
  cameras: ReadonlyArray<{ readonly model: string; readonly fps: number }>,
): ModelEntry[] {
  const demand = new Map<string, number>();
  for (const camera of cameras) {
    const name = plannerNames.get(camera.model);
    if (name !== undefined) demand.set(name, (demand.get(name) ?? 0) + camera.fps);
  }
  const all = [...entries];
  if (demand.size === 0) return all.map((entry) => ({ ...entry, weight: 1 }));
  return all.filter((entry) => demand.has(entry.name)).map((entry) => ({ ...entry, weight: demand.get(entry.name)! }));
}
