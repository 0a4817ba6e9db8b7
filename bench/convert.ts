// TF.js → ONNX converter benchmark on CenterNet (models/centernet/, or PPIPE_CENTERNET_JSON): conversion time,
// and onnxruntime inference of the heads model at batch 1 and 4 on this CPU (median of 5 runs after one warm-up),
// with 1 and 2 threads. Prints one JSON object per case.
// Run: node --import tsx bench/convert.ts
import { availableParallelism, cpus } from 'node:os';
import path from 'node:path';
import ort from 'onnxruntime-node';
import { REPO_ROOT, percentile } from '../src/config/index.ts';
import { convertTfjsGraphModel, encodeOnnxModel, readTfjsGraphModel } from '../src/models/index.ts';
import { createSession } from '../src/models/ortSupport.ts';

const file = process.env['PPIPE_CENTERNET_JSON'] ?? path.join(REPO_ROOT, 'models/centernet/centernet.json');
const print = (value: object) => process.stdout.write(`${JSON.stringify(value)}\n`);
const ms = (since: bigint) => Math.round(Number(process.hrtime.bigint() - since) / 1e4) / 100;
const RUNS = 5;

let started = process.hrtime.bigint();
const model = readTfjsGraphModel(file);
const heads = encodeOnnxModel(convertTfjsGraphModel(model, { outputs: ['tower_0/keypoints', 'tower_0/wh'] }));
print({ case: 'convert', model: 'centernet heads', ms: ms(started), megabytes: +(heads.length / 1e6).toFixed(2) });

print({ case: 'machine', cpu: cpus()[0]?.model, cores: availableParallelism() });
for (const threads of [1, 2]) {
  const session = await createSession(heads, { device: { kind: 'cpu', threads } });
  for (const batch of [1, 4]) {
    const images = new Float32Array(batch * 512 * 512 * 3).map((_, i) => (i * 7919) % 256);
    const feeds = { 'tower_0/images': new ort.Tensor('float32', images, [batch, 512, 512, 3]) };
    await session.run(feeds);
    const times: number[] = [];
    for (let run = 0; run < RUNS; run++) {
      started = process.hrtime.bigint();
      await session.run(feeds);
      times.push(ms(started));
    }
    const median = percentile(times, 0.5, 'floor')!;
    print({
      case: 'infer',
      threads,
      batch,
      msPerBatch: median,
      msPerFrame: +(median / batch).toFixed(1),
      runsMs: times,
    });
  }
  await session.release();
}
