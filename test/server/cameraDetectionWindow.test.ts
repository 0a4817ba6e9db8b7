// Per-camera detection stats for /api/stats: every frame counted, percentiles and SLO attainment over the latest
// frames only (the window), cameras kept apart, and a camera without frames shown with zeros and nulls.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { CameraDetectionWindow } from '../../src/server/cameraDetectionWindow.ts';

it('percentiles and attainment cover the window; frames are counted beyond it', () => {
  const window = new CameraDetectionWindow(10);
  // 15 frames of 1..15 ms; the first five (1..5 ms) miss their SLO and fall out of the window.
  for (let ms = 1; ms <= 15; ms++) window.record('front', ms, ms > 5);
  for (let ms = 0; ms < 4; ms++) window.record('back', 100 + ms, ms % 2 === 0);
  assert.deepEqual(window.stats(['front', 'back', 'garage']), [
    // window 6..15 ms: p50 at index floor(0.5 × 10) = 5 → 11 ms; p99 at index 9 → 15 ms; all met
    { camera: 'front', framesAnalysed: 15, latencyP50Ms: 11, latencyP99Ms: 15, sloAttainment: 1 },
    { camera: 'back', framesAnalysed: 4, latencyP50Ms: 102, latencyP99Ms: 103, sloAttainment: 0.5 },
    { camera: 'garage', framesAnalysed: 0, latencyP50Ms: null, latencyP99Ms: null, sloAttainment: null },
  ]);
});

it('a window of no frames is refused', () => {
  assert.throws(() => new CameraDetectionWindow(0), /windowFrames: expected a positive integer, got 0/);
});
