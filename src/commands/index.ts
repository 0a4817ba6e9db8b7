// The commands room, the top floor: one file per `ppipe` command. Each parses its argv, calls the rooms'
// functions and prints; nothing below imports it.
export type { CommandIo } from './io.ts';
export { applyEnvironment } from './environment.ts';
export { runCheckCommand } from './check.ts';
export { runPlanCommand } from './plan.ts';
export { runPrepartitionCommand } from './prepartition.ts';
export { runProfileCommand } from './profile.ts';
export { runSplitCommand } from './split.ts';
export { runReproduceCommand } from './reproduce.ts';
export { runServeCommand } from './serve.ts';
export { runSimCommand } from './sim.ts';
export { runSweepCommand } from './sweep.ts';
export { runStartCommand } from './start.ts';
export { runWorkerCommand } from './worker.ts';
export { runClusterBench } from './clusterBench.ts';
export { runSoakCommand } from './soak.ts';
export { runClusterCommand } from './cluster.ts';
