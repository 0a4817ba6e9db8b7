// The live feed's frames: none until a client subscribes; a bad subscription is answered with its issues and
// changes nothing; grid frames are at most 640 px wide with the frame's detections in source pixels; the full
// size camera's frames at its decoded size; per-client rate caps (a unit test with its own clock).
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import pino from 'pino';
import { WebSocket } from 'ws';
import { Appliance } from '../../src/appliance.ts';
import type { DetectionsResponse, LiveMessage } from '../../src/server/api.ts';
import { LiveSubscription, parseLiveClientMessage } from '../../src/server/liveSubscription.ts';
import { ASTRONAUT, MODEL, runDuringSuite } from '../applianceSupport.ts';
import { waitFor } from '../helpers.ts';

type FrameMessage = Extract<LiveMessage, { type: 'frame' }>;

describe('live frames on a running appliance', { timeout: 60_000 }, () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'ppipe-live-frames-'));
  const configFile = path.join(dir, 'config.yaml');
  writeFileSync(
    configFile,
    `version: 1
models:
  - { id: blazeface, kind: blazeface, path: ${MODEL}, threshold: 0.75 }
cameras:
  - { id: astro, url: "image:${ASTRONAUT}", fps: 4, width: 256, height: 256 }
store:
  dataDir: data
server:
  port: 0
`,
  );
  const appliance = new Appliance({ configFile, logger: pino({ level: 'silent' }) });
  const baseUrl = runDuringSuite(appliance, dir);

  const connect = async (): Promise<{ ws: WebSocket; messages: LiveMessage[] }> => {
    const ws = new WebSocket(`${baseUrl().replace('http', 'ws')}/api/live`);
    const messages: LiveMessage[] = [];
    ws.on('message', (data: Buffer) => messages.push(JSON.parse(data.toString()) as LiveMessage));
    await waitFor('the snapshot', () => (messages[0]?.type === 'snapshot' ? true : undefined));
    return { ws, messages };
  };
  const frames = (messages: LiveMessage[]): FrameMessage[] =>
    messages.filter((m): m is FrameMessage => m.type === 'frame');

  it('sends no frame before a subscription, and answers a bad one with the field', async () => {
    const { ws, messages } = await connect();
    try {
      // Detections flow (the camera is analysed), yet this client asked for no frames.
      await waitFor('a detection event', () => messages.find((m) => m.type === 'detection'), 30_000);
      assert.deepEqual(frames(messages), []);
      ws.send(JSON.stringify({ type: 'subscribe', grid: 'yes', fullSize: null }));
      const error = await waitFor('the error', () => messages.find((m) => m.type === 'error'));
      assert.ok(error.type === 'error');
      assert.deepEqual(
        error.issues.map((i) => i.path),
        [['grid']],
      );
      assert.match(error.error, /grid/);
      ws.send('not json');
      await waitFor('a second error', () =>
        messages.filter((m) => m.type === 'error').length === 2 ? true : undefined,
      );
      assert.equal(ws.readyState, WebSocket.OPEN, 'a bad message never closes the connection');
      assert.deepEqual(frames(messages), []);
    } finally {
      ws.close();
    }
  });

  it('sends grid frames with their detections, and full-size frames of the camera asked for', async () => {
    const { ws, messages } = await connect();
    try {
      ws.send(JSON.stringify({ type: 'subscribe', grid: true, fullSize: null }));
      const withFace = await waitFor(
        'a grid frame with a face',
        () => frames(messages).find((f) => f.items.length > 0),
        30_000,
      );
      assert.equal(withFace.camera, 'astro');
      assert.deepEqual([withFace.width, withFace.height], [256, 256], 'decoded 256x256 is under the grid cap');
      assert.deepEqual([withFace.sourceWidth, withFace.sourceHeight], [512, 512]);
      assert.equal(Buffer.from(withFace.jpegBase64, 'base64')[0], 0xff);
      const stored = (await (
        await fetch(`${baseUrl()}/api/detections?camera=astro&limit=50`)
      ).json()) as DetectionsResponse;
      const sameRow = stored.items.find((d) => d.id === withFace.items[0]!.id);
      assert.ok(sameRow, 'the frame carries the stored detection');
      assert.deepEqual(sameRow.box, withFace.items[0]!.box);

      ws.send(JSON.stringify({ type: 'subscribe', grid: false, fullSize: 'astro' }));
      const count = frames(messages).length;
      await waitFor('a full-size frame', () => (frames(messages).length > count ? true : undefined), 30_000);
    } finally {
      ws.close();
    }
  });
});

describe('a live subscription', () => {
  it('caps the grid at 10 frames per second per camera and the full-size camera at 15', () => {
    const subscription = new LiveSubscription();
    assert.equal(subscription.due('a', 0), undefined, 'nothing before a subscription');
    subscription.set({ type: 'subscribe', grid: true, fullSize: 'b' });
    // Frames of `camera` analysed at the given intervals (cycled) over 10 s: how many are sent.
    const sentOf = (camera: string, intervalsMs: number[]): number => {
      let sent = 0;
      for (let t = 0, i = 0; t < 10_000; t += intervalsMs[i++ % intervalsMs.length]!)
        if (subscription.due(camera, t)) {
          subscription.sent(camera, t);
          sent++;
        }
      return sent;
    };
    const grid30 = sentOf('a', [1000 / 30]);
    assert.ok(grid30 >= 100 && grid30 <= 102, `a 30 fps camera in the grid: 10 per second (+ a burst of 2): ${grid30}`);
    const full30 = sentOf('b', [1000 / 30]);
    assert.ok(full30 >= 150 && full30 <= 152, `the full-size camera: 15 per second: ${full30}`);
    assert.equal(sentOf('c', [85, 115]), 100, 'a 10 fps camera analysed with jitter: every frame');
    assert.equal(sentOf('d', [200]), 50, 'a 5 fps camera: every frame');
    subscription.set({ type: 'subscribe', grid: false, fullSize: null });
    assert.equal(subscription.due('a', 5000), undefined, 'unsubscribed: none');
  });

  it('names the field of a bad message', () => {
    assert.deepEqual(parseLiveClientMessage('{"type":"subscribe","grid":true,"fullSize":null}'), {
      subscribe: { type: 'subscribe', grid: true, fullSize: null },
    });
    const bad = parseLiveClientMessage('{"type":"subscribe","grid":true,"fullSize":null,"x":1}');
    assert.ok('issues' in bad && bad.issues.length === 1);
    assert.ok('issues' in parseLiveClientMessage('[1'));
  });
});
