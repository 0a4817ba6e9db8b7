/**
 * One camera: one ffmpeg process decoding to RGB24, supervised. Before each start the source is probed
 * (ffprobe): its size is what boxes are reported in, and, without an explicit width/height, what the decode
 * size follows (width capped at 1280, aspect kept). The process is restarted with capped exponential backoff
 * when it exits or stalls (no frame for stallTimeoutS); while it waits, a look each second (sourcePresence.ts)
 * notices a source that went away and came back, and restarts at once. Frames go to one consumer; while the
 * consumer is busy only the latest frame is kept (the others are counted as skipped), so no queue grows.
 */
import type { ChildProcess } from 'node:child_process';
import type { IngestConfig, Logger, RtspTransport } from '../config/index.ts';
import { backoffDelayMs } from '../config/index.ts';
import { buildDecodeArgs, parseCameraUrl, redactUrl, secretInputOf } from './cameraSource.ts';
import type { CameraSource } from './cameraSource.ts';
import type { SourceContext } from './mediaFolder.ts';
import { openFailure } from './openFailure.ts';
import { sourcePresent } from './sourcePresence.ts';
import { FrameAssembler } from './frameAssembler.ts';
import type { RgbFrame } from './frameAssembler.ts';
import { decodeSize } from './frameSize.ts';
import type { FrameSize } from './frameSize.ts';
import { openableSource, probeSource } from './probe.ts';
import { redactorForUrl, spawnMediaTool } from './secretInput.ts';

/** How often a camera waiting out its backoff looks whether its source is there (one connect or stat). */
export const PRESENCE_CHECK_INTERVAL_MS = 1000;

/** connecting: started, no frame yet; online: frames arrive; reconnecting: restarting after an exit or stall;
 *  offline: the source is gone, or several starts in a row failed (it keeps retrying); disabled: not running. */
export type CameraStatus = 'connecting' | 'online' | 'reconnecting' | 'offline' | 'disabled';

/** width/height: the decode size; either or both may be left out (then the source's size decides). */
export type CameraSettings = {
  id: string;
  url: string;
  fps: number;
  width?: number | undefined;
  height?: number | undefined;
  enabled: boolean;
  rtspTransport?: RtspTransport | undefined;
};

export type CameraStats = {
  id: string;
  status: CameraStatus;
  framesTotal: number;
  skippedFramesTotal: number;
  restartsTotal: number;
  fps: number;
  lastFrameAtMs: number | null;
  lastError: string | null;
  pid: number | null;
  /** The size frames are decoded at (null until the first start has it). */
  width: number | null;
  height: number | null;
  /** The source's own size: boxes are in these pixels (null until the first probe). */
  sourceWidth: number | null;
  sourceHeight: number | null;
  /** Why the source size is only the decoded size (the probe failed), else null. */
  sourceSizeNote: string | null;
};

export type CameraEvent =
  | { type: 'status'; camera: string; before: CameraStatus; after: CameraStatus; reason: string }
  | { type: 'frame'; camera: string; frame: RgbFrame };

export type FrameConsumer = (frame: RgbFrame) => Promise<void>;

export class Camera {
  private source: CameraSource | undefined;
  private child: ChildProcess | undefined;
  private status: CameraStatus = 'disabled';
  private stopping = true;
  private failures = 0;
  private restartTimer: NodeJS.Timeout | undefined;
  private stallTimer: NodeJS.Timeout | undefined;
  private presenceTimer: NodeJS.Timeout | undefined;
  private stalled = false;
  private lastFrameAtMs: number | null = null;
  private spawnedAtMs = 0;
  private lastError: string | null = null;
  private stderrTail = '';
  private framesTotal = 0;
  private skippedFramesTotal = 0;
  private restartsTotal = 0;
  private readonly recentFrameTimes: number[] = [];
  private busy = false;
  private inflight: Promise<void> | undefined;
  private pending: RgbFrame | undefined;
  private latest: RgbFrame | undefined;
  private exited: Promise<void> = Promise.resolve();
  private launching: Promise<void> = Promise.resolve();
  private decode: FrameSize | undefined;
  private sourceSize: FrameSize | undefined;
  private sourceSizeNote: string | null = null;
  private readonly listeners = new Set<(event: CameraEvent) => void>();

  constructor(
    private settings: CameraSettings,
    private readonly ingest: IngestConfig,
    private readonly sources: SourceContext,
    private readonly consumer: FrameConsumer | undefined,
    private readonly log: Logger,
  ) {}

  get id(): string {
    return this.settings.id;
  }

  /** The newest decoded frame (for thumbnails), if any. */
  latestFrame(): RgbFrame | undefined {
    return this.latest;
  }

  on(listener: (event: CameraEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  stats(): CameraStats {
    return {
      id: this.settings.id,
      status: this.status,
      framesTotal: this.framesTotal,
      skippedFramesTotal: this.skippedFramesTotal,
      restartsTotal: this.restartsTotal,
      fps: this.measuredFps(),
      lastFrameAtMs: this.lastFrameAtMs,
      lastError: this.lastError,
      pid: this.child?.pid ?? null,
      width: this.decode?.width ?? null,
      height: this.decode?.height ?? null,
      sourceWidth: this.sourceSize?.width ?? null,
      sourceHeight: this.sourceSize?.height ?? null,
      sourceSizeNote: this.sourceSizeNote,
    };
  }

  /** Starts decoding (a disabled camera only reports `disabled`). Throws CameraUrlError on a bad URL. */
  start(): void {
    this.source = parseCameraUrl(this.settings.url, this.sources);
    if (!this.settings.enabled) {
      this.setStatus('disabled', 'disabled in the configuration');
      return;
    }
    this.stopping = false;
    this.failures = 0;
    this.setStatus('connecting', 'started');
    this.launch();
    this.stallTimer = setInterval(() => this.checkStall(), Math.min(1000, this.ingest.stallTimeoutS * 250));
    this.stallTimer.unref();
  }

  /** Stops ffmpeg and waits for it to exit. */
  async stop(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.restartTimer);
    clearInterval(this.stallTimer);
    this.stopWatchingPresence();
    this.restartTimer = undefined;
    this.stallTimer = undefined;
    await this.launching;
    const child = this.child;
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await this.exited;
    this.pending = undefined;
    await this.inflight;
    this.setStatus('disabled', 'stopped');
  }

  /** Kills the running ffmpeg as if it had crashed (tests, and a manual "reconnect"). */
  killProcess(): boolean {
    return this.child?.kill('SIGKILL') ?? false;
  }

  private measuredFps(): number {
    const now = Date.now();
    while (this.recentFrameTimes.length > 0 && now - this.recentFrameTimes[0]! > 5000) this.recentFrameTimes.shift();
    if (this.recentFrameTimes.length < 2) return 0;
    const spanMs = now - this.recentFrameTimes[0]!;
    return spanMs > 0 ? Math.round(((this.recentFrameTimes.length - 1) / spanMs) * 1000 * 100) / 100 : 0;
  }

  private emit(event: CameraEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (error) {
        this.log.error({ camera: this.id, err: error }, 'camera event listener failed');
      }
    }
  }

  private setStatus(after: CameraStatus, reason: string): void {
    const before = this.status;
    if (before === after) return;
    this.status = after;
    this.log.info({ camera: this.id, before, after, reason }, 'camera status');
    this.emit({ type: 'status', camera: this.id, before, after, reason });
  }

  private launch(): void {
    this.launching = this.probeAndSpawn().catch((error: unknown) => {
      this.log.error({ camera: this.id, err: error }, 'camera start failed');
      this.onExit(`cannot start: ${(error as Error).message}`);
    });
  }

  /**
   * Learns the source's size (ffprobe), then decodes at the explicit size or at the source's own one. Without
   * an explicit size a failed probe is a failed start (retried with backoff); with one, ffmpeg starts anyway
   * and boxes stay in decoded pixels, which the stats say.
   */
  private async probeAndSpawn(): Promise<void> {
    const openable = openableSource(this.source!, this.sources.mediaDirs);
    if (!openable.ok) {
      this.onExit(openable.error);
      return;
    }
    const source = openable.source;
    const { width, height } = this.settings;
    const probe = await probeSource(this.ingest.ffprobePath, source, this.ingest.probeTimeoutS * 1000, {
      rtspTransport: this.settings.rtspTransport,
      log: this.log.child({ camera: this.id }),
    });
    if (this.stopping) return;
    if (probe.ok) {
      this.sourceSize = { width: probe.width, height: probe.height };
      this.sourceSizeNote = null;
      this.decode = decodeSize(this.sourceSize, { width, height });
    } else if (width !== undefined && height !== undefined) {
      this.decode = { width, height };
      this.sourceSize = this.decode;
      this.sourceSizeNote = `source size unknown (${probe.error}); boxes are in decoded pixels`;
      this.log.warn({ camera: this.id, error: probe.error }, 'camera probe failed; boxes are in decoded pixels');
    } else {
      this.onExit(`cannot learn the source size: ${probe.error}`);
      return;
    }
    this.spawnDecoder(source, this.decode, this.sourceSize);
  }

  private spawnDecoder(source: CameraSource, decode: FrameSize, sourceSize: FrameSize): void {
    const args = buildDecodeArgs(source, {
      fps: this.settings.fps,
      width: decode.width,
      height: decode.height,
      rtspTransport: this.settings.rtspTransport,
    });
    const withSource = { sourceWidth: sourceSize.width, sourceHeight: sourceSize.height };
    const assembler = new FrameAssembler(decode.width, decode.height, (frame) => {
      this.onFrame({ ...frame, ...withSource });
    });
    this.stderrTail = '';
    this.stalled = false;
    this.spawnedAtMs = Date.now();
    const child = spawnMediaTool(this.ingest.ffmpegPath, args, secretInputOf(source, this.settings.rtspTransport));
    this.child = child;
    let spawnError: Error | undefined;
    this.exited = new Promise((resolve) => {
      child.on('close', (code, signal) => {
        if (this.child === child) this.child = undefined;
        // ffmpeg's own words may name paths and addresses: the log has them, the camera's lastError a safe reason
        const detail = this.stderrTail.trim();
        const why = this.stalled
          ? `no frame for ${this.ingest.stallTimeoutS} s`
          : code === 0
            ? 'the stream ended'
            : openFailure(source, detail);
        const reason = spawnError
          ? `cannot run ffmpeg (${this.ingest.ffmpegPath}): ${spawnError.message}`
          : `ffmpeg exited (${signal ?? `code ${code}`}): ${why}`;
        if (detail !== '')
          this.log.warn({ camera: this.id, detail: redactorForUrl(this.settings.url).redact(detail) }, 'ffmpeg said');
        this.onExit(reason, spawnError);
        resolve();
      });
    });
    child.on('error', (error) => {
      spawnError = error;
    });
    child.stdout!.on('data', (chunk: Buffer) => assembler.push(chunk));
    child.stderr!.on('data', (chunk: Buffer) => {
      this.stderrTail = (this.stderrTail + chunk.toString('utf8')).slice(-2048);
    });
    this.log.info({ camera: this.id, pid: child.pid, url: redactUrl(this.settings.url) }, 'ffmpeg started');
  }

  private onFrame(frame: RgbFrame): void {
    this.framesTotal++;
    this.lastFrameAtMs = frame.capturedAtMs;
    this.recentFrameTimes.push(frame.capturedAtMs);
    if (this.recentFrameTimes.length > 200) this.recentFrameTimes.shift();
    this.latest = frame;
    if (this.failures > 0 || this.status !== 'online') {
      this.failures = 0;
      this.lastError = null;
      this.setStatus('online', 'frames arrive');
    }
    this.emit({ type: 'frame', camera: this.id, frame });
    if (!this.consumer) return;
    if (this.busy) {
      if (this.pending) this.skippedFramesTotal++;
      this.pending = frame;
      return;
    }
    this.deliver(frame);
  }

  private deliver(frame: RgbFrame): void {
    this.busy = true;
    this.inflight = this.consumer!(frame)
      .catch((error: unknown) => this.log.error({ camera: this.id, err: error }, 'frame consumer failed'))
      .finally(() => {
        this.busy = false;
        const next = this.pending;
        this.pending = undefined;
        if (next && !this.stopping) this.deliver(next);
        else this.inflight = undefined;
      });
  }

  private checkStall(): void {
    if (this.stopping || !this.child) return;
    const since = Math.max(this.lastFrameAtMs ?? 0, this.spawnedAtMs);
    if (Date.now() - since > this.ingest.stallTimeoutS * 1000) {
      this.log.warn({ camera: this.id, stallTimeoutS: this.ingest.stallTimeoutS }, 'camera stalled; restarting ffmpeg');
      this.stalled = true;
      this.child.kill('SIGKILL');
    }
  }

  /** `why` may quote ffmpeg, which repeats the URL with its credentials: they never reach stats or events. */
  private onExit(why: string, spawnError?: Error): void {
    if (this.stopping) return;
    const reason = redactorForUrl(this.settings.url).redact(why);
    this.failures++;
    this.lastError = reason;
    const delayMs = backoffDelayMs(this.failures, this.ingest.backoffInitialMs, this.ingest.backoffMaxMs);
    this.setStatus(this.failures >= this.ingest.offlineAfterFailures ? 'offline' : 'reconnecting', reason);
    const err = spawnError ? { err: spawnError } : {};
    const fields = { camera: this.id, reason, failures: this.failures, delayMs, ...err };
    this.log.warn(fields, 'ffmpeg ended; restarting after backoff');
    this.restartTimer = setTimeout(() => this.restartNow(), delayMs);
    if (delayMs > PRESENCE_CHECK_INTERVAL_MS) this.watchPresence();
  }

  private restartNow(): void {
    clearTimeout(this.restartTimer);
    this.restartTimer = undefined;
    this.stopWatchingPresence();
    if (this.stopping) return;
    this.restartsTotal++;
    this.launch();
  }

  /**
   * While the backoff runs, looks each second whether the source is there. Gone: the camera is offline. Back
   * after having been seen gone: restart now instead of at the end of the backoff. A source that is there but
   * will not play is never seen gone, so it keeps the backoff (no restart storm).
   */
  private watchPresence(): void {
    this.stopWatchingPresence();
    const source = this.source!;
    let seenGone = false;
    let looking = false;
    const timer = setInterval(() => {
      if (looking) return;
      looking = true;
      sourcePresent(source, this.sources.mediaDirs, PRESENCE_CHECK_INTERVAL_MS)
        .then((present) => {
          if (this.presenceTimer !== timer || this.stopping) return;
          if (present === undefined) this.stopWatchingPresence();
          else if (!present) {
            seenGone = true;
            this.setStatus('offline', 'the source is gone');
          } else if (seenGone) {
            this.log.info({ camera: this.id }, 'the source is back; restarting without waiting for the backoff');
            this.restartNow();
          }
        })
        .catch((error: unknown) => this.log.error({ camera: this.id, err: error }, 'source presence check failed'))
        .finally(() => {
          looking = false;
        });
    }, PRESENCE_CHECK_INTERVAL_MS);
    timer.unref();
    this.presenceTimer = timer;
  }

  private stopWatchingPresence(): void {
    clearInterval(this.presenceTimer);
    this.presenceTimer = undefined;
  }
}
