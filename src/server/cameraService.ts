/**
 * Camera management behind the API: validate, test the connection (ffprobe), write the change back to the
 * YAML file (comments kept; the first change copies the shipped defaults into the data folder, which is edited
 * from then on), then start/restart/stop only that camera. Changes run one at a time, and a failure at any step
 * leaves the running cameras, the files and the database as they were.
 */
import { existsSync, rmSync } from 'node:fs';
import path from 'node:path';
import type {
  AppConfig,
  CameraConfig,
  CameraFields,
  ConfigFiles,
  IssueLike,
  Logger,
  RtspTransport,
  SecretRedactor,
} from '../config/index.ts';
import {
  addCameraToFile,
  ConfigError,
  copyConfigFile,
  describeIssues,
  removeCameraFromFile,
  replaceCameraInFile,
  updateCameraInFile,
} from '../config/index.ts';
import type { CameraRegistry, ProbeResult } from '../ingest/index.ts';
import { CameraUrlError } from '../ingest/index.ts';
import type { DetectionStore } from '../store/index.ts';
import type { CameraCreateBody, CameraPatchBody, CameraReplaceBody, CameraView, RequestIssue } from './api.ts';
import { cameraCreateBodySchema } from './requestSchemas.ts';
import { requestIssues } from './responses.ts';

/**
 * An error with its HTTP status. The message goes to the client: a 4xx says what was wrong with the request;
 * a 5xx says only what failed, never why (the `cause` carries that, and goes to the log).
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly issues?: RequestIssue[],
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'ApiError';
  }
}

export type CameraServiceDeps = {
  configFiles: ConfigFiles;
  getConfig: () => AppConfig;
  setConfig: (config: AppConfig) => void;
  registry: CameraRegistry;
  store: DetectionStore;
  /** The appliance's redaction: learns the credentials of cameras added or changed here, masks what is shown. */
  redactor: SecretRedactor;
};

export class CameraService {
  private configFiles: ConfigFiles;
  /** The last change of the camera set queued (settled, never rejected): see `serialised`. */
  private pending: Promise<unknown> = Promise.resolve();

  constructor(private readonly deps: CameraServiceDeps) {
    this.configFiles = deps.configFiles;
  }

  /** The config file that changes go to. */
  get configFile(): string {
    return this.configFiles.edit;
  }

  private view(camera: CameraConfig): CameraView {
    const stats = this.deps.registry.get(camera.id)?.stats();
    const lastError = stats?.lastError ?? null;
    return {
      id: camera.id,
      name: camera.name ?? camera.id,
      url: this.deps.redactor.redact(camera.url),
      fps: camera.fps,
      width: stats?.width ?? camera.width ?? null,
      height: stats?.height ?? camera.height ?? null,
      sourceWidth: stats?.sourceWidth ?? null,
      sourceHeight: stats?.sourceHeight ?? null,
      sourceSizeNote: stats?.sourceSizeNote ?? null,
      model: camera.model,
      enabled: camera.enabled,
      rtspTransport: camera.rtspTransport,
      objects: camera.objects,
      zones: camera.zones,
      status: stats?.status ?? 'disabled',
      measuredFps: stats?.fps ?? 0,
      framesTotal: stats?.framesTotal ?? 0,
      skippedFramesTotal: stats?.skippedFramesTotal ?? 0,
      restartsTotal: stats?.restartsTotal ?? 0,
      lastFrameAtMs: stats?.lastFrameAtMs ?? null,
      lastError: lastError === null ? null : this.deps.redactor.redact(lastError),
    };
  }

  list(): CameraView[] {
    return this.deps.getConfig().cameras.map((c) => this.view(c));
  }

  get(id: string): CameraView | undefined {
    const camera = this.deps.getConfig().cameras.find((c) => c.id === id);
    return camera ? this.view(camera) : undefined;
  }

  async testConnection(url: string, rtspTransport?: RtspTransport): Promise<ProbeResult> {
    try {
      return await this.deps.registry.probe(url, rtspTransport);
    } catch (error) {
      if (error instanceof CameraUrlError)
        throw new ApiError(400, `url: ${error.message}`, [{ path: ['url'], message: error.message }]);
      throw error;
    }
  }

  private async requireReachable(camera: CameraConfig): Promise<void> {
    if (!camera.enabled) return;
    const probe = await this.testConnection(camera.url, camera.rtspTransport);
    if (!probe.ok)
      throw new ApiError(422, `camera "${camera.id}": connection test failed: ${probe.error}`, [
        { path: ['url'], message: `connection test failed: ${probe.error}` },
      ]);
  }

  private checkModel(camera: CameraConfig): void {
    const models = this.deps.getConfig().models;
    if (!models.some((m) => m.id === camera.model)) {
      const message = `unknown model "${camera.model}"; models are ${models.map((m) => m.id).join(', ')}`;
      throw new ApiError(400, `model: ${message}`, [{ path: ['model'], message }]);
    }
  }

  /**
   * Applies a change to the edited file, copying the read-only defaults there first; nothing stays on failure.
   * `cameraIndex` is the changed camera's place in `cameras:`: the file's issues with its fields are the request's
   * fault and name the field; any other issue means the file itself is broken, which is the server's fault.
   */
  private writeFile(change: (file: string) => AppConfig, cameraIndex?: number): void {
    const { read, edit } = this.configFiles;
    const copying = read !== edit && !existsSync(edit);
    try {
      if (copying) copyConfigFile(read, edit);
      this.deps.setConfig(change(edit));
    } catch (error) {
      if (copying) rmSync(edit, { force: true });
      const ofCamera = (issue: IssueLike): boolean =>
        issue.path[0] === 'cameras' && issue.path[1] === cameraIndex && issue.path.length > 2;
      const fieldIssues =
        error instanceof ConfigError && error.fieldIssues.length > 0 && error.fieldIssues.every(ofCamera)
          ? error.fieldIssues.map((issue) => ({ path: issue.path.slice(2), message: issue.message }))
          : [];
      if (fieldIssues.length > 0) throw new ApiError(400, describeIssues(fieldIssues), requestIssues(fieldIssues));
      throw new ApiError(500, 'the configuration file cannot be changed', undefined, { cause: error });
    }
    if (read !== edit) {
      this.configFiles = { read: edit, edit };
      this.deps.registry.setBaseDir(path.dirname(edit));
    }
  }

  /**
   * Runs one change of the camera set once the changes before it have finished: a change awaits (a connection
   * test, a camera stopping), and two interleaved at an await would leave the running cameras, the config and the
   * API disagreeing (a PATCH restarting a camera that a DELETE has just removed from the file).
   */
  private serialised<T>(change: () => Promise<T>): Promise<T> {
    const result = this.pending.then(change);
    this.pending = result.catch(() => undefined);
    return result;
  }

  private configured(id: string): CameraConfig | undefined {
    return this.deps.getConfig().cameras.find((c) => c.id === id);
  }

  /** Starts the camera as the config now holds it (`${NAME}` substituted) and gives its view. */
  private startAsConfigured(id: string): CameraView {
    const camera = this.configured(id)!;
    this.start(camera);
    return this.view(camera);
  }

  private start(camera: CameraConfig): void {
    const { id, url, fps, width, height, enabled, rtspTransport } = camera;
    this.deps.registry.add({ id, url, fps, width, height, enabled, rtspTransport });
    this.deps.redactor.addUrl(camera.url);
    this.deps.store.upsertCamera({
      id: camera.id,
      name: camera.name ?? camera.id,
      url: this.deps.redactor.redact(camera.url),
    });
  }

  /** Starts the cameras of the configuration; a bad one is logged and skipped, never fatal. */
  startConfigured(log: Logger): void {
    for (const camera of this.deps.getConfig().cameras) {
      try {
        this.start(camera);
      } catch (error) {
        log.warn({ camera: camera.id, err: error }, 'camera not started');
        continue;
      }
      if (camera.enabled) {
        this.deps.registry.probe(camera.url).then(
          (probe) => log.info({ camera: camera.id, probe }, 'camera probed'),
          (error: unknown) => log.warn({ camera: camera.id, err: error }, 'camera probe failed'),
        );
      }
    }
  }

  add(body: CameraCreateBody): Promise<CameraView> {
    return this.serialised(async () => {
      const camera = cameraCreateBodySchema.parse(body);
      if (this.configured(camera.id)) {
        const message = `camera "${camera.id}" exists already`;
        throw new ApiError(409, `id: ${message}`, [{ path: ['id'], message }]);
      }
      this.checkModel(camera);
      await this.requireReachable(camera);
      const cameraIndex = this.deps.getConfig().cameras.length;
      this.writeFile((file) => addCameraToFile(file, body as CameraFields), cameraIndex);
      return this.startAsConfigured(camera.id);
    });
  }

  /** PATCH: changes the fields given, the others stay. */
  update(id: string, patch: CameraPatchBody): Promise<CameraView> {
    return this.serialised(async () => {
      const current = this.configured(id);
      if (!current) throw new ApiError(404, `no camera "${id}"`);
      const next = cameraCreateBodySchema.parse({ ...current, ...patch, id });
      return this.change(current, next, (file) => updateCameraInFile(file, id, patch as CameraFields));
    });
  }

  /** PUT: replaces the camera by the body (its defaults for the fields not sent); the id is the path's. */
  replace(id: string, body: CameraReplaceBody): Promise<CameraView> {
    return this.serialised(async () => {
      if (body.id !== undefined && body.id !== id) {
        const message = `expected "${id}" (the camera in the path) or no id, got "${body.id}"`;
        throw new ApiError(400, `id: ${message}`, [{ path: ['id'], message }]);
      }
      const current = this.configured(id);
      if (!current) throw new ApiError(404, `no camera "${id}"`);
      const next = cameraCreateBodySchema.parse({ ...body, id });
      return this.change(current, next, (file) => replaceCameraInFile(file, id, next as CameraFields));
    });
  }

  private async change(
    current: CameraConfig,
    next: CameraConfig,
    write: (file: string) => AppConfig,
  ): Promise<CameraView> {
    this.checkModel(next);
    if (next.url !== current.url || (next.enabled && !current.enabled)) await this.requireReachable(next);
    this.writeFile(write, this.deps.getConfig().cameras.indexOf(current));
    await this.deps.registry.remove(current.id);
    return this.startAsConfigured(current.id);
  }

  remove(id: string): Promise<void> {
    return this.serialised(async () => {
      if (!this.configured(id)) throw new ApiError(404, `no camera "${id}"`);
      this.writeFile((file) => removeCameraFromFile(file, id));
      await this.deps.registry.remove(id);
      this.deps.store.removeCamera(id);
    });
  }
}
