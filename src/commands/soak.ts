/**
 * `ppipe soak`: the appliance under a steady load for a while, to show that every frame is accounted for and
 * that memory and file descriptors stay flat. It runs the shipped configuration in this process, in a
 * temporary data folder, with test cameras in place of the configured ones and detection on one local worker;
 * counts come from the cluster frontend (every frame submitted for detection goes through it), process sizes
 * from /proc. Contract: stdout holds exactly one JSON object, progress goes to stderr.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { Appliance } from '../appliance.ts';
import type { AppConfig, CameraConfig } from '../config/index.ts';
import { cameraConfigSchema, loadAppConfig } from '../config/index.ts';
import type { CommandIo } from './io.ts';
import { UsageError, errorText, parseCount, reportFailure } from './io.ts';
import { ProcessSampler, growthAfterWarmup } from './processSamples.ts';
import { DEFAULT_CONFIG } from './serve.ts';

export const SOAK_USAGE = `Usage: ppipe soak [--minutes M] [--cameras N] [--fps F] [--model ID] [--json]

Runs the appliance under a steady load and reports whether every frame was accounted for and whether memory
and open file descriptors stayed flat. The shipped configuration (config/default.yaml) runs in this process
in a temporary data folder (removed afterwards; DATA_DIR and PORT are not used), the HTTP server on a free
loopback port, with N test cameras (lavfi:testsrc2, 640x480, F fps) in place of the configured ones and
detection through the cluster on one local worker. The first 20% of the run (at least 10 s) is warm-up; the
resident memory and open descriptors of the appliance and of every worker are sampled every 5 s.
Linux only: processes are read from /proc.

Prints one JSON object on stdout (progress on stderr):
  requests      frames submitted for detection
  served        frames answered, on time or late
  late          frames answered after their SLO (part of served)
  dropped       frames the cluster dropped and counted
  lost          requests − served − dropped: submitted, never answered nor counted
  memoryGrowth  largest growth of a process's resident memory after the warm-up (last / first − 1; 0.05 is 5%)
  fdGrowth      largest growth in open descriptors of a process after the warm-up (last − first)
  restarts      worker restarts (a restarted worker is measured as a new process)
Exit codes: 0 when lost is 0, memoryGrowth ≤ 0.10 and frames were served; 1 otherwise, or when the appliance
could not start or the run was interrupted; 2 bad usage or not Linux.

Options:
  --minutes M   the run, warm-up included, in minutes; may be fractional, at least 0.25 (default 10)
  --cameras N   test cameras (default 4)
  --fps F       frames per second of each camera, at most 120 (default 5)
  --model ID    a model of the default configuration (default: its first)
  --json        accepted; stdout is always exactly one JSON object`;

export interface SoakSettings {
  readonly minutes: number;
  readonly cameras: number;
  readonly fps: number;
  readonly model: string | undefined;
}

const SAMPLE_INTERVAL_MS = 5000;
const MIN_WARMUP_MS = 10_000;
const WARMUP_SHARE = 0.2;
/** The shortest run: the minimum warm-up and one sampling interval after it. */
const MIN_MINUTES = (MIN_WARMUP_MS + SAMPLE_INTERVAL_MS) / 60_000;
/** A week: bounded only so that a typo does not start a run of months. */
const MAX_MINUTES = 7 * 24 * 60;
/** The soak passes while no process grows by more than this. */
const MAX_MEMORY_GROWTH = 0.1;
/** How long the first plan may take (on a first start the local worker's device is profiled before). */
const PLAN_WAIT_MS = 60_000;
/** How long stopping the cameras may take to collect the answers of the frames still in detection. */
const DRAIN_MS = 15_000;
const TEST_FRAME = { width: 640, height: 480 };

const OPTIONS = {
  minutes: { type: 'string', default: '10' },
  cameras: { type: 'string', default: '4' },
  fps: { type: 'string', default: '5' },
  model: { type: 'string' },
  json: { type: 'boolean', default: false },
  help: { type: 'boolean', default: false },
} as const;

/** The settings of a run from argv, 'help', or a UsageError. */
export function parseSoakArgs(argv: string[]): SoakSettings | 'help' {
  let values;
  try {
    ({ values } = parseArgs({ args: argv, options: OPTIONS }));
  } catch (error) {
    throw new UsageError(errorText(error));
  }
  if (values.help) return 'help';
  const minutes = Number(values.minutes);
  if (values.minutes.trim() === '' || !(minutes >= MIN_MINUTES && minutes <= MAX_MINUTES))
    throw new UsageError(
      `--minutes expects a number of minutes from ${MIN_MINUTES} (a warm-up of ${MIN_WARMUP_MS / 1000} s and one ` +
        `sample after it) to ${MAX_MINUTES}, got "${values.minutes}"`,
    );
  const cameras = parseCount('--cameras', values.cameras, 1);
  // A plain decimal: the camera URL carries it, and lavfi options admit letters, digits, '.' and 'x' only.
  const fps = Number(values.fps);
  if (!/^\d+(\.\d+)?$/.test(values.fps) || !(fps > 0 && fps <= 120))
    throw new UsageError(
      `--fps expects frames per second, a decimal number above 0 and at most 120, got "${values.fps}"`,
    );
  return { minutes, cameras, fps, model: values.model };
}

/** The default configuration with the soak's cameras, a free loopback port and one local worker. */
export function soakConfig(defaults: AppConfig, settings: SoakSettings, defaultsFile: string): AppConfig {
  const model =
    settings.model === undefined ? defaults.models[0] : defaults.models.find((m) => m.id === settings.model);
  if (!model)
    throw new UsageError(
      `--model: "${settings.model}" is not a model of ${defaultsFile}; its models are ` +
        defaults.models.map((m) => m.id).join(', '),
    );
  if (!defaults.cluster)
    throw new UsageError(`${defaultsFile} has no cluster section: the soak measures detection through the cluster`);
  // through the schema, so that every camera field a later version adds gets its default
  const cameras: CameraConfig[] = Array.from({ length: settings.cameras }, (_, i) =>
    cameraConfigSchema.parse({
      id: `soak-${i + 1}`,
      name: `Soak test source ${i + 1}`,
      url: `lavfi:testsrc2=size=${TEST_FRAME.width}x${TEST_FRAME.height}:rate=${settings.fps}`,
      fps: settings.fps,
      ...TEST_FRAME,
      model: model.id,
      enabled: true,
    }),
  );
  return {
    ...defaults,
    cameras,
    // Only the model measured: the cluster profiles every configured model before it serves.
    models: [model],
    server: { ...defaults.server, host: '127.0.0.1', port: 0 },
    cluster: { ...defaults.cluster, localWorkers: 1 },
    // A soak publishes no events to a home-automation broker.
    mqtt: undefined,
  };
}

/** When samples are taken, ms from the start: every interval, at the end of the warm-up and at the end. */
export function sampleTimesMs(durationMs: number, warmupMs: number, intervalMs = SAMPLE_INTERVAL_MS): number[] {
  const times = new Set<number>([warmupMs, durationMs]);
  for (let t = 0; t < durationMs; t += intervalMs) times.add(t);
  return [...times].sort((a, b) => a - b);
}

export async function runSoakCommand(argv: string[], io: CommandIo): Promise<number> {
  let settings: SoakSettings | 'help';
  let config: AppConfig;
  try {
    settings = parseSoakArgs(argv);
    if (settings === 'help') {
      io.stdout(`${SOAK_USAGE}\n`);
      return 0;
    }
    if (process.platform !== 'linux') {
      io.stderr(`ppipe soak: Linux only (processes are sampled from /proc); this is ${process.platform}\n`);
      return 2;
    }
    config = soakConfig(loadAppConfig(DEFAULT_CONFIG), settings, DEFAULT_CONFIG);
  } catch (error) {
    if (error instanceof UsageError) return reportFailure(error, io, `${SOAK_USAGE}\n`);
    io.stderr(`ppipe soak: ${errorText(error)}\n`);
    return 1;
  }
  const dataDir = mkdtempSync(path.join(tmpdir(), 'ppipe-soak-'));
  try {
    return await soak(config, dataDir, settings, io);
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function soak(config: AppConfig, dataDir: string, settings: SoakSettings, io: CommandIo): Promise<number> {
  const appliance = new Appliance({
    configFile: DEFAULT_CONFIG,
    editConfigFile: path.join(dataDir, 'config.yaml'),
    config,
    dataDir,
    port: 0,
    logger: pino({ name: 'ppipe', level: 'warn' }, pino.destination(2)),
    onProgress: (text) => io.stderr(text),
  });
  const interrupt = new AbortController();
  const onSignal = (): void => interrupt.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    try {
      await appliance.start();
    } catch (error) {
      io.stderr(`ppipe soak: the appliance did not start: ${errorText(error)}\n`);
      return 1;
    }
    const head = appliance.clusterHead!;
    const model = config.cameras[0]!.model;
    io.stderr(
      `soak: appliance on http://127.0.0.1:${appliance.port}, ${settings.cameras} camera(s) at ${settings.fps} fps, ` +
        `model ${model}, data in ${dataDir}\n`,
    );
    await appliance.whenPlanned(PLAN_WAIT_MS);
    if (!appliance.startupReport().plan)
      io.stderr(`soak: no plan after ${PLAN_WAIT_MS / 1000} s; running anyway (frames are dropped until one)\n`);

    const durationMs = settings.minutes * 60_000;
    const warmupMs = Math.max(WARMUP_SHARE * durationMs, MIN_WARMUP_MS);
    const sampler = new ProcessSampler();
    const startedMs = performance.now();
    let interrupted = false;
    for (const atMs of sampleTimesMs(durationMs, warmupMs)) {
      try {
        await sleep(Math.max(0, startedMs + atMs - performance.now()), undefined, { signal: interrupt.signal });
      } catch {
        interrupted = true;
        break;
      }
      const workers = head.workers().flatMap((w) => (w.pid === null ? [] : [{ name: w.id, pid: w.pid }]));
      sampler.sample([{ name: 'appliance', pid: process.pid }, ...workers], atMs);
      io.stderr(progressLine(atMs, durationMs, warmupMs, head.frontend.stats(), sampler));
    }

    // Frames in flight at the end are awaited, not forgotten: stopping the cameras waits for each camera's
    // frame in detection to be answered (the frontend answers every request it took, served or dropped once
    // its batch is given up), and only then are the counters read. A frame still unanswered after DRAIN_MS
    // stays in `requests` and shows as lost.
    const cancelDrainTimer = new AbortController();
    const drained = await Promise.race([
      appliance.cameras.stop().then(() => true),
      sleep(DRAIN_MS, false, { signal: cancelDrainTimer.signal }).catch(() => false),
    ]);
    cancelDrainTimer.abort();
    if (!drained) io.stderr(`soak: frames still in detection ${DRAIN_MS / 1000} s after the cameras stopped\n`);
    const counts = head.frontend.stats();
    const restarts = head.workers().reduce((sum, worker) => sum + worker.restarts, 0);
    if (interrupted) {
      io.stderr('ppipe soak: interrupted; no report\n');
      return 1;
    }

    const growth = growthAfterWarmup(sampler.series, warmupMs);
    const report = {
      requests: counts.requests,
      served: counts.completed,
      late: counts.late,
      dropped: counts.dropped,
      lost: counts.requests - counts.completed - counts.dropped,
      memoryGrowth: Number(growth.memoryGrowth.toFixed(4)),
      fdGrowth: growth.fdGrowth,
      restarts,
      minutes: settings.minutes,
      cameras: settings.cameras,
      fps: settings.fps,
      model,
      warmupS: warmupMs / 1000,
      processes: growth.processes.map((p) => ({
        name: p.name,
        pid: p.pid,
        samples: p.samples,
        rssFirstMb: megabytes(p.rssFirstBytes),
        rssLastMb: megabytes(p.rssLastBytes),
        fdsFirst: p.fdsFirst,
        fdsLast: p.fdsLast,
      })),
    };
    io.stdout(`${JSON.stringify(report)}\n`);
    // A run that served nothing measured nothing: it does not pass.
    return report.lost === 0 && report.memoryGrowth <= MAX_MEMORY_GROWTH && report.served > 0 ? 0 : 1;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await appliance.stop();
  }
}

function megabytes(bytes: number): number {
  return Number((bytes / 2 ** 20).toFixed(1));
}

function progressLine(
  atMs: number,
  durationMs: number,
  warmupMs: number,
  counts: { requests: number; completed: number; late: number; dropped: number },
  sampler: ProcessSampler,
): string {
  const latest = sampler.series
    .filter((series) => series.samples.at(-1)?.atMs === atMs)
    .map((series) => {
      const sample = series.samples.at(-1)!;
      return `${series.name} ${megabytes(sample.rssBytes)} MB ${sample.openFds} fds`;
    });
  const phase = atMs < warmupMs ? ' (warm-up)' : '';
  return (
    `soak ${Math.round(atMs / 1000)}/${Math.round(durationMs / 1000)} s${phase}: requests ${counts.requests}, ` +
    `served ${counts.completed} (late ${counts.late}), dropped ${counts.dropped}; ${latest.join(', ')}\n`
  );
}
