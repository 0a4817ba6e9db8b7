// CenterNet on this box (issue 18, "Measured"): onnxruntime inference of the converted heads at batch 1–8 on 1 and
// 2 threads; the capacity of the real appliance (the highest total frame rate of 640×480 lavfi cameras at 5 fps
// each, added one at a time, served with ≥ 99% of frames within the SLO and their frames taken in at ≥ 97% of the
// offered rate) with the in-process detector, the cluster at batch 1 and the cluster with batching; and the
// cluster's overhead per frame over in-process.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import ort from 'onnxruntime-node';
import { pino } from 'pino';
import { Appliance } from '../src/appliance.ts';
import { cpuDeviceClass, localWorkerThreads } from '../src/cluster/index.ts';
import { REPO_ROOT, percentile } from '../src/config/index.ts';
import {
  convertTfjsGraphModel,
  encodeOnnxModel,
  profileModelToFolder,
  readTfjsGraphModel,
} from '../src/models/index.ts';
import { createSession } from '../src/models/ortSupport.ts';
import { PrepartitionInfeasibleError } from '../src/planner/index.ts';
import type { PlanResponse, StatsResponse } from '../src/server/api.ts';

export interface CenternetBenchOptions {
  /** The SLO of every frame, ms; default: SLO_FACTOR × the batch-1 inference time at 2 threads. */
  readonly sloMs?: number;
  /** Per capacity step: seconds after adding a camera before counting, and seconds counted. */
  readonly warmupS: number;
  readonly stepS: number;
  readonly maxCameras: number;
  readonly print: (value: object) => void;
  readonly progress: (text: string) => void;
}

const HEADS = ['tower_0/keypoints', 'tower_0/wh'];
const INPUT = 'tower_0/images';
const BATCH_SIZES = [1, 2, 4, 8];
const THREADS = [1, 2];
const INFERENCE_WARMUP_RUNS = 3;
const INFERENCE_TIMED_RUNS = 5;
/** The default SLO is this many times the batch-1 inference time at 2 threads. */
const SLO_FACTOR = 3;
const CAMERA_FPS = 5;
const CAMERA_URL = `lavfi:testsrc2=size=640x480:rate=${CAMERA_FPS}`;
const REQUIRED_ATTAINMENT = 0.99;
/**
 * A step also needs the cameras' frames taken in: decoded at ≥ this share of the offered rate. A detector that
 * blocks the event loop (onnxruntime's synchronous run, in-process) slows ffmpeg's pipe instead of skipping
 * frames, and frames never decoded are not served either. Not 1: the counted window's edges move a frame per
 * camera.
 */
const REQUIRED_INTAKE = 0.97;

/**
 * The cluster variants and their one knob: the batch sizes of the profile the bench measures into the data folder
 * before the appliance starts (the planner plans only batch sizes its profile has, so a batch-1 profile means
 * batch-1 plans), and `cluster.maxBatch`, the largest batch the appliance's plan may choose. Each run
 * checks the plan it got: a batch-1 variant whose plan batches is an error, a batching variant whose plan does
 * not batch is reported as skipped.
 */
const CLUSTER_VARIANTS = [
  { name: 'cluster-batch1', profileMaxBatch: 1, batching: false, clusterConfig: { maxBatch: 1 } },
  { name: 'cluster-batched', profileMaxBatch: 8, batching: true, clusterConfig: { maxBatch: 8 } },
] as const;

type Variant = { name: string; cluster?: (typeof CLUSTER_VARIANTS)[number] };

const round = (x: number, digits = 1): number => Number(x.toFixed(digits));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function runCenternetBench(options: CenternetBenchOptions): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'ppipe-bench-centernet-'));
  try {
    // What `ppipe convert models/centernet/centernet.json --out … --outputs tower_0/keypoints,tower_0/wh` writes.
    const modelFile = path.join(dir, 'centernet-heads.onnx');
    const tfjs = readTfjsGraphModel(path.join(REPO_ROOT, 'models/centernet/centernet.json'));
    const heads = encodeOnnxModel(convertTfjsGraphModel(tfjs, { outputs: HEADS }));
    writeFileSync(modelFile, heads);

    const inference = await measureInference(heads, options);
    const batch1At2Threads = inference.find((r) => r.threads === 2 && r.batch === 1)!.msPerBatch;
    const sloMs = options.sloMs ?? Math.ceil(SLO_FACTOR * batch1At2Threads);
    options.print({
      case: 'centernet-slo',
      sloMs,
      derivedFrom: options.sloMs === undefined ? `${SLO_FACTOR} × batch-1 inference at 2 threads` : '--slo-ms',
      batch1At2ThreadsMs: batch1At2Threads,
    });

    const variants: Variant[] = [
      { name: 'in-process' },
      ...CLUSTER_VARIANTS.map((cluster) => ({ name: cluster.name, cluster })),
    ];
    const results = new Map<string, CapacityResult>();
    for (const variant of variants) {
      const result = await measureCapacity(variant, modelFile, sloMs, path.join(dir, variant.name), options);
      results.set(variant.name, result);
      options.print({ case: `centernet-capacity-${variant.name}`, sloMs, ...result });
    }

    const local = results.get('in-process')!;
    const cluster = results.get('cluster-batch1')!;
    const localP50 = 'firstCameraP50Ms' in local ? local.firstCameraP50Ms : null;
    const clusterP50 = 'firstCameraP50Ms' in cluster ? cluster.firstCameraP50Ms : null;
    options.print({
      case: 'centernet-cluster-overhead',
      load: `1 camera at ${CAMERA_FPS} fps`,
      inProcessP50Ms: localP50,
      clusterBatch1P50Ms: clusterP50,
      overheadMsPerFrame: localP50 !== null && clusterP50 !== null ? round(clusterP50 - localP50) : null,
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function measureInference(
  model: Uint8Array,
  options: CenternetBenchOptions,
): Promise<Array<{ threads: number; batch: number; msPerBatch: number }>> {
  const rows: Array<{ threads: number; batch: number; msPerBatch: number }> = [];
  for (const threads of THREADS) {
    const session = await createSession(model, { device: { kind: 'cpu', threads } });
    try {
      for (const batch of BATCH_SIZES) {
        options.progress(`centernet inference: ${threads} thread(s), batch ${batch}…\n`);
        const images = new Float32Array(batch * 512 * 512 * 3).map((_, i) => (i * 7919) % 256);
        const feeds = { [INPUT]: new ort.Tensor('float32', images, [batch, 512, 512, 3]) };
        for (let i = 0; i < INFERENCE_WARMUP_RUNS; i++) await session.run(feeds);
        const runsMs: number[] = [];
        for (let i = 0; i < INFERENCE_TIMED_RUNS; i++) {
          const t0 = performance.now();
          await session.run(feeds);
          runsMs.push(round(performance.now() - t0, 2));
        }
        const msPerBatch = percentile(runsMs, 0.5, 'floor')!;
        rows.push({ threads, batch, msPerBatch });
        options.print({
          case: 'centernet-inference',
          threads,
          batch,
          msPerBatch,
          msPerFrame: round(msPerBatch / batch, 2),
          runsMs,
        });
      }
    } finally {
      await session.release();
    }
  }
  return rows;
}

type CapacityStep = {
  cameras: number;
  offeredFps: number;
  /** Frames the cameras' ffmpeg delivered per second (below offeredFps when decoding falls behind). */
  decodedFps: number;
  /** Frames that went through the detector per second, over the counted seconds. */
  analysedFps: number;
  /** Frames within the SLO over every frame the cameras delivered (skipped and dropped ones miss it). */
  attainment: number;
  /** Attainment ≥ REQUIRED_ATTAINMENT with frames decoded at ≥ REQUIRED_INTAKE of the offered rate. */
  served: boolean;
  framesCounted: number;
  framesSkipped: number;
};

type CapacityResult =
  | {
      capacityFps: number;
      capacityCameras: number;
      /** Frames per second the detector analysed at that step. */
      servedFps: number;
      detector: string;
      planBatchSizes?: number[];
      firstCameraP50Ms: number | null;
      steps: CapacityStep[];
    }
  | { skipped: string; planBatchSizes: number[] };

async function measureCapacity(
  variant: Variant,
  modelFile: string,
  sloMs: number,
  dir: string,
  options: CenternetBenchOptions,
): Promise<CapacityResult> {
  const dataDir = path.join(dir, 'data');
  const threads = localWorkerThreads();
  if (variant.cluster) {
    options.progress(`${variant.name}: profiling CenterNet at batch 1–${variant.cluster.profileMaxBatch}…\n`);
    await measureProfile(modelFile, threads, variant.cluster.profileMaxBatch, path.join(dataDir, 'profiles'));
  }
  mkdirSync(dir, { recursive: true });
  const configFile = path.join(dir, 'config.yaml');
  const clusterSection = variant.cluster
    ? { cluster: { localWorkers: 1, workerThreads: threads, ...variant.cluster.clusterConfig } }
    : {};
  const config = {
    version: 1,
    models: [{ id: 'centernet', kind: 'centernet', path: modelFile, sloMs }],
    cameras: [],
    store: { dataDir: 'data', snapshots: { enabled: false } },
    server: { port: 0 },
    ...clusterSection,
  };
  writeFileSync(configFile, JSON.stringify(config));
  const appliance = new Appliance({ configFile, logger: pino({ level: 'silent' }) });
  await appliance.start();
  try {
    const base = `http://127.0.0.1:${appliance.port}`;
    let planBatchSizes: number[] | undefined;
    if (variant.cluster) {
      const plan = await placedPlan(appliance, base);
      planBatchSizes = [...new Set(plan.dnns.flatMap((d) => d.pipelines.map((p) => p.batchSize)))].sort();
      const batches = planBatchSizes.some((size) => size > 1);
      if (!variant.cluster.batching && batches)
        throw new Error(`${variant.name}: expected a batch-1 plan, got batch sizes ${planBatchSizes.join(', ')}`);
      if (variant.cluster.batching && !batches)
        return {
          skipped: `the plan placed for CenterNet does not batch (batch sizes ${planBatchSizes.join(', ')})`,
          planBatchSizes,
        };
    }
    const steps: CapacityStep[] = [];
    let firstCameraP50Ms: number | null = null;
    for (let cameras = 1; cameras <= options.maxCameras; cameras++) {
      await post(base, '/api/cameras', { id: `cam${cameras}`, url: CAMERA_URL, fps: CAMERA_FPS, model: 'centernet' });
      options.progress(`${variant.name}: ${cameras} camera(s)…\n`);
      await sleep(options.warmupS * 1000);
      const before = await frameCounts(base);
      await sleep(options.stepS * 1000);
      const after = await frameCounts(base);
      const step = capacityStep(cameras, before, after, options.stepS);
      steps.push(step);
      if (cameras === 1) {
        const stats = (await (await fetch(`${base}/api/stats`)).json()) as StatsResponse;
        firstCameraP50Ms = stats.cameraDetection.find((c) => c.camera === 'cam1')?.latencyP50Ms ?? null;
      }
      if (!step.served) break;
    }
    const served = steps.filter((s) => s.served).at(-1);
    return {
      capacityFps: served?.offeredFps ?? 0,
      capacityCameras: served?.cameras ?? 0,
      servedFps: served?.analysedFps ?? 0,
      detector: variant.cluster
        ? `1 local worker, ${threads} threads (${cpuDeviceClass(threads)})`
        : 'in-process, 1 intra-op thread',
      ...(planBatchSizes ? { planBatchSizes } : {}),
      firstCameraP50Ms,
      steps,
    };
  } finally {
    await appliance.stop();
  }
}

/** The profile the cluster plans from, measured as the appliance's first start does but at the variant's batches. */
async function measureProfile(
  modelFile: string,
  threads: number,
  maxBatch: number,
  profilesDir: string,
): Promise<void> {
  for (const blocks of [10, 5, 2]) {
    try {
      await profileModelToFolder(
        {
          file: modelFile,
          device: { kind: 'cpu', threads },
          deviceClass: cpuDeviceClass(threads),
          maxBatch,
          blocks,
          warmup: 2,
          repeats: 5,
        },
        profilesDir,
      );
      return;
    } catch (error) {
      if (!(error instanceof PrepartitionInfeasibleError)) throw error;
    }
  }
  throw new Error(`no balanced split of ${modelFile} into 10, 5 or 2 blocks was measured`);
}

/** The plan as /api/plan shows it, once the local worker has loaded it. */
async function placedPlan(appliance: Appliance, base: string): Promise<NonNullable<PlanResponse['plan']>> {
  const started = performance.now();
  while (!appliance.clusterHead?.placedPlan) {
    if (performance.now() - started > 120_000) throw new Error('the cluster placed no plan within 120 s');
    await sleep(200);
  }
  const { plan } = (await (await fetch(`${base}/api/plan`)).json()) as PlanResponse;
  if (!plan) throw new Error('the cluster placed a plan but /api/plan shows none');
  return plan;
}

async function post(base: string, route: string, body: object): Promise<void> {
  const response = await fetch(base + route, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`POST ${route}: ${response.status} ${await response.text()}`);
}

/** Per camera, the cumulative counters of /metrics: frames skipped at the camera, analysed, and within the SLO. */
type FrameCounts = Map<string, { decoded: number; skipped: number; analysed: number; met: number }>;

async function frameCounts(base: string): Promise<FrameCounts> {
  const text = await (await fetch(`${base}/metrics`)).text();
  const byCamera = (name: string): Map<string, number> => {
    const values = new Map<string, number>();
    for (const match of text.matchAll(new RegExp(`^${name}\\{camera="([^"]+)"\\} (\\S+)$`, 'gm')))
      values.set(match[1]!, Number(match[2]));
    return values;
  };
  const decoded = byCamera('ppipe_camera_frames_total');
  const skipped = byCamera('ppipe_camera_skipped_frames_total');
  const analysed = byCamera('ppipe_analysed_frames_total');
  const attainment = byCamera('ppipe_slo_attainment_ratio');
  const counts: FrameCounts = new Map();
  for (const [camera, frames] of decoded)
    counts.set(camera, {
      decoded: frames,
      skipped: skipped.get(camera) ?? 0,
      analysed: analysed.get(camera) ?? 0,
      // The gauge is met / analysed since the start; times the analysed count it is the count met.
      met: Math.round((attainment.get(camera) ?? 0) * (analysed.get(camera) ?? 0)),
    });
  return counts;
}

function capacityStep(cameras: number, before: FrameCounts, after: FrameCounts, seconds: number): CapacityStep {
  let decoded = 0;
  let skipped = 0;
  let analysed = 0;
  let met = 0;
  for (const [camera, end] of after) {
    const start = before.get(camera) ?? { decoded: 0, skipped: 0, analysed: 0, met: 0 };
    decoded += end.decoded - start.decoded;
    skipped += end.skipped - start.skipped;
    analysed += end.analysed - start.analysed;
    met += end.met - start.met;
  }
  const counted = analysed + skipped;
  const offeredFps = cameras * CAMERA_FPS;
  const attainment = counted === 0 ? 0 : round(met / counted, 4);
  return {
    cameras,
    offeredFps,
    decodedFps: round(decoded / seconds),
    analysedFps: round(analysed / seconds),
    attainment,
    served: attainment >= REQUIRED_ATTAINMENT && decoded / seconds >= REQUIRED_INTAKE * offeredFps,
    framesCounted: counted,
    framesSkipped: skipped,
  };
}
