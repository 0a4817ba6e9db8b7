// Fault: a camera source that disappears and returns. An HTTP camera (MJPEG from a local ffmpeg, one stream per
// client, as IP cameras serve it) goes away — its server closes and drops every connection — and comes
// back on the same port `deadForS` later. Measures the seconds from its return to the camera's first new frame,
// and how many starts the camera attempted while the source was dead (each start probes the source with
// ffprobe; ffmpeg is spawned only after a probe succeeds), to show it does not hammer a dead source.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { appConfigSchema, silentLogger } from '../../src/config/index.ts';
import type { IngestConfig } from '../../src/config/index.ts';
import { Camera, resolveTool } from '../../src/ingest/index.ts';

const FFMPEG = resolveTool('ffmpeg', 'ffmpeg');

/** An HTTP camera on 127.0.0.1: each GET streams a live lavfi test pattern as MJPEG from its own ffmpeg. */
class HttpTestCamera {
  private server: http.Server | undefined;
  private readonly encoders = new Set<ChildProcess>();
  port = 0;

  get url(): string {
    return `http://127.0.0.1:${this.port}/stream.mjpg`;
  }

  /** Listens on `port` (0: a free one, remembered for the return). */
  async start(port = this.port): Promise<void> {
    const server = http.createServer((request, response) => {
      const encoder = spawn(
        FFMPEG,
        [
          ...['-hide_banner', '-nostdin', '-loglevel', 'error', '-re', '-f', 'lavfi'],
          ...['-i', 'testsrc2=size=320x240:rate=10', '-c:v', 'mjpeg', '-f', 'mpjpeg', 'pipe:1'],
        ],
        { stdio: ['ignore', 'pipe', 'ignore'] },
      );
      this.encoders.add(encoder);
      encoder.once('close', () => {
        this.encoders.delete(encoder);
        response.end();
      });
      response.writeHead(200, { 'content-type': 'multipart/x-mixed-replace;boundary=ffmpeg' });
      encoder.stdout!.pipe(response);
      request.socket.once('close', () => encoder.kill('SIGKILL'));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    this.server = server;
    this.port = (server.address() as AddressInfo).port;
  }

  /** Disappears: stops listening, drops every client and ends every stream. */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    const closed = new Promise((resolve) => server.close(resolve));
    server.closeAllConnections();
    const ended = [...this.encoders].map((e) => new Promise((resolve) => e.once('close', resolve)));
    for (const encoder of this.encoders) encoder.kill('SIGKILL');
    await Promise.all([closed, ...ended]);
  }
}

export type CameraReturn = {
  /** How long the source was gone, seconds. */
  deadForS: number;
  /** From the source's return to the camera's first frame after it, seconds. */
  backAfterS: number;
  /** Starts (each an ffprobe of the source) the camera attempted while the source was gone. */
  startsWhileDead: number;
  /** The camera's backoff settings the figures were measured with. */
  backoffInitialMs: number;
  backoffMaxMs: number;
  statusWhileDead: string;
};

/** Waits for the camera's next frame (the promise rejects after `timeoutMs`). */
function nextFrame(camera: Camera, timeoutMs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`camera sent no frame within ${timeoutMs / 1000} s`));
    }, timeoutMs);
    const off = camera.on((event) => {
      if (event.type !== 'frame') return;
      clearTimeout(timer);
      off();
      resolve(performance.now());
    });
  });
}

/**
 * Starts a camera on an HTTP test camera, takes the source away for `deadForS` once frames arrive, brings it
 * back on the same port, and measures. Ingest settings are the product's defaults unless overridden.
 */
export async function measureCameraReturn(options: {
  deadForS: number;
  ingest?: Partial<IngestConfig>;
  frameTimeoutS?: number;
}): Promise<CameraReturn> {
  // ffmpeg and ffprobe as the product resolves them (PATH, else the npm-shipped binaries)
  const { ingest } = appConfigSchema.parse({
    ingest: { ffmpegPath: FFMPEG, ffprobePath: resolveTool('ffprobe', 'ffprobe'), ...options.ingest },
  });
  const frameTimeoutMs = (options.frameTimeoutS ?? 120) * 1000;
  const source = new HttpTestCamera();
  await source.start(0);
  const camera = new Camera(
    { id: 'fault-camera', url: source.url, fps: 5, enabled: true },
    ingest,
    { baseDir: process.cwd(), mediaDirs: [] },
    undefined,
    silentLogger,
  );
  try {
    const first = nextFrame(camera, frameTimeoutMs);
    camera.start();
    await first;
    await source.stop();
    const startsBefore = camera.stats().restartsTotal;
    await new Promise((resolve) => setTimeout(resolve, options.deadForS * 1000));
    const startsWhileDead = camera.stats().restartsTotal - startsBefore;
    const statusWhileDead = camera.stats().status;
    const back = nextFrame(camera, frameTimeoutMs);
    await source.start();
    const returnedAt = performance.now();
    const frameAt = await back;
    return {
      deadForS: options.deadForS,
      backAfterS: Number(((frameAt - returnedAt) / 1000).toFixed(2)),
      startsWhileDead,
      backoffInitialMs: ingest.backoffInitialMs,
      backoffMaxMs: ingest.backoffMaxMs,
      statusWhileDead,
    };
  } finally {
    await camera.stop();
    await source.stop();
  }
}

/** Dead for longer than the backoff cap, so the measurement shows the cap's worst effect. */
export const name = 'cameraSourceReturn';

export function run(): Promise<object> {
  return measureCameraReturn({ deadForS: 40 });
}
