/**
 * One worker node as the life of a process (`ppipe worker` wires it): the node's options with their process
 * defaults, its logger, start, serve until told to stop, and a stop that cannot hang the process.
 */
import { pino } from 'pino';
import type { Logger } from 'pino';
import type { WorkerOptions } from './worker.ts';
import { WorkerNode, defaultCacheDir } from './worker.ts';

/** A worker's options where the process supplies the defaults of `id` and `cacheDir`. */
export type WorkerProcessOptions = Omit<WorkerOptions, 'id' | 'cacheDir'> & { id?: string; cacheDir?: string };

export interface WorkerRun {
  /** Resolves when the node should stop (a signal, its supervisor gone). */
  readonly stopRequested: Promise<void>;
  /** Called once the node has started (the caller may then stop it gracefully instead of exiting). */
  readonly onStarted?: () => void;
  /** Called when a stop has not finished within 5 s (e.g. to exit the process). */
  readonly onStopTimeout: () => void;
}

/** The node's options: id `<device-class>-<pid>` and the shared model cache in the temp folder by default. */
export function workerNodeOptions(options: WorkerProcessOptions): WorkerOptions {
  const id = options.id ?? `${options.deviceClass}-${process.pid}`;
  return { ...options, id, cacheDir: options.cacheDir ?? defaultCacheDir() };
}

/**
 * Runs one worker node (bus, tensor link server and pool, model cache: see WorkerNode) with a pino logger on
 * stderr until `stopRequested`, then says `offline` and stops it.
 */
export async function runWorkerProcess(options: WorkerProcessOptions, run: WorkerRun): Promise<void> {
  const nodeOptions = workerNodeOptions(options);
  const log: Logger = pino({ base: { node: nodeOptions.id } }, pino.destination(2));
  const worker = new WorkerNode(nodeOptions, log);
  await worker.start();
  run.onStarted?.();
  await run.stopRequested;
  // Whatever a vanished broker or peer leaves pending, a worker told to stop ends within a few seconds.
  const forced = setTimeout(() => {
    log.warn('stop did not finish within 5 s; exiting');
    run.onStopTimeout();
  }, 5000);
  forced.unref();
  await worker.stop();
  clearTimeout(forced);
}
