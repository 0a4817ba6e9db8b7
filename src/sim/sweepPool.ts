/** Runs sweep tasks on a pool of worker threads, one per core, and reports each result as it lands. */
import os from 'node:os';
import { Worker } from 'node:worker_threads';
import type { SweepTask, SweepTaskResult } from './sweepTask.ts';

type Reply = { ok: true; result: SweepTaskResult } | { ok: false; id: number; error: string };

export async function runSweepPool(tasks: ReadonlyArray<SweepTask>, options: { workers?: number; onResult?: (result: SweepTaskResult, done: number) => void } = {}): Promise<SweepTaskResult[]> {
  const size = Math.max(1, Math.min(options.workers ?? os.availableParallelism(), tasks.length));
  // Longest tasks first (more instances, more requests), so the pool drains evenly.
  const queue = [...tasks].sort((a, b) => b.referenceXputRps - a.referenceXputRps);
  const results: SweepTaskResult[] = [];
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
            worker.on('message', (reply: Reply) => {
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
