import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LatestFrames } from '../../app/ui/src/live/latestFrames.ts';
import { FpsMeter, SloWindow } from '../../app/ui/src/live/liveMeters.ts';
import { DEFAULT_RECONNECT_POLICY, reconnectDelayMs } from '../../app/ui/src/live/reconnectDelay.ts';

describe('FpsMeter', () => {
  it('measures a steady 10 fps feed as 10', () => {
    const meter = new FpsMeter(2000);
    for (let t = 0; t <= 5000; t += 100) meter.record(t);
    assert.equal(meter.fps(5000), 10);
  });

  it('reads 0 before two frames and decays to 0 once the feed stops', () => {
    const meter = new FpsMeter(2000);
    assert.equal(meter.fps(0), 0);
    meter.record(0);
    assert.equal(meter.fps(50), 0);
    for (let t = 100; t <= 1000; t += 100) meter.record(t);
    const whileRunning = meter.fps(1000);
    const aSecondLater = meter.fps(2000);
    assert.ok(aSecondLater < whileRunning, `${aSecondLater} < ${whileRunning}`);
    assert.equal(meter.fps(3100), 0);
  });
});

describe('SloWindow', () => {
  it('is null before a frame, then the share met among the last `capacity` frames', () => {
    const window = new SloWindow(4);
    assert.equal(window.attainment(), null);
    for (const met of [false, false, true, true, true, false]) window.record(met);
    // The window holds the last four: true, true, true, false.
    assert.equal(window.attainment(), 0.75);
  });
});

describe('LatestFrames', () => {
  it('keeps only the newest frame of each camera until taken, counting the ones replaced', () => {
    const frames = new LatestFrames<{ camera: string; n: number }>();
    frames.put({ camera: 'a', n: 1 });
    frames.put({ camera: 'b', n: 1 });
    frames.put({ camera: 'a', n: 2 });
    frames.put({ camera: 'a', n: 3 });
    assert.equal(frames.hasPending, true);
    assert.deepEqual(
      frames.take().sort((x, y) => x.camera.localeCompare(y.camera)),
      [
        { camera: 'a', n: 3 },
        { camera: 'b', n: 1 },
      ],
    );
    assert.equal(frames.replaced, 2);
    assert.equal(frames.hasPending, false);
    assert.deepEqual(frames.take(), []);
  });
});

describe('reconnectDelayMs', () => {
  const policy = { baseDelayMs: 500, maxDelayMs: 15_000, jitterShare: 0.3 };

  it('doubles from the base up to the cap without jitter', () => {
    const delays = [0, 1, 2, 3, 4, 5, 6, 50].map((attempt) => reconnectDelayMs(attempt, policy, () => 0));
    assert.deepEqual(delays, [500, 1000, 2000, 4000, 8000, 15_000, 15_000, 15_000]);
  });

  it('shortens each delay by at most the jitter share', () => {
    assert.equal(
      reconnectDelayMs(2, policy, () => 0.999_999),
      1400,
    );
    for (let attempt = 0; attempt < 8; attempt++) {
      const delay = reconnectDelayMs(attempt, DEFAULT_RECONNECT_POLICY, Math.random);
      const full = reconnectDelayMs(attempt, DEFAULT_RECONNECT_POLICY, () => 0);
      assert.ok(delay <= full && delay >= full * (1 - DEFAULT_RECONNECT_POLICY.jitterShare) - 1, `${delay} of ${full}`);
    }
  });
});
