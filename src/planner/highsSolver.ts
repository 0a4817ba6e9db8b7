/**
 * HiGHS in a worker thread with a hard time limit. HiGHS gets the limit itself; a watchdog terminates the
 * worker if it overruns by more than a grace period, so a plan command never hangs.
 */
import { Worker } from 'node:worker_threads';

export interface SolveRequest {
  readonly id: number;
  /** The model in CPLEX LP format. */
  readonly lp: string;
  readonly timeLimitS: number;
  readonly mipRelGap: number;
  /** A feasible starting solution by column name (others 0), to seed the incumbent. */
  readonly start?: Readonly<Record<string, number>>;
}

export interface SolveReply {
  readonly id: number;
  readonly status: 'optimal' | 'time_limit' | 'infeasible' | 'error';
  readonly objective: number | undefined;
  /** Non-zero column values by name. */
  readonly values: Readonly<Record<string, number>>;
  readonly mipGap: number | undefined;
  readonly dualBound: number | undefined;
  readonly solverSeconds: number;
}

const GRACE_S = 2;

export class HighsSolver {
  private worker: Worker | undefined;
  private nextId = 1;

  /** Starts the worker and loads HiGHS, so the first solve does not pay for it (optional). */
  start(): void {
    this.ensureWorker();
  }

  async stop(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    if (worker) await worker.terminate();
  }

  private ensureWorker(): Worker {
    if (!this.worker) {
      this.worker = new Worker(new URL('./highsWorker.mjs', import.meta.url));
      this.worker.unref();
    }
    return this.worker;
  }

  solve(request: Omit<SolveRequest, 'id'>): Promise<SolveReply> {
    const worker = this.ensureWorker();
    const id = this.nextId++;
    return new Promise<SolveReply>((resolve, reject) => {
      const cleanup = (): void => {
        clearTimeout(watchdog);
        worker.off('message', onMessage);
        worker.off('error', onError);
        worker.off('exit', onExit);
      };
      const onMessage = (reply: SolveReply | { id: number; error: string }): void => {
        if (reply.id !== id) return;
        cleanup();
        if ('error' in reply) reject(new Error(`HiGHS failed: ${reply.error}`));
        else resolve(reply);
      };
      const onError = (error: Error): void => {
        cleanup();
        this.worker = undefined;
        reject(error);
      };
      const onExit = (code: number): void => {
        cleanup();
        this.worker = undefined;
        reject(new Error(`HiGHS worker exited with code ${code}`));
      };
      const watchdog = setTimeout(() => {
        cleanup();
        this.worker = undefined;
        void worker.terminate();
        resolve({ id, status: 'time_limit', objective: undefined, values: {}, mipGap: undefined, dualBound: undefined, solverSeconds: request.timeLimitS + GRACE_S });
      }, (request.timeLimitS + GRACE_S) * 1000);
      worker.on('message', onMessage);
      worker.on('error', onError);
      worker.on('exit', onExit);
      worker.postMessage({ ...request, id } satisfies SolveRequest);
    });
  }
}
