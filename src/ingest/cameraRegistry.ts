/**
 * The running cameras, by id: adding, changing and removing one restarts only that camera. The registry
 * knows nothing of detection; frames go to the consumer it was given.
 */
import type { IngestConfig, Logger, RtspTransport } from '../config/index.ts';
import { Camera } from './camera.ts';
import type { CameraEvent, CameraSettings, CameraStats, FrameConsumer } from './camera.ts';
import { parseCameraUrl } from './cameraSource.ts';
import type { SourceContext } from './mediaFolder.ts';
import { openableSource, probeSource } from './probe.ts';
import type { ProbeResult } from './probe.ts';

export type CameraConsumerFactory = (cameraId: string) => FrameConsumer;

export class CameraRegistry {
  private readonly cameras = new Map<string, Camera>();
  private readonly listeners = new Set<(event: CameraEvent) => void>();
  private readonly unsubscribe = new Map<string, () => void>();
  private sources: SourceContext;

  /** `baseDir` resolves relative file and image paths; `mediaDirs` are the folders they must lie in. */
  constructor(
    private readonly ingest: IngestConfig,
    { baseDir, mediaDirs }: SourceContext,
    private readonly consumerFor: CameraConsumerFactory | undefined,
    private readonly log: Logger,
  ) {
    this.sources = { baseDir, mediaDirs };
  }

  on(listener: (event: CameraEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Resolves relative file and image paths of cameras added from now on against `dir` (the config's folder). */
  setBaseDir(dir: string): void {
    this.sources = { ...this.sources, baseDir: dir };
  }

  ids(): string[] {
    return [...this.cameras.keys()];
  }

  get(id: string): Camera | undefined {
    return this.cameras.get(id);
  }

  stats(): CameraStats[] {
    return [...this.cameras.values()].map((camera) => camera.stats());
  }

  /**
   * Opens the URL with ffprobe (a connection test); resolves with the stream or the safe reason it failed.
   * Throws CameraUrlError on a URL that no parser admits (nothing is opened then).
   */
  async probe(url: string, rtspTransport: RtspTransport = 'auto'): Promise<ProbeResult> {
    const openable = openableSource(parseCameraUrl(url, this.sources), this.sources.mediaDirs);
    if (!openable.ok) return { ok: false, error: openable.error, elapsedMs: 0 };
    return probeSource(this.ingest.ffprobePath, openable.source, this.ingest.probeTimeoutS * 1000, {
      rtspTransport,
      log: this.log,
    });
  }

  /** Starts a camera; throws on a duplicate id or a bad URL (and then nothing runs). */
  add(settings: CameraSettings): Camera {
    if (this.cameras.has(settings.id)) throw new Error(`camera "${settings.id}" exists already`);
    parseCameraUrl(settings.url, this.sources);
    const camera = new Camera(settings, this.ingest, this.sources, this.consumerFor?.(settings.id), this.log);
    this.unsubscribe.set(
      settings.id,
      camera.on((event) => {
        for (const listener of this.listeners) {
          try {
            listener(event);
          } catch (error) {
            this.log.error({ camera: settings.id, err: error }, 'camera registry listener failed');
          }
        }
      }),
    );
    this.cameras.set(settings.id, camera);
    camera.start();
    return camera;
  }

  /** Replaces a camera's settings: its ffmpeg is stopped and started again. */
  async update(settings: CameraSettings): Promise<Camera> {
    await this.remove(settings.id);
    return this.add(settings);
  }

  async remove(id: string): Promise<boolean> {
    const camera = this.cameras.get(id);
    if (!camera) return false;
    this.cameras.delete(id);
    await camera.stop();
    this.unsubscribe.get(id)?.();
    this.unsubscribe.delete(id);
    return true;
  }

  async stop(): Promise<void> {
    await Promise.all([...this.cameras.keys()].map((id) => this.remove(id)));
  }
}
