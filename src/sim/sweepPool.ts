/** Runs sweep tasks on a pool of worker threads, one per core, and reports each result as it lands. */
import os from 'node:os';
import { Worker } from 'node:worker_threads';
import type { EdgeSweepResult, EdgeSweepTask } from './edgeSweep.ts';
import type { SweepTask, SweepTaskResult } from './sweepTask.ts';

type Reply<R> = { ok: true; result: R } | { ok: false; id: number; error: string };

/** Load-factor sweeps (SweepTask) or edge-to-cloud sweeps (EdgeSweepTask, `kind: 'edge'`). */
export async function runSweepPool<
  T extends SweepTask | EdgeSweepTask,
  R extends SweepTaskResult | EdgeSweepResult = T extends EdgeSweepTask ? EdgeSweepResult : SweepTaskResult,
>(
  tasks: ReadonlyArray<T>,
  options: { workers?: number; onResult?: (result: R, done: number) => void } = {},
): Promise<R[]> {
  const size = Math.max(1, Math.min(options.workers ?? os.availableParallelism(), tasks.length));
  // Longest tasks first (more instances, more requests), so the pool drains evenly.
  const queue = [...tasks].sort((a, b) => b.referenceXputRps - a.referenceXputRps);
  const results: R[] = [];
  const workers = Array.from({ length: size }, () => new Worker(new URL('./sweepWorker.mjs', import.meta.url)));
  try {
    await Promise.all(
      workers.map(
        (worker) =>
          new Promise<void>((resolve, reject) => {
            const next = (): void => {
              const task = queue.shift();
              if (!task) {
                resolve();
                return;
              }
              worker.postMessage(task);
            };
            worker.on('message', (reply: Reply<R>) => {
              if (!reply.ok) {
                reject(new Error(`sweep task ${reply.id} failed: ${reply.error}`));
                return;
              }
              results.push(reply.result);
              options.onResult?.(reply.result, results.length);
              next();
            });
            worker.on('error', reject);
            next();
          }),
      ),
    );
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
  return results.sort((a, b) => a.id - b.id);
}
