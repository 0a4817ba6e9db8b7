/**
 * The simulator room: a seeded integer-µs discrete-event engine that drives the data plane's schedulers
 * on a virtual clock, arrival processes (Poisson, Gamma, folded traces), emulated workers and NICs,
 * metrics, load-factor sweeps and the `ppipe sim` / `ppipe sweep` commands.
 */
export type { ArrivalProcess, ArrivalSpec } from './arrivals.ts';
export {
  arrivalProcess,
  foldTraceGapsUs,
  gammaArrivals,
  parseTraceCsv,
  poissonArrivals,
  traceArrivals,
} from './arrivals.ts';
export { EventQueue } from './eventQueue.ts';
export { Prng } from './prng.ts';
export type { Percentiles, SchedulerKind, SimOptions, SimResult } from './simulator.ts';
export { createScheduler, percentiles, simulate } from './simulator.ts';
export type { SweepOptions, SweepPoint, SweepResult } from './sweep.ts';
export { sweep } from './sweep.ts';
export { reproduce } from './reproduce.ts';
export { reproduceEdge } from './edgeReproduce.ts';
export { groupedBars, renderSvg } from './charts.ts';
