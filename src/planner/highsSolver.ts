/**
 * HiGHS in worker threads with a hard time limit. Branch-and-bound times vary a lot with the search path,
 * so by default a solve still running after RACE_AFTER_MS is raced by a second worker (one per core, at
 * most 2) with different settings and a different seed (highsWorker.mjs). The first to finish wins; it
 * flags the others through shared memory and they interrupt themselves (a portfolio, as concurrent MIP
 * solvers do). HiGHS gets the time limit itself; a watchdog ends a worker that overruns. Workers outlive
 * their solver: `stop()` hands them to the process's idle pool for the next one. Both sizes are settings
 * that the top floor passes in once at start (`configureHighs`); nothing here reads the environment.
 */
import os from 'node:os';
import { Worker } from 'node:worker_threads';

export interface SolveRequest {
  readonly id: number;
  /** The model in CPLEX LP format. */
  readonly lp: string;
  readonly timeLimitS: number;
  readonly mipRelGap: number;
}

export interface SolveReply {
  readonly id: number;
  readonly status: 'optimal' | 'time_limit' | 'infeasible' | 'interrupted' | 'error';
  readonly objective: number | undefined;
  /** Non-zero column values by name. */
  readonly values: Readonly<Record<string, number>>;
  readonly mipGap: number | undefined;
  readonly dualBound: number | undefined;
  readonly solverSeconds: number;
}

const GRACE_S = 2;
/** A solve still running after this long gets the rest of the portfolio racing it. */
const RACE_AFTER_MS = 300;

/**
 * Workers idle in this process, kept for the next solver: starting one (thread, HiGHS instance) costs about
 * 0.2 s, which a process that plans again and again (the controller, the reproduction, the benchmarks)
 * should pay once. A one-shot `ppipe plan` pays it as before.
 */
const idleWorkers: Worker[] = [];

/** The process's HiGHS settings; unset ones take their defaults. */
export interface HighsSettings {
  /** Workers in a solver's portfolio (1 turns the race off); default one per core, at most 2. */
  readonly workers?: number;
  /** Workers kept idle in this process for the next solver (0 ends them with their solver); default 2. */
  readonly idleWorkers?: number;
}

const DEFAULT_HIGHS_IDLE_WORKERS = 2;

let settings: HighsSettings = {};

/** Sets the process's HiGHS settings (the command line does, once at start, from its environment). */
export function configureHighs(next: HighsSettings): void {
  settings = { ...next };
}

/** What a worker gets with each request: the portfolio slot's settings and the solve's shared stop flag. */
interface WorkerRequest extends SolveRequest {
  readonly variant: number;
  readonly seed: number;
  readonly stop: SharedArrayBuffer;
}

let nextRequestId = 1;

export class HighsSolver {
  private workers: Worker[] = [];
  /** How many workers race a slow solve (1: no race). */
  readonly portfolio: number;

  constructor(options: { portfolio?: number } = {}) {
    const workers = options.portfolio ?? settings.workers ?? Math.min(2, os.availableParallelism());
    this.portfolio = Math.max(1, workers);
  }

  /** Starts the first worker and loads HiGHS, so the first solve does not pay for it (optional). */
  start(): void {
    this.ensureWorkers(1);
  }

  /** Hands the workers back to the process's idle pool (up to its size; the rest end). */
  async stop(): Promise<void> {
    const workers = this.workers;
    this.workers = [];
    const ending: Array<Promise<number>> = [];
    const maxIdle = Math.max(0, settings.idleWorkers ?? DEFAULT_HIGHS_IDLE_WORKERS);
    for (const worker of workers) {
      if (idleWorkers.length < maxIdle) idleWorkers.push(worker);
      else ending.push(worker.terminate());
    }
    await Promise.all(ending);
  }

  private ensureWorkers(count: number): Worker[] {
    // A worker ended elsewhere (a watchdog of the solver that raced on it before) is no use: threadId −1.
    this.workers = this.workers.filter((w) => w.threadId >= 0);
    while (this.workers.length < count) {
      let worker = idleWorkers.pop();
      if (worker && worker.threadId < 0) continue;
      if (!worker) {
        worker = new Worker(new URL('./highsWorker.mjs', import.meta.url));
        worker.unref();
      }
      this.workers.push(worker);
    }
    return this.workers;
  }

  private drop(worker: Worker): void {
    this.workers = this.workers.filter((w) => w !== worker);
    const idle = idleWorkers.indexOf(worker);
    if (idle >= 0) idleWorkers.splice(idle, 1);
    void worker.terminate();
  }

  /** One worker's reply for request `id`; a worker that fails or overruns resolves as an error/time limit. */
  private ask(worker: Worker, request: WorkerRequest): Promise<SolveReply> {
    return new Promise<SolveReply>((resolve) => {
      const cleanup = (): void => {
        clearTimeout(watchdog);
        worker.off('message', onMessage);
        worker.off('error', onFailure);
        worker.off('exit', onFailure);
      };
      const failed = (status: SolveReply['status']): SolveReply => ({
        id: request.id,
        status,
        objective: undefined,
        values: {},
        mipGap: undefined,
        dualBound: undefined,
        solverSeconds: request.timeLimitS,
      });
      const onMessage = (reply: SolveReply | { id: number; error: string }): void => {
        if (reply.id !== request.id) return;
        cleanup();
        resolve('error' in reply ? failed('error') : reply);
      };
      const onFailure = (): void => {
        cleanup();
        this.drop(worker);
        resolve(failed('error'));
      };
      const watchdog = setTimeout(
        () => {
          cleanup();
          this.drop(worker);
          resolve(failed('time_limit'));
        },
        (request.timeLimitS + GRACE_S) * 1000,
      );
      worker.on('message', onMessage);
      worker.on('error', onFailure);
      worker.on('exit', onFailure);
      worker.postMessage(request);
    });
  }

  async solve(input: Omit<SolveRequest, 'id'>): Promise<SolveReply> {
    const request: SolveRequest = { ...input, id: nextRequestId++ };
    // This solve's own flag: set once a proof is in, so that its other racers interrupt themselves.
    const stop = new Int32Array(new SharedArrayBuffer(4));
    const slot = (index: number, timeLimitS: number): WorkerRequest => ({
      ...request,
      timeLimitS,
      variant: index,
      seed: index * 7919,
      stop: stop.buffer as SharedArrayBuffer,
    });
    const started = performance.now();
    const replies = [this.ask(this.ensureWorkers(1)[0]!, slot(0, request.timeLimitS))];
    const proof = (reply: Promise<SolveReply>): Promise<SolveReply> =>
      reply.then((r) =>
        r.status === 'optimal' || r.status === 'infeasible' ? r : new Promise<never>(() => undefined),
      );
    // Most models are proved before the race would pay for a second HiGHS instance; only slower ones get it.
    let timer: NodeJS.Timeout | undefined;
    const early = await Promise.race([
      proof(replies[0]!),
      replies[0]!.then(() => 'done' as const),
      new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), RACE_AFTER_MS))),
    ]);
    clearTimeout(timer);
    if (typeof early !== 'string') return early;
    if (early === 'late') {
      const remainingS = Math.max(0.05, request.timeLimitS - (performance.now() - started) / 1000);
      this.ensureWorkers(this.portfolio).forEach((worker, index) => {
        if (index > 0) replies.push(this.ask(worker, slot(index, remainingS)));
      });
    }
    // The first proof (optimal or infeasible) wins and interrupts the rest; otherwise the best incumbent.
    const decisive = await Promise.race([...replies.map(proof), Promise.all(replies).then(() => undefined)]);
    if (decisive) {
      // The others interrupt themselves at their next check; waiting for them would only add their
      // start-up time (a racer that joined late may still be loading HiGHS).
      Atomics.store(stop, 0, 1);
      return decisive;
    }
    const all = await Promise.all(replies);
    const withIncumbent = all.filter((r) => r.objective !== undefined).sort((a, b) => b.objective! - a.objective!);
    return withIncumbent[0] ?? all.find((r) => r.status !== 'error') ?? all[0]!;
  }
}
