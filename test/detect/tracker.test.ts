// The tracker on synthetic detections: events start, update at most once a second and end as documented;
// zones, masks, filters and the stationary flag; ids survive a crossing; and, for random scenes, an id is
// never reused and its messages are one `new`, then updates, then at most one `end`.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { ObjectTracker, frigateEventId } from '../../src/detect/index.ts';
import type { Detection, ObjectChange, TrackerSettings } from '../../src/detect/index.ts';

const FRAME_MS = 200;
const T0 = 1_790_000_000_000;

function tracker(overrides: Partial<TrackerSettings> = {}): ObjectTracker {
  let next = 0;
  return new ObjectTracker({
    camera: 'cam',
    track: ['person', 'car'],
    filters: {},
    defaultMinScore: 0.3,
    mask: [],
    zones: {},
    endAfterMs: 1000,
    stationaryAfterMs: 3000,
    newId: (timeMs) => `${Math.floor(timeMs / 1000)}.000000-id${next++}`,
    ...overrides,
  });
}

const person = (x: number, y: number, score = 0.6, label = 'person'): Detection => ({
  label,
  score,
  box: [x, y, x + 100, y + 200],
});

/** Runs frames (detections per frame) from T0 at 5 fps; returns every change and the frames' times. */
function run(t: ObjectTracker, frames: ReadonlyArray<ReadonlyArray<Detection>>): ObjectChange[] {
  return frames.flatMap(
    (detections, i) =>
      t.update({ timeMs: T0 + i * FRAME_MS, sourceWidth: 1280, sourceHeight: 720 }, detections).changes,
  );
}

const empty = (n: number): Detection[][] => Array.from({ length: n }, () => []);

describe('ObjectTracker', () => {
  it('one object walking across: one new (started at its first frame), ≤ 1 update a second, one end', () => {
    const walk = Array.from({ length: 100 }, (_, i) => [person(i * 10, 100, 0.5 + (i % 7) * 0.05)]);
    const changes = run(tracker(), [...walk, ...empty(10)]);
    const types = changes.map((c) => c.type);
    assert.equal(types.filter((t) => t === 'new').length, 1);
    assert.equal(types.filter((t) => t === 'end').length, 1);
    assert.equal(types.at(-1), 'end');
    const updates = changes.filter((c) => c.type === 'update');
    assert.ok(updates.length >= 15 && updates.length <= 20, `${updates.length} updates in 20 s`);
    const times = changes.map((c) => c.after.lastSeenMs);
    for (let i = 2; i < times.length - 1; i++) assert.ok(times[i]! - times[i - 1]! >= 1000, 'a second apart');
    const first = changes[0]!;
    assert.equal(first.before, null);
    assert.equal(first.after.startTimeMs, T0, 'the start is the first detection, not the confirming one');
    const end = changes.at(-1)!;
    assert.equal(end.after.endTimeMs, T0 + 99 * FRAME_MS, 'the end is when it was last seen');
    assert.deepEqual(end.before, changes.at(-2)!.after, 'before is what the previous message said');
    assert.ok(end.after.path.length <= 100 && end.after.path[0]!.x === 50);
    assert.ok(changes.every((c) => c.after.id === first.after.id));
  });

  it('an object that leaves for longer than endAfterMs and comes back is a second event', () => {
    const changes = run(tracker(), [
      ...Array.from({ length: 10 }, () => [person(100, 100)]),
      ...empty(6),
      ...Array.from({ length: 10 }, () => [person(110, 100)]),
      ...empty(6),
    ]);
    const news = changes.filter((c) => c.type === 'new');
    const ends = changes.filter((c) => c.type === 'end');
    assert.equal(news.length, 2);
    assert.equal(ends.length, 2);
    assert.notEqual(news[0]!.after.id, news[1]!.after.id);
    assert.equal(news[1]!.after.startTimeMs, T0 + 16 * FRAME_MS);
  });

  it('a missed frame or two does not split an event; a single false detection never becomes one', () => {
    const frames = Array.from({ length: 20 }, (_, i) => (i === 5 || i === 6 ? [] : [person(100 + i * 5, 100)]));
    frames[10]!.push(person(900, 400));
    const changes = run(tracker(), [...frames, ...empty(6)]);
    assert.deepEqual(
      changes.filter((c) => c.type !== 'update').map((c) => c.type),
      ['new', 'end'],
    );
  });

  it('two people crossing paths keep their ids (the motion model tells them apart)', () => {
    // A walks right along y=100, B walks left along y=160: their boxes overlap for several frames.
    const frames = Array.from({ length: 40 }, (_, i) => [person(i * 20, 100, 0.6), person(780 - i * 20, 160, 0.7)]);
    const changes = run(tracker(), [...frames, ...empty(6)]);
    const byId = new Map<string, ObjectChange[]>();
    for (const c of changes) byId.set(c.after.id, [...(byId.get(c.after.id) ?? []), c]);
    assert.equal(byId.size, 2);
    for (const history of byId.values()) {
      const ys = new Set(history.map((c) => c.after.box[1]));
      assert.equal(ys.size, 1, `one walker's row per id: ${[...ys]}`);
      const xs = history.map((c) => c.after.path.at(-1)!.x);
      const goesRight = history[0]!.after.box[1] === 100;
      assert.ok(goesRight ? xs.at(-1)! > xs[0]! : xs.at(-1)! < xs[0]!, `${goesRight} ${xs}`);
    }
  });

  it('zones are entered in order by the bottom centre; a zone can be for some labels only', () => {
    const zones = {
      left: {
        coordinates: [
          [0, 250],
          [300, 250],
          [300, 400],
          [0, 400],
        ] as Array<[number, number]>,
      },
      right: {
        coordinates: [
          [300, 250],
          [600, 250],
          [600, 400],
          [300, 400],
        ] as Array<[number, number]>,
      },
      cars: {
        coordinates: [
          [0, 0],
          [1280, 0],
          [1280, 720],
          [0, 720],
        ] as Array<[number, number]>,
        objects: ['car'],
      },
    };
    const frames = Array.from({ length: 30 }, (_, i) => [person(i * 20, 100)]);
    const changes = run(tracker({ zones }), [...frames, ...empty(6)]);
    const end = changes.at(-1)!;
    assert.deepEqual(end.after.enteredZones, ['left', 'right']);
    assert.deepEqual(end.after.currentZones, [], 'none once it has left');
    assert.ok(changes.some((c) => c.after.currentZones.join() === 'right'));
  });

  it('masks, labels, min_score, min_area and max_area drop detections; threshold is the median score', () => {
    const t = tracker({
      mask: [
        [
          [0, 500],
          [200, 500],
          [200, 720],
          [0, 720],
        ],
      ],
      filters: {
        person: { min_score: 0.4, threshold: 0.6, min_area: 10_000, max_area: 30_000 },
        car: { min_score: 0.5, threshold: 0.5, min_area: 0, max_area: 24_000_000 },
      },
    });
    const frame = { timeMs: T0, sourceWidth: 1280, sourceHeight: 720 };
    const { kept } = t.update(frame, [
      person(50, 400), // feet at (100, 600): in the mask
      person(500, 100, 0.35), // below min_score
      { label: 'person', score: 0.9, box: [0, 0, 50, 50] }, // 2,500 px² < min_area
      { label: 'person', score: 0.9, box: [0, 0, 400, 400] }, // 160,000 px² > max_area
      { label: 'dog', score: 0.9, box: [700, 100, 800, 300] }, // not tracked
      person(900, 100, 0.5), // kept
    ]);
    assert.deepEqual(kept, [person(900, 100, 0.5)]);
    // With the first 0.5, the scores' median stays 0.5 < 0.6 until the third 0.9 makes it 0.7.
    const scores = [0.5, 0.5, 0.9, 0.9, 0.9];
    const changes = scores.map(
      (score, i) => t.update({ ...frame, timeMs: T0 + (i + 1) * FRAME_MS }, [person(900, 100, score)]).changes,
    );
    assert.deepEqual(
      changes.map((c) => c.map((x) => x.type)),
      [[], [], [], [], ['new']],
    );
    assert.equal(changes[4]![0]!.after.startTimeMs, T0, 'started with its first kept detection');
  });

  it('an object that stays put becomes stationary after stationaryAfterMs, and says so once', () => {
    const frames = Array.from({ length: 50 }, (_, i) => [person(300 + (i % 2), 100)]);
    const changes = run(tracker(), frames);
    const firstStationary = changes.findIndex((c) => c.after.stationary);
    assert.ok(firstStationary > 0, 'it becomes stationary');
    assert.ok(changes[firstStationary]!.after.lastSeenMs - T0 >= 3000);
    assert.ok(changes.slice(0, firstStationary).every((c) => !c.after.stationary));
  });

  it('one person held in view for 60 s at 5 fps: 1 event, at most 60 updates', () => {
    const frames = Array.from({ length: 300 }, (_, i) => [person(300 + (i % 5) * 8, 100, 0.5 + ((i * 7) % 10) / 50)]);
    const changes = run(tracker(), [...frames, ...empty(6)]);
    assert.equal(changes.filter((c) => c.type === 'new').length, 1);
    assert.equal(changes.filter((c) => c.type === 'end').length, 1);
    assert.ok(changes.filter((c) => c.type === 'update').length <= 60);
  });

  it('ids look like Frigate’s', () => {
    assert.match(
      frigateEventId(T0 + 123.456, () => 0.5),
      /^1790000000\.123456-[a-z0-9]{6}$/,
    );
  });

  it('random scenes: ids are never reused; each is one new, updates, then at most one end', () => {
    const detection = fc.record({
      x: fc.integer({ min: 0, max: 1100 }),
      y: fc.integer({ min: 0, max: 500 }),
      score: fc.double({ min: 0.2, max: 1, noNaN: true }),
      label: fc.constantFrom('person', 'car', 'dog'),
    });
    fc.assert(
      fc.property(fc.array(fc.array(detection, { maxLength: 5 }), { maxLength: 60 }), (scene) => {
        const t = tracker();
        const changes = [
          ...run(
            t,
            scene.map((frame) => frame.map((d) => person(d.x, d.y, d.score, d.label))),
          ),
          ...t.endAll(),
        ];
        const seen = new Map<string, string[]>();
        for (const c of changes) seen.set(c.after.id, [...(seen.get(c.after.id) ?? []), c.type]);
        for (const [id, types] of seen) {
          assert.equal(types[0], 'new', id);
          assert.equal(types.at(-1), 'end', `${id} ended by endAll at the latest`);
          assert.ok(
            types.slice(1, -1).every((type) => type === 'update'),
            `${id}: ${types}`,
          );
        }
        assert.deepEqual(t.active(), []);
      }),
      { numRuns: 200, seed: 19 },
    );
  });
});
