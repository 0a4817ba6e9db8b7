/**
 * Camera management behind the API: validate, test the connection (ffprobe), write the change back to the
 * YAML file (comments kept), then start/restart/stop only that camera. A failure at any step leaves the
 * running cameras, the file and the database as they were.
 */
import type { AppConfig, CameraConfig, CameraFields, Logger } from '../config/index.ts';
import { addCameraToFile, ConfigError, removeCameraFromFile, updateCameraInFile } from '../config/index.ts';
import type { CameraRegistry, ProbeResult } from '../ingest/index.ts';
import { CameraUrlError, redactUrl } from '../ingest/index.ts';
import type { DetectionStore } from '../store/index.ts';
import type { CameraCreateBody, CameraPatchBody, CameraView } from './api.ts';
import { cameraCreateBodySchema } from './api.ts';

/**
 * An error with its HTTP status. The message goes to the client: a 4xx says what was wrong with the request;
 * a 5xx says only what failed, never why (the `cause` carries that, and goes to the log).
 */
export class ApiError extends Error {
  constructor(readonly status: number, message: string, readonly issues?: string[], options?: ErrorOptions) {
    super(message, options);
    this.name = 'ApiError';
  }
}

export type CameraServiceDeps = {
  configFile: string;
  getConfig: () => AppConfig;
  setConfig: (config: AppConfig) => void;
  registry: CameraRegistry;
  store: DetectionStore;
};

export class CameraService {
  constructor(private readonly deps: CameraServiceDeps) {}

  private view(camera: CameraConfig): CameraView {
    const stats = this.deps.registry.get(camera.id)?.stats();
    return {
      id: camera.id,
      name: camera.name ?? camera.id,
      url: redactUrl(camera.url),
      fps: camera.fps,
      width: camera.width,
      height: camera.height,
      model: camera.model,
      enabled: camera.enabled,
      status: stats?.status ?? 'disabled',
      measuredFps: stats?.fps ?? 0,
      framesTotal: stats?.framesTotal ?? 0,
      skippedFramesTotal: stats?.skippedFramesTotal ?? 0,
      restartsTotal: stats?.restartsTotal ?? 0,
      lastFrameAtMs: stats?.lastFrameAtMs ?? null,
      lastError: stats?.lastError ?? null,
    };
  }

  list(): CameraView[] {
    return this.deps.getConfig().cameras.map((c) => this.view(c));
  }

  get(id: string): CameraView | undefined {
    const camera = this.deps.getConfig().cameras.find((c) => c.id === id);
    return camera ? this.view(camera) : undefined;
  }

  async testConnection(url: string): Promise<ProbeResult> {
    try {
      return await this.deps.registry.probe(url);
    } catch (error) {
      if (error instanceof CameraUrlError) throw new ApiError(400, `url: ${error.message}`);
      throw error;
    }
  }

  private async requireReachable(camera: CameraConfig): Promise<void> {
    if (!camera.enabled) return;
    const probe = await this.testConnection(camera.url);
    if (!probe.ok) throw new ApiError(422, `camera "${camera.id}": connection test failed: ${probe.error}`);
  }

  private checkModel(camera: CameraConfig): void {
    const models = this.deps.getConfig().models;
    if (!models.some((m) => m.id === camera.model)) throw new ApiError(400, `model: unknown model "${camera.model}"; models are ${models.map((m) => m.id).join(', ')}`);
  }

  private writeFile(change: () => AppConfig): void {
    try {
      this.deps.setConfig(change());
    } catch (error) {
      if (error instanceof ConfigError) throw new ApiError(400, error.message, error.issues);
      throw new ApiError(500, 'the configuration file cannot be written', undefined, { cause: error });
    }
  }

  private start(camera: CameraConfig): void {
    this.deps.registry.add({ id: camera.id, url: camera.url, fps: camera.fps, width: camera.width, height: camera.height, enabled: camera.enabled });
    this.deps.store.upsertCamera({ id: camera.id, name: camera.name ?? camera.id, url: redactUrl(camera.url) });
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

  async add(body: CameraCreateBody): Promise<CameraView> {
    const camera = cameraCreateBodySchema.parse(body);
    if (this.deps.getConfig().cameras.some((c) => c.id === camera.id)) throw new ApiError(409, `id: camera "${camera.id}" exists already`);
    this.checkModel(camera);
    await this.requireReachable(camera);
    this.writeFile(() => addCameraToFile(this.deps.configFile, body as CameraFields));
    this.start(camera);
    return this.view(camera);
  }

  async update(id: string, patch: CameraPatchBody): Promise<CameraView> {
    const current = this.deps.getConfig().cameras.find((c) => c.id === id);
    if (!current) throw new ApiError(404, `no camera "${id}"`);
    const next = cameraCreateBodySchema.parse({ ...current, ...patch, id });
    this.checkModel(next);
    if (next.url !== current.url || (next.enabled && !current.enabled)) await this.requireReachable(next);
    this.writeFile(() => updateCameraInFile(this.deps.configFile, id, patch as CameraFields));
    await this.deps.registry.remove(id);
    this.start(next);
    return this.view(next);
  }

  async remove(id: string): Promise<void> {
    if (!this.deps.getConfig().cameras.some((c) => c.id === id)) throw new ApiError(404, `no camera "${id}"`);
    this.writeFile(() => removeCameraFromFile(this.deps.configFile, id));
    await this.deps.registry.remove(id);
    this.deps.store.removeCamera(id);
  }
}
