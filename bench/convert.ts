// TF.js → ONNX converter benchmark on CenterNet (models/centernet/, or PPIPE_CENTERNET_JSON): conversion time,
// and onnxruntime inference of the heads model at batch 1 and 4 on this CPU (median of 5 runs after one warm-up),
// with 1 and 2 threads; and, side by side, TensorFlow.js (wasm backend) running the original graph and onnxruntime
// running the converted one at batch 1 on a test photograph. Prints one JSON object per case.
// Run: node --import tsx bench/convert.ts
import { availableParallelism, cpus } from 'node:os';
import path from 'node:path';
import { getThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import ort from 'onnxruntime-node';
import { REPO_ROOT, percentile } from '../src/config/index.ts';
import { convertTfjsGraphModel, encodeOnnxModel, readTfjsGraphModel } from '../src/models/index.ts';
import { createSession } from '../src/models/ortSupport.ts';
import { loadTfjsReference } from '../test/models/tfjsReference.ts';
import { photoTensor } from '../test/models/tfjsTestSupport.ts';

const file = process.env['PPIPE_CENTERNET_JSON'] ?? path.join(REPO_ROOT, 'models/centernet/centernet.json');
const print = (value: object) => process.stdout.write(`${JSON.stringify(value)}\n`);
const ms = (since: bigint) => Math.round(Number(process.hrtime.bigint() - since) / 1e4) / 100;
const RUNS = 5;

/** Median wall time of RUNS calls after one warm-up, and the runs themselves. */
async function timed(call: () => Promise<unknown>): Promise<{ median: number; runsMs: number[] }> {
  await call();
  const runsMs: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    const since = process.hrtime.bigint();
    await call();
    runsMs.push(ms(since));
  }
  return { median: percentile(runsMs, 0.5, 'floor')!, runsMs };
}

const started = process.hrtime.bigint();
const model = readTfjsGraphModel(file);
const heads = encodeOnnxModel(convertTfjsGraphModel(model, { outputs: ['tower_0/keypoints', 'tower_0/wh'] }));
print({ case: 'convert', model: 'centernet heads', ms: ms(started), megabytes: +(heads.length / 1e6).toFixed(2) });

print({ case: 'machine', cpu: cpus()[0]?.model, cores: availableParallelism() });
for (const threads of [1, 2]) {
  const session = await createSession(heads, { device: { kind: 'cpu', threads } });
  for (const batch of [1, 4]) {
    const images = new Float32Array(batch * 512 * 512 * 3).map((_, i) => (i * 7919) % 256);
    const feeds = { 'tower_0/images': new ort.Tensor('float32', images, [batch, 512, 512, 3]) };
    const { median, runsMs } = await timed(() => session.run(feeds));
    print({
      case: 'infer',
      threads,
      batch,
      msPerBatch: median,
      msPerFrame: +(median / batch).toFixed(1),
      runsMs,
    });
  }
  await session.release();
}

// The same photograph through both runtimes at batch 1: the whole original graph in TF.js, the converted whole
// graph in onnxruntime on 1 thread (the wasm backend's thread count is printed beside).
const whole = encodeOnnxModel(convertTfjsGraphModel(model));
const image = photoTensor('astronaut.png');
const reference = await loadTfjsReference(file);
const tfjs = await timed(() => reference.run(image, [1, 512, 512, 3], ['tower_0/detections']));
reference.dispose();
const session = await createSession(whole, { device: { kind: 'cpu', threads: 1 } });
const photoFeeds = { 'tower_0/images': new ort.Tensor('float32', image, [1, 512, 512, 3]) };
const onnxruntime = await timed(() => session.run(photoFeeds));
await session.release();
print({
  case: 'tfjs-wasm vs onnxruntime',
  model: 'centernet whole graph',
  batch: 1,
  tfjsWasmThreads: getThreadsCount(),
  onnxruntimeThreads: 1,
  tfjsWasmMsPerImage: tfjs.median,
  onnxruntimeMsPerImage: onnxruntime.median,
  tfjsRunsMs: tfjs.runsMs,
  onnxruntimeRunsMs: onnxruntime.runsMs,
});
