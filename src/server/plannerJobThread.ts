/**
 * Runs one planner job in its own worker thread with a hard time limit: HiGHS, the simulator and the chart
 * renderer then never hold the HTTP server's thread, and a job that overruns or is aborted is ended whole.
 */
import { Worker } from 'node:worker_threads';
import type { PlannerJobResult, PlannerJobSpec, ProgressListener } from './plannerJobRun.ts';

type WorkerMessage =
  | { type: 'progress'; progress: number; step: string }
  | { type: 'done'; result: PlannerJobResult }
  | { type: 'failed'; error: string };

export function runPlannerJobInWorker(
  spec: PlannerJobSpec,
  options: { timeLimitMs: number; signal: AbortSignal; onProgress: ProgressListener },
): Promise<PlannerJobResult> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./plannerJobWorker.mjs', import.meta.url), { workerData: spec });
    let settled = false;
    const finish = (outcome: { result: PlannerJobResult } | { error: Error }): void => {
      if (settled) return;
      settled = true;
      clearTimeout(watchdog);
      options.signal.removeEventListener('abort', abort);
      void worker.terminate();
      if ('result' in outcome) resolve(outcome.result);
      else reject(outcome.error);
    };
    const watchdog = setTimeout(
      () => finish({ error: new Error(`the job took longer than its limit of ${options.timeLimitMs / 1000} s`) }),
      options.timeLimitMs,
    );
    const abort = (): void => finish({ error: new Error('the job was stopped: the appliance is shutting down') });
    if (options.signal.aborted) abort();
    options.signal.addEventListener('abort', abort);
    worker.on('message', (message: WorkerMessage) => {
      if (message.type === 'progress') options.onProgress(message.progress, message.step);
      else if (message.type === 'done') finish({ result: message.result });
      else finish({ error: new Error(message.error) });
    });
    worker.on('error', (error) => finish({ error }));
    worker.on('exit', (code) => finish({ error: new Error(`the job's worker thread exited (code ${code})`) }));
  });
}
