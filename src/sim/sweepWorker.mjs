// Worker-thread entry for parallel sweeps (sweepPool.ts). Plain JavaScript that registers the TypeScript
// loader first: Node 20 workers do not inherit it from the main thread.
import { parentPort } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
const { runSweepTask } = await import('./sweepTask.ts');
const { runEdgeSweepTask } = await import('./edgeSweep.ts');
parentPort.on('message', (task) => {
  try {
    parentPort.postMessage({ ok: true, result: task.kind === 'edge' ? runEdgeSweepTask(task) : runSweepTask(task) });
  } catch (error) {
    parentPort.postMessage({ ok: false, id: task.id, error: error instanceof Error ? error.message : String(error) });
  }
});
