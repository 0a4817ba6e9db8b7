/**
 * The commands of `ppipe`, each with its one-line summary and a loader: the command line loads only the command it
 * runs, so that a worker process (restarted after a crash) starts without compiling every other command.
 */
import type { CommandIo } from './io.ts';

export type CommandRun = (argv: string[], io: CommandIo) => number | Promise<number>;
export type CommandEntry = { summary: string; load: () => Promise<CommandRun> };

export const COMMANDS: Record<string, CommandEntry> = {
  start: {
    summary: 'start the appliance: print the plan of the configured cluster, then serve cameras and detections',
    load: () => import('./start.ts').then((m) => m.runStartCommand),
  },
  serve: {
    summary: 'run the appliance: cameras, detection, SQLite log, HTTP API, live feed, metrics',
    load: () => import('./serve.ts').then((m) => m.runServeCommand),
  },
  plan: {
    summary: 'plan a problem file with PPipe, NP or DART-r (HiGHS MILP)',
    load: () => import('./plan.ts').then((m) => m.runPlanCommand),
  },
  check: {
    summary: 'validate a plan against a problem (recomputes every number)',
    load: () => import('./check.ts').then((m) => m.runCheckCommand),
  },
  sim: {
    summary: 'simulate one DNN of a plan under load (reservation or reactive scheduler)',
    load: () => import('./sim.ts').then((m) => m.runSimCommand),
  },
  sweep: {
    summary: 'sweep load factors 1.00 → 0.05 and report the largest with ≥ 99% attainment',
    load: () => import('./sweep.ts').then((m) => m.runSweepCommand),
  },
  reproduce: {
    summary: "reproduce the paper's Fig. 6, 8 and 10 (plans + simulated sweeps) as a Markdown report with SVG charts",
    load: () => import('./reproduce.ts').then((m) => m.runReproduceCommand),
  },
  split: {
    summary: 'split an ONNX model into runnable partitions (part-N.onnx + manifest.json)',
    load: () => import('./split.ts').then((m) => m.runSplitCommand),
  },
  convert: {
    summary: 'convert a TensorFlow.js graph model (model.json + .bin shards) to ONNX opset 17',
    load: () => import('./convert.ts').then((m) => m.runConvertCommand),
  },
  detect: {
    summary: 'detect objects in PNG or JPEG files with a configured model or an ONNX file (the product path)',
    load: () => import('./detect.ts').then((m) => m.runDetectCommand),
  },
  profile: {
    summary: 'profile an ONNX model per block and batch size on the local device (our profile format)',
    load: () => import('./profile.ts').then((m) => m.runProfileCommand),
  },
  worker: {
    summary: 'run a worker node: announce over MQTT, load the assigned partitions, serve batches on tensor links',
    load: () => import('./worker.ts').then((m) => m.runWorkerCommand),
  },
  cluster: {
    summary: 'control-plane tools for an external broker: `cluster acl` writes its topic ACL for mosquitto',
    load: () => import('./cluster.ts').then((m) => m.runClusterCommand),
  },
  'cluster-bench': {
    summary: 'emulated PPipe testbed (4 L4 + 12 P4) in separate processes: max load factor of PPipe and NP',
    load: () => import('./clusterBench.ts').then((m) => m.runClusterBench),
  },
  soak: {
    summary: 'run the appliance under test cameras for a while: frames lost, memory and descriptor growth (JSON)',
    load: () => import('./soak.ts').then((m) => m.runSoakCommand),
  },
  prepartition: {
    summary: 'cut a model into blocks that minimise transferred bytes (writes the artifact CSVs)',
    load: () => import('./prepartition.ts').then((m) => m.runPrepartitionCommand),
  },
};
