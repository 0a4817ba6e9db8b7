// Events from a generated video through the real pipeline (ffmpeg decoding a file: camera, CenterNet in
// onnxruntime, the tracker, the events table, the HTTP API): a person crosses into a zone and leaves, comes
// back, then two people cross paths. The events must be exactly those four, each starting and ending at the
// first and last frame its person was seen in, with the zone entered, ids kept through the crossing, and a
// snapshot with the box drawn.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import jpeg from 'jpeg-js';
import pino from 'pino';
import { Appliance } from '../src/appliance.ts';
import type { DetectionsResponse, EventItem, EventsResponse } from '../src/server/api.ts';
import { REPO_ROOT, writeSceneVideo } from '../tools/demoVideo.ts';
import type { Actor } from '../tools/demoVideo.ts';
import { runDuringSuite } from './applianceSupport.ts';
import { waitFor } from './helpers.ts';

/** The scene starts after this lead-in of empty frames: ffmpeg and the model are warm when the first person comes. */
const LEAD_IN_S = 3;
const PERSON = path.join(REPO_ROOT, 'media', 'demo', 'astronaut.png');
const SIZE_PX = 300;

/** A person shown from fromS to toS (on the camera's 200 ms grid), moving in a straight line. */
const person = (fromS: number, toS: number, from: [number, number], to: [number, number]): Actor => ({
  image: PERSON,
  widthPx: SIZE_PX,
  fromS,
  toS,
  from,
  to,
});

// Times in seconds of the video; every appearance starts and ends on the camera's 200 ms frame grid.
const SCENE = {
  width: 640,
  height: 480,
  fps: 10,
  durationS: LEAD_IN_S + 21,
  actors: [
    person(LEAD_IN_S + 0, LEAD_IN_S + 4, [0, 90], [340, 90]), // enters the zone on its way right, gone at 4 s
    person(LEAD_IN_S + 6.4, LEAD_IN_S + 10.4, [340, 90], [0, 90]), // back 2.4 s later, in the zone, walks left
    person(LEAD_IN_S + 13, LEAD_IN_S + 19, [0, 0], [340, 0]), // two cross paths: the upper walks right …
    person(LEAD_IN_S + 13, LEAD_IN_S + 19, [340, 180], [0, 180]), // … the lower walks left, over it
  ],
};

/** Bottom centres of the right half's lower part: where only the lower walkers' feet go. */
const ZONE_RIGHT = [
  [320, 330],
  [640, 330],
  [640, 480],
  [320, 480],
];

describe('tracked objects from a generated video', { timeout: 180_000 }, () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'ppipe-tracking-'));
  const video = path.join(dir, 'media', 'scene.mp4');
  writeSceneVideo(SCENE, video);
  const configFile = path.join(dir, 'config.yaml');
  writeFileSync(
    configFile,
    `version: 1
ingest: { mediaDir: media }
models:
  - id: centernet
    kind: centernet
    path: ${path.join(REPO_ROOT, 'models', 'centernet', 'centernet.json')}
    threshold: 0.25
    sloMs: 2000
cameras:
  - id: street
    url: file:media/scene.mp4
    fps: 5
    model: centernet
    objects: { track: [person], filters: { person: { threshold: 0.3 } } }
    zones: { right: { coordinates: ${JSON.stringify(ZONE_RIGHT)} } }
events: { endAfterS: 1.5 }
store: { dataDir: data }
server: { port: 0 }
`,
  );
  const appliance = new Appliance({ configFile, logger: pino({ level: 'silent' }) });
  const baseUrl = runDuringSuite(appliance, dir);
  const json = async <T>(route: string): Promise<T> => (await (await fetch(baseUrl() + route)).json()) as T;

  it('gives the four events of the scene, their zones, ids kept through the crossing, and snapshots', async () => {
    // The first pass of the looped file: every event that started in it has ended.
    // Under the whole suite's load the model can fall seconds behind the video: wait up to two minutes, and
    // say what was seen when even that is not enough.
    let seen: EventItem[] = [];
    const firstPass = await waitFor(
      'the four events of the first pass to end',
      async () => {
        const { items } = await json<EventsResponse>('/api/events?camera=street&limit=50');
        seen = items;
        const first = items.at(-1);
        if (!first) return undefined;
        const inPass = items.filter((e) => e.startTime < first.startTime + 20_000).reverse();
        return inPass.length >= 4 && inPass.every((e) => e.endTime !== null) ? inPass : undefined;
      },
      120_000,
    ).catch((error: unknown) => {
      const events = seen.map((e) => [e.label, e.startTime, e.endTime, e.enteredZones]);
      throw new Error(`${(error as Error).message}; events so far: ${JSON.stringify(events)}`, { cause: error });
    });
    const describeEvents = (events: EventItem[]): string =>
      JSON.stringify(events.map((e) => [e.label, e.startTime - firstPass[0]!.startTime, e.endTime, e.enteredZones]));
    assert.equal(firstPass.length, 4, describeEvents(firstPass));
    assert.ok(
      firstPass.every((e) => e.label === 'person'),
      describeEvents(firstPass),
    );

    // Every event starts with the first frame its person was detected in and ends with the last: the frames
    // the camera delivered are the clock, so this holds exactly however the machine paces the video.
    const { items: newestFirst } = await json<DetectionsResponse>('/api/detections?camera=street&limit=1000');
    const seenMs = newestFirst.map((d) => d.time).reverse();
    const [walkRight, comeBack, upper, lower] = firstPass as [EventItem, EventItem, EventItem, EventItem];
    const seenBetween = (fromMs: number, toMs: number): number[] => seenMs.filter((t) => t > fromMs && t < toMs);
    const spans: Array<[EventItem, number, number]> = [
      [walkRight, -Infinity, comeBack.startTime],
      [comeBack, walkRight.endTime!, upper.startTime],
      [upper, comeBack.endTime!, Math.max(upper.endTime!, lower.endTime!) + 1],
      [lower, comeBack.endTime!, Math.max(upper.endTime!, lower.endTime!) + 1],
    ];
    for (const [event, afterMs, beforeMs] of spans) {
      const framesOfEvent = seenBetween(afterMs, beforeMs);
      assert.deepEqual(
        [event.startTime, event.endTime],
        [framesOfEvent[0], framesOfEvent.at(-1)],
        describeEvents(firstPass),
      );
    }
    // Against the scene's own times this cannot be exact here: frames are timed by their arrival, and under the
    // whole suite ffmpeg's -re pacing falls seconds behind the video. Their order is the scene's.
    assert.ok(
      walkRight.endTime! < comeBack.startTime && comeBack.endTime! < upper.startTime,
      describeEvents(firstPass),
    );
    assert.deepEqual(walkRight.enteredZones, ['right']);
    assert.deepEqual(comeBack.enteredZones, ['right']);

    // The crossing: each id keeps its own walker. Ordered by path height: the upper walks right, the lower left.
    const [top, bottom] = [upper, lower].sort((a, b) => a.path[0]!.y - b.path[0]!.y) as [EventItem, EventItem];
    const xs = (e: EventItem): number[] => e.path.map((p) => p.x);
    const ys = (e: EventItem): number[] => e.path.map((p) => p.y);
    assert.ok(Math.max(...ys(top)) < Math.min(...ys(bottom)), `paths stay apart: ${ys(top)} / ${ys(bottom)}`);
    assert.ok(xs(top).at(-1)! - xs(top)[0]! > 200, `the upper walker's path goes right: ${xs(top)}`);
    assert.ok(xs(bottom)[0]! - xs(bottom).at(-1)! > 200, `the lower walker's path goes left: ${xs(bottom)}`);
    assert.deepEqual(top.enteredZones, [], 'the upper walker never sets foot in the zone');
    assert.deepEqual(bottom.enteredZones, ['right']);

    // Only tracked labels are logged.
    assert.ok(newestFirst.length > 0 && newestFirst.every((d) => d.label === 'person'));

    // The snapshot: the best frame with its box drawn (orange, 3 px) at the best box's edges.
    const response = await fetch(`${baseUrl()}/api/events/${walkRight.id}/snapshot.jpg`);
    assert.equal(response.headers.get('content-type'), 'image/jpeg');
    const image = jpeg.decode(Buffer.from(await response.arrayBuffer()), { useTArray: true });
    assert.deepEqual([image.width, image.height], [640, 480]);
    const [x1, y1, x2, y2] = walkRight.bestBox.map(Math.round) as [number, number, number, number];
    const orange = (x: number, y: number): boolean => {
      const i = (y * image.width + x) * 4;
      return image.data[i]! > 200 && image.data[i + 1]! > 40 && image.data[i + 1]! < 160 && image.data[i + 2]! < 80;
    };
    const midY = Math.round((y1 + y2) / 2);
    const midX = Math.round((x1 + x2) / 2);
    assert.ok(orange(x1 + 1, midY) && orange(x2 - 2, midY), 'left and right edges drawn');
    assert.ok(orange(midX, y1 + 1), 'top edge drawn');
  });
});
