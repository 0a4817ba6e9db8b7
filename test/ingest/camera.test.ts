// A camera whose source goes away and comes back (issue 16, faults): with real ffmpeg reading an MJPEG stream
// over HTTP from this test's server. The restart backoff is long (20 s) and the source returns well before it
// ends: the camera shows offline while the source is gone and is back within the bound after it returns,
// because it looks for the source each second (a TCP connect) instead of waiting out the backoff.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createServer } from 'node:http';
import type { ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { appConfigSchema, silentLogger } from '../../src/config/index.ts';
import { CameraRegistry, resolveTool } from '../../src/ingest/index.ts';
import type { CameraStatus } from '../../src/ingest/index.ts';
import { findOnPath, waitFor } from '../helpers.ts';

const ffmpeg = resolveTool('ffmpeg', 'ffmpeg');
const ffprobe = resolveTool('ffprobe', 'ffprobe');
const missing = [ffmpeg, ffprobe].find((tool) => !tool.includes(path.sep) && !findOnPath(tool));
/** The goal is 5 s (a look each second, then ffprobe and ffmpeg, ~2.5 s here); the bound leaves room for load. */
const RETURN_BOUND_MS = 8000;

/** An MJPEG-over-HTTP camera: the same small JPEG ten times a second to every client. */
function mjpegServer(jpeg: Buffer): { listen: (port: number) => Promise<number>; close: () => void } {
  const clients = new Set<ServerResponse>();
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'multipart/x-mixed-replace;boundary=frame' });
    clients.add(res);
    res.on('close', () => clients.delete(res));
  });
  const header = `--frame\r\nContent-Type: image/jpeg\r\nContent-Length: ${jpeg.length}\r\n\r\n`;
  const part = Buffer.concat([Buffer.from(header), jpeg, Buffer.from('\r\n')]);
  let timer: NodeJS.Timeout | undefined;
  return {
    listen: (port) =>
      new Promise((resolve) =>
        server.listen(port, '127.0.0.1', () => {
          timer = setInterval(() => clients.forEach((res) => res.write(part)), 100);
          resolve((server.address() as AddressInfo).port);
        }),
      ),
    close: () => {
      clearInterval(timer);
      server.close();
      server.closeAllConnections();
    },
  };
}

describe('camera recovery', { skip: missing ? `${missing} is not installed` : false }, () => {
  const jpeg = execFileSync(ffmpeg, [
    ...['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=64x48'],
    ...['-frames:v', '1', '-f', 'mjpeg', 'pipe:1'],
  ]);
  const ingest = {
    ...appConfigSchema.parse({
      ingest: { backoffInitialMs: 20_000, backoffMaxMs: 30_000, offlineAfterFailures: 100, stallTimeoutS: 20 },
    }).ingest,
    ffmpegPath: ffmpeg,
    ffprobePath: ffprobe,
  };
  const registry = new CameraRegistry(ingest, { baseDir: tmpdir(), mediaDirs: [] }, undefined, silentLogger);
  const source = mjpegServer(jpeg);
  after(async () => {
    await registry.stop();
    source.close();
  });

  it('is offline while its source is gone and back soon after it returns, not after the 20 s backoff', async () => {
    const port = await source.listen(0);
    const seen: CameraStatus[] = [];
    registry.on((event) => {
      if (event.type === 'status') seen.push(event.after);
    });
    const camera = registry.add({ id: 'porch', url: `http://127.0.0.1:${port}/`, fps: 5, enabled: true });
    await waitFor('online', () => camera.stats().status === 'online');
    source.close();
    await waitFor('offline: the source is seen gone', () => camera.stats().status === 'offline');
    assert.match(camera.stats().lastError ?? '', /ffmpeg exited/);
    const framesBefore = camera.stats().framesTotal;
    await source.listen(port);
    const returnedAtMs = Date.now();
    await waitFor('online again', () => camera.stats().framesTotal > framesBefore, 20_000);
    const backAfterMs = Date.now() - returnedAtMs;
    assert.ok(backAfterMs <= RETURN_BOUND_MS, `back ${backAfterMs} ms after the source returned`);
    assert.deepEqual(seen, ['connecting', 'online', 'reconnecting', 'offline', 'online']);
    assert.equal(camera.stats().restartsTotal, 1, 'one restart: the dead source was not retried meanwhile');
  });
});
