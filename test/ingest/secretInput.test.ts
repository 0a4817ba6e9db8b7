// Camera credentials reach real ffmpeg/ffprobe outside their argv (world-readable in /proc/PID/cmdline):
// through the concat script on fd 3. A fake RTSP server checks what ffprobe sends; an HTTP MJPEG server with
// Basic auth checks that ffmpeg decodes through it.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { silentLogger } from '../../src/config/index.ts';
import type { IngestConfig } from '../../src/config/index.ts';
import {
  buildProbeArgs,
  Camera,
  parseCameraUrl,
  probeSource,
  resolveTool,
  secretInputOf,
  spawnMediaTool,
} from '../../src/ingest/index.ts';
import { waitFor } from '../helpers.ts';
import { memoryLogger } from '../cluster/support.ts';

const PASSWORD = 'p@ss:w0rd-16';
const ENCODED = encodeURIComponent(PASSWORD);
const BASIC = `Basic ${Buffer.from(`cam:${PASSWORD}`).toString('base64')}`;
const ffmpeg = resolveTool('ffmpeg', 'ffmpeg');
const ffprobe = resolveTool('ffprobe', 'ffprobe');

function cmdlineOf(pid: number): string {
  return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
}

async function listen(server: net.Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

/**
 * An RTSP server that asks for Basic auth, holds the first authorised DESCRIBE until `release` is called (so
 * that the client's argv can be read while it waits) and answers later ones at once; with 404 (no stream).
 */
function fakeRtspServer(): { server: net.Server; authorised: Promise<{ authorization: string; release: () => void }> } {
  let resolveAuthorised: (value: { authorization: string; release: () => void }) => void = () => undefined;
  const authorised = new Promise<{ authorization: string; release: () => void }>((resolve) => {
    resolveAuthorised = resolve;
  });
  let held = false;
  const server = net.createServer((socket) => {
    let buffered = '';
    socket.on('error', () => undefined);
    socket.on('data', (chunk) => {
      buffered += chunk.toString('latin1');
      for (let end = buffered.indexOf('\r\n\r\n'); end >= 0; end = buffered.indexOf('\r\n\r\n')) {
        const lines = buffered.slice(0, end).split('\r\n');
        buffered = buffered.slice(end + 4);
        const header = (name: string): string | undefined =>
          lines
            .find((line) => line.toLowerCase().startsWith(`${name}:`))
            ?.slice(name.length + 1)
            .trim();
        const cseq = header('cseq') ?? '0';
        const method = lines[0]!.split(' ')[0];
        const authorization = header('authorization');
        if (method === 'DESCRIBE' && authorization === undefined)
          socket.write(`RTSP/1.0 401 Unauthorized\r\nCSeq: ${cseq}\r\nWWW-Authenticate: Basic realm="cam"\r\n\r\n`);
        else if (method === 'DESCRIBE') {
          const notFound = (): void => void socket.write(`RTSP/1.0 404 Not Found\r\nCSeq: ${cseq}\r\n\r\n`);
          if (held) notFound();
          else resolveAuthorised({ authorization: authorization!, release: notFound });
          held = true;
        } else socket.write(`RTSP/1.0 200 OK\r\nCSeq: ${cseq}\r\nPublic: DESCRIBE, SETUP, PLAY\r\n\r\n`);
      }
    });
  });
  return { server, authorised };
}

/** Network sources only: no media folder is needed. */
const NO_MEDIA = { baseDir: '.', mediaDirs: [] };

describe('camera credentials outside the argv', () => {
  it('the concat script quotes the URL, carries the input options and refuses line breaks', () => {
    // the camera URL parser refuses quotes; the script quotes them anyway, should a caller ever pass one
    const parsed = parseCameraUrl('rtsp://u:pw-16@h/s', NO_MEDIA);
    assert.ok(parsed.kind === 'network');
    const source = { ...parsed, url: "rtsp://u:it's-16@h/s" };
    assert.equal(
      secretInputOf(source, 'tcp'),
      "ffconcat version 1.0\nfile 'rtsp://u:it'\\''s-16@h/s'\noption rtsp_transport tcp\n",
    );
    assert.equal(secretInputOf(source), "ffconcat version 1.0\nfile 'rtsp://u:it'\\''s-16@h/s'\n", 'auto: no option');
    assert.throws(() => secretInputOf({ ...source, url: 'rtsp://u:pw-16@h/s\nfile /etc/passwd' }), /control character/);
    assert.equal(secretInputOf({ ...source, url: 'rtsp://h/s' }), undefined, 'no credentials: the plain -i URL');
  });

  it('ffprobe gets an RTSP password with "@" and ":" on fd 3, never in its cmdline or our error', async () => {
    const { server, authorised } = fakeRtspServer();
    const port = await listen(server);
    try {
      const source = parseCameraUrl(`rtsp://cam:${ENCODED}@127.0.0.1:${port}/stream`, NO_MEDIA);
      const child = spawnMediaTool(ffprobe, buildProbeArgs(source), secretInputOf(source));
      const exited = new Promise((resolve) => child.on('close', resolve));
      const { authorization, release } = await authorised;
      assert.equal(authorization, BASIC, 'the camera received the credentials');
      const cmdline = cmdlineOf(child.pid!);
      assert.doesNotMatch(cmdline, /w0rd/, `argv: ${cmdline}`);
      release();
      await exited;

      const { log, lines } = memoryLogger();
      const probe = await probeSource(ffprobe, source, 10_000, { log });
      assert.equal(probe.ok, false);
      if (probe.ok) return;
      assert.ok(!probe.error.includes(ENCODED) && !probe.error.includes(PASSWORD), probe.error);
      assert.match(probe.error, /could not be opened/);
      const said = lines.find((line) => line.includes('ffprobe failed'));
      assert.ok(said, "ffprobe's own words go to the log");
      assert.ok(!said.includes(ENCODED) && !said.includes(PASSWORD), said);
    } finally {
      server.close();
    }
  });

  it('a camera decodes an HTTP MJPEG stream behind Basic auth with no password in its ffmpeg argv', async () => {
    const clip = execFileSync(ffmpeg, [
      ...['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=160x120:rate=10:duration=2'],
      ...['-c:v', 'mjpeg', '-f', 'mpjpeg', 'pipe:1'],
    ]);
    const server = http.createServer((req, res) => {
      if (req.headers.authorization !== BASIC) {
        res.writeHead(401, { 'www-authenticate': 'Basic realm="cam"' }).end();
        return;
      }
      res.writeHead(200, { 'content-type': 'multipart/x-mixed-replace;boundary=ffmpeg' }).end(clip);
    });
    const port = await listen(server);
    const ingest: IngestConfig = {
      ffmpegPath: ffmpeg,
      ffprobePath: ffprobe,
      stallTimeoutS: 10,
      probeTimeoutS: 10,
      backoffInitialMs: 100,
      backoffMaxMs: 1000,
      offlineAfterFailures: 5,
    };
    const url = `http://cam:${ENCODED}@127.0.0.1:${port}/video.mjpeg`;
    const camera = new Camera({ id: 'door', url, fps: 5, enabled: true }, ingest, NO_MEDIA, undefined, silentLogger);
    const argvs: string[] = [];
    camera.on((event) => {
      const pid = camera.stats().pid;
      if (event.type === 'frame' && pid !== null && argvs.length === 0) argvs.push(cmdlineOf(pid));
    });
    try {
      camera.start();
      await waitFor('a decoded frame', () => argvs.length > 0);
      assert.match(argvs[0]!, /-f concat .*-i pipe:3/);
      assert.doesNotMatch(argvs[0]!, /w0rd/);
      assert.deepEqual(camera.stats().sourceWidth, 160, 'probed through the script too');
    } finally {
      await camera.stop();
      server.close();
    }
  });
});
