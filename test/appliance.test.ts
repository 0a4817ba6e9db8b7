// The assembled appliance on loopback with real ffmpeg, a real SQLite file and the real BlazeFace model:
// cameras added through the API produce detections without a restart, a killed ffmpeg comes back, exports
// match the log, and bad input gets a clear error that changes nothing.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import pino from 'pino';
import { WebSocket } from 'ws';
import { Appliance } from '../src/appliance.ts';
import { ConfigError } from '../src/config/index.ts';
import { CSV_HEADER } from '../src/store/index.ts';
import type { CameraEvent } from '../src/ingest/index.ts';
import { resolveTool } from '../src/ingest/index.ts';
import type { CameraView, DetectionsResponse, ErrorResponse, LiveMessage, StatsResponse } from '../src/server/api.ts';
import { ASTRONAUT, MODEL, runDuringSuite } from './applianceSupport.ts';
import { parseDetectionsCsv, waitFor } from './helpers.ts';

describe('appliance', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'ppipe-appliance-'));
  const configFile = path.join(dir, 'config.yaml');
  const configText = `# my appliance
version: 1
ingest:
  stallTimeoutS: 3
  backoffInitialMs: 100   # restart fast in tests
models:
  - { id: blazeface, kind: blazeface, path: ${MODEL}, threshold: 0.75 }
# cameras are added by the test
cameras: []
store:
  dataDir: data
server:
  port: 0
`;
  writeFileSync(configFile, configText);
  const appliance = new Appliance({ configFile, logger: pino({ level: 'silent' }) });
  const baseUrl = runDuringSuite(appliance, dir);
  const api = async (
    method: string,
    route: string,
    body?: unknown,
  ): Promise<{ status: number; json: unknown; text: string }> => {
    const res = await fetch(baseUrl() + route, {
      method,
      ...(body === undefined
        ? {}
        : {
            body: typeof body === 'string' ? body : JSON.stringify(body),
            headers: { 'content-type': 'application/json' },
          }),
    });
    const text = await res.text();
    let json: unknown = null;
    try {
      json = JSON.parse(text) as unknown;
    } catch {
      // not JSON
    }
    return { status: res.status, json, text };
  };

  it('a camera added through the API produces detections without a restart, on the live feed too', async () => {
    const ws = new WebSocket(`${baseUrl().replace('http', 'ws')}/api/live`);
    const messages: LiveMessage[] = [];
    ws.on('message', (data: Buffer) => messages.push(JSON.parse(data.toString()) as LiveMessage));
    await waitFor('the live snapshot', () => (messages.length > 0 ? true : undefined));
    assert.equal(messages[0]!.type, 'snapshot');

    const added = await api('POST', '/api/cameras', {
      id: 'astro',
      url: `image:${ASTRONAUT}`,
      fps: 5,
      width: 256,
      height: 256,
    });
    assert.equal(added.status, 201, added.text);
    const page = await waitFor('a detection', async () => {
      const r = (await api('GET', '/api/detections?camera=astro&limit=5')).json as DetectionsResponse;
      return r.items.length > 0 ? r : undefined;
    });
    const face = page.items[0]!;
    assert.equal(face.camera, 'astro');
    assert.equal(face.label, 'face');
    assert.ok(face.score > 0.9 && Math.abs(face.time - Date.now()) < 60_000);
    // decoded at the configured 256x256, reported in the photograph's own 512x512 pixels
    const inSource = face.box[0] > 150 && face.box[2] < 300 && face.box[1] > 50 && face.box[3] < 200;
    assert.ok(inSource, `box in 512x512 source pixels: ${face.box.join(',')}`);
    assert.deepEqual([face.sourceWidth, face.sourceHeight], [512, 512]);
    const live = await waitFor('a live detection', () => messages.find((m) => m.type === 'detection'));
    assert.ok(
      live.type === 'detection' &&
        live.thumbnailJpegBase64 &&
        Buffer.from(live.thumbnailJpegBase64, 'base64')[0] === 0xff,
    );
    assert.deepEqual(live.frame, { width: 256, height: 256, sourceWidth: 512, sourceHeight: 512 });
    assert.deepEqual([live.items[0]!.sourceWidth, live.items[0]!.sourceHeight], [512, 512]);
    ws.close();
    const first = (await api('GET', '/api/detections?camera=astro&limit=1000')).json as DetectionsResponse;
    const withSnapshot = first.items.find((d) => d.snapshot);
    assert.ok(withSnapshot);
    const jpeg = await fetch(`${baseUrl()}/api/snapshots/${withSnapshot.id}`);
    assert.equal(jpeg.headers.get('content-type'), 'image/jpeg');
    await jpeg.arrayBuffer();

    const file = readFileSync(configFile, 'utf8');
    assert.match(file, /# my appliance/);
    assert.match(file, /backoffInitialMs: 100 +# restart fast in tests/);
    assert.match(file, /id: astro/);
  });

  it('decodes a camera without a size at its aspect, width capped at 1280; boxes in source pixels', async () => {
    // 1920x1080: the photograph scaled to 1920x1920, its top 1080 rows (the face is at about x 560-1130, y 190-750),
    // in the media folder of the data folder (file and image cameras open nothing else)
    const wide = path.join(dir, 'data', 'media', 'wide.png');
    const filter = 'scale=1920:1920,crop=1920:1080:0:0';
    execFileSync(resolveTool('ffmpeg', 'ffmpeg'), [
      '-hide_banner',
      '-loglevel',
      'error',
      '-y',
      '-i',
      ASTRONAUT,
      '-vf',
      filter,
      wide,
    ]);
    const added = await api('POST', '/api/cameras', { id: 'wide', url: `image:${wide}`, fps: 2 });
    assert.equal(added.status, 201, added.text);
    const page = await waitFor('a detection', async () => {
      const r = (await api('GET', '/api/detections?camera=wide&limit=5')).json as DetectionsResponse;
      return r.items.length > 0 ? r : undefined;
    });
    const face = page.items[0]!;
    assert.deepEqual([face.label, face.sourceWidth, face.sourceHeight], ['face', 1920, 1080]);
    const [x1, y1, x2, y2] = face.box;
    // in decoded 1280x720 pixels the box would end before x 760 and y 500
    assert.ok(x1 > 450 && x2 > 950 && x2 < 1300 && y1 > 100 && y2 > 600 && y2 < 900, `box: ${face.box.join(',')}`);
    const view = (await api('GET', '/api/cameras/wide')).json as CameraView;
    const sizes = [view.width, view.height, view.sourceWidth, view.sourceHeight, view.sourceSizeNote];
    assert.deepEqual(sizes, [1280, 720, 1920, 1080, null]);
    assert.equal(appliance.cameras.get('wide')!.latestFrame()!.width, 1280);
    assert.doesNotMatch(readFileSync(configFile, 'utf8'), /width: 1280/);
    assert.equal((await api('DELETE', '/api/cameras/wide')).status, 204);
  });

  it('a camera whose ffmpeg is killed comes back: reconnecting → online', async () => {
    const camera = appliance.cameras.get('astro')!;
    await waitFor('online', () => (camera.stats().status === 'online' ? true : undefined));
    const seen: string[] = [];
    const off = camera.on((event: CameraEvent) => {
      if (event.type === 'status') seen.push(event.after);
    });
    const pid = camera.stats().pid;
    assert.ok(camera.killProcess());
    await waitFor('back online', () => (seen.includes('online') ? true : undefined));
    off();
    assert.deepEqual(seen, ['reconnecting', 'online']);
    assert.notEqual(camera.stats().pid, pid);
    assert.equal(camera.stats().restartsTotal, 1);
  });

  it("exports CSV rows equal to /api/detections' items; nonsense filters get 400 naming the parameter", async () => {
    const page = (await api('GET', '/api/detections?camera=astro&limit=1000')).json as DetectionsResponse;
    const csv = await api('GET', '/api/detections/export?format=csv&camera=astro');
    assert.equal(csv.status, 200);
    assert.equal(csv.text.split('\n')[0], CSV_HEADER);
    assert.ok(page.items.length > 0);
    // The camera runs on: the export may hold rows written after the page was read, never fewer.
    const [oldest, newest] = [page.items.at(-1)!.id, page.items[0]!.id];
    const rows = parseDetectionsCsv(csv.text).filter((r) => (r.id as number) >= oldest && (r.id as number) <= newest);
    const expected = page.items.map((item) => ({ ...item, timeIso: new Date(item.time).toISOString() })).reverse();
    assert.deepEqual(rows, expected);
    assert.ok(rows.every((r) => r.sourceWidth === 512 && r.sourceHeight === 512));
    const jsonl = await api('GET', '/api/detections/export?format=jsonl&label=face');
    assert.ok(
      jsonl.text
        .trimEnd()
        .split('\n')
        .every((l) => (JSON.parse(l) as { label: string }).label === 'face'),
    );
    for (const query of ['format=xls', 'minScore=2', 'from=soon', 'camera=..%2Fetc']) {
      const bad = await api('GET', `/api/detections/export?${query}`);
      assert.equal(bad.status, 400, query);
      const { error, issues } = bad.json as ErrorResponse;
      assert.match(error, /invalid detection filter/);
      assert.deepEqual(
        issues?.map((issue) => issue.path),
        [[query.split('=')[0]!]],
      );
    }
  });

  it('bad camera input gets a clear error and changes nothing', async () => {
    const before = readFileSync(configFile, 'utf8');
    const cameras = (await api('GET', '/api/cameras')).text;
    const cases: Array<[unknown, number, RegExp]> = [
      [{ id: 'x1', url: 'rtsp://127.0.0.1:1/stream' }, 422, /connection test failed/],
      [{ id: 'x2', url: 'image:/tmp/a.png;reboot' }, 400, /url: .*shell metacharacter/],
      [{ id: 'x3', url: 'gopher://host/x' }, 400, /url: unknown URL scheme "gopher"/],
      [{ id: 'x4' }, 400, /url/],
      [{ id: 'Bad Id!', url: 'lavfi:testsrc' }, 400, /id:/],
      [{ id: 'x5', url: 'lavfi:testsrc', fps: 'fast' }, 400, /fps/],
      [{ id: 'x6', url: 'lavfi:testsrc', colour: 'red' }, 400, /colour/],
      [{ id: 'x7', url: 'lavfi:testsrc', model: 'yolo-x' }, 400, /model: unknown model/],
      [{ id: 'astro', url: 'lavfi:testsrc' }, 409, /exists already/],
      ['{not json', 400, /body: expected a JSON object/],
    ];
    for (const [body, status, message] of cases) {
      const r = await api('POST', '/api/cameras', body);
      assert.equal(r.status, status, `${JSON.stringify(body)} → ${r.text}`);
      assert.match((r.json as { error: string }).error, message);
    }
    assert.equal((await api('PATCH', '/api/cameras/astro', { fps: -1 })).status, 400);
    assert.equal((await api('PATCH', '/api/cameras/nope', { fps: 1 })).status, 404);
    const missing = await api('POST', '/api/cameras/test-connection', { url: 'image:data/media/missing.png' });
    assert.deepEqual(missing.json, {
      ok: false,
      error: 'the source could not be opened: not found in the media folder',
      elapsedMs: 0,
    });
    // outside the media folder, a lavfi filter chain with a file option: refused before anything opens them
    const written = path.join(dir, 'written-by-ffmpeg.txt');
    for (const url of [`image:${configFile}`, `lavfi:testsrc2=size=64x48,metadata=mode=print:file=${written}`]) {
      const refused = await api('POST', '/api/cameras/test-connection', { url });
      assert.equal(refused.status, 400, refused.text);
      assert.match((refused.json as { error: string }).error, /^url: camera URL .*(inside the media folder|testsrc2)/);
    }
    assert.equal(existsSync(written), false);
    assert.equal(readFileSync(configFile, 'utf8'), before);
    assert.deepEqual(
      ((await api('GET', '/api/cameras')).json as { items: Array<{ id: string }> }).items.map((c) => c.id),
      (JSON.parse(cameras) as { items: Array<{ id: string }> }).items.map((c) => c.id),
    );
  });

  it('serves metrics, stats, the UI, nodes and plan; updates and removes cameras in the file', async () => {
    const metrics = (await api('GET', '/metrics')).text;
    for (const name of [
      'ppipe_camera_frames_per_second',
      'ppipe_camera_skipped_frames_total',
      'ppipe_detections_total',
      'ppipe_detection_latency_seconds_bucket',
      'ppipe_slo_attainment_ratio',
      'ppipe_store_failed_writes_total',
    ])
      assert.match(metrics, new RegExp(`^${name}`, 'm'), name);
    // The built UI (npm ci builds it; else npm run build:ui) at / and at each page's URL.
    for (const page of ['/', '/live/astro', '/cluster']) {
      const html = await api('GET', page);
      assert.equal(html.status, 200, `${page}: ${html.text.slice(0, 200)}`);
      assert.match(html.text, /<script type="module" crossorigin src="\/assets\/index-[\w-]+\.js"><\/script>/);
    }
    const stats = (await api('GET', '/api/stats')).json as StatsResponse;
    assert.ok(stats.store.rows > 0);
    const astro = stats.cameraDetection.find((c) => c.camera === 'astro');
    assert.ok(astro && astro.framesAnalysed > 0, JSON.stringify(stats.cameraDetection));
    assert.ok(astro.latencyP50Ms !== null && astro.latencyP99Ms !== null && astro.latencyP50Ms <= astro.latencyP99Ms);
    assert.ok(astro.sloAttainment !== null && astro.sloAttainment >= 0 && astro.sloAttainment <= 1);
    assert.deepEqual((await api('GET', '/api/nodes')).json, { items: [] });
    assert.deepEqual((await api('GET', '/api/plan')).json, { plan: null });
    const patched = await api('PATCH', '/api/cameras/astro', { enabled: false });
    assert.equal(patched.status, 200, patched.text);
    assert.equal((patched.json as { status: string }).status, 'disabled');
    // Only the field sent changes: the camera's other settings are not reset to the schema's defaults.
    const { fps, width, height } = patched.json as { fps: number; width: number; height: number };
    assert.deepEqual({ fps, width, height }, { fps: 5, width: 256, height: 256 });
    assert.match(readFileSync(configFile, 'utf8'), /enabled: false/);
    assert.match(readFileSync(configFile, 'utf8'), /width: 256/);
    assert.equal((await api('DELETE', '/api/cameras/astro')).status, 204);
    assert.doesNotMatch(readFileSync(configFile, 'utf8'), /astro/);
    assert.match(readFileSync(configFile, 'utf8'), /# cameras are added by the test/);
  });

  it('refuses an invalid config file, naming the file and fields, and starts nothing', async () => {
    const bad = path.join(dir, 'bad.yaml');
    writeFileSync(bad, `cameras:\n  - { id: a, url: "rtsp://h/x;ls", fps: 0 }\nserver: { port: 99999 }\n`);
    const broken = new Appliance({ configFile: bad, logger: pino({ level: 'silent' }) });
    await assert.rejects(
      broken.start(),
      (e: unknown) =>
        e instanceof ConfigError &&
        e.message.startsWith(bad) &&
        /cameras\[0\]\.url/.test(e.message) &&
        /cameras\[0\]\.fps/.test(e.message) &&
        /server\.port/.test(e.message),
    );
    writeFileSync(bad, 'cameras:\n  - { id: a, url: "rtsp://admin:${NO_SUCH_VAR_PPIPE}@h/x" }\n');
    await assert.rejects(broken.start(), /environment variable NO_SUCH_VAR_PPIPE is not set/);
  });
});
